/**
 * Presence between sweeps, as one feature: passive listening (DHCP, mDNS, ARP; needs root) and IPv6 neighbour
 * discovery (after each sweep, and every 30 s while passive listening runs). Both listen on the interfaces of
 * the swept networks; each subscribes to the bus itself, and `stop()` ends both (NDP first, as started last).
 */
import { startNdp } from '../ndp/ndpService.js';
import { createPassiveListening, type HostInterfaces, lanInterfaces } from '../passive/passiveListening.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { runStops, type Stops } from './lifecycle.js';

export interface PresenceDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** option `passive` */
  passive: boolean;
  /** root: passive listening needs it */
  privileged: boolean;
  /** option `consider_home`, seconds */
  considerHome: number;
  /** the machine's interfaces, read again at each use */
  interfaces: () => HostInterfaces;
  /** the attached networks detected at start-up */
  detected: ReadonlyArray<{ iface: string; cidr: string; address: string }>;
  /** the swept targets and excludes at start-up */
  scope: { targets: string[]; exclude: string[] };
}

export interface PresenceFeature {
  stop(): Promise<void>;
}

export function attachPresence(d: PresenceDeps): PresenceFeature {
  const stops: Stops = [];
  const passive = d.passive && d.privileged;
  if (d.passive && !d.privileged) d.log.info('passive listening needs root: off (presence from sweeps only)');
  if (passive) {
    const listening = createPassiveListening({
      store: d.store,
      bus: d.bus,
      clock: d.clock,
      logger: d.log.child('passive'),
      scope: () => d.scope,
      considerHome: d.considerHome,
      interfaces: lanInterfaces(d.detected, d.scope.targets, d.interfaces()),
    });
    stops.push(['passive listening', () => listening.stop()]);
  }
  const ndp = startNdp({
    store: d.store,
    bus: d.bus,
    clock: d.clock,
    log: d.log,
    considerHome: d.considerHome,
    passive,
    interfaces: d.interfaces,
    detected: d.detected,
    targets: d.scope.targets,
  });
  if (ndp) stops.push(['ndp discovery', () => ndp.stop()]);
  return { stop: () => runStops(stops, d.log) };
}
