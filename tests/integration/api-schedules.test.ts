/**
 * `api/schedules` (DESIGN §9): named cron scans with kind, profile and targets on a real SQLite file, the
 * `port_scan_schedule` option as the read-only default schedule 0, zod errors that name the field, and the
 * scheduler that fires each enabled schedule with its kind/profile/targets and picks up API changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleJson } from '../../src/api/routes/schedules.js';
import { Scheduler } from '../../src/service/scheduler.js';
import { SchedulesRepo } from '../../src/store/schedulesRepo.js';
import { silentLogger } from '../../src/util/logger.js';
import { type Harness, INGRESS, LAN_PEER, makeHarness } from '../helpers/apiFixtures.js';

let h: Harness;
let repo: SchedulesRepo;
let changed = 0;
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  h.app.inject({ method, url, ...INGRESS, ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  h = await makeHarness({
    deps: {
      schedules: {
        get repo() {
          return repo;
        },
        defaultCron: () => '0 3 * * *',
        changed: () => {
          changed++;
        },
      },
    },
  });
  repo = new SchedulesRepo(h.store.db);
});
afterAll(async () => {
  await h?.close();
});

describe('api/schedules', () => {
  it('lists the port_scan_schedule option as the default schedule 0, read-only', async () => {
    const r = await call('GET', '/api/schedules');
    expect(r.statusCode).toBe(200);
    const d = r.json().items[0] as ScheduleJson;
    expect(d).toMatchObject({ id: 0, name: 'default', cron: '0 3 * * *', kind: 'ports', default: true });
    expect(Date.parse(d.next_run!)).toBeGreaterThan(Date.now() - 1000);
    const p = await call('PATCH', '/api/schedules/0', { cron: '0 4 * * *' });
    expect(p.statusCode).toBe(409);
    expect(p.json().message).toMatch(/port_scan_schedule/);
    expect((await call('DELETE', '/api/schedules/0')).statusCode).toBe(409);
  });

  it('creates, changes and removes named schedules; every change tells the scheduler', async () => {
    const before = changed;
    const c = await call('POST', '/api/schedules', {
      name: 'cameras weekly',
      cron: '30 2 * * 0',
      kind: 'ports',
      profile: 'top1000',
      targets: ['10.213.0.0/28', '10.213.0.40'],
    });
    expect(c.statusCode, c.body).toBe(201);
    const s = c.json() as ScheduleJson;
    expect(s).toMatchObject({
      name: 'cameras weekly',
      cron: '30 2 * * 0',
      kind: 'ports',
      profile: 'top1000',
      targets: ['10.213.0.0/28', '10.213.0.40'],
      enabled: true,
      default: false,
    });
    // next Sunday 02:30 (server local time)
    const next = new Date(s.next_run!);
    expect(next.getDay()).toBe(0);
    expect([next.getHours(), next.getMinutes()]).toEqual([2, 30]);
    const p = await call('PATCH', `/api/schedules/${s.id}`, { enabled: false, profile: null });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({ enabled: false, profile: null, next_run: null });
    expect((await call('GET', `/api/schedules/${s.id}`)).json().name).toBe('cameras weekly');
    const list = (await call('GET', '/api/schedules')).json().items as ScheduleJson[];
    expect(list.map((x) => x.name)).toEqual(['default', 'cameras weekly']);
    expect((await call('DELETE', `/api/schedules/${s.id}`)).statusCode).toBe(200);
    expect((await call('GET', `/api/schedules/${s.id}`)).statusCode).toBe(404);
    expect(changed - before).toBe(3);
  });

  it('refuses bad input with a message naming the field and what is allowed', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'x', cron: 'every day' }, /cron.*five-field cron/],
      [{ name: 'x', cron: '0 3 * * *', kind: 'deep' }, /kind/],
      [{ name: 'x', cron: '0 3 * * *', targets: ['8.8.8.8/33'] }, /targets.*IPv4 address or CIDR/],
      [{ name: 'x', cron: '0 3 * * *', profile: 'all' }, /profile/],
      [{ name: '', cron: '0 3 * * *' }, /name.*must not be empty/],
      [{ name: 'x', cron: '0 3 * * *', kind: 'sweep', profile: 'top100' }, /sweep has no port profile/],
      [{ name: 'x', cron: '0 3 * * *', shell: 'rm -rf /' }, /shell/],
      [{ name: 'default', cron: '0 3 * * *' }, /exists already/],
    ];
    for (const [body, msg] of cases) {
      const r = await call('POST', '/api/schedules', body);
      expect([400, 409], JSON.stringify(body)).toContain(r.statusCode);
      expect(r.json().message, JSON.stringify(body)).toMatch(msg);
    }
    expect((await call('POST', '/api/schedules', { name: 'Nightly', cron: '0 1 * * *' })).statusCode).toBe(
      201,
    );
    const dup = await call('POST', '/api/schedules', { name: 'nightly', cron: '0 2 * * *' });
    expect(dup.statusCode).toBe(409);
  });

  it('needs the admin scope to change a schedule; a read key may list them', async () => {
    const read = h.keys.create('grafana', 'read');
    const as = (method: 'GET' | 'POST', url: string, payload?: object) =>
      h.app.inject({
        method,
        url,
        remoteAddress: LAN_PEER,
        headers: { authorization: `Bearer ${read.secret}` },
        ...(payload ? { payload } : {}),
      });
    expect((await as('GET', '/api/schedules')).statusCode).toBe(200);
    expect((await as('POST', '/api/schedules', { name: 'y', cron: '0 3 * * *' })).statusCode).toBe(403);
  });
});

describe('scheduler with named schedules', () => {
  it('fires each enabled schedule with its kind, profile and targets, and follows changes', async () => {
    const fired: Array<{ kind: string; reason: string; profile?: string; targets?: string[] }> = [];
    for (const s of repo.list()) repo.delete(s.id);
    // node-cron takes an optional seconds field: every second, so the test does not wait a minute
    const every = repo.create({
      name: 'often',
      cron: '* * * * * *',
      kind: 'ports',
      profile: 'top100',
      targets: ['10.213.0.40'],
      enabled: true,
    });
    repo.create({
      name: 'off',
      cron: '* * * * * *',
      kind: 'sweep',
      profile: null,
      targets: [],
      enabled: false,
    });
    const scheduler = new Scheduler({
      sweepIntervalSec: 3600,
      portScanSchedule: '',
      requestSweep: () => undefined,
      requestPortScanAll: () => undefined,
      requestScan: (req) => {
        fired.push(req);
      },
      schedules: repo,
      logger: silentLogger,
    });
    scheduler.start();
    try {
      await new Promise((r) => setTimeout(r, 2_600));
      expect(fired.length).toBeGreaterThanOrEqual(1);
      expect(fired.every((f) => f.reason === 'schedule:often')).toBe(true);
      expect(fired[0]).toEqual({
        kind: 'ports',
        reason: 'schedule:often',
        profile: 'top100',
        targets: ['10.213.0.40'],
      });
      expect(repo.get(every.id)!.lastRunAt).not.toBeNull();
      // disabled through the API's repo: after reload nothing fires any more
      repo.update(every.id, { enabled: false });
      scheduler.reload();
      const n = fired.length;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(fired.length).toBe(n);
      expect(scheduler.activeSchedules()).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  }, 20_000);
});
