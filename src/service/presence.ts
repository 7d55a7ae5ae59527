/**
 * Presence between sweeps, as one feature: passive listening (DHCP, mDNS, ARP; needs root) and IPv6 neighbour
 * discovery (after each sweep, and every 30 s while passive listening runs). Both listen on the interfaces of
 * the swept networks; each subscribes to the bus itself, and `stop()` ends both (NDP first, as started last).
 */
import { startNdp } from '../ndp/ndpService.js';
import { createPassiveListening, type HostInterfaces, lanInterfaces } from '../passive/passiveListening.js';
import type { ServiceCore } from './core.js';
import { runStops, type Stops } from './lifecycle.js';
import type { ScanPlan } from './scanFeature.js';

export interface PresenceFeature {
  stop(): Promise<void>;
}

/**
 * Options `passive` (needs root) and `consider_home`; listens on the interfaces of the networks swept at
 * start-up (and within their targets and excludes).
 */
export function attachPresence(
  core: ServiceCore,
  scanning: Pick<ScanPlan, 'privileged' | 'detected' | 'initial'>,
  host: { interfaces: () => HostInterfaces },
): PresenceFeature {
  const { store, bus, clock, log } = core;
  const o = core.options;
  const stops: Stops = [];
  const scope = { targets: scanning.initial.targets, exclude: scanning.initial.exclude };
  const passive = o.passive && scanning.privileged;
  if (o.passive && !scanning.privileged)
    log.info('passive listening needs root: off (presence from sweeps only)');
  if (passive) {
    const listening = createPassiveListening({
      store,
      bus,
      clock,
      logger: log.child('passive'),
      scope: () => scope,
      considerHome: o.consider_home,
      interfaces: lanInterfaces(scanning.detected, scope.targets, host.interfaces()),
    });
    stops.push(['passive listening', () => listening.stop()]);
  }
  const ndp = startNdp({
    store,
    bus,
    clock,
    log,
    considerHome: o.consider_home,
    passive,
    interfaces: host.interfaces,
    detected: scanning.detected,
    targets: scope.targets,
  });
  if (ndp) stops.push(['ndp discovery', () => ndp.stop()]);
  return { stop: () => runStops(stops, log) };
}
