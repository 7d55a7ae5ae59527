import type { Change, Device } from '../inventory/types.js';
import { lookupVendor } from '../inventory/vendor.js';
import { fillMacsFromArp, readArpTable } from '../scan/arpTable.js';
import { buildPortScanArgs, buildSweepArgs } from '../scan/nmapArgs.js';
import { runNmap } from '../scan/nmapRunner.js';
import { parseNmapXml } from '../scan/nmapXml.js';
import { reverseLookupAll } from '../scan/reverseDns.js';
import type { ScanKind, ScanResult } from '../scan/types.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { iso } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { type Job, JobQueue } from './jobQueue.js';

export interface ScanTargets {
  targets: string[];
  exclude: string[];
  /** every target is on a directly attached network (ARP works) */
  attached: boolean;
}

export interface ScanSettings {
  nmapPath: string;
  privileged: boolean;
  considerHome: number;
  portProfile: 'top100' | 'top1000' | 'custom';
  ports: string[];
  /** whole-run bound for a sweep */
  sweepTimeoutMs: number;
  /** nmap --host-timeout for port scans */
  hostTimeoutSec: number;
  /** pause between port-scan batches, so a Raspberry Pi stays responsive */
  portScanPauseMs: number;
  /** devices per port-scan nmap run */
  portScanBatch: number;
  /** hard bound for background reverse DNS */
  dnsTimeoutMs: number;
  gatewayIp: () => string | null;
  /** run nmap's ssl-cert + ssl-enum-ciphers in port scans (option tls_checks) */
  tlsChecks?: boolean;
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
}

export interface ScanRequestResult {
  queued: boolean;
  /** true when an identical request was already waiting */
  coalesced: boolean;
  position: number;
}

