import type { PortProfile } from '../scan/nmapArgs.js';
import { checkRequestTargets, type RequestTarget } from '../scan/requestTargets.js';
import type { ScanKind } from '../scan/types.js';
import { storageFailure } from '../store/storageFailure.js';
import { iso } from '../util/clock.js';
import { FirstPortScans, type PortScanStatus } from './firstPortScans.js';
import { type Job, type JobHost, JobQueue } from './jobQueue.js';
import { PortScanRunner } from './portScanRun.js';
import { type ScanProgress, ScanProgressTracker } from './scanProgress.js';
import {
  portScanHosts,
  refusedRequest,
  type ScanRequest,
  type ScanRequestResult,
  sweepAddressCount,
} from './scanRequests.js';
import { RunAborter, type ScanCoordinatorDeps, type ScanRunContext } from './scanRunContext.js';
import { SweepRunner } from './sweepRun.js';

/**
 * Runs every scan: one at a time (no overlap), sweeps first, per-device port scans spread out.
 * One request = one scan record; a port scan's nmap runs are batches inside it, with sweeps allowed to run
 * between them. A failed or partial scan is recorded as failed and marks no device absent.
 * The runs themselves: `sweepRun.ts`, `portScanRun.ts`; live progress: `scanProgress.ts`; the automatic
 * first port scans and their retries: `firstPortScans.ts`.
 */
export class ScanCoordinator {
  private readonly queue = new JobQueue();
  private running: Job | null = null;
  private pausing = false;
  private stopping = false;
  private idleWaiters: Array<() => void> = [];
  private pumping = false;
  private readonly aborter = new RunAborter();
  /** progress of every request that is queued or running, by scan id */
  private readonly live: ScanProgressTracker;
  private readonly firstScans: FirstPortScans;
  private readonly sweeps: SweepRunner;
  private readonly portScans: PortScanRunner;

  constructor(private readonly deps: ScanCoordinatorDeps) {
    this.live = new ScanProgressTracker(deps, (id) => this.queue.positionOf(id));
    this.firstScans = new FirstPortScans(deps);
    const ctx: ScanRunContext = {
      deps,
      progress: this.live,
      aborter: this.aborter,
      stopping: () => this.stopping,
    };
    this.sweeps = new SweepRunner(ctx, (now) => this.schedulePending(now));
    this.portScans = new PortScanRunner(ctx, this.firstScans);
  }

  requestSweep(reason: string): ScanRequestResult {
    return this.request({ kind: 'sweep', reason, collapsible: reason.startsWith('schedule') });
  }

  /**
   * Port/service scan of every online device, `portScanBatch` devices per nmap run (small batches with
   * pauses between them keep a Raspberry Pi responsive), recorded as one scan.
   */
  requestPortScanAll(reason: string): ScanRequestResult {
    return this.request({ kind: 'ports', reason });
  }

  /**
   * Queue port scans for online devices that never had one: every device of the install baseline (first
   * start, also after a restart that interrupted it) and — with scan_new_devices — each newly arrived device.
   * Devices whose last attempt failed wait for their backoff. Returns how many devices were queued.
   */
  schedulePending(now: Date = this.deps.clock.now()): number {
    if (this.stopping) return 0;
    const { firstStart, arrivals } = this.firstScans.due(now, () => {
      const busy = this.queue.queuedMacs();
      for (const m of this.running?.macs ?? []) busy.add(m);
      return busy;
    });
    const profile = this.deps.settings.portProfile;
    const key = (hosts: JobHost[]) => `auto:${hosts.map((h) => h.mac).join(',')}|${profile}`;
    if (firstStart.length) this.enqueuePorts(firstStart, key(firstStart), 'first start', profile);
    if (arrivals.length) this.enqueuePorts(arrivals, key(arrivals), 'new device', profile);
    return firstStart.length + arrivals.length;
  }

