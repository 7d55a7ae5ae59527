/**
 * The one module that wraps the `oui-data` package (IEEE MA-L, MA-M and MA-S registries).
 * Keys in oui-data are uppercase hex: 6 chars (MA-L), 7 (MA-M), 9 (MA-S); values are the
 * multi-line registry entry (organisation, address lines, country).
 *
 * The index is loaded lazily on the first lookup (≈5.6 MB JSON) and kept as a Map of cleaned,
 * interned organisation names.
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

let index: Map<string, string> | null = null;
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

function load(): Map<string, string> {
  if (index) return index;
  const t0 = performance.now();
  const require = createRequire(import.meta.url);
  const text = readFileSync(require.resolve('oui-data'), 'utf8');
  // Many registry entries share an organisation: clean each distinct first line once and share one string
  // per organisation name.
  const cleanedByRaw = new Map<string, string | null>();
  const interned = new Map<string, string>();
  const map = new Map<string, string>();
  for (const m of text.matchAll(ENTRY)) {
    const key = m[1]!.toUpperCase();
    if (!KEY.test(key)) continue;
    const rawLine = m[2]!;
    let v = cleanedByRaw.get(rawLine);
    if (v === undefined) {
      let line: unknown;
      try {
        line = JSON.parse(`"${rawLine}"`);
      } catch {
        line = null;
      }
      const c = cleanVendor(line);
      v = c === null ? null : (interned.get(c) ?? c);
      if (v !== null) interned.set(v, v);
      cleanedByRaw.set(rawLine, v);
    }
    if (v) map.set(key, v);
  }
  index = map;
  stats = { entries: map.size, loadMs: performance.now() - t0 };
  return map;
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
  const map = load();
  const hit = map.get(hex.slice(0, 9)) ?? map.get(hex.slice(0, 7)) ?? map.get(hex.slice(0, 6)) ?? null;
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
