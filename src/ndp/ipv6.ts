/**
 * Strict IPv6 helpers (pure): what an address from the neighbour table or a ping reply may be before it is
 * stored. Only plain unicast forms are taken: no zone index ("%eth0"), no IPv4-mapped/compatible forms, no
 * multicast, loopback or unspecified address. Addresses are kept in RFC 5952 canonical form.
 */
import { isIPv6 } from 'node:net';

export type Ipv6Scope = 'link-local' | 'unique-local' | 'global';

/** Longest textual IPv6 address (8 groups of 4 hex digits and 7 colons; canonical forms are shorter). */
export const IPV6_TEXT_MAX = 39;
const HEXISH = /^[0-9a-fA-F:]+$/;

/** RFC 5952 form (lowercase, longest zero run compressed), or null for anything that is not a unicast IPv6. */
export function canonicalIpv6(s: unknown): string | null {
  if (typeof s !== 'string' || s.length < 2 || s.length > IPV6_TEXT_MAX) return null;
  if (!HEXISH.test(s) || !isIPv6(s)) return null;
  let host: string;
  try {
    host = new URL(`http://[${s}]/`).hostname;
  } catch {
    return null;
  }
  const a = host.slice(1, -1);
  return ipv6Scope(a) ? a : null;
}

/** The first 16 bits of a canonical address. */
function firstGroup(a: string): number {
  if (a.startsWith('::')) return 0;
  return Number.parseInt(a.slice(0, a.indexOf(':')), 16);
}

/** The scope of a canonical unicast address; null for multicast, loopback, unspecified and mapped forms. */
export function ipv6Scope(a: string): Ipv6Scope | null {
  const g = firstGroup(a);
  if ((g & 0xffc0) === 0xfe80) return 'link-local';
  if ((g & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g & 0xe000) === 0x2000) return 'global';
  // ff00::/8 multicast, ::/128, ::1, ::ffff:0:0/96 and the rest of the unassigned space: not a device address
  return null;
}

/** Order for display and attributes: global, then unique-local, then link-local; then by text. */
export function compareIpv6(a: string, b: string): number {
  const rank = (x: string) => ({ global: 0, 'unique-local': 1, 'link-local': 2 })[ipv6Scope(x) ?? 'global'];
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
