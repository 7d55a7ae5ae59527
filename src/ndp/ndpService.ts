/**
 * NDP discovery in the service: on the interfaces of the swept networks that have IPv6, after every sweep, and
 * every 30 s while passive listening is on. Off (with a log line) when `ping` or `ip` is not installed.
 */
import { type HostInterfaces, lanInterfaces } from '../passive/passiveListening.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { type NdpDiscovery, ndpInterfaces, startNdpDiscovery } from './ndpDiscovery.js';
import { findTool, IP_CANDIDATES, PING_CANDIDATES, systemNdpTools } from './ndpTools.js';

export const NDP_PASSIVE_PERIOD_MS = 30_000;

export interface NdpServiceDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  considerHome: number;
  /** passive listening runs: NDP also runs between sweeps */
  passive: boolean;
  /** the machine's interfaces (os.networkInterfaces()) */
  interfaces: () => HostInterfaces;
  /** detected attached networks and the swept targets */
  detected: ReadonlyArray<{ iface: string; cidr: string; address: string }>;
  targets: readonly string[];
}

export function startNdp(c: NdpServiceDeps): NdpDiscovery | null {
  const log = c.log.child('ndp');
  const ping = findTool(PING_CANDIDATES);
  const ipBin = findTool(IP_CANDIDATES);
  if (!ping || !ipBin) {
    log.info(`IPv6 neighbour discovery off: ${!ping ? 'ping' : 'ip'} is not installed`);
    return null;
  }
  const lanIfaces = () => {
    const all = c.interfaces();
    return ndpInterfaces(lanInterfaces(c.detected, c.targets, all), all);
  };
  const first = lanIfaces();
  log.info(
    first.length > 0
      ? `IPv6 neighbour discovery on ${first.map((i) => i.iface).join(', ')}: after each sweep${c.passive ? ` and every ${NDP_PASSIVE_PERIOD_MS / 1000} s` : ''}`
      : 'IPv6 neighbour discovery: no IPv6 address on the LAN interfaces (off until one appears)',
  );
  return startNdpDiscovery({
    store: c.store,
    bus: c.bus,
    clock: c.clock,
    logger: log,
    tools: systemNdpTools(ping, ipBin),
    interfaces: lanIfaces,
    considerHome: c.considerHome,
    periodMs: c.passive ? NDP_PASSIVE_PERIOD_MS : 0,
  });
}
