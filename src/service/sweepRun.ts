/**
 * One sweep of a scan request: nmap host discovery over the targets, MACs from the neighbour table when nmap
 * cannot see them, names from the reverse-DNS cache, the direct probes of devices about to be marked away,
 * then the store's ingest and the results on the bus. A failed or cut-short sweep marks nothing away. The
 * devices a sweep missed that the next one would mark away are probed in the interval between
 * (DepartureWatch), so the sweep that decides finds their answer ready.
 */
import { departureCandidates, ingestSweep } from '../inventory/ingestSweep.js';
import type { Change, Device } from '../inventory/types.js';
import { lookupVendor } from '../inventory/vendor.js';
import { fillMacsFromArp, readArpTable } from '../scan/arpTable.js';
import { buildSweepArgs } from '../scan/nmapArgs.js';
import { checkRequestTargets, inTargets } from '../scan/requestTargets.js';
import { routedAddressTest } from '../scan/targets.js';
import type { ScanResult } from '../scan/types.js';
import { awayReasonText, confirmAway, nmapProbeRun, type ProbeRun } from './awayConfirmer.js';
import { DepartureWatch, dueCandidates } from './departureWatch.js';
import { announceIpUpgrades } from './ipUpgradeEvents.js';
import type { Job } from './jobQueue.js';
import { runScanNmap } from './nmapRun.js';
import { ReverseDnsCache } from './reverseDnsCache.js';
import { publishScanResults, type ScanRunContext } from './scanRunContext.js';
import type { ScanTargets } from './scanSettings.js';

export class SweepRunner {
  private readonly dns: ReverseDnsCache;
  private readonly departures: DepartureWatch;

  constructor(
    private readonly ctx: ScanRunContext,
    /** after a sweep: queue the automatic port scans of devices never port-scanned; how many were queued */
    private readonly queuePending: (now: Date) => number,
  ) {
    const { settings, logger, resolver, clock } = ctx.deps;
    this.departures = new DepartureWatch(() => clock.now().getTime());
    this.dns = new ReverseDnsCache({
      timeoutMs: settings.dnsTimeoutMs,
      logger,
      ...(resolver ? { resolver } : {}),
    });
  }

  async run(job: Job): Promise<void> {
    const { store, clock, logger, settings, bus } = this.ctx.deps;
    const progress = this.ctx.progress;
    const t0 = Date.now();
    const scanId = job.scanId as number;
    let t: ScanTargets;
    try {
      t = this.ctx.deps.targets();
    } catch (err) {
      const message = `cannot sweep: ${(err as Error).message}`;
      logger.error(message);
      store.scans.fail(scanId, message, clock.now());
      progress.ended(scanId, clock.now());
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
    progress.began(scanId, 'sweep', targets, job.reason);
    progress.batchStarted(scanId);
    const outcome = await runScanNmap(this.ctx, scanId, 'sweep', argv, targets, settings.sweepTimeoutMs);
    if (!outcome.result) {
      store.recordFailedScan(scanId, outcome.error, clock.now());
      progress.ended(scanId, startedAt);
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
      const name = this.dns.nameOf(h.ip);
      if (name && h.hostnames.length === 0) h.hostnames.push(name);
    }
    // a MAC-less host on a routed target is identified by its IP (DESIGN §15)
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
    if (this.ctx.stopping()) {
      // the probes were cut short: nothing may be marked away on their silence
      store.recordFailedScan(scanId, 'scan aborted (service stopping)', clock.now());
      progress.ended(scanId, startedAt);
      return;
    }
    const now = clock.now();
    const { changes, devices, baseline, upgraded } = ingestSweep(store, scanId, result, {
      ...sweepCtx,
      now,
      ...(confirm.awayReason ? { awayReason: confirm.awayReason } : {}),
    });
    announceIpUpgrades(upgraded, bus, logger);
    publishScanResults(bus, changes, devices);
    if (!scope) this.probeAhead(devices, startedAt, t.attached);
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
    progress.ended(scanId, startedAt, into);
    this.dns.refresh(result.hosts.map((h) => h.ip));
    const queued = this.queuePending(now);
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
    const { store, logger } = this.ctx.deps;
    const probeSettings = this.probeSettings(attached);
    const reason = awayReasonText(probeSettings);
    if (probeSettings.rounds <= 0) return { result };
    const candidates = departureCandidates(store, result, ctx).filter(
      (c): c is { mac: string; ip: string } => typeof c.ip === 'string',
    );
    if (candidates.length === 0) return { result, awayReason: reason };
    const t0 = Date.now();
    // what the probes run since the sweep that missed them said; the rest are probed now
    const ahead = await this.departures.settle(
      candidates.map((c) => ({ ...c, lastSeen: store.devices.get(c.mac)?.lastSeen ?? '' })),
    );
    const present = new Map(ahead.present);
    let awayReason = ahead.awayReason ?? reason;
    if (ahead.rest.length > 0) {
      const out = await this.ctx.aborter.run((signal) =>
        confirmAway(ahead.rest, probeSettings, this.probeRun(), signal),
      );
      for (const [mac, why] of out.present) present.set(mac, why);
      awayReason = out.awayReason;
    }
    const early = candidates.length - ahead.rest.length;
    logger.info(
      `presence: ${candidates.length} device(s) missed the sweeps; ${present.size} answered a direct probe (${[...present.values()].join(', ') || 'none'}), ${candidates.length - present.size} away, in ${((Date.now() - t0) / 1000).toFixed(1)} s${early ? ` (${early} probed since the sweep before)` : ''}`,
    );
    if (present.size === 0) return { result, awayReason };
    const extra = candidates
      .filter((c) => present.has(c.mac))
      .map((c) => ({
        ip: c.ip,
        mac: c.mac,
        hostnames: [],
        status: 'up' as const,
        reason: present.get(c.mac) as string,
        ports: [],
        portsScanned: false,
      }));
    return { result: { ...result, hosts: [...result.hosts, ...extra] }, awayReason };
  }

  private probeSettings(attached: boolean) {
    const { settings } = this.ctx.deps;
    return {
      nmapPath: settings.nmapPath,
      privileged: settings.privileged,
      attached,
      rounds: settings.confirmRounds ?? 3,
      pauseMs: settings.confirmPauseMs ?? 4_000,
    };
  }

  private probeRun(): ProbeRun {
    const { probeRun, settings, logger } = this.ctx.deps;
    return probeRun ?? nmapProbeRun(settings.nmapPath, logger);
  }

  /** After a full sweep: probe now the devices it missed that the next sweep would mark away. */
  private probeAhead(devices: Device[], sweptAt: Date, attached: boolean): void {
    const { settings, logger } = this.ctx.deps;
    const probeSettings = this.probeSettings(attached);
    if (!settings.sweepIntervalSec || probeSettings.rounds <= 0 || this.ctx.stopping()) return;
    const next = new Date(sweptAt.getTime() + settings.sweepIntervalSec * 1000);
    const run = this.probeRun();
    const n = this.departures.ahead(dueCandidates(devices, next, settings.considerHome), (c, signal) =>
      confirmAway(c, probeSettings, run, signal),
    );
    if (n > 0)
      logger.debug(`presence: probing ${n} device(s) this sweep missed; the next sweep would mark them away`);
  }

  /** The service is stopping: the probes between sweeps are cut short (their silence marks nothing away). */
  stop(): void {
    this.departures.stop();
  }
}
