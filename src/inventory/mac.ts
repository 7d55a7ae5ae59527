/** MAC address normalisation and classification. Pure. */

const COLON_OR_DASH =
  /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;
const CISCO_DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;
/** Already normal (what nmap's parser and the store hand on): checked without building a copy. */
const NORMAL = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** The value of a lower-case hex digit's character code. */
function hexDigit(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

/**
 * Normalise a MAC address to lowercase `aa:bb:cc:dd:ee:ff`.
 * Accepts `AA:BB:..`, `AA-BB-..`, one-digit groups (`0:1b:..`), Cisco `aabb.ccdd.eeff` and bare `AABBCCDDEEFF`.
 * Returns null for anything else and for addresses that cannot identify one device:
 * all-zero, broadcast and multicast (group bit of the first octet set).
 */
export function normalizeMac(input: string): string | null {
  if (typeof input !== 'string') return null;
  if (input.length === 17 && NORMAL.test(input)) {
    // the group bit of the first octet (multicast, broadcast); all-zero
    if ((hexDigit(input.charCodeAt(1)) & 0x01) === 1) return null;
    return input === '00:00:00:00:00:00' ? null : input;
  }
  const s = input.trim();
  if (s.length > 17) return null;
  let hex: string;
  const cd = COLON_OR_DASH.exec(s);
  if (cd) {
    hex = [cd[1], cd[3], cd[4], cd[5], cd[6], cd[7]].map((g) => (g ?? '').padStart(2, '0')).join('');
  } else {
    const dot = CISCO_DOTTED.exec(s);
    if (dot) hex = `${dot[1]}${dot[2]}${dot[3]}`;
    else if (BARE.test(s)) hex = s;
    else return null;
  }
  hex = hex.toLowerCase();
  if (hex === '000000000000') return null;
  const first = Number.parseInt(hex.slice(0, 2), 16);
  // Broadcast ff:ff:ff:ff:ff:ff has the group bit set too; every multicast address is refused.
  if ((first & 0x01) === 1) return null;
  return hex.match(/../g)!.join(':');
}

/**
 * True when the locally administered bit is set (second hex digit 2, 6, a or e):
 * private/randomized addresses (phones' per-network MACs, VMs, containers). Accepts any form normalizeMac accepts.
 */
export function isRandomizedMac(mac: string): boolean {
  const n = normalizeMac(mac);
  if (!n) return false;
  return (hexDigit(n.charCodeAt(1)) & 0x02) === 0x02;
}