/**
 * Runs every scan: one at a time (no overlap), sweeps first, per-device port scans spread out.
 * A failed or partial scan is recorded as failed and marks no device absent.
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

  constructor(private readonly deps: ScanCoordinatorDeps) {}

  requestSweep(reason: string): ScanRequestResult {
    return this.enqueue({ kind: 'sweep', key: 'sweep', reason, macs: null });
  }

  /**
   * Port/service scan of every online device, `portScanBatch` devices per nmap run (small batches with
   * pauses between them keep a Raspberry Pi responsive).
   */
  requestPortScanAll(reason: string): ScanRequestResult {
    const macs = this.deps.store.devices
      .all()
      .filter((d) => d.online && d.ip && !d.ignored)
      .map((d) => d.mac);
    const size = Math.max(1, this.deps.settings.portScanBatch);
    let last: ScanRequestResult = { queued: false, coalesced: false, position: this.queue.length };
    for (let i = 0; i < macs.length; i += size) {
      const batch = macs.slice(i, i + size);
      last = this.enqueue({ kind: 'ports', key: batch.join(','), reason, macs: batch });
    }
    return last;
  }

  requestDeviceScan(mac: string, reason: string): ScanRequestResult {
    return this.enqueue({ kind: 'ports', key: mac, reason, macs: [mac] });
  }

  status(): { running: boolean; kind: ScanKind | null; queue: number } {
    return {
      running: this.running !== null || this.pausing,
      kind: this.running?.kind ?? (this.pausing ? 'ports' : null),
      queue: this.queue.length,
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
    this.queue.clear();
    this.abort?.abort();
    await this.whenIdle();
  }

  private enqueue(job: Job): ScanRequestResult {
    if (this.stopping) return { queued: false, coalesced: false, position: -1 };
    const added = this.queue.push(job);
    void this.pump();
    return { queued: added, coalesced: !added, position: this.queue.length };
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
          else await this.runPorts(job);
        } catch (err) {
          this.deps.logger.error(`scan job failed unexpectedly: ${(err as Error).message}`);
        }
        this.running = null;
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

  private async runSweep(job: Job): Promise<void> {
    const { store, bus, clock, logger, settings } = this.deps;
    let t: ScanTargets;
    try {
      t = this.deps.targets();
    } catch (err) {
      logger.error(`cannot sweep: ${(err as Error).message}`);
      return;
    }
    const argv = buildSweepArgs({
      targets: t.targets,
      exclude: t.exclude,
      privileged: settings.privileged,
      attached: t.attached,
    });
    const startedAt = clock.now();
    const scanId = store.scans.start('sweep', t.targets, job.reason, argv.join(' '));
    bus.emit('scan:started', {
      scanId,
      kind: 'sweep',
      targets: t.targets,
      reason: job.reason,
      startedAt: iso(startedAt),
    });
    const parsed = await this.execute(scanId, 'sweep', argv, t.targets, settings.sweepTimeoutMs);
    if (!parsed) return;
    let result = parsed;
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
    const now = clock.now();
    const { changes, devices } = store.recordSweep(scanId, result, {
      now,
      considerHome: settings.considerHome,
      gatewayIp: settings.gatewayIp(),
      lookupVendor,
    });
    this.publish(changes, devices);
    bus.emit('scan:finished', {
      scanId,
      kind: 'sweep',
      startedAt: iso(startedAt),
      finishedAt: iso(now),
      hostsUp: result.hosts.length,
      changes: changes.length,
    });
    this.refreshDns(result.hosts.map((h) => h.ip));
  }

  private async runPorts(job: Job): Promise<void> {
    const { store, bus, clock, settings, threats } = this.deps;
    const devices = (job.macs ?? [])
      .map((m) => store.devices.get(m))
      .filter((d): d is Device => !!d && !!d.ip);
    if (devices.length === 0) return;
    const ips = devices.map((d) => d.ip as string);
    const t = this.deps.targets();
    const argv = buildPortScanArgs({
      targets: ips,
      exclude: t.exclude,
      profile: settings.portProfile,
      ports: settings.ports,
      privileged: settings.privileged,
      hostTimeoutSec: settings.hostTimeoutSec,
      tlsScripts: settings.tlsChecks === true,
    });
    const startedAt = clock.now();
    const scanId = store.scans.start('ports', ips, job.reason, argv.join(' '));
    bus.emit('scan:started', {
      scanId,
      kind: 'ports',
      targets: ips,
      reason: job.reason,
      startedAt: iso(startedAt),
    });
    const timeoutMs = (settings.hostTimeoutSec + 30) * 1000 * Math.max(1, ips.length);
    const result = await this.execute(scanId, 'ports', argv, ips, timeoutMs);
    if (!result) return;
    const now = clock.now();
    const out = store.recordPortScan(scanId, result, now);
    const changes: Change[] = [...out.changes];
    const updated = new Map(out.devices.map((d) => [d.mac, d]));
    if (threats) {
      const t2 = threats.assess(
        devices.map((d) => d.mac),
        now,
        result,
      );
      changes.push(...t2.changes);
      for (const d of t2.devices) updated.set(d.mac, d);
    }
    this.publish(changes, [...updated.values()]);
    bus.emit('scan:finished', {
      scanId,
      kind: 'ports',
      startedAt: iso(startedAt),
      finishedAt: iso(now),
      hostsUp: result.hosts.length,
      changes: changes.length,
    });
  }

  /** Runs nmap and parses; on any failure records a failed scan (marking nothing absent) and returns null. */
  private async execute(
    scanId: number,
    kind: ScanKind,
    argv: string[],
    targets: string[],
    timeoutMs: number,
  ): Promise<ScanResult | null> {
    const { store, bus, clock, logger, settings } = this.deps;
    const startedAt = clock.now();
    this.abort = new AbortController();
    let error: string | null = null;
    let result: ScanResult | null = null;
    try {
      const run = await runNmap(argv, {
        nmapPath: settings.nmapPath,
        timeoutMs,
        signal: this.abort.signal,
        onProgress: (percent, task) =>
          bus.emit('scan:progress', { scanId, kind, percent, ...(task ? { message: task } : {}) }),
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
      const finishedAt = clock.now();
      const message = error ?? 'unknown scan failure';
      logger.warn(`${kind} scan ${scanId} failed: ${message}`);
      store.recordFailedScan(scanId, message, finishedAt);
      bus.emit('scan:failed', {
        scanId,
        kind,
        startedAt: iso(startedAt),
        finishedAt: iso(finishedAt),
        error: message,
      });
      return null;
    }
    return result;
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
