/**
 * One request = one scan record: the real ScanCoordinator, a real SQLite file and the real API, with the
 * fake nmap binary answering for the requested targets (nothing is scanned).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { RequestTargetError } from '../../src/scan/requestTargets.js';
import { ScanCoordinator } from '../../src/service/scanCoordinator.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { systemClock } from '../../src/util/clock.js';
import type { BusEvents } from '../../src/util/events.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { INGRESS } from '../helpers/apiFixtures.js';

const FAKE = join(import.meta.dirname, '../fixtures/bin/nmap');
const HOSTS: Record<string, string> = {};
for (let i = 1; i <= 7; i++) HOSTS[`10.213.9.${10 + i}`] = `00:11:32:00:00:${String(i).padStart(2, '0')}`;

let dir: string;
let store: Store;
let bus: EventBus;
let coordinator: ScanCoordinator;
let app: FastifyInstance;
let log: string;
const events: Array<{ name: string; e: unknown }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-scanreq-'));
  log = join(dir, 'argv.log');
  Object.assign(process.env, {
    FAKE_NMAP_MODE: 'hosts',
    FAKE_NMAP_HOSTS: JSON.stringify(HOSTS),
    FAKE_NMAP_STEP_MS: '30',
    FAKE_NMAP_LOG: log,
  });
  store = openStore(join(dir, 'db.sqlite'), silentLogger);
  bus = new EventBus(() => {});
  for (const name of ['scan:started', 'scan:progress', 'scan:finished', 'scan:failed'] as const)
    bus.on(name, (e: BusEvents[typeof name]) => {
      events.push({ name, e });
    });
  coordinator = new ScanCoordinator({
    store,
    bus,
    clock: systemClock,
    logger: silentLogger,
    targets: () => ({ targets: ['10.213.9.0/24'], exclude: [], attached: true }),
    settings: {
      nmapPath: FAKE,
      privileged: true,
      considerHome: 180,
      portProfile: 'top100',
      ports: [],
      sweepTimeoutMs: 10_000,
      hostTimeoutSec: 5,
      portScanPauseMs: 40,
      portScanBatch: 3,
      dnsTimeoutMs: 100,
      gatewayIp: () => '10.213.9.11',
    },
    resolver: async () => [],
  });
  app = await buildApp({
    store,
    keys: new KeysRepo(store.db, systemClock),
    audit: new AuditRepo(store.db, systemClock),
    bus,
    scanner: coordinator,
    config: { mode: 'standalone', requireApiKey: false, settingsSummary: {} },
    logger: silentLogger,
    clock: systemClock,
    version: 'test',
  });
  await app.ready();
  coordinator.requestSweep('startup');
  await coordinator.whenIdle();
});

afterAll(async () => {
  await coordinator.stop();
  await app.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url, ...INGRESS });
const post = (payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/scans', payload, ...INGRESS });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scan requests', () => {
  it('a port scan of 7 devices in batches of 3 is one record with 3 batches and rising progress', async () => {
    expect(store.devices.all().filter((d) => d.online)).toHaveLength(7);
    events.length = 0;
    const r = await post({ kind: 'ports' });
    expect(r.statusCode).toBe(202);
    const { scan_id: id, location } = r.json();
    expect(r.headers.location).toBe(`scans/${id}`);
    expect(location).toBe(`scans/${id}`);
    // while it runs: progress in the API, and a sweep may run between its batches
    let mid: { status: string; progress: { hosts_done: number; hosts_total: number } } | null = null;
    for (let i = 0; i < 200 && !mid; i++) {
      const s = (await get(`/api/scans/${id}`)).json();
      if (s.status === 'running' && s.progress.batches_done >= 1) mid = s;
      else await sleep(10);
    }
    expect(mid).not.toBeNull();
    expect(mid?.progress.hosts_total).toBe(7);
    expect(mid?.progress.hosts_done).toBeGreaterThanOrEqual(3);
    const sweep = (await post({ kind: 'sweep' })).json().scan_id;
    await coordinator.whenIdle();
    const done = (await get(`/api/scans/${id}`)).json();
    expect(done).toMatchObject({
      status: 'finished',
      hosts_up: 7,
      progress: { hosts_done: 7, percent: 100 },
    });
    expect(
      done.batches.map((b: { status: string; targets: string[] }) => [b.status, b.targets.length]),
    ).toEqual([
      ['finished', 3],
      ['finished', 3],
      ['finished', 1],
    ]);
    expect(done.hosts).toHaveLength(7);
    // one started and one finished for the request, progress that never goes back
    const mine = events.filter((x) => (x.e as { scanId: number }).scanId === id);
    expect(mine.filter((x) => x.name === 'scan:started')).toHaveLength(1);
    expect(mine.filter((x) => x.name === 'scan:finished')).toHaveLength(1);
    const pct = mine
      .filter((x) => x.name === 'scan:progress')
      .map((x) => (x.e as { percent: number }).percent);
    expect(pct.length).toBeGreaterThan(3);
    expect(pct).toEqual([...pct].sort((a, b) => a - b));
    const hostsDone = mine
      .filter((x) => x.name === 'scan:progress')
      .map((x) => (x.e as { hostsDone: number }).hostsDone);
    expect(Math.max(...hostsDone)).toBe(7);
    // the sweep ran between batches, not after the whole port scan
    const argv = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    const kinds = argv.slice(-4).map((a) => (a.includes('-sn') ? 'sweep' : 'ports'));
    expect(kinds).not.toEqual(['ports', 'ports', 'ports', 'sweep']);
    expect((await get(`/api/scans/${sweep}`)).json().status).toBe('finished');
    // the list holds one row for the port scan
    const list = (await get('/api/scans?kind=ports')).json();
    expect(list.total).toBe(1);
  });

  it('targets and profile: one device by IP, per-IP results, compare with the previous like scan', async () => {
    const r = await post({ kind: 'ports', targets: ['10.213.9.12', '10.213.9.200'], profile: 'top1000' });
    expect(r.statusCode).toBe(202);
    const id = r.json().scan_id;
    const queuedOrRunning = (await get(`/api/scans/${id}/hosts/10.213.9.12`)).json().state;
    expect(['queued', 'scanning']).toContain(queuedOrRunning);
    await coordinator.whenIdle();
    const s = (await get(`/api/scans/${id}`)).json();
    expect(s).toMatchObject({
      status: 'finished',
      profile: 'top1000',
      targets: ['10.213.9.12', '10.213.9.200'],
    });
    const argv = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(argv.at(-1)).toEqual(
      expect.arrayContaining(['--top-ports', '1000', '--', '10.213.9.12', '10.213.9.200']),
    );
    const up = (await get(`/api/scans/${id}/hosts/10.213.9.12`)).json();
    expect(up).toMatchObject({ state: 'up', host: { mac: HOSTS['10.213.9.12'], ports: [{ port: 22 }] } });
    expect((await get(`/api/scans/${id}/hosts/10.213.9.200`)).json().state).toBe('down');
    expect((await get(`/api/scans/${id}/hosts/10.213.9.13`)).statusCode).toBe(404);
    // the same request again pairs with this one, not with the full port scan or a sweep
    const again = (
      await post({ kind: 'ports', targets: ['10.213.9.12', '10.213.9.200'], profile: 'top1000' })
    ).json();
    await coordinator.whenIdle();
    expect((await get(`/api/scans/${again.scan_id}`)).json().previous_id).toBe(id);
  });

  it('refuses targets outside the subnets, bad profiles, and says why nothing was queued', async () => {
    const out = await post({ kind: 'ports', targets: ['192.168.1.5'] });
    expect(out.statusCode).toBe(400);
    expect(out.json().message).toMatch(
      /192\.168\.1\.5.*outside the configured subnets \(10\.213\.9\.0\/24\)/,
    );
    expect((await post({ kind: 'ports', targets: ['10.213.9.x'] })).json().message).toMatch(/not an IPv4/);
    expect((await post({ kind: 'ports', profile: 'everything' })).statusCode).toBe(400);
    const none = await post({ kind: 'ports', targets: ['10.213.9.128/25'] });
    expect(none.statusCode).toBe(409);
    expect(none.json().message).toMatch(/no online device inside the targets/);
    expect(() => coordinator.request({ kind: 'sweep', reason: 't', targets: ['10.0.0.0/8'] })).toThrow(
      RequestTargetError,
    );
  });

  it('a targeted sweep does not age devices outside its targets', async () => {
    const before = store.devices.get(HOSTS['10.213.9.17'] as string);
    for (let i = 0; i < 3; i++) {
      await post({ kind: 'sweep', targets: ['10.213.9.11', '10.213.9.12'] });
      await coordinator.whenIdle();
    }
    const after = store.devices.get(HOSTS['10.213.9.17'] as string);
    expect(after?.missedSweeps).toBe(before?.missedSweeps);
  });

  it('scheduled sweeps that change nothing fold into one row; requested ones keep their own', async () => {
    const rows = () => store.scans.list({ kind: 'sweep', limit: 500 }).total;
    coordinator.requestSweep('schedule');
    await coordinator.whenIdle();
    const n0 = rows();
    for (let i = 0; i < 4; i++) {
      coordinator.requestSweep('schedule');
      await coordinator.whenIdle();
    }
    expect(rows()).toBe(n0);
    const head = store.scans.list({ kind: 'sweep', limit: 1 }).items[0];
    expect(head?.sweeps).toBe(5);
    expect((await get(`/api/scans/${head?.id}`)).json()).toMatchObject({ sweeps: 5, hosts_up: 7 });
    await post({ kind: 'sweep' });
    await coordinator.whenIdle();
    expect(rows()).toBe(n0 + 1);
    // a device leaving is a change: that sweep keeps its row, and the next quiet one starts a new run
    const ev = events.filter(
      (x) => x.name === 'scan:finished' && (x.e as { collapsedInto?: number }).collapsedInto,
    );
    expect(ev.length).toBeGreaterThanOrEqual(3);
  });
});
