import cron, { type ScheduledTask } from 'node-cron';
import type { PortProfile } from '../scan/nmapArgs.js';
import { pruneHistory } from '../store/retention.js';
import type { Schedule } from '../store/schedulesRepo.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import type { ServiceCore } from './core.js';

export interface SchedulerDeps {
  sweepIntervalSec: number;
  /** 5-field cron, or '' for off: the default schedule (port scan of every online device) */
  portScanSchedule: string;
  requestSweep(reason: string): unknown;
  requestPortScanAll(reason: string): unknown;
  /** a named schedule's scan (kind, profile, targets) */
  requestScan?(req: {
    kind: Schedule['kind'];
    reason: string;
    profile?: PortProfile;
    targets?: string[];
  }): unknown;
  /** named schedules (api/schedules); reloaded on `reload()` and when their fingerprint changes */
  schedules?: {
    list(): Schedule[];
    fingerprint(): string;
    markRun(id: number, when: Date): void;
  };
  /** housekeeping (retention), run daily */
  housekeeping?: () => void;
  logger: Logger;
  /** injectable timers for tests */
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
  /** how often another process's schedule changes are picked up (default 60 s) */
  scheduleCheckMs?: number;
}

/**
 * Fires sweeps every `sweep_interval` seconds (the coordinator's queue makes sure a sweep never
 * overlaps the previous one), port scans on the default cron schedule, and every enabled named schedule.
 * One immediate sweep at start.
 */
export class Scheduler {
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private housekeepingTimer: ReturnType<typeof setInterval> | null = null;
  private checkTimer: ReturnType<typeof setInterval> | null = null;
  private portTask: ScheduledTask | null = null;
  private named = new Map<number, ScheduledTask>();
  private fingerprint = '';
  private offChanged: (() => void) | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  /** A timer's request that throws (a full disk cannot record it) is logged; the schedule keeps running. */
  private guarded(what: string, request: () => unknown): void {
    try {
      request();
    } catch (err) {
      this.deps.logger.warn(`${what} did not start: ${(err as Error).message}`);
    }
  }

  /** Starts (the start-up sweep, the timers) and reloads the named schedules whenever the bus says they changed. */
  attach(bus: EventBus): void {
    this.offChanged = bus.on('schedules:changed', () => this.reload());
    this.start();
  }

  start(): void {
    const si = this.deps.setInterval ?? setInterval;
    this.guarded('start-up sweep', () => this.deps.requestSweep('startup'));
    this.sweepTimer = si(
      () => this.guarded('scheduled sweep', () => this.deps.requestSweep('schedule')),
      this.deps.sweepIntervalSec * 1000,
    );
    this.sweepTimer.unref?.();
    if (this.deps.portScanSchedule !== '' && this.deps.portScanSchedule !== 'off') {
      this.portTask = cron.schedule(
        this.deps.portScanSchedule,
        () => this.guarded('scheduled port scan', () => this.deps.requestPortScanAll('schedule')),
        {
          name: 'port-scan',
          noOverlap: true,
        },
      );
      const next = this.portTask.getNextRun();
      this.deps.logger.info(
        `port scans scheduled "${this.deps.portScanSchedule}"; next ${next?.toISOString() ?? 'never'}`,
      );
    } else {
      this.deps.logger.info('scheduled port scans are off (port_scan_schedule is off)');
    }
    if (this.deps.schedules) {
      this.reload();
      this.checkTimer = si(() => {
        if (this.deps.schedules?.fingerprint() !== this.fingerprint) this.reload();
      }, this.deps.scheduleCheckMs ?? 60_000);
      this.checkTimer.unref?.();
    }
    if (this.deps.housekeeping) {
      const hk = this.deps.housekeeping;
      this.housekeepingTimer = si(() => this.guarded('housekeeping', hk), 6 * 3600 * 1000);
      this.housekeepingTimer.unref?.();
    }
  }

  /** Re-reads the named schedules (after an API change). */
  reload(): void {
    const src = this.deps.schedules;
    if (!src) return;
    for (const t of this.named.values()) void t.destroy();
    this.named.clear();
    this.fingerprint = src.fingerprint();
    for (const s of src.list()) {
      if (!s.enabled) continue;
      try {
        const task = cron.schedule(
          s.cron,
          () => {
            const reason = `schedule:${s.name}`;
            try {
              this.deps.requestScan?.({
                kind: s.kind,
                reason,
                ...(s.profile ? { profile: s.profile } : {}),
                ...(s.targets.length ? { targets: s.targets } : {}),
              });
            } catch (err) {
              this.deps.logger.warn(`schedule "${s.name}" did not start a scan: ${(err as Error).message}`);
            }
            this.guarded(`schedule "${s.name}" bookkeeping`, () => src.markRun(s.id, new Date()));
          },
          { name: `schedule-${s.id}`, noOverlap: true },
        );
        this.named.set(s.id, task);
        this.deps.logger.info(
          `schedule "${s.name}" (${s.kind}${s.profile ? ` ${s.profile}` : ''}${s.targets.length ? ` ${s.targets.join(',')}` : ''}) "${s.cron}"; next ${task.getNextRun()?.toISOString() ?? 'never'}`,
        );
      } catch (err) {
        this.deps.logger.warn(`schedule "${s.name}" not started: ${(err as Error).message}`);
      }
    }
  }

  /** Names of the running named schedules (tests, status). */
  activeSchedules(): number[] {
    return [...this.named.keys()];
  }

  async stop(): Promise<void> {
    const ci = this.deps.clearInterval ?? clearInterval;
    this.offChanged?.();
    this.offChanged = null;
    if (this.sweepTimer) ci(this.sweepTimer);
    if (this.housekeepingTimer) ci(this.housekeepingTimer);
    if (this.checkTimer) ci(this.checkTimer);
    this.sweepTimer = null;
    this.housekeepingTimer = null;
    this.checkTimer = null;
    if (this.portTask) await this.portTask.destroy();
    this.portTask = null;
    for (const t of this.named.values()) await t.destroy();
    this.named.clear();
  }
}

/** What the service's scheduler drives: the scan coordinator's requests. */
export interface ScanRequester {
  requestSweep(reason: string): unknown;
  requestPortScanAll(reason: string): unknown;
  request(req: Parameters<NonNullable<SchedulerDeps['requestScan']>>[0]): unknown;
}

/** The service's scheduler: options `sweep_interval`, `port_scan_schedule`, `retention_days` (housekeeping). */
export function serviceScheduler(
  core: Pick<ServiceCore, 'options' | 'db' | 'clock' | 'log'>,
  scans: ScanRequester,
  schedules: NonNullable<SchedulerDeps['schedules']>,
): Scheduler {
  const o = core.options;
  const logger = core.log.child('schedule');
  return new Scheduler({
    sweepIntervalSec: o.sweep_interval,
    portScanSchedule: o.port_scan_schedule,
    requestSweep: (r) => scans.requestSweep(r),
    requestPortScanAll: (r) => scans.requestPortScanAll(r),
    requestScan: (req) => scans.request(req),
    schedules,
    housekeeping: () => {
      const n = pruneHistory(core.db, { olderThanDays: o.retention_days, now: core.clock.now() });
      logger.debug('retention', { ...n });
    },
    logger,
  });
}
