/**
 * Reading nmap's `ssl-cert` and `ssl-enum-ciphers` script output (pure). The XML parser collects each
 * script's <table>/<elem> tree as flat entries (bounded in count and length: the certificate is hostile
 * input, e.g. a 64 kB SAN list); this module turns them into a ScanTls.
 */
import type { ScanTls } from './types.js';

/** Only these scripts are ever run or read (DESIGN §4). */
export const TLS_SCRIPTS = ['ssl-cert', 'ssl-enum-ciphers'] as const;
export type TlsScript = (typeof TLS_SCRIPTS)[number];

export interface ScriptEntry {
  /** table keys from the script root, unkeyed tables as "#<n>", joined with "/" */
  path: string;
  key: string;
  value: string;
}

export const MAX_SCRIPT_ENTRIES = 4000;
/** longest value kept from one <elem> (raw characters) */
export const MAX_ELEM_CHARS = 2048;
export const SUBJECT_MAX = 256;
export const SAN_MAX = 1024;
const MAX_PROTOCOLS = 8;
const MAX_WEAK = 32;
const WEAK_CIPHER = /(^|_)(EXPORT|EXP|RC4|3DES|DES|NULL|anon|MD5)(_|$)|DES_CBC|_DES40_/i;
const PROTOCOL = /^(SSLv2|SSLv3|TLSv1\.[0-3])$/;
const NAME_ORDER = [
  'commonName',
  'organizationName',
  'organizationalUnitName',
  'localityName',
  'stateOrProvinceName',
  'countryName',
];
const SHORT: Record<string, string> = {
  commonName: 'CN',
  organizationName: 'O',
  organizationalUnitName: 'OU',
  localityName: 'L',
  stateOrProvinceName: 'ST',
  countryName: 'C',
};

/** Remove control characters, collapse whitespace, cap the length. */
function clean(s: string, max: number): string {
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, ' ');
  const c = t.replace(/\s+/g, ' ').trim();
  return c.length > max ? `${c.slice(0, max - 1)}…` : c;
}

function dn(entries: ScriptEntry[], table: string): string | null {
  const parts = entries.filter((e) => e.path === table);
  if (parts.length === 0) return null;
  parts.sort((a, b) => rank(a.key) - rank(b.key));
  return clean(parts.map((e) => `${SHORT[e.key] ?? e.key}=${e.value}`).join(', '), SUBJECT_MAX) || null;
}

function rank(k: string): number {
  const i = NAME_ORDER.indexOf(k);
  return i < 0 ? NAME_ORDER.length : i;
}

/** nmap prints "2025-01-31T12:00:00" (UTC) or with an offset; anything else → null. */
export function nmapTime(v: string | undefined): string | null {
  if (!v || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(v)) return null;
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`;
  const t = Date.parse(withZone);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

export function readSslCert(entries: ScriptEntry[], into: ScanTls): void {
  into.subject = dn(entries, 'subject');
  into.issuer = dn(entries, 'issuer');
  const subjectKeys = entries.filter((e) => e.path === 'subject');
  const issuerKeys = entries.filter((e) => e.path === 'issuer');
  into.selfSigned =
    subjectKeys.length > 0 &&
    subjectKeys.length === issuerKeys.length &&
    subjectKeys.every((s) => issuerKeys.some((i) => i.key === s.key && i.value === s.value));
  into.notBefore = nmapTime(entries.find((e) => e.path === 'validity' && e.key === 'notBefore')?.value);
  into.notAfter = nmapTime(entries.find((e) => e.path === 'validity' && e.key === 'notAfter')?.value);
  // extensions/#n holds name + value pairs
  const byTable = new Map<string, Record<string, string>>();
  for (const e of entries) {
    if (!e.path.startsWith('extensions/')) continue;
    const t = byTable.get(e.path) ?? {};
    t[e.key] = e.value;
    byTable.set(e.path, t);
  }
  for (const t of byTable.values()) {
    if (t.name === 'X509v3 Subject Alternative Name' && t.value) into.san = clean(t.value, SAN_MAX);
  }
}

export function readSslEnumCiphers(entries: ScriptEntry[], into: ScanTls): void {
  const protocols = new Set<string>();
  const weak = new Set<string>();
  for (const e of entries) {
    const top = e.path.split('/')[0] ?? '';
    if (!PROTOCOL.test(top)) continue;
    protocols.add(top);
    if (e.key === 'name' && e.path.startsWith(`${top}/ciphers/`) && WEAK_CIPHER.test(e.value))
      weak.add(clean(e.value, 100));
  }
  into.protocols = [...protocols].slice(0, MAX_PROTOCOLS).sort();
  into.weakCiphers = [...weak].slice(0, MAX_WEAK);
}

export function emptyTls(): ScanTls {
  return {
    subject: null,
    issuer: null,
    notBefore: null,
    notAfter: null,
    selfSigned: false,
    san: null,
    protocols: [],
    weakCiphers: [],
  };
}
