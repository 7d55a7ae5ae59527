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

/** One number per prefix: its length (6, 7 or 9 hex digits) above its value, so the lengths never collide. */
function prefixKey(hex: string): number {
  return hex.length * 2 ** 36 + Number.parseInt(hex, 16);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The value of a hex digit's byte, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/**
 * Reads oui-data's JSON object (`"KEY": "first line\nmore lines…", …`) straight from the file's bytes: only each
 * key and the first line of its entry (the organisation) are looked at, and a string is made only for a first
 * line that differs from the entry before it (registry entries of one organisation come in runs). Neither the
 * 5.6 MB text as a (two-byte) JS string nor a match object per entry is ever built: those grew the heap by
 * ~30 MB while loading, and V8 kept most of those pages as resident memory of the service for good (issue 18).
 * Values with escapes other than `\n` are decoded by JSON.parse; anything that is not a `"hex key": "string"`
 * pair is skipped.
 */
function scanRegistry(buf: Buffer, each: (key: number, org: string) => void): void {
  const n = buf.length;
  let i = 0;
  let prevStart = -1;
  let prevEnd = -1;
  let prevOrg = '';
  while (i < n) {
    // a key: a quoted run of 6, 7 or 9 hex digits
    const q = buf.indexOf(QUOTE, i);
    if (q === -1) break;
    let j = q + 1;
    let value = 0;
    while (j < n && hexValue(buf[j] as number) >= 0) value = value * 16 + hexValue(buf[j++] as number);
    const len = j - q - 1;
    if (buf[j] !== QUOTE || (len !== 6 && len !== 7 && len !== 9)) {
      i = q + 1;
      continue;
    }
    j++;
    while (j < n && (buf[j] === 0x20 || buf[j] === 0x09 || buf[j] === 0x0a || buf[j] === 0x0d)) j++;
    if (buf[j] !== 0x3a /* : */) {
      i = j;
      continue;
    }
    j++;
    while (j < n && (buf[j] === 0x20 || buf[j] === 0x09 || buf[j] === 0x0a || buf[j] === 0x0d)) j++;
    if (buf[j] !== QUOTE) {
      i = j;
      continue;
    }
    // the value: its first line ends at the first `\n` escape (or the closing quote)
    const start = j + 1;
    let firstEnd = -1;
    let escaped = false;
    let k = start;
    for (; k < n; k++) {
      const c = buf[k] as number;
      if (c === QUOTE) break;
      // a raw control character is not valid JSON: JSON.parse refuses the line, as it always did
      if (c < 0x20 && firstEnd === -1) escaped = true;
      if (c === BACKSLASH) {
        if (firstEnd === -1 && buf[k + 1] === 0x6e /* n */) firstEnd = k;
        else if (firstEnd === -1) escaped = true;
        k++;
      }
    }
    if (k >= n) break;
    if (firstEnd === -1) firstEnd = k;
    i = k + 1;
    let org: string;
    if (
      prevStart >= 0 &&
      firstEnd - start === prevEnd - prevStart &&
      buf.compare(buf, prevStart, prevEnd, start, firstEnd) === 0
    ) {
      org = prevOrg;
    } else {
      const raw = buf.toString('utf8', start, firstEnd);
      if (escaped) {
        try {
          org = JSON.parse(`"${raw}"`) as string;
        } catch {
          org = '';
        }
      } else org = raw;
      prevStart = start;
      prevEnd = firstEnd;
      prevOrg = org;
    }
    each(len * 2 ** 36 + value, org);
  }
}

function load(): VendorIndex {
  if (index) return index;
  const t0 = performance.now();
  const require = createRequire(import.meta.url);
  const buf = readFileSync(require.resolve('oui-data'));
  // Many registry entries share an organisation: clean each distinct first line once and keep one number per
  // organisation name.
  const orgByRaw = new Map<string, number>();
  const orgByName = new Map<string, number>();
  const names: string[] = [];
  let keys = new Float64Array(65536);
  let orgs = new Uint32Array(65536);
  let count = 0;
  scanRegistry(buf, (key, rawLine) => {
    let org = orgByRaw.get(rawLine);
    if (org === undefined) {
      const c = cleanVendor(rawLine);
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
    if (org < 0) return;
    if (count === keys.length) {
      const k2 = new Float64Array(count * 2);
      k2.set(keys);
      keys = k2;
      const o2 = new Uint32Array(count * 2);
      o2.set(orgs);
      orgs = o2;
    }
    keys[count] = key;
    orgs[count] = org;
    count++;
  });
  // sorted by key; a later duplicate key wins, as it did in a Map (the order of equal keys is the file's)
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const outKeys = new Float64Array(count);
  const outOrg = new Uint32Array(count);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const at = order[i] as number;
    const k = keys[at] as number;
    const o = orgs[at] as number;
    if (n > 0 && outKeys[n - 1] === k) outOrg[n - 1] = o;
    else {
      outKeys[n] = k;
      outOrg[n] = o;
      n++;
    }
  }
  index = { keys: outKeys.slice(0, n), org: outOrg.slice(0, n), names };
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
