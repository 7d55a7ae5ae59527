/**
 * The scheduler on a fake clock (vitest fake timers drive both its intervals and node-cron): the start-up sweep
 * and the sweep interval, the next run of a cron schedule, named schedules (fired with their kind, profile and
 * targets; reloaded when the bus says they changed or another process changed them), overlapping sweeps left
 * to the coordinator's queue (they coalesce there), and stop() leaving no timer behind.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobQueue } from '../../src/service/jobQueue.js';
import { Scheduler, type SchedulerDeps } from '../../src/service/scheduler.js';
import type { Schedule } from '../../src/store/schedulesRepo.js';
import { EventBus } from '../../src/util/events.js';
import { createLogger } from '../../src/util/logger.js';

/** 2026-12-04 01:00 local time: node-cron reads cron fields in the local zone. */
const START = new Date(2026, 11, 4, 1, 0, 0);

function schedule(over: Partial<Schedule> & Pick<Schedule, 'id' | 'name' | 'cron'>): Schedule {
  return {
    kind: 'ports',
    profile: null,
    targets: [],
    enabled: true,
    createdAt: START.toISOString(),
    updatedAt: START.toISOString(),
    lastRunAt: null,
    ...over,
  } as Schedule;
}

interface Harness {
  scheduler: Scheduler;
  calls: string[];
  logs: string[];
  runs: Array<{ id: number; when: Date }>;
  named: Schedule[];
  setNamed(list: Schedule[]): void;
}

