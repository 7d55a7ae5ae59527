/**
 * Live progress of the scan requests that are queued or running (by scan id): hosts and batches done, nmap's
 * percent of the running batch, the ETA from the pace so far; and the bus events of a request's life
 * (`scan:started`, `scan:progress`, `scan:finished` / `scan:failed` once its record is complete).
 */
import type { ScanKind } from '../scan/types.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { iso } from '../util/clock.js';
import type { EventBus } from '../util/events.js';

/** Live progress of a scan request. */
export interface ScanProgress {
  scanId: number;
  kind: ScanKind;
  state: 'queued' | 'running';
  /** 1-based place in the queue while queued */
  position: number | null;
  hostsDone: number;
  hostsTotal: number;
  /** whole request, 0-100 */
  percent: number;
  /** seconds left, estimated from the pace so far (null until there is a pace) */
  etaSeconds: number | null;
  batches: number;
  batchesDone: number;
  message: string | null;
}

interface Live {
  kind: ScanKind;
  hostsTotal: number;
  hostsDone: number;
  batches: number;
  batchesDone: number;
  /** hosts in the running batch and nmap's percent of it */
  batchHosts: number;
  batchPercent: number;
  runStartedMs: number | null;
  message: string | null;
}

/** A part of the running batch, in percent of it (a port scan's TCP and UDP runs share one batch). */
export interface ProgressSpan {
  from: number;
  to: number;
}

export class ScanProgressTracker {
  private readonly live = new Map<number, Live>();

  constructor(
    private readonly deps: { store: Pick<Store, 'scans'>; bus: EventBus; clock: Clock },
    /** 1-based place of a queued request (0 when not queued) */
    private readonly positionOf: (scanId: number) => number,
  ) {}

  /** A request was queued. */
  track(scanId: number, kind: ScanKind, hostsTotal: number, batches: number): void {
    this.live.set(scanId, {
      kind,
      hostsTotal,
      hostsDone: 0,
      batches,
      batchesDone: 0,
      batchHosts: 0,
      batchPercent: 0,
      runStartedMs: null,
      message: null,
    });
  }

  /** The scan ids still tracked (queued or running). */
  ids(): number[] {
    return [...this.live.keys()];
  }

  forget(scanId: number): void {
    this.live.delete(scanId);
  }

  clear(): void {
    this.live.clear();
  }

  /** Live progress of a queued or running request (null when it is finished or unknown). */
  progress(scanId: number): ScanProgress | null {
    const l = this.live.get(scanId);
    if (!l) return null;
    const done = l.hostsDone + (l.batchHosts * l.batchPercent) / 100;
    const fraction = l.hostsTotal > 0 ? Math.min(1, done / l.hostsTotal) : 0;
    let eta: number | null = null;
    if (l.runStartedMs !== null && fraction >= 0.01) {
      const elapsed = (this.deps.clock.now().getTime() - l.runStartedMs) / 1000;
      eta = Math.max(0, Math.round(elapsed / fraction - elapsed));
    }
    const position = this.positionOf(scanId);
    return {
      scanId,
      kind: l.kind,
      state: l.runStartedMs === null ? 'queued' : 'running',
      position: l.runStartedMs === null && position > 0 ? position : null,
      hostsDone: Math.min(l.hostsTotal, Math.floor(done)),
      hostsTotal: l.hostsTotal,
      percent: Math.round(fraction * 1000) / 10,
      etaSeconds: eta,
      batches: l.batches,
      batchesDone: l.batchesDone,
      message: l.message,
    };
  }

  /** The request's first nmap run starts: `scan:started` (once per request). */
  began(scanId: number, kind: ScanKind, targets: string[], reason: string): void {
    const live = this.live.get(scanId);
    if (!live || live.runStartedMs !== null) return;
    live.runStartedMs = this.deps.clock.now().getTime();
    this.deps.bus.emit('scan:started', {
      scanId,
      kind,
      targets,
      reason,
      startedAt: iso(this.deps.clock.now()),
    });
  }

  /** A batch of `hosts` hosts starts (a sweep is one batch of every host). */
  batchStarted(scanId: number, hosts?: number): void {
    const live = this.live.get(scanId);
    if (!live) return;
    live.batchHosts = hosts ?? live.hostsTotal;
    live.batchPercent = 0;
  }

  /** nmap reported `percent` of its run, which is `span` of the running batch. */
  nmapProgress(scanId: number, span: ProgressSpan, percent: number, task: string | undefined): void {
    const l = this.live.get(scanId);
    if (l) {
      const p = Math.max(0, Math.min(100, percent));
      l.batchPercent = span.from + ((span.to - span.from) * p) / 100;
      l.message = task ?? null;
    }
    this.emitProgress(scanId);
  }

  /** A port-scan batch of `hosts` hosts is done (scanned or failed). */
  batchDone(scanId: number, hosts: number): void {
    const live = this.live.get(scanId);
    if (!live) return;
    live.hostsDone += hosts;
    live.batchesDone += 1;
    live.batchPercent = 0;
    live.batchHosts = 0;
  }

  emitProgress(scanId: number): void {
    const p = this.progress(scanId);
    if (!p) return;
    this.deps.bus.emit('scan:progress', {
      scanId,
      kind: p.kind,
      percent: p.percent,
      hostsDone: p.hostsDone,
      hostsTotal: p.hostsTotal,
      etaSeconds: p.etaSeconds,
      batches: p.batches,
      batchesDone: p.batchesDone,
      ...(p.message ? { message: p.message } : {}),
    });
  }

  /** The scan record is complete: tell the bus how it ended. */
  ended(scanId: number, startedAt: Date, collapsedInto?: number): void {
    this.live.delete(scanId);
    const rec = this.deps.store.scans.record(collapsedInto ?? scanId);
    if (!rec) return;
    if (rec.status === 'failed') {
      this.deps.bus.emit('scan:failed', {
        scanId,
        kind: rec.kind,
        startedAt: iso(startedAt),
        finishedAt: rec.finishedAt ?? iso(this.deps.clock.now()),
        error: rec.error ?? 'scan failed',
      });
    } else if (rec.status === 'success') {
      this.deps.bus.emit('scan:finished', {
        scanId,
        kind: rec.kind,
        startedAt: iso(startedAt),
        finishedAt: rec.finishedAt ?? iso(this.deps.clock.now()),
        hostsUp: rec.hostsUp ?? 0,
        changes: rec.changes,
        ...(collapsedInto !== undefined && collapsedInto !== scanId ? { collapsedInto } : {}),
      });
    }
  }
}
