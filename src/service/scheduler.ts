import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../util/logger.js';

export interface SchedulerDeps {
  sweepIntervalSec: number;
  /** 5-field cron, or '' for off */
  portScanSchedule: string;
  requestSweep(reason: string): unknown;
  requestPortScanAll(reason: string): unknown;
  /** housekeeping (retention), run daily */
  housekeeping?: () => void;
  logger: Logger;
  /** injectable timers for tests */
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
}

/**
 * Fires sweeps every `sweep_interval` seconds (the coordinator's queue makes sure a sweep never
 * overlaps the previous one) and port scans on the cron schedule. One immediate sweep at start.
 */
export class Scheduler {
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private housekeepingTimer: ReturnType<typeof setInterval> | null = null;
  private portTask: ScheduledTask | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    const si = this.deps.setInterval ?? setInterval;
    this.deps.requestSweep('startup');
    this.sweepTimer = si(() => this.deps.requestSweep('schedule'), this.deps.sweepIntervalSec * 1000);
    this.sweepTimer.unref?.();
    if (this.deps.portScanSchedule !== '' && this.deps.portScanSchedule !== 'off') {
      this.portTask = cron.schedule(
        this.deps.portScanSchedule,
        () => this.deps.requestPortScanAll('schedule'),
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
    if (this.deps.housekeeping) {
      const hk = this.deps.housekeeping;
      this.housekeepingTimer = si(hk, 6 * 3600 * 1000);
      this.housekeepingTimer.unref?.();
    }
  }

  async stop(): Promise<void> {
    const ci = this.deps.clearInterval ?? clearInterval;
    if (this.sweepTimer) ci(this.sweepTimer);
    if (this.housekeepingTimer) ci(this.housekeepingTimer);
    this.sweepTimer = null;
    this.housekeepingTimer = null;
    if (this.portTask) await this.portTask.destroy();
    this.portTask = null;
  }
}
