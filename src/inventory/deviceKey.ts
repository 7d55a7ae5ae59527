/**
 * Device keys (DESIGN §15). Pure. A device is keyed by its MAC (`aa:bb:cc:dd:ee:ff`); a host on a routed subnet
 * whose MAC no one can learn (ARP does not cross the router, no agent sits in that subnet, the kernel's
 * neighbour table has no entry) is keyed by its IPv4 address instead: `ip_<a>_<b>_<c>_<d>`, e.g.
 * `ip_192_168_20_7`. That form is valid wherever a MAC key is used today: a URL path segment, an MQTT topic
 * level and HA's ids (`[a-z0-9_]`, so `mac12` leaves it as it is), and it can never be mistaken for a MAC
 * (normalizeMac refuses it, so it gets no vendor, no `randomized` flag and no `["mac", …]` connection in HA).
 *
 * Identity by IP is weak: the key follows the address, not the host. A host whose address changes (DHCP on the
 * routed subnet) becomes a second device; a different host that takes the address over continues the first
 * one's history (nothing on the wire tells them apart). When a MAC is learned for the address (an agent in that
 * subnet, the hub attached to it, the neighbour table), the IP device is upgraded into the MAC device.
 */
import { isIpv4 } from '../scan/ipv4.js';
import type { DeviceIdentity } from '../vocabulary.js';

const IP_KEY = /^ip_(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(_(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `10.0.20.7` → `ip_10_0_20_7`; throws for anything that is not an IPv4 address. */
export function ipKey(ip: string): string {
  if (!isIpv4(ip)) throw new Error(`deviceKey: "${String(ip).slice(0, 40)}" is not an IPv4 address`);
  return `ip_${ip.replace(/\./g, '_')}`;
}

/** True for a key of the form `ip_<a>_<b>_<c>_<d>` (each part 0-255 without leading zeros). */
export function isIpKey(key: string): boolean {
  return typeof key === 'string' && IP_KEY.test(key);
}

/** `ip_10_0_20_7` → `10.0.20.7`; null for a key that is not an IP key. */
export function ipOfKey(key: string): string | null {
  return isIpKey(key) ? key.slice(3).replace(/_/g, '.') : null;
}

/** How the device with this key is identified. */
export function identityOf(key: string): DeviceIdentity {
  return isIpKey(key) ? 'ip' : 'mac';
}
