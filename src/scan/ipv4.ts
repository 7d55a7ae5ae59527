/**
 * Strict IPv4 / CIDR helpers (pure). Only plain ASCII dotted-quad forms are accepted: no leading zeros (nmap and
 * inet_aton would read "010" as octal), no whitespace, no full-width digits, no host names.
 */

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const CIDR_RE = new RegExp(`^(${OCTET}(?:\\.${OCTET}){3})\\/(3[0-2]|[12]?\\d)$`);

/** An inclusive range of addresses as unsigned 32-bit integers. */
export interface Ipv4Range {
  first: number;
  last: number;
}

export interface ParsedCidr {
  /** Address as written (host bits possibly set). */
  address: number;
  prefix: number;
  /** Network address (host bits zeroed). */
  network: number;
  /** Number of addresses in the block (2^(32-prefix)). */
  size: number;
}

export function isIpv4(s: unknown): s is string {
  return typeof s === 'string' && IPV4_RE.test(s);
}

export function isCidr(s: unknown): s is string {
  return typeof s === 'string' && CIDR_RE.test(s);
}

/** Dotted quad → unsigned 32-bit integer; undefined when not a strict IPv4 address. */
export function ipv4ToInt(s: string): number | undefined {
  if (!isIpv4(s)) return undefined;
  const p = s.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

export function intToIpv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/p" or a bare "a.b.c.d" (as /32). Undefined when malformed. */
export function parseCidrOrIp(s: string): ParsedCidr | undefined {
  let addrText: string;
  let prefix: number;
  if (isIpv4(s)) {
    addrText = s;
    prefix = 32;
  } else {
    const m = typeof s === 'string' ? CIDR_RE.exec(s) : null;
    if (!m) return undefined;
    addrText = m[1]!;
    prefix = Number(m[m.length - 1]);
  }
  const address = ipv4ToInt(addrText);
  if (address === undefined) return undefined;
  const network = (address & prefixMask(prefix)) >>> 0;
  return { address, prefix, network, size: 2 ** (32 - prefix) };
}

export function cidrRange(c: Pick<ParsedCidr, 'network' | 'size'>): Ipv4Range {
  return { first: c.network, last: c.network + c.size - 1 };
}

export function formatCidr(c: Pick<ParsedCidr, 'network' | 'prefix'>): string {
  return `${intToIpv4(c.network)}/${c.prefix}`;
}

/** True when `inner` lies completely inside `outer`. */
export function rangeContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergeRanges(ranges: readonly Ipv4Range[]): Ipv4Range[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first || a.last - b.last);
  const out: Ipv4Range[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1) {
      prev.last = Math.max(prev.last, r.last);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** Total number of addresses covered by `ranges` (which must already be merged). */
export function rangesSize(ranges: readonly Ipv4Range[]): number {
  return ranges.reduce((n, r) => n + (r.last - r.first + 1), 0);
}

/** Size of the intersection of two merged range lists. */
export function intersectionSize(a: readonly Ipv4Range[], b: readonly Ipv4Range[]): number {
  let n = 0;
  for (const x of a) {
    for (const y of b) {
      const first = Math.max(x.first, y.first);
      const last = Math.min(x.last, y.last);
      if (first <= last) n += last - first + 1;
    }
  }
  return n;
}

interface NamedRange extends Ipv4Range {
  name: string;
}

function block(cidr: string, name: string): NamedRange {
  const c = parseCidrOrIp(cidr)!;
  return { ...cidrRange(c), name };
}

/**
 * Address space a home LAN may legitimately use. Anything else (public, multicast, 0/8, 240/4) is refused as a
 * scan target unless the caller explicitly allows public ranges.
 */
export const NON_PUBLIC_BLOCKS: readonly NamedRange[] = [
  block('10.0.0.0/8', 'private'),
  block('172.16.0.0/12', 'private'),
  block('192.168.0.0/16', 'private'),
  block('100.64.0.0/10', 'carrier-grade NAT'),
  block('169.254.0.0/16', 'link-local'),
  block('127.0.0.0/8', 'loopback'),
];

export function isNonPublicRange(r: Ipv4Range): boolean {
  return NON_PUBLIC_BLOCKS.some((b) => rangeContains(b, r));
}

/** Blocks that can never be a meaningful unicast target even with public scanning allowed. */
export const NEVER_TARGET_BLOCKS: readonly NamedRange[] = [
  block('0.0.0.0/8', '"this" network'),
  block('224.0.0.0/4', 'multicast'),
  block('240.0.0.0/4', 'reserved'),
];
