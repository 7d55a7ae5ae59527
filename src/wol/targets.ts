/**
 * Where a magic packet goes (pure): the directed broadcast of the configured subnet that holds the device's
 * last IPv4 address, and the limited broadcast 255.255.255.255. A sleeping card answers no ARP, so unicast to
 * its old address would not leave the host; a broadcast reaches its link whatever the neighbour table says.
 */
import { cidrRange, intToIpv4, ipv4ToInt, isIpv4, parseCidrOrIp, prefixMask } from '../scan/ipv4.js';

export const LIMITED_BROADCAST = '255.255.255.255';

export interface WakeTarget {
  address: string;
  port: number;
}

export type WakeAim =
  | { ok: true; subnet: string; targets: WakeTarget[] }
  | { ok: false; reason: 'no_ipv4' | 'no_subnet'; message: string };

/** Targets for a device last seen at `ip`, given the subnets the service watches (CIDRs). */
export function wakeTargets(ip: string | null, subnets: readonly string[], port: number): WakeAim {
  if (!ip || !isIpv4(ip))
    return {
      ok: false,
      reason: 'no_ipv4',
      message: 'the device has no known IPv4 address to aim the magic packet at (it was never swept)',
    };
  const addr = ipv4ToInt(ip)!;
  let best: { cidr: string; prefix: number; network: number } | null = null;
  for (const s of subnets) {
    const c = parseCidrOrIp(s);
    if (!c) continue;
    const r = cidrRange(c);
    if (addr < r.first || addr > r.last) continue;
    if (!best || c.prefix > best.prefix) best = { cidr: s, prefix: c.prefix, network: c.network };
  }
  if (!best)
    return {
      ok: false,
      reason: 'no_subnet',
      message: `no configured subnet holds the device's address ${ip}, so its broadcast address is unknown (add its network to subnets)`,
    };
  // /31 and /32 have no broadcast address: the device's own address is the only one on that link
  const directed = best.prefix >= 31 ? ip : intToIpv4((best.network | ~prefixMask(best.prefix)) >>> 0);
  return {
    ok: true,
    subnet: best.cidr,
    targets: [
      { address: directed, port },
      { address: LIMITED_BROADCAST, port },
    ],
  };
}
