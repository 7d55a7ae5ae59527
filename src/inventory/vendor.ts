/**
 * The one module that wraps the `oui-data` package (IEEE MA-L, MA-M and MA-S registries).
 * Keys in oui-data are uppercase hex: 6 chars (MA-L), 7 (MA-M), 9 (MA-S); values are the
 * multi-line registry entry (organisation, address lines, country).
 *
 * The index is loaded lazily on the first lookup (≈5.6 MB JSON) and kept compact (issue 18): the ≈53k
 * prefixes as numbers in one sorted Float64Array, beside a Uint32Array naming each one's organisation in a
 * list of the distinct cleaned names (≈0.7 MB for the prefixes instead of a Map of 53k string keys), looked
 * up by binary search.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isRandomizedMac, normalizeMac } from './mac.js';

export const VENDOR_MAX_LENGTH = 128;
/** MA-M / MA-S blocks are carved out of MA-L prefixes owned by the IEEE RA itself. */
const IEEE_RA = 'IEEE Registration Authority';

export interface VendorIndexStats {
  entries: number;
  loadMs: number;
}

interface VendorIndex {
  /** prefix keys (see prefixKey), ascending */
  keys: Float64Array;
  /** organisation of keys[i], as an index into names */
  org: Uint32Array;
  names: string[];
}

let index: VendorIndex | null = null;
let stats: VendorIndexStats | null = null;

/** First line, control/bidi characters removed, whitespace collapsed, capped at 128 characters. */
export function cleanVendor(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const firstLine = raw.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const cleaned = firstLine
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleaned) return null;
  return cleaned.length > VENDOR_MAX_LENGTH ? cleaned.slice(0, VENDOR_MAX_LENGTH).trimEnd() : cleaned;
}

/**
 * One registry entry of oui-data's JSON object: `"KEY": "first line\nmore lines…"`. Only the key and the
 * first line (the organisation) are captured, straight from the file's text: a full JSON.parse of the 5.6 MB
 * file allocates every address line of all 53k entries, and the grown heap stays as resident memory of the
 * service for good (≈45 MB on a Raspberry Pi-sized budget of 80 MB).
 */
const ENTRY = /"([0-9A-Fa-f]{6,9})"\s*:\s*"((?:[^"\\]|\\[^n])*)/g;
const KEY = /^[0-9A-F]{6}(?:[0-9A-F]|[0-9A-F]{3})?$/;

/** One number per prefix: its length (6, 7 or 9 hex digits) above its value, so the lengths never collide. */
function prefixKey(hex: string): number {
  return hex.length * 2 ** 36 + Number.parseInt(hex, 16);
}

function load(): VendorIndex {
  if (index) return index;
  const t0 = performance.now();
  const require = createRequire(import.meta.url);
  const text = readFileSync(require.resolve('oui-data'), 'utf8');
  // Many registry entries share an organisation: clean each distinct first line once and keep one number per
  // organisation name.
  const orgByRaw = new Map<string, number>();
  const orgByName = new Map<string, number>();
  const names: string[] = [];
  const entries: Array<[number, number]> = [];
  for (const m of text.matchAll(ENTRY)) {
    const key = m[1]!.toUpperCase();
    if (!KEY.test(key)) continue;
    const rawLine = m[2]!;
    let org = orgByRaw.get(rawLine);
    if (org === undefined) {
      let line: unknown;
      try {
        // JSON.parse also copies the text: a slice of `text` would keep all 5.6 MB of it alive
        line = JSON.parse(`"${rawLine}"`);
      } catch {
        line = null;
      }
      const c = cleanVendor(line);
      org = -1;
      if (c !== null) {
        org = orgByName.get(c) ?? names.length;
        if (org === names.length) {
          names.push(c);
          orgByName.set(c, org);
        }
      }
      orgByRaw.set(rawLine, org);
    }
    if (org >= 0) entries.push([prefixKey(key), org]);
  }
  entries.sort((a, b) => a[0] - b[0]);
  // a later duplicate key wins, as it did in a Map
  const keys = new Float64Array(entries.length);
  const org = new Uint32Array(entries.length);
  let n = 0;
  for (const [k, o] of entries) {
    if (n > 0 && keys[n - 1] === k) org[n - 1] = o;
    else {
      keys[n] = k;
      org[n] = o;
      n++;
    }
  }
  index = { keys: keys.slice(0, n), org: org.slice(0, n), names };
  stats = { entries: n, loadMs: performance.now() - t0 };
  return index;
}

function find(ix: VendorIndex, hex: string): string | undefined {
  const k = prefixKey(hex);
  let lo = 0;
  let hi = ix.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ix.keys[mid]!;
    if (v === k) return ix.names[ix.org[mid]!];
    if (v < k) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * Vendor (organisation) for a MAC, longest prefix first: MA-S (9 hex), MA-M (7), MA-L (6).
 * Randomized (locally administered) and invalid MACs → null. A bare MA-L hit on an IEEE RA block
 * whose sub-assignment is unknown → null (the RA is not the device's maker).
 */
export function lookupVendor(mac: string): string | null {
  const n = normalizeMac(mac);
  if (!n || isRandomizedMac(n)) return null;
  const hex = n.replace(/:/g, '').toUpperCase();
  const ix = load();
  const hit = find(ix, hex.slice(0, 9)) ?? find(ix, hex.slice(0, 7)) ?? find(ix, hex.slice(0, 6)) ?? null;
  if (hit === IEEE_RA) return null;
  return hit;
}

/** Load the index now (e.g. at start-up, off the first sweep's path). Idempotent. */
export function preloadVendorIndex(): VendorIndexStats {
  load();
  return stats!;
}

/** Stats of the loaded index, or null when it has not been loaded yet. */
export function vendorIndexStats(): VendorIndexStats | null {
  return stats;
}
