/** Cleaning of hostile strings that came from the network, before they are stored as data. Pure. */
import { cleanText } from '../util/text.js';

/** Remove control and bidi/invisible characters, trim, cap length. Empty → null. Escaping is the output's job. */
export function cleanNetworkText(value: unknown, max: number): string | null {
  return cleanText(value, max) || null;
}

import { HOSTNAME_MAX } from '../vocabulary.js';

/** DNS names are at most 253 characters (HOSTNAME_MAX). */
export function cleanHostname(value: unknown): string | null {
  return cleanNetworkText(value, HOSTNAME_MAX);
}
