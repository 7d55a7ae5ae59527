/**
 * Which neighbours an NDP discovery pass proves present (pure): an entry of the neighbour table counts when its
 * address answered the all-nodes ping just now, or the kernel holds it REACHABLE (it confirmed itself within
 * the last ~30 s: a host that ignores multicast echo but talks to us). A STALE entry only says the neighbour was there once, so it proves nothing. The host's own MACs are
 * not neighbours. Result: one sighting per MAC with its addresses, at most `perMac` of them.
 */
import { compareIpv6 } from './ipv6.js';
import { FRESH_STATES, type Neighbour } from './neighbours.js';

export interface NeighbourSighting {
  mac: string;
  /** canonical IPv6 addresses, global → unique-local → link-local */
  addresses: string[];
}

export function neighbourSightings(
  table: readonly Neighbour[],
  answered: ReadonlySet<string>,
  ownMacs: ReadonlySet<string>,
  perMac = 16,
): NeighbourSighting[] {
  const byMac = new Map<string, Set<string>>();
  for (const n of table) {
    if (ownMacs.has(n.mac)) continue;
    if (!answered.has(n.address) && !FRESH_STATES.has(n.state)) continue;
    const set = byMac.get(n.mac) ?? new Set<string>();
    if (set.size < perMac) set.add(n.address);
    byMac.set(n.mac, set);
  }
  return [...byMac]
    .map(([mac, set]) => ({ mac, addresses: [...set].sort(compareIpv6) }))
    .sort((a, b) => (a.mac < b.mac ? -1 : 1));
}
