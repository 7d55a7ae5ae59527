/**
 * What a sweep or a port-scan batch needs from the scan coordinator that runs it: the service's parts, the live
 * progress, the abort of the running nmap, and whether the service is stopping.
 */
import type { Change, Device } from '../inventory/types.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import type { ProbeRun } from './awayConfirmer.js';
import type { ScanProgressTracker } from './scanProgress.js';
import type { ScanSettings, ScanTargets } from './scanSettings.js';
import type { ThreatAssessor } from './threatAssessor.js';

export interface ScanCoordinatorDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  settings: ScanSettings;
  targets: () => ScanTargets;
  threats?: ThreatAssessor;
  /** injectable for tests; defaults to node:dns */
  resolver?: (ip: string) => Promise<string[]>;
  /** the confirmation probes' nmap runs (tests); defaults to nmap */
  probeRun?: ProbeRun;
}

export interface ScanRunContext {
  deps: ScanCoordinatorDeps;
  progress: ScanProgressTracker;
  aborter: RunAborter;
  /** the service is stopping: a run is cut short and marks nothing away */
  stopping(): boolean;
}

/** One abortable run at a time (an nmap scan or the confirmation probes); `abort()` cuts the current one. */
export class RunAborter {
  private controller: AbortController | null = null;

  async run<T>(f: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.controller = new AbortController();
    try {
      return await f(this.controller.signal);
    } finally {
      this.controller = null;
    }
  }

  abort(): void {
    this.controller?.abort();
  }
}

/** A scan's results on the bus: the devices first, then the changes. */
export function publishScanResults(bus: EventBus, changes: Change[], devices: Device[]): void {
  for (const d of devices) bus.emit('device:updated', d);
  for (const c of changes) bus.emit('change', c);
}