  portScanStatus(): PortScanStatus {
    let queuedBatches = this.queue.portBatchesLeft();
    if (this.running?.kind === 'ports' || this.pausing) queuedBatches++;
    return this.firstScans.status(queuedBatches);
  }

  requestDeviceScan(mac: string, reason: string): ScanRequestResult {
    const d = this.deps.store.devices.get(mac);
    if (!d?.ip) return refusedRequest(`device ${mac} has no IP address to scan`);
    return this.enqueuePorts([{ ip: d.ip, mac: d.mac }], mac, reason, this.deps.settings.portProfile);
  }

  /**
   * Queue a scan. Throws RequestTargetError when a target is malformed or outside the configured subnets.
   */
  request(req: ScanRequest): ScanRequestResult {
    try {
      return this.queueRequest(req);
    } catch (err) {
      const storage = storageFailure(err);
      if (storage)
        this.deps.bus.emit('storage:failed', { ...storage, at: this.deps.clock.now().toISOString() });
      throw err;
    }
  }

  private queueRequest(req: ScanRequest): ScanRequestResult {
    if (this.stopping) return refusedRequest('the scanner is stopping');
    let scope: RequestTarget[] | null = null;
    if (req.targets && req.targets.length > 0) {
      scope = checkRequestTargets(req.targets, this.deps.targets().targets);
    }
    if (req.kind === 'sweep') return this.enqueueSweep(req, scope);
    const profile = req.profile ?? this.deps.settings.portProfile;
    const hosts = portScanHosts(this.deps.store.devices.all(), scope);
    if (hosts.length === 0)
      return refusedRequest(scope ? 'no online device inside the targets' : 'no online device to scan');
    const key = `${scope ? scope.map((t) => t.text).join(',') : 'all'}|${profile}`;
    return this.enqueuePorts(hosts, key, req.reason, profile);
  }

  status(): { running: boolean; kind: ScanKind | null; queue: number } {
    return {
      running: this.running !== null || this.pausing,
      kind: this.running?.kind ?? (this.pausing ? 'ports' : null),
      queue: this.queue.length,
    };
  }

  /** Live progress of a queued or running request (null when it is finished or unknown). */
  progress(scanId: number): ScanProgress | null {
    return this.live.progress(scanId);
  }

