/** Hostile-string hygiene for everything we hand to Home Assistant (names, vendors, hostnames, banners). */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Removes control and bidi-override characters, collapses whitespace and caps the length (in code points,
 * never splitting a surrogate pair). Returns null for null/empty input.
 */
export function cleanText(s: string | null | undefined, max: number): string | null {
  if (s === null || s === undefined) return null;
  const flat = s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (flat === '') return null;
  const cps = Array.from(flat);
  return cps.length <= max ? flat : `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** UTF-8 byte length of the JSON form. */
export function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v), 'utf8');
}

/** HA's recorder drops all attributes of a state above this (MAX_STATE_ATTRS_BYTES). */
export const HA_MAX_PAYLOAD_BYTES = 16384;
