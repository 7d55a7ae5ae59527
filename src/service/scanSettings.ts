/**
 * From options to what the scan coordinator needs: the resolved targets and the scan settings. Pure: the
 * detected networks and privilege are passed in. The service and `lan-sentinel scan` (one-shot) share it, so
 * an option reaches nmap's argv the same way in both (option → settings here → coordinator → nmapArgs).
 */
import type { Options } from '../config/options.js';
import type { PortProfile } from '../scan/nmapArgs.js';
import {
  type DetectedNet,
  type ResolvedTargets,
  resolveTargets,
  splitByAttachment,
} from '../scan/targets.js';

export interface ScanTargets {
  targets: string[];
  exclude: string[];
  /** every target is on a directly attached network (ARP works) */
  attached: boolean;
  /** the targets behind a router: MAC-less hosts there are identified by IP (DESIGN §15) */
  routed?: string[];
}

export interface ScanSettings {
  nmapPath: string;
  privileged: boolean;
  considerHome: number;
  portProfile: PortProfile;
  ports: string[];
  /** whole-run bound for a sweep */
  sweepTimeoutMs: number;
  /** nmap --host-timeout for port scans */
  hostTimeoutSec: number;
  /** whole-run bound of one port-scan batch (nmap is killed after it); default (hostTimeoutSec + 30 s) × hosts */
  portScanRunTimeoutMs?: number;
  /** pause between port-scan batches, so a Raspberry Pi stays responsive */
  portScanPauseMs: number;
  /** devices per port-scan nmap run */
  portScanBatch: number;
  /** hard bound for background reverse DNS */
  dnsTimeoutMs: number;
  gatewayIp: () => string | null;
  /** run nmap's ssl-cert + ssl-enum-ciphers in port scans (option tls_checks) */
  tlsChecks?: boolean;
  /**
   * Port-scan each device that never had one within minutes of its arrival (`scan_new_devices`). The first
   * port scan after a fresh install's first sweep runs regardless.
   */
  scanNewDevices?: boolean;
  /**
   * Multi-probe confirmation before away (DESIGN §15): probe rounds and the pause between them; 0 rounds = off.
   * Default 3 rounds, 4 s apart.
   */
  confirmRounds?: number;
  confirmPauseMs?: number;
  /**
   * The service's sweep interval: a device a sweep missed that the next sweep would mark away is probed in
   * the interval between (DepartureWatch), not after that sweep. Absent (one-shot scans): probes at the sweep.
   */
  sweepIntervalSec?: number;
  /** first retry delay after a failed first port scan; doubles per failure up to retryMaxMs (default 60 s) */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

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
    sweepIntervalSec: o.sweep_interval,
  };
}
