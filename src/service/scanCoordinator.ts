import { ingestPortScan } from '../inventory/ingestPortScan.js';
import { departureCandidates, ingestSweep } from '../inventory/ingestSweep.js';
import type { Change, Device } from '../inventory/types.js';
import { lookupVendor } from '../inventory/vendor.js';
import { fillMacsFromArp, readArpTable } from '../scan/arpTable.js';
import { mergeRanges, parseCidrOrIp, rangesSize } from '../scan/ipv4.js';
import { mergePortScans } from '../scan/mergePortScans.js';
import { buildPortScanRuns, buildSweepArgs, type PortProfile } from '../scan/nmapArgs.js';
import { runNmap } from '../scan/nmapRunner.js';
import { parseNmapXml } from '../scan/nmapXml.js';
import { checkRequestTargets, inTargets, type RequestTarget } from '../scan/requestTargets.js';
import { reverseLookupAll } from '../scan/reverseDns.js';
import { routedAddressTest } from '../scan/targets.js';
import type { ScanKind, ScanResult } from '../scan/types.js';
import { storageFailure } from '../store/storageFailure.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { iso } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { awayReasonText, confirmAway, nmapProbeRun, type ProbeRun } from './awayConfirmer.js';
import { announceIpUpgrades } from './ipUpgradeEvents.js';
import { type Job, type JobHost, JobQueue } from './jobQueue.js';

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
  /** first retry delay after a failed first port scan; doubles per failure up to retryMaxMs (default 60 s) */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

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

export interface ThreatAssessor {
  /** Re-evaluates findings for these devices; returns threat changes and the devices whose risk changed. */
  assess(macs: string[], now: Date, scan?: ScanResult): { changes: Change[]; devices: Device[] };
}

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

export interface ScanRequestResult {
  queued: boolean;
  /** true when an identical request was already waiting (its scan id is returned) */
  coalesced: boolean;
  position: number;
  /** the scan record of this request (null when nothing was queued) */
  scanId: number | null;
  /** why nothing was queued */
  message?: string;
}

/** One on-demand scan request (POST api/scans, the CLI, schedules). */
export interface ScanRequest {
  kind: ScanKind;
  reason: string;
  /** IPv4 addresses / CIDRs inside the configured subnets; default: every configured subnet (sweep) or
   *  every online device (ports). For a port scan a CIDR selects the online devices inside it, a single
   *  address is scanned even when no device is known there. */
  targets?: string[];
  /** port profile (port scans); default: the configured one */
  profile?: PortProfile;
  /** a scheduled sweep: folds into the previous row when neither changed anything */
  collapsible?: boolean;
}

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
  job: Job;
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

/**
 * Runs every scan: one at a time (no overlap), sweeps first, per-device port scans spread out.
 * One request = one scan record; a port scan's nmap runs are batches inside it, with sweeps allowed to run
 * between them. A failed or partial scan is recorded as failed and marks no device absent.
 */
export class ScanCoordinator {
  private readonly queue = new JobQueue();
  private running: Job | null = null;
  private pausing = false;
  private abort: AbortController | null = null;
  private stopping = false;
  private idleWaiters: Array<() => void> = [];
  private readonly dnsCache = new Map<string, string>();
  private dnsInFlight: Promise<void> | null = null;
  private pumping = false;
  /** progress of every request that is queued or running, by scan id */
  private readonly live = new Map<number, Live>();
  /** failed first port scans: consecutive failures and the earliest retry (ms since epoch) per MAC */
  private readonly retry = new Map<string, { failures: number; nextAt: number }>();

