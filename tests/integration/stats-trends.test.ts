/**
 * Trend rollups on a real SQLite file: the recorder writes at each finished scan, hours fold into days after
 * 7 days, the figures follow the inventory, and the API serves summary and trends from them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import type { ScanHost, ScanResult } from '../../src/scan/types.js';
import { attachStatsRecorder } from '../../src/service/statsRecorder.js';
import { DAY_S, HOUR_S } from '../../src/store/statsRepo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { type Harness, INGRESS, makeHarness } from '../helpers/apiFixtures.js';

const mac = (i: number) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;
const host = (i: number): ScanHost => ({
  ip: `10.213.8.${i + 10}`,
  mac: mac(i),
  hostnames: [],
  status: 'up',
  ports: [],
  portsScanned: false,
});
const sweepOf = (at: Date, n: number): ScanResult => ({
  kind: 'sweep',
  targets: ['10.213.8.0/24'],
  startedAt: at,
  finishedAt: at,
  hosts: Array.from({ length: n }, (_, i) => host(i)),
  hostsUp: n,
  hostsTotal: 256,
});

describe('rollups written by the recorder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsn-stats-'));
  let store: Store;
  const start = Date.UTC(2026, 10, 1, 0, 0, 0);
  const clock = new ManualClock(start);
  const bus = new EventBus(() => {});
  beforeAll(() => {
    store = openStore(join(dir, 'db.sqlite'), silentLogger);
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('10 days of sweeps every 30 min: 7 days of hours, older days folded, values follow the inventory', () => {
    const rec = attachStatsRecorder({ bus, stats: store.stats, clock, logger: silentLogger });
    // the number of devices up rises over the days: day d has 3 + d devices, 1 of them leaves at odd hours
    for (let step = 0; step < 10 * 48; step++) {
      const at = new Date(start + step * 30 * 60_000);
      clock.set(at);
      const day = Math.floor(step / 48);
      const hourOdd = Math.floor(step / 2) % 2 === 1;
      const n = 3 + day - (hourOdd ? 1 : 0);
      const id = store.scans.start('sweep', ['10.213.8.0/24'], 'schedule', null, at);
      const out = ingestSweep(store, id, sweepOf(at, n), {
        now: at,
        // presence flips at once in this test (consider_home 0 with one missed sweep is not enough: use 1 s)
        considerHome: 1,
        gatewayIp: null,
        lookupVendor: () => null,
      });
      for (const c of out.changes) bus.emit('change', c);
      bus.emit('scan:finished', {
        scanId: id,
        kind: 'sweep',
        startedAt: at.toISOString(),
        finishedAt: at.toISOString(),
        hostsUp: n,
        changes: out.changes.length,
      });
    }
    rec.stop();
    const counts = store.stats.counts();
    // hours of the last 7 whole days plus today's, never more than 8 days of them; the rest folded into days
    expect(counts.hour).toBeGreaterThanOrEqual(7 * 24);
    expect(counts.hour).toBeLessThanOrEqual(8 * 24);
    expect(counts.day).toBeGreaterThanOrEqual(2);
    const days = store.stats.rows('day', 0);
    expect(days[0]?.start).toBe(start / 1000);
    // day 0: 3 devices (2 at odd hours: the one who left was seen 30 min before, so it is still online within
    // the sweep that misses it once); known = 3
    expect(days[0]?.known).toBe(3);
    expect(days[0]?.onlineMax).toBe(3);
    expect(days[0]?.samples).toBe(48);
    // one new device per day after the first (device 3+d appears on day d)
    expect(days[1]?.newDevices).toBe(1);
    const hours = store.stats.rows('hour', 0);
    expect(hours.every((h) => h.samples === 2)).toBe(true);
    expect(hours.at(-1)?.known).toBe(12);
  });
});

describe('stats API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness();
    // 90 days of history as day rows and the last day as hours, like a long-running install
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const today = now - (now % DAY_S);
    const base = {
      samples: 24,
      onlineLast: 3,
      known: 4,
      openPorts: 5,
      findingsLow: 1,
      findingsMedium: 2,
      findingsHigh: 0,
      findingsCritical: 1,
      riskUnknown: 1,
      riskNone: 1,
      riskLow: 1,
      riskMedium: 1,
      riskHigh: 0,
      riskCritical: 0,
    };
    h.store.stats.putDays(
      Array.from({ length: 90 }, (_, i) => ({
        ...base,
        granularity: 'day' as const,
        start: today - (90 - i) * DAY_S,
        onlineMin: 1,
        onlineMax: 4,
        onlineSum: 24 * 3,
        newDevices: i % 10 === 0 ? 2 : 0,
      })),
    );
    for (let k = 0; k < 24; k++) {
      h.clock.set(new Date((now - (23 - k) * HOUR_S) * 1000));
      h.store.stats.record(h.clock.now(), k === 5 ? 1 : 0);
    }
  });
  afterAll(async () => {
    await h.close();
  });
  const get = (url: string) => h.app.inject({ method: 'GET', url, ...INGRESS });

  it('summary: the network now plus new devices and online range over 24 h', async () => {
    const r = await get('/api/stats/summary');
    expect(r.statusCode).toBe(200);
    const s = r.json();
    const snap = h.store.stats.snapshot();
    expect(s.devices_known).toBe(snap.known);
    expect(s.devices_online).toBe(snap.online);
    expect(s.open_ports).toBe(snap.openPorts);
    expect(s.new_devices_24h).toBe(1);
    expect(s.online_24h).toEqual({ min: snap.online, max: snap.online, avg: snap.online });
    expect(s.kinds.length).toBeGreaterThan(0);
  });

  it('trends: hours for 24 h, days for 90 days (history plus today folded), validated query', async () => {
    const day = (await get('/api/stats/trends?metric=devices_online&days=1')).json();
    expect(day.granularity).toBe('hour');
    expect(day.keys).toEqual(['avg', 'min', 'max']);
    expect(day.points.length).toBe(24);
    const q = (await get('/api/stats/trends?metric=new_devices&days=90')).json();
    expect(q.granularity).toBe('day');
    expect(q.points.length).toBeGreaterThanOrEqual(89);
    expect(q.points.length).toBeLessThanOrEqual(91);
    const total = q.points.reduce((a: number, p: { values: { value: number } }) => a + p.values.value, 0);
    expect(total).toBeGreaterThanOrEqual(17); // 9 history days × 2 (the window may cut the oldest) + today's 1
    const f = (await get('/api/stats/trends?metric=findings&days=30')).json();
    expect(f.keys).toEqual(['low', 'medium', 'high', 'critical']);
    expect(f.points[0].values).toEqual({ low: 1, medium: 2, high: 0, critical: 1 });
    expect((await get('/api/stats/trends?metric=nope&days=7')).statusCode).toBe(400);
    const bad = await get('/api/stats/trends?metric=risk&days=5000');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('400 days');
  });
});
