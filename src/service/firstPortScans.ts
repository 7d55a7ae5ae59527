/**
 * The automatic port scans of devices that never had one: every device of the install baseline (the first port
 * scan after a fresh install, also after a restart that interrupted it) and — with `scan_new_devices` — each
 * newly arrived device. A first scan that failed or timed out leaves the risk unknown and is retried after a
 * delay that doubles per failure.
 */
import type { Device } from '../inventory/types.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';
import type { JobHost } from './jobQueue.js';
import type { ScanSettings } from './scanSettings.js';

/** What the hub, the API and the overview show about port scans. */
export interface PortScanStatus {
  /** finish time of the last successful port scan, null before the first */
  lastAt: string | null;
  /** online devices that never had a port scan and will get one automatically */
  pendingDevices: number;
  /** port-scan batches queued or running */
  queuedBatches: number;
  /** the first port scan after install: pending until every device found at install was scanned */
  initial: 'pending' | 'done' | 'none';
  /** earliest retry of a failed first port scan, when one is waiting */
  nextRetryAt: string | null;
}

export class FirstPortScans {
  /** failed first port scans: consecutive failures and the earliest retry (ms since epoch) per MAC */
  private readonly retry = new Map<string, { failures: number; nextAt: number }>();

  constructor(
    private readonly deps: {
      store: Pick<Store, 'install' | 'scans' | 'devices'>;
      settings: ScanSettings;
      logger: Logger;
    },
  ) {}

  /**
   * The devices due for their first port scan now, not busy (queued or running) and not waiting for a retry:
   * the install baseline's (while the first port scan after install is pending) and new arrivals'.
   */
  due(now: Date, busy: () => Set<string>): { firstStart: JobHost[]; arrivals: JobHost[] } {
    const { store, settings } = this.deps;
    const firstStart: JobHost[] = [];
    const arrivals: JobHost[] = [];
    const install = store.install.info();
    if (!settings.scanNewDevices && !install.initialPortScanPending) return { firstStart, arrivals };
    const skip = busy();
    for (const c of store.install.unscanned()) {
      if (skip.has(c.mac)) continue;
      const r = this.retry.get(c.mac);
      if (r && r.nextAt > now.getTime()) continue;
      if (c.baseline && install.initialPortScanPending) firstStart.push({ ip: c.ip, mac: c.mac });
      else if (settings.scanNewDevices) arrivals.push({ ip: c.ip, mac: c.mac });
    }
    return { firstStart, arrivals };
  }

  status(queuedBatches: number): PortScanStatus {
    const { store, settings } = this.deps;
    const install = store.install.info();
    const auto = settings.scanNewDevices === true || install.initialPortScanPending;
    const unscanned = store.install.unscanned();
    const pending = unscanned.filter((c) => settings.scanNewDevices || c.baseline).length;
    let nextRetry: number | null = null;
    for (const c of unscanned) {
      const r = this.retry.get(c.mac);
      if (r && (nextRetry === null || r.nextAt < nextRetry)) nextRetry = r.nextAt;
    }
    return {
      lastAt: store.scans.lastFinished('ports')?.finishedAt ?? null,
      pendingDevices: auto ? pending : 0,
      queuedBatches,
      initial: install.initialPortScanPending ? 'pending' : install.baselineAt ? 'done' : 'none',
      nextRetryAt: auto && nextRetry !== null ? new Date(nextRetry).toISOString() : null,
    };
  }

  /** A port-scan batch failed: the devices in it that never had a port scan wait for their retry. */
  batchFailed(requested: Device[], now: Date): void {
    for (const d of requested) if (d.portsScannedAt === null) this.noteFailure(d.mac, now);
  }

  /** A port-scan batch is in: hosts nmap did not finish (down, host timeout) stay unknown and are retried. */
  batchScanned(requested: Device[], scanned: Device[], now: Date): Set<string> {
    const done = new Set(scanned.filter((d) => d.portsScannedAt !== null).map((d) => d.mac));
    for (const d of requested) {
      if (done.has(d.mac)) this.retry.delete(d.mac);
      else if (d.portsScannedAt === null) this.noteFailure(d.mac, now);
    }
    return done;
  }

  /** Ends the first port scan after install once every device found at install has been scanned. */
  finishInitialWhenDone(now: Date): void {
    const { store, logger } = this.deps;
    const install = store.install.info();
    if (install.initialPortScanPending && !store.install.unscanned().some((c) => c.baseline)) {
      store.install.finishInitialPortScan(now);
      logger.info(
        `first port scan after install finished: every device found at install has been scanned (${findingsSummary(store)})`,
      );
    }
  }

  /** A first port scan that failed or timed out: risk stays unknown, retry after a growing delay. */
  private noteFailure(mac: string, now: Date): void {
    const base = this.deps.settings.retryBaseMs ?? 60_000;
    const max = this.deps.settings.retryMaxMs ?? 3_600_000;
    const failures = (this.retry.get(mac)?.failures ?? 0) + 1;
    const delay = Math.min(max, base * 2 ** (failures - 1));
    this.retry.set(mac, { failures, nextAt: now.getTime() + delay });
    this.deps.logger.info(
      `first port scan of ${mac} did not complete (attempt ${failures}); risk stays unknown, retry in ${Math.round(delay / 1000)} s`,
    );
  }
}

function findingsSummary(store: Pick<Store, 'devices'>): string {
  const c = store.devices.all().filter((d) => d.portsScannedAt !== null);
  const risky = c.filter((d) => d.risk === 'medium' || d.risk === 'high' || d.risk === 'critical').length;
  return `${c.length} devices rated, ${risky} at medium risk or above`;
}