  /** Resolves when nothing is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking work, aborts the running scan and waits for it to be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    const waiting = this.queue.clear();
    this.aborter.abort();
    this.sweeps.stop();
    await this.whenIdle();
    const now = this.deps.clock.now();
    const ids = new Set([...waiting.map((j) => j.scanId), ...this.live.ids()]);
    for (const id of ids) {
      if (id === undefined) continue;
      try {
        this.deps.store.scans.fail(id, 'cancelled: the service stopped before this scan finished', now);
      } catch (err) {
        // marked failed at the next start (failInterrupted)
        this.deps.logger.warn(`scan #${id} could not be marked cancelled: ${(err as Error).message}`);
      }
    }
    this.live.clear();
  }

  private coalesced(job: Job): ScanRequestResult {
    const id = job.scanId ?? null;
    return {
      queued: false,
      coalesced: true,
      position: id !== null ? this.queue.positionOf(id) : this.queue.length,
      scanId: id,
    };
  }

  private enqueueSweep(req: ScanRequest, scope: RequestTarget[] | null): ScanRequestResult {
    const targets = scope ? scope.map((t) => t.text) : null;
    const key = targets ? `sweep:${targets.join(',')}` : 'sweep';
    const waiting = this.queue.find('sweep', key);
    if (waiting) return this.coalesced(waiting);
    let configured: string[];
    try {
      configured = this.deps.targets().targets;
    } catch (err) {
      return refusedRequest(`cannot sweep: ${(err as Error).message}`);
    }
    const shown = targets ?? configured;
    const hostsTotal = sweepAddressCount(shown);
    const scanId = this.deps.store.scans.request({
      kind: 'sweep',
      reason: req.reason,
      targets: shown,
      batches: [shown],
      hostsTotal,
      collapsible: req.collapsible === true && !targets,
      requestedAt: this.deps.clock.now(),
    });
    const job: Job = {
      kind: 'sweep',
      key,
      reason: req.reason,
      macs: null,
      scanId,
      collapsible: req.collapsible === true && !targets,
      ...(targets ? { targets } : {}),
    };
    this.live.track(scanId, 'sweep', hostsTotal, 1);
    return this.enqueue(job);
  }

  private enqueuePorts(
    hosts: JobHost[],
    key: string,
    reason: string,
    profile: PortProfile,
  ): ScanRequestResult {
    const waiting = this.queue.find('ports', key);
    if (waiting) return this.coalesced(waiting);
    const size = Math.max(1, this.deps.settings.portScanBatch);
    const batches: JobHost[][] = [];
    for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));
    const scanId = this.deps.store.scans.request({
      kind: 'ports',
      reason,
      targets: hosts.map((h) => h.ip),
      batches: batches.map((b) => b.map((h) => h.ip)),
      hostsTotal: hosts.length,
      profile,
      requestedAt: this.deps.clock.now(),
    });
    const job: Job = {
      kind: 'ports',
      key,
      reason,
      macs: hosts.flatMap((h) => (h.mac ? [h.mac] : [])),
      scanId,
      batches,
      next: 0,
      profile,
    };
    this.live.track(scanId, 'ports', hosts.length, batches.length);
    return this.enqueue(job);
  }

  private enqueue(job: Job): ScanRequestResult {
    const added = this.queue.push(job);
    void this.pump();
    const position = job.scanId !== undefined ? this.queue.positionOf(job.scanId) : this.queue.length;
    return { queued: added, coalesced: !added, position, scanId: job.scanId ?? null };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let job = this.queue.shift();
      while (job && !this.stopping) {
        this.running = job;
        this.deps.bus.emit('scanning', { running: true });
        try {
          if (job.kind === 'sweep') await this.sweeps.run(job);
          else await this.portScans.runBatch(job);
        } catch (err) {
          this.jobFailed(job, err);
        }
        this.running = null;
        if (job.kind === 'ports' && job.batches && (job.next ?? 0) < job.batches.length && !this.stopping)
          this.queue.resume(job);
        const pause =
          this.queue.length > 0 &&
          job.kind === 'ports' &&
          this.deps.settings.portScanPauseMs > 0 &&
          !this.stopping;
        if (pause) {
          // breathing room between port-scan batches; still "running" for status and the binary sensor
          this.pausing = true;
          await sleep(this.deps.settings.portScanPauseMs);
          this.pausing = false;
        }
        const next = this.queue.shift();
        if (!next) this.deps.bus.emit('scanning', { running: false });
        job = next;
      }
    } finally {
      this.pumping = false;
      this.running = null;
      if (this.queue.length === 0 || this.stopping) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  /**
   * A job that threw (a write the disk had no room for, a bug): the scan is recorded as failed when the
   * database lets us, the bus hears `scan:failed` either way (health turns degraded) and the queue goes on.
   * Nothing was marked absent: the sweep's writes are one transaction, rolled back.
   */
  private jobFailed(job: Job, err: unknown): void {
    const { store, bus, clock, logger } = this.deps;
    const storage = storageFailure(err);
    const at = clock.now();
    if (storage) bus.emit('storage:failed', { ...storage, at: at.toISOString() });
    const message = storage
      ? `not recorded: ${storage.message}`
      : `internal error: ${(err as Error).message}`;
    logger.error(`scan job failed unexpectedly: ${(err as Error).message}`);
    if (job.scanId === undefined) return;
    try {
      store.scans.fail(job.scanId, message, at);
    } catch (again) {
      logger.error(`scan #${job.scanId} could not be marked failed: ${(again as Error).message}`);
    }
    this.live.forget(job.scanId);
    bus.emit('scan:failed', {
      scanId: job.scanId,
      kind: job.kind,
      startedAt: iso(at),
      finishedAt: iso(at),
      error: message,
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