  constructor(private readonly deps: ScanCoordinatorDeps) {}

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
    const { store, settings } = this.deps;
    const install = store.install.info();
    if (!settings.scanNewDevices && !install.initialPortScanPending) return 0;
    const busy = this.queue.queuedMacs();
    for (const m of this.running?.macs ?? []) busy.add(m);
    const firstStart: JobHost[] = [];
    const arrivals: JobHost[] = [];
    for (const c of store.install.unscanned()) {
      if (busy.has(c.mac)) continue;
      const r = this.retry.get(c.mac);
      if (r && r.nextAt > now.getTime()) continue;
      if (c.baseline && install.initialPortScanPending) firstStart.push({ ip: c.ip, mac: c.mac });
      else if (settings.scanNewDevices) arrivals.push({ ip: c.ip, mac: c.mac });
    }
    const profile = settings.portProfile;
    const key = (hosts: JobHost[]) => `auto:${hosts.map((h) => h.mac).join(',')}|${profile}`;
    if (firstStart.length) this.enqueuePorts(firstStart, key(firstStart), 'first start', profile);
    if (arrivals.length) this.enqueuePorts(arrivals, key(arrivals), 'new device', profile);
    return firstStart.length + arrivals.length;
  }

  portScanStatus(): PortScanStatus {
    const { store, settings } = this.deps;
    const install = store.install.info();
    const auto = settings.scanNewDevices === true || install.initialPortScanPending;
    const unscanned = store.install.unscanned();
    const pending = unscanned.filter((c) => settings.scanNewDevices || c.baseline).length;
    let queuedBatches = this.queue.portBatchesLeft();
    if (this.running?.kind === 'ports' || this.pausing) queuedBatches++;
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

  requestDeviceScan(mac: string, reason: string): ScanRequestResult {
    const d = this.deps.store.devices.get(mac);
    if (!d?.ip) return this.refused(`device ${mac} has no IP address to scan`);
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
    if (this.stopping) return this.refused('the scanner is stopping');
    let scope: RequestTarget[] | null = null;
    if (req.targets && req.targets.length > 0) {
      scope = checkRequestTargets(req.targets, this.deps.targets().targets);
    }
    if (req.kind === 'sweep') return this.enqueueSweep(req, scope);
    const profile = req.profile ?? this.deps.settings.portProfile;
    const online = this.deps.store.devices
      .all()
      .filter((d) => d.online && d.ip && !d.ignored && (!scope || inTargets(d.ip, scope)));
    const hosts: JobHost[] = online.map((d) => ({ ip: d.ip as string, mac: d.mac }));
    if (scope) {
      const have = new Set(hosts.map((h) => h.ip));
      for (const t of scope) {
        if (!t.single || have.has(t.text)) continue;
        const holder = this.deps.store.devices.all().find((d) => d.ip === t.text && !d.ignored);
        hosts.push({ ip: t.text, mac: holder?.mac ?? null });
        have.add(t.text);
      }
    }
    if (hosts.length === 0)
      return this.refused(scope ? 'no online device inside the targets' : 'no online device to scan');
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
    const l = this.live.get(scanId);
    if (!l) return null;
    const done = l.hostsDone + (l.batchHosts * l.batchPercent) / 100;
    const fraction = l.hostsTotal > 0 ? Math.min(1, done / l.hostsTotal) : 0;
    let eta: number | null = null;
    if (l.runStartedMs !== null && fraction >= 0.01) {
      const elapsed = (this.deps.clock.now().getTime() - l.runStartedMs) / 1000;
      eta = Math.max(0, Math.round(elapsed / fraction - elapsed));
    }
    const position = this.queue.positionOf(scanId);
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

  /** Resolves when nothing is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops taking work, aborts the running scan and waits for it to be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    const waiting = this.queue.clear();
    this.abort?.abort();
    await this.whenIdle();
    const now = this.deps.clock.now();
    const ids = new Set([...waiting.map((j) => j.scanId), ...this.live.keys()]);
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

  private refused(message: string): ScanRequestResult {
    return { queued: false, coalesced: false, position: -1, scanId: null, message };
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
      return this.refused(`cannot sweep: ${(err as Error).message}`);
    }
    const shown = targets ?? configured;
    const hostsTotal = rangesSize(
      mergeRanges(
        shown
          .map((t) => parseCidrOrIp(t))
          .flatMap((c) => (c ? [{ first: c.network, last: c.network + c.size - 1 }] : [])),
      ),
    );
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
    this.track(job, 'sweep', hostsTotal, 1);
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
    this.track(job, 'ports', hosts.length, batches.length);
    return this.enqueue(job);
  }

  private track(job: Job, kind: ScanKind, hostsTotal: number, batches: number): void {
    if (job.scanId === undefined) return;
    this.live.set(job.scanId, {
      job,
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
          if (job.kind === 'sweep') await this.runSweep(job);
          else await this.runPortBatch(job);
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
    this.live.delete(job.scanId);
    bus.emit('scan:failed', {
      scanId: job.scanId,
      kind: job.kind,
      startedAt: iso(at),
      finishedAt: iso(at),
      error: message,
    });
  }

  private began(
    scanId: number,
    live: Live | undefined,
    kind: ScanKind,
    targets: string[],
    reason: string,
  ): void {
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

  private emitProgress(scanId: number): void {
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
  private ended(scanId: number, startedAt: Date, collapsedInto?: number): void {
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

  private async runSweep(job: Job): Promise<void> {
    const { store, clock, logger, settings } = this.deps;
    const t0 = Date.now();
    const scanId = job.scanId as number;
    const live = this.live.get(scanId);
    let t: ScanTargets;
    try {
      t = this.deps.targets();
    } catch (err) {
      const message = `cannot sweep: ${(err as Error).message}`;
      logger.error(message);
      store.scans.fail(scanId, message, clock.now());
      this.ended(scanId, clock.now());
      return;
    }
    const targets = job.targets ?? t.targets;
    const scope = job.targets ? checkRequestTargets(job.targets, t.targets) : null;
    const argv = buildSweepArgs({
      targets,
      exclude: t.exclude,
      privileged: settings.privileged,
      attached: t.attached,
    });
    const startedAt = clock.now();
    store.scans.batchStarted(scanId, 0, argv.join(' '), startedAt);
    this.began(scanId, live, 'sweep', targets, job.reason);
    if (live) live.batchHosts = live.hostsTotal;
    const outcome = await this.execute(scanId, 'sweep', argv, targets, settings.sweepTimeoutMs);
    if (!outcome.result) {
      store.recordFailedScan(scanId, outcome.error, clock.now());
      this.ended(scanId, startedAt);
      return;
    }
    let result = outcome.result;
    if (!settings.privileged || !t.attached) {
      try {
        result = fillMacsFromArp(result, await readArpTable());
      } catch (err) {
        logger.debug(`neighbour table not readable: ${(err as Error).message}`);
      }
    }
    // names from the background reverse-DNS cache; never wait for DNS here
    for (const h of result.hosts) {
      const name = this.dnsCache.get(h.ip);
      if (name && h.hostnames.length === 0) h.hostnames.push(name);
    }
    const identifyByIp = routedAddressTest(t.routed ?? []);
    const sweepCtx = {
      considerHome: settings.considerHome,
      gatewayIp: settings.gatewayIp(),
      lookupVendor,
      ...(scope ? { inScope: (ip: string | null) => inTargets(ip, scope) } : {}),
      ...(identifyByIp ? { identifyByIp } : {}),
    };
    const confirm = await this.confirmDepartures(result, { ...sweepCtx, now: clock.now() }, t.attached);
    result = confirm.result;
    if (this.stopping) {
      // the probes were cut short: nothing may be marked away on their silence
      store.recordFailedScan(scanId, 'scan aborted (service stopping)', clock.now());
      this.ended(scanId, startedAt);
      return;
    }
    const now = clock.now();
    const { changes, devices, baseline, upgraded } = ingestSweep(store, scanId, result, {
      ...sweepCtx,
      now,
      ...(confirm.awayReason ? { awayReason: confirm.awayReason } : {}),
    });
    announceIpUpgrades(upgraded, this.deps.bus, logger);
    this.publish(changes, devices);
    const count = (type: Change['type']) => changes.filter((c) => c.type === type).length;
    logger.info(
      `sweep #${scanId}: ${result.hosts.filter((h) => h.status === 'up').length} hosts up, ${count('new_device')} new, ${count('device_offline')} gone, ${count('device_online')} back in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    if (baseline) {
      logger.info(
        `install baseline: the ${baseline.length} devices of this first sweep are "present at install" (no new-device alerts); trust them all on the Devices page. Devices that join later are new.`,
      );
    }
    for (const c of changes) {
      if (c.type === 'new_device') logger.info(c.message);
      else if (c.type === 'gateway_mac_changed' || c.type === 'ip_conflict') logger.warn(c.message);
    }
    const into = job.collapsible && changes.length === 0 ? store.scans.collapseUnchanged(scanId) : scanId;
    this.ended(scanId, startedAt, into);
    this.refreshDns(result.hosts.map((h) => h.ip));
    const queued = this.schedulePending(now);
    if (queued > 0) logger.info(`queued a port scan of ${queued} device(s) that were never port-scanned`);
  }

  /**
   * Before a sweep marks devices away, probe them directly (ARP, ICMP, TCP SYN to phone ports, UDP 5353) in a
   * few rounds; the ones that answer count as seen by this sweep (as hosts with a "probe: …" reason).
   */
  private async confirmDepartures(
    result: ScanResult,
    ctx: Parameters<typeof departureCandidates>[2],
    attached: boolean,
  ): Promise<{ result: ScanResult; awayReason?: string }> {
    const { settings, store, logger } = this.deps;
    const rounds = settings.confirmRounds ?? 3;
    const probeSettings = {
      nmapPath: settings.nmapPath,
      privileged: settings.privileged,
      attached,
      rounds,
      pauseMs: settings.confirmPauseMs ?? 4_000,
    };
    const reason = awayReasonText(probeSettings);
    if (rounds <= 0) return { result };
    const candidates = departureCandidates(store, result, ctx).filter(
      (c): c is { mac: string; ip: string } => typeof c.ip === 'string',
    );
    if (candidates.length === 0) return { result, awayReason: reason };
    const t0 = Date.now();
    this.abort = new AbortController();
    let out: Awaited<ReturnType<typeof confirmAway>>;
    try {
      out = await confirmAway(
        candidates,
        probeSettings,
        this.deps.probeRun ?? nmapProbeRun(settings.nmapPath, logger),
        this.abort.signal,
      );
    } finally {
      this.abort = null;
    }
    logger.info(
      `presence: ${candidates.length} device(s) missed the sweeps; ${out.present.size} answered a direct probe (${[...out.present.values()].join(', ') || 'none'}), ${candidates.length - out.present.size} away, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    if (out.present.size === 0) return { result, awayReason: out.awayReason };
    const extra = candidates
      .filter((c) => out.present.has(c.mac))
      .map((c) => ({
        ip: c.ip,
        mac: c.mac,
        hostnames: [],
        status: 'up' as const,
        reason: out.present.get(c.mac) as string,
        ports: [],
        portsScanned: false,
      }));
    return { result: { ...result, hosts: [...result.hosts, ...extra] }, awayReason: out.awayReason };
  }

  /** Runs the next batch of a port-scan request. */
  private async runPortBatch(job: Job): Promise<void> {
    const { store, clock, settings, threats } = this.deps;
    const scanId = job.scanId as number;
    const live = this.live.get(scanId);
    const seq = job.next ?? 0;
    const batch = job.batches?.[seq] ?? [];
    job.next = seq + 1;
    const last = job.next >= (job.batches?.length ?? 0);
    const startedAt = clock.now();
    // a device may have moved since the request: scan it where it is now
    const hosts = batch.flatMap((h) => {
      if (!h.mac) return [h];
      const d = store.devices.get(h.mac);
      return d?.ip && !d.ignored ? [{ ip: d.ip, mac: d.mac }] : [];
    });
    const ips = [...new Set(hosts.map((h) => h.ip))];
    const doneBatch = () => {
      if (!live) return;
      live.hostsDone += batch.length;
      live.batchesDone += 1;
      live.batchPercent = 0;
      live.batchHosts = 0;
    };
    if (ips.length === 0) {
      store.recordFailedScan(
        scanId,
        'no address left to scan (devices forgotten, ignored or without IP)',
        startedAt,
        {
          seq,
          hosts: batch.length,
        },
      );
      doneBatch();
      if (last) this.ended(scanId, startedAt);
      return;
    }
    const t = this.deps.targets();
    // TCP and (home profile, root) UDP as two nmap runs in turn: one combined run is several times slower
    const runs = buildPortScanRuns({
      targets: ips,
      exclude: t.exclude,
      profile: (job.profile as PortProfile | undefined) ?? settings.portProfile,
      ports: settings.ports,
      privileged: settings.privileged,
      hostTimeoutSec: settings.hostTimeoutSec,
      tlsScripts: settings.tlsChecks === true,
    });
    store.scans.batchStarted(scanId, seq, runs.map((r) => r.argv.join(' ')).join(' ; '), startedAt);
    this.began(scanId, live, 'ports', store.scans.record(scanId)?.targets ?? ips, job.reason);
    if (live) {
      live.batchHosts = batch.length;
      live.batchPercent = 0;
    }
    this.emitProgress(scanId);
    const timeoutMs =
      settings.portScanRunTimeoutMs ?? (settings.hostTimeoutSec + 30) * 1000 * Math.max(1, ips.length);
    const t0 = Date.now();
    const total = job.batches?.length ?? 1;
    const what = `port scan #${scanId} (${job.reason}${total > 1 ? `, batch ${seq + 1}/${total}` : ''})`;
    const measured = hosts.flatMap((h) => {
      const d = h.mac ? store.devices.get(h.mac) : undefined;
      return d ? [d] : [];
    });
    const parts: ScanResult[] = [];
    let failure: string | null = null;
    const runTimes: string[] = [];
    for (const [i, run] of runs.entries()) {
      const r0 = Date.now();
      const span = { from: (i * 100) / runs.length, to: ((i + 1) * 100) / runs.length };
      const outcome = await this.execute(scanId, 'ports', run.argv, ips, timeoutMs, span);
      runTimes.push(`${run.protocol} ${((Date.now() - r0) / 1000).toFixed(1)} s`);
      if (!outcome.result) {
        failure = runs.length > 1 ? `${run.protocol.toUpperCase()} run: ${outcome.error}` : outcome.error;
        break;
      }
      parts.push(outcome.result);
      if (this.stopping) break;
    }
    if (failure === null && parts.length < runs.length) failure = 'scan aborted (service stopping)';
    if (failure !== null) {
      const failedAt = clock.now();
      for (const d of measured) if (d.portsScannedAt === null) this.noteFailure(d.mac, failedAt);
      store.recordFailedScan(scanId, failure, clock.now(), { seq, hosts: batch.length });
      doneBatch();
      this.emitProgress(scanId);
      if (last || this.stopping)
        this.ended(scanId, runStart(store.scans.record(scanId)?.runStartedAt, startedAt));
      return;
    }
    const result = mergePortScans(parts);
    const now = clock.now();
    const out = ingestPortScan(store, scanId, result, now, seq, this.deps.settings.gatewayIp());
    const changes: Change[] = [...out.changes];
    const updated = new Map(out.devices.map((d) => [d.mac, d]));
    if (threats) {
      const t2 = threats.assess(
        hosts.flatMap((h) => (h.mac ? [h.mac] : [])),
        now,
        result,
      );
      changes.push(...t2.changes);
      for (const d of t2.devices) updated.set(d.mac, d);
    }
    this.publish(changes, [...updated.values()]);
    this.logPortBatch(what, measured, out.devices, changes, t0, now, runs.length > 1 ? runTimes : []);
    doneBatch();
    this.emitProgress(scanId);
    if (last) this.ended(scanId, runStart(store.scans.record(scanId)?.runStartedAt, startedAt));
  }

  /** One info line per port-scan batch, a warning per critical finding; retries for hosts nmap did not finish. */
  private logPortBatch(
    what: string,
    requested: Device[],
    scanned: Device[],
    changes: Change[],
    t0: number,
    now: Date,
    runTimes: readonly string[],
  ): void {
    const { store, logger } = this.deps;
    // hosts nmap did not finish (down, host timeout): a first scan stays unknown and is retried
    const done = new Set(scanned.filter((d) => d.portsScannedAt !== null).map((d) => d.mac));
    for (const d of requested) {
      if (done.has(d.mac)) this.retry.delete(d.mac);
      else if (d.portsScannedAt === null) this.noteFailure(d.mac, now);
    }
    const open = scanned.reduce((n, d) => n + d.ports.length, 0);
    const found = changes.filter((c) => c.type === 'threat_detected');
    const resolved = changes.filter((c) => c.type === 'threat_resolved').length;
    logger.info(
      `${what}: ${done.size}/${requested.length} devices scanned, ${open} open ports, ${found.length} new findings, ${resolved} resolved in ${((Date.now() - t0) / 1000).toFixed(1)} s${runTimes.length ? ` (${runTimes.join(', ')})` : ''}`,
    );
    for (const c of found) if (c.severity === 'critical') logger.warn(`critical finding: ${c.message}`);
    const install = store.install.info();
    if (install.initialPortScanPending && !store.install.unscanned().some((c) => c.baseline)) {
      store.install.finishInitialPortScan(now);
      logger.info(
        `first port scan after install finished: every device found at install has been scanned (${findingsSummary(store)})`,
      );
    }
  }

  /** Runs nmap and parses; on any failure returns the reason (the caller records it, marking nothing absent). */
  private async execute(
    scanId: number,
    kind: ScanKind,
    argv: string[],
    targets: string[],
    timeoutMs: number,
    span: { from: number; to: number } = { from: 0, to: 100 },
  ): Promise<{ result: ScanResult; error?: undefined } | { result?: undefined; error: string }> {
    const { logger, settings } = this.deps;
    this.abort = new AbortController();
    let error: string | null = null;
    let result: ScanResult | null = null;
    try {
      const run = await runNmap(argv, {
        nmapPath: settings.nmapPath,
        timeoutMs,
        signal: this.abort.signal,
        onProgress: (percent, task) => {
          const l = this.live.get(scanId);
          if (l) {
            const p = Math.max(0, Math.min(100, percent));
            l.batchPercent = span.from + ((span.to - span.from) * p) / 100;
            l.message = task ?? null;
          }
          this.emitProgress(scanId);
        },
      });
      if (run.aborted) error = 'scan aborted (service stopping)';
      else if (run.timedOut) error = `nmap did not finish within ${Math.round(timeoutMs / 1000)} s`;
      else if (run.outputTruncated) error = 'nmap output exceeded the size cap; the scan is incomplete';
      else if (run.exitCode !== 0)
        error = `nmap exited with code ${run.exitCode}: ${run.stderr.trim().slice(0, 500)}`;
      else {
        const parsed = parseNmapXml(run.stdout, kind, targets);
        if (parsed.ok) result = parsed.result;
        else error = `nmap output rejected: ${parsed.error}`;
      }
    } catch (err) {
      error = `nmap could not run: ${(err as Error).message}`;
    } finally {
      this.abort = null;
    }
    if (error || !result) {
      const message = error ?? 'unknown scan failure';
      logger.warn(`${kind} scan ${scanId} failed: ${message}`);
      return { error: message };
    }
    return { result };
  }

  private publish(changes: Change[], devices: Device[]): void {
    for (const d of devices) this.deps.bus.emit('device:updated', d);
    for (const c of changes) this.deps.bus.emit('change', c);
  }

  /** Background reverse DNS with a hard bound; results are used by the next sweep. */
  private refreshDns(ips: string[]): void {
    if (this.dnsInFlight || ips.length === 0) return;
    this.dnsInFlight = reverseLookupAll(ips, {
      timeoutMs: this.deps.settings.dnsTimeoutMs,
      ...(this.deps.resolver ? { resolver: this.deps.resolver } : {}),
    })
      .then((names) => {
        for (const [ip, name] of names) this.dnsCache.set(ip, name);
      })
      .catch((err: unknown) => this.deps.logger.debug(`reverse DNS failed: ${(err as Error).message}`))
      .finally(() => {
        this.dnsInFlight = null;
      });
  }
}

function findingsSummary(store: Store): string {
  const c = store.devices.all().filter((d) => d.portsScannedAt !== null);
  const risky = c.filter((d) => d.risk === 'medium' || d.risk === 'high' || d.risk === 'critical').length;
  return `${c.length} devices rated, ${risky} at medium risk or above`;
}

function runStart(recorded: string | null | undefined, fallback: Date): Date {
  const t = recorded ? Date.parse(recorded) : Number.NaN;
  return Number.isFinite(t) ? new Date(t) : fallback;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
