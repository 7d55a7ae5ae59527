/**
 * The scan feature of the service: nmap is checked and the targets resolved before anything else starts (a
 * wrong option fails start-up with its message); the coordinator re-resolves the targets from the options and
 * the networks detected at start-up at every sweep, with the service's scan settings (batches, pauses, the
 * sweep timeout derived from `sweep_interval`).
 */
import type { Options } from '../config/options.js';
import { checkNmap } from '../scan/nmapRunner.js';
import { type DetectedNet, detectLocalNetworks } from '../scan/targets.js';
import type { Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import type { ServiceCore } from './core.js';
import type { HostAdapters } from './host.js';
import { orStartupError, StartupError } from './lifecycle.js';
import { ScanCoordinator } from './scanCoordinator.js';
import type { ScanTargets } from './scanSettings.js';
import { scanSettings, scanTargets } from './scanSettings.js';
import type { ThreatAssessor } from './threatAssessor.js';

export interface ScanPlan {
  readonly privileged: boolean;
  /** the attached networks detected at start-up */
  readonly detected: DetectedNet[];
  /** the targets at start-up (where presence listens; what the settings summary names) */
  readonly initial: ScanTargets;
  /** the targets now: options `subnets`/`exclude` against the detected networks */
  targets(): ScanTargets;
  /** the swept subnets now */
  subnets(): string[];
}

/** Checks nmap and resolves the targets (StartupError when either fails); logs the start-up line. */
export async function prepareScanning(
  o: Options,
  host: HostAdapters,
  log: Logger,
  addon: boolean,
): Promise<ScanPlan> {
  const nmap = await checkNmap(o.nmap_path);
  if (!nmap.ok) throw new StartupError(nmap.message);
  const privileged = host.privileged;
  const detected = detectLocalNetworks(host.interfaces());
  const initial = await orStartupError(() => scanTargets(o, detected));
  for (const w of initial.warnings) log.warn(w);
  log.info(
    `LAN Sentinel ${VERSION} (${addon ? 'add-on' : 'standalone'}); ${nmap.version}; ${privileged ? 'privileged (ARP, SYN scans)' : 'unprivileged (TCP connect, neighbour table)'}; targets ${initial.targets.join(', ')} (${initial.addressCount} addresses)`,
  );
  const targets = (): ScanTargets => scanTargets(o, detected);
  return { privileged, detected, initial, targets, subnets: () => targets().targets };
}

/** The scan coordinator with the service's settings (logs as "scan"). */
export function startScanning(
  core: ServiceCore,
  plan: ScanPlan,
  host: HostAdapters,
  threats: ThreatAssessor,
): ScanCoordinator {
  return new ScanCoordinator({
    store: core.store,
    bus: core.bus,
    clock: core.clock,
    logger: core.log.child('scan'),
    targets: plan.targets,
    threats,
    ...(host.resolver ? { resolver: host.resolver } : {}),
    settings: scanSettings(core.options, plan.privileged, host.gatewayIp),
  });
}