function harness(over: Partial<SchedulerDeps> = {}): Harness {
  const calls: string[] = [];
  const logs: string[] = [];
  const runs: Array<{ id: number; when: Date }> = [];
  let named: Schedule[] = [];
  let version = 0;
  const h: Harness = {
    calls,
    logs,
    runs,
    get named() {
      return named;
    },
    setNamed(list) {
      named = list;
      version++;
    },
    scheduler: new Scheduler({
      sweepIntervalSec: 300,
      portScanSchedule: '',
      requestSweep: (r) => calls.push(`sweep ${r}`),
      requestPortScanAll: (r) => calls.push(`ports ${r}`),
      requestScan: (req) =>
        calls.push(`${req.kind} ${req.reason} ${req.profile ?? '-'} ${(req.targets ?? []).join(',') || '-'}`),
      schedules: {
        list: () => named,
        fingerprint: () => String(version),
        markRun: (id, when) => runs.push({ id, when }),
      },
      logger: createLogger('debug', 'test', (l) => logs.push(l)),
      ...over,
    }),
  };
  return h;
}

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler', () => {
  it('sweeps once at start, then every sweep_interval seconds', async () => {
    const h = harness();
    h.scheduler.start();
    expect(h.calls).toEqual(['sweep startup']);
    await vi.advanceTimersByTimeAsync(299_000);
    expect(h.calls).toEqual(['sweep startup']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.calls).toEqual(['sweep startup', 'sweep schedule']);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(h.calls.filter((c) => c === 'sweep schedule')).toHaveLength(3);
    await h.scheduler.stop();
  });

  it('port_scan_schedule: logs the next run, fires at it and not before; off says so', async () => {
    const h = harness({ portScanSchedule: '30 3 * * *' });
    h.scheduler.start();
    const next = new Date(2026, 11, 4, 3, 30, 0);
    expect(
      h.logs.some((l) => l.includes(`port scans scheduled "30 3 * * *"; next ${next.toISOString()}`)),
    ).toBe(true);
    await vi.advanceTimersByTimeAsync(next.getTime() - START.getTime() - 1_000);
    expect(h.calls).not.toContain('ports schedule');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.calls.filter((c) => c === 'ports schedule')).toHaveLength(1);
    // the day after, once more
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(h.calls.filter((c) => c === 'ports schedule')).toHaveLength(2);
    await h.scheduler.stop();

    const off = harness({ portScanSchedule: 'off' });
    off.scheduler.start();
    expect(off.logs.some((l) => l.includes('scheduled port scans are off'))).toBe(true);
    await vi.advanceTimersByTimeAsync(48 * 3600_000);
    expect(off.calls).not.toContain('ports schedule');
    await off.scheduler.stop();
  });

  it('named schedules: enabled ones fire with kind, profile and targets and are marked run; disabled never', async () => {
    const h = harness({ sweepIntervalSec: 86_400 });
    h.setNamed([
      schedule({ id: 1, name: 'nightly', cron: '0 2 * * *', profile: 'full' as Schedule['profile'] }),
      schedule({ id: 2, name: 'cams', cron: '*/10 * * * *', kind: 'sweep', targets: ['10.0.0.0/28'] }),
      schedule({ id: 3, name: 'never', cron: '* * * * *', enabled: false }),
    ]);
    h.scheduler.start();
    expect(h.scheduler.activeSchedules().sort()).toEqual([1, 2]);
    expect(
      h.logs.some((l) =>
        l.includes(`"nightly" (ports full) "0 2 * * *"; next ${new Date(2026, 11, 4, 2).toISOString()}`),
      ),
    ).toBe(true);
    await vi.advanceTimersByTimeAsync(3600_000 + 1_000);
    expect(h.calls.filter((c) => c === 'sweep schedule:cams - 10.0.0.0/28')).toHaveLength(6);
    expect(h.calls.filter((c) => c === 'ports schedule:nightly full -')).toHaveLength(1);
    expect(h.calls.some((c) => c.includes('never'))).toBe(false);
    expect(h.runs.filter((r) => r.id === 1)).toHaveLength(1);
    expect(h.runs.find((r) => r.id === 1)?.when.getTime()).toBe(new Date(2026, 11, 4, 2).getTime());
    await h.scheduler.stop();
  });

  it('a named schedule whose scan is refused logs a warning and still counts as run', async () => {
    const h = harness({
      requestScan: () => {
        throw new Error('targets outside the swept networks');
      },
    });
    h.setNamed([schedule({ id: 7, name: 'odd', cron: '*/5 * * * *' })]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 1_000);
    expect(h.logs.some((l) => l.includes('schedule "odd" did not start a scan: targets outside'))).toBe(true);
    expect(h.runs.map((r) => r.id)).toEqual([7]);
    await h.scheduler.stop();
  });

  it('an invalid cron of a named schedule is logged and the others still run', async () => {
    const h = harness();
    h.setNamed([
      schedule({ id: 1, name: 'bad', cron: 'not a cron' }),
      schedule({ id: 2, name: 'ok', cron: '* * * * *' }),
    ]);
    h.scheduler.start();
    expect(h.scheduler.activeSchedules()).toEqual([2]);
    expect(h.logs.some((l) => l.includes('schedule "bad" not started'))).toBe(true);
    await h.scheduler.stop();
  });

  it('attach(bus): "schedules:changed" reloads at once; another process\'s change is picked up by the check', async () => {
    const bus = new EventBus();
    const h = harness({ scheduleCheckMs: 60_000 });
    h.scheduler.attach(bus);
    expect(h.calls).toEqual(['sweep startup']);
    expect(h.scheduler.activeSchedules()).toEqual([]);
    h.setNamed([schedule({ id: 4, name: 'api', cron: '0 * * * *' })]);
    bus.emit('schedules:changed', {});
    expect(h.scheduler.activeSchedules()).toEqual([4]);
    // written by another process: no bus event; the fingerprint check finds it within scheduleCheckMs
    h.setNamed([
      schedule({ id: 4, name: 'api', cron: '0 * * * *' }),
      schedule({ id: 5, name: 'cli', cron: '0 * * * *' }),
    ]);
    expect(h.scheduler.activeSchedules()).toEqual([4]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.scheduler.activeSchedules().sort()).toEqual([4, 5]);
    await h.scheduler.stop();
    expect(bus.listenerCount('schedules:changed')).toBe(0);
    h.setNamed([]);
    bus.emit('schedules:changed', {});
    expect(h.scheduler.activeSchedules()).toEqual([]);
  });

  it("overlapping sweeps: the scheduler keeps asking; the coordinator's queue holds one waiting sweep", async () => {
    // the coordinator pushes each request into its JobQueue; nothing runs here, so every request overlaps
    const queue = new JobQueue();
    const pushed: boolean[] = [];
    const h = harness({
      requestSweep: (reason) => pushed.push(queue.push({ kind: 'sweep', key: 'sweep', reason, macs: null })),
    });
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(3 * 300_000);
    expect(pushed).toEqual([true, false, false, false]);
    expect(queue.length).toBe(1);
    expect(queue.shift()?.reason).toBe('startup');
    // once it ran (left the queue), the next tick queues a new one
    await vi.advanceTimersByTimeAsync(300_000);
    expect(pushed.at(-1)).toBe(true);
    await h.scheduler.stop();
  });

  it('stop(): no timer or cron task is left; nothing fires afterwards', async () => {
    const h = harness({ portScanSchedule: '* * * * *', housekeeping: () => h.calls.push('housekeeping') });
    h.setNamed([schedule({ id: 1, name: 'every', cron: '* * * * *' })]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(6 * 3600_000);
    expect(h.calls.filter((c) => c === 'housekeeping')).toHaveLength(1);
    expect(h.calls).toContain('ports schedule');
    await h.scheduler.stop();
    expect(h.scheduler.activeSchedules()).toEqual([]);
    const before = h.calls.length;
    const runsBefore = h.runs.length;
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(h.calls.length).toBe(before);
    expect(h.runs.length).toBe(runsBefore);
    expect(vi.getTimerCount()).toBe(0);
  });
});
