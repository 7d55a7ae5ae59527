/** Cleaning of hostile strings that came from the network, before they are stored as data. Pure. */

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Remove C0/C1 control characters, trim, cap length. Empty → null. Escaping is the output's job. */
export function cleanNetworkText(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const s = value.replace(CONTROL, '').trim();
  if (!s) return null;
  return s.length > max ? s.slice(0, max) : s;
}

import { HOSTNAME_MAX } from '../vocabulary.js';

/** DNS names are at most 253 characters (HOSTNAME_MAX). */
export function cleanHostname(value: unknown): string | null {
  return cleanNetworkText(value, HOSTNAME_MAX);
}
