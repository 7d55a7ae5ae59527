/**
 * One batch of a port-scan request: the batch's devices where they are now, TCP and (home profile, root) UDP
 * as nmap runs in turn, merged; the store's ingest, the threat assessment and the results on the bus. A failed
 * batch is recorded as failed and changes no device.
 */
import { ingestPortScan } from '../inventory/ingestPortScan.js';
import type { Change, Device } from '../inventory/types.js';
import { mergePortScans } from '../scan/mergePortScans.js';
import { buildPortScanRuns, type PortProfile } from '../scan/nmapArgs.js';
import type { ScanResult } from '../scan/types.js';
import type { FirstPortScans } from './firstPortScans.js';
import type { Job } from './jobQueue.js';
import { runScanNmap } from './nmapRun.js';
import { publishScanResults, type ScanRunContext } from './scanRunContext.js';

export class PortScanRunner {
  constructor(
    private readonly ctx: ScanRunContext,
    private readonly firstScans: FirstPortScans,
  ) {}

  /** Runs the next batch of a port-scan request. */
  async runBatch(job: Job): Promise<void> {
    const { store, clock, settings, threats, bus } = this.ctx.deps;
    const progress = this.ctx.progress;
    const scanId = job.scanId as number;
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
      progress.batchDone(scanId, batch.length);
      if (last) progress.ended(scanId, startedAt);
      return;
    }
    const t = this.ctx.deps.targets();
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
    progress.began(scanId, 'ports', store.scans.record(scanId)?.targets ?? ips, job.reason);
    progress.batchStarted(scanId, batch.length);
    progress.emitProgress(scanId);
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
      const outcome = await runScanNmap(this.ctx, scanId, 'ports', run.argv, ips, timeoutMs, span);
      runTimes.push(`${run.protocol} ${((Date.now() - r0) / 1000).toFixed(1)} s`);
      if (!outcome.result) {
        failure = runs.length > 1 ? `${run.protocol.toUpperCase()} run: ${outcome.error}` : outcome.error;
        break;
      }
      parts.push(outcome.result);
      if (this.ctx.stopping()) break;
    }
    if (failure === null && parts.length < runs.length) failure = 'scan aborted (service stopping)';
    if (failure !== null) {
      this.firstScans.batchFailed(measured, clock.now());
      store.recordFailedScan(scanId, failure, clock.now(), { seq, hosts: batch.length });
      progress.batchDone(scanId, batch.length);
      progress.emitProgress(scanId);
      if (last || this.ctx.stopping())
        progress.ended(scanId, runStart(store.scans.record(scanId)?.runStartedAt, startedAt));
      return;
    }
    const result = mergePortScans(parts);
    const now = clock.now();
    const out = ingestPortScan(store, scanId, result, now, seq, settings.gatewayIp());
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
    publishScanResults(bus, changes, [...updated.values()]);
    this.logBatch(what, measured, out.devices, changes, t0, now, runs.length > 1 ? runTimes : []);
    progress.batchDone(scanId, batch.length);
    progress.emitProgress(scanId);
    if (last) progress.ended(scanId, runStart(store.scans.record(scanId)?.runStartedAt, startedAt));
  }

  /** One info line per port-scan batch, a warning per critical finding; retries for hosts nmap did not finish. */
  private logBatch(
    what: string,
    requested: Device[],
    scanned: Device[],
    changes: Change[],
    t0: number,
    now: Date,
    runTimes: readonly string[],
  ): void {
    const { logger } = this.ctx.deps;
    const done = this.firstScans.batchScanned(requested, scanned, now);
    const open = scanned.reduce((n, d) => n + d.ports.length, 0);
    const found = changes.filter((c) => c.type === 'threat_detected');
    const resolved = changes.filter((c) => c.type === 'threat_resolved').length;
    logger.info(
      `${what}: ${done.size}/${requested.length} devices scanned, ${open} open ports, ${found.length} new findings, ${resolved} resolved in ${((Date.now() - t0) / 1000).toFixed(1)} s${runTimes.length ? ` (${runTimes.join(', ')})` : ''}`,
    );
    for (const c of found) if (c.severity === 'critical') logger.warn(`critical finding: ${c.message}`);
    this.firstScans.finishInitialWhenDone(now);
  }
}

/** When the request's first batch started (its record), else this batch's start. */
function runStart(recorded: string | null | undefined, fallback: Date): Date {
  const t = recorded ? Date.parse(recorded) : Number.NaN;
  return Number.isFinite(t) ? new Date(t) : fallback;
}
