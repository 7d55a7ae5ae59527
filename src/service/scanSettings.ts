/**
 * From options to what the scan coordinator needs: the resolved targets and the scan settings. Pure: the
 * detected networks and privilege are passed in. The service and `lan-sentinel scan` (one-shot) share it, so
 * an option reaches nmap's argv the same way in both (option → settings here → coordinator → nmapArgs).
 */
import type { Options } from '../config/options.js';
import {
  type DetectedNet,
  type ResolvedTargets,
  resolveTargets,
  splitByAttachment,
} from '../scan/targets.js';
import type { ScanSettings, ScanTargets } from './scanCoordinator.js';

export type ScanMode = 'service' | 'once';

/** The targets of options `subnets`/`exclude` (auto-detected networks when empty). Throws TargetError. */
export function scanTargets(
  o: Pick<Options, 'subnets' | 'exclude'>,
  detected: DetectedNet[],
): ScanTargets & Pick<ResolvedTargets, 'addressCount' | 'warnings'> {
  const r = resolveTargets({ subnets: o.subnets, exclude: o.exclude }, detected);
  const { routed } = splitByAttachment(r.targets, detected);
  return {
    targets: r.targets,
    exclude: r.exclude,
    attached: routed.length === 0,
    routed,
    addressCount: r.addressCount,
    warnings: r.warnings,
  };
}

/** A sweep may take up to 4 sweep intervals (at least a minute) before it is stopped. */
export function sweepTimeoutMs(sweepIntervalSec: number): number {
  return Math.max(60_000, sweepIntervalSec * 1000 * 4);
}

/**
 * Scan settings for the long-running service (small port-scan batches with pauses, so a Raspberry Pi stays
 * responsive) or a one-shot CLI scan (everything at once, no pauses).
 */
export function scanSettings(
  o: Options,
  privileged: boolean,
  gatewayIp: () => string | null,
  mode: ScanMode = 'service',
): ScanSettings {
  const common = {
    nmapPath: o.nmap_path,
    privileged,
    considerHome: o.consider_home,
    portProfile: o.port_profile,
    ports: o.ports,
    hostTimeoutSec: o.port_profile === 'top1000' ? 300 : 120,
    gatewayIp,
  };
  if (mode === 'once')
    return {
      ...common,
      sweepTimeoutMs: 10 * 60_000,
      portScanPauseMs: 0,
      portScanBatch: 256,
      dnsTimeoutMs: 2_000,
    };
  return {
    ...common,
    sweepTimeoutMs: sweepTimeoutMs(o.sweep_interval),
    portScanPauseMs: 2_000,
    portScanBatch: 4,
    dnsTimeoutMs: 3_000,
    scanNewDevices: o.scan_new_devices,
    tlsChecks: o.tls_checks,
  };
}
