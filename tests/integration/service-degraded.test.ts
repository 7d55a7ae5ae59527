/**
 * Issue 13 finding 7, through the running service (tests/helpers/testService.ts: real startService, fixture
 * nmap, aedes, a real SQLite file):
 * - a failed sweep (nmap exits non-zero, its XML is cut off, it never finishes) is recorded as a failed scan
 *   (api/scans lists it with its error), api/health says `degraded` with the reason, and no device is marked
 *   absent, no risk changes; the next good sweep makes health `ok` again;
 * - a write the disk has no room for (SQLITE_FULL, provoked with `PRAGMA max_page_count` on the service's own
 *   connection to its database file) answers 507 with a clear message, health turns `degraded`, sweeps go on
 *   failing without crashing the service, and once there is room again writes succeed and health is `ok`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthJson, ScanJson } from '../../src/api/schemas.js';
import { DEFAULT_HOSTS, startTestService, type TestService } from '../helpers/testService.js';

const HUB_STATE = 'lan_sentinel/hub/state';
const FULL_MESSAGE =
  'the database cannot grow: the disk holding the data directory is full; nothing was changed. Free some space and try again';

let svc: TestService | null = null;
afterEach(async () => {
  process.env.FAKE_NMAP_MODE = 'hosts';
  delete process.env.FAKE_NMAP_FIXTURE;
  await svc?.stop();
  svc = null;
});

type DeviceRow = { mac: string; online: boolean; presence: string; risk: string };
const devices = async (s: TestService) =>
  (await s.api<{ items: DeviceRow[] }>('GET', 'api/devices')).body.items
    .map((d) => ({ mac: d.mac, online: d.online, presence: d.presence, risk: d.risk }))
    .sort((a, b) => a.mac.localeCompare(b.mac));
const health = async (s: TestService) => (await s.api<HealthJson>('GET', 'api/health')).body;
const lastSweep = async (s: TestService) =>
  (await s.api<{ items: ScanJson[] }>('GET', 'api/scans?kind=sweep&limit=1')).body.items[0];

/** The coordinator's sweep time limit (at least a minute in production) shortened for the hang case. */
function shortenSweepTimeout(s: TestService, ms: number): void {
  (
    s.service.coordinator as unknown as { deps: { settings: { sweepTimeoutMs: number } } }
  ).deps.settings.sweepTimeoutMs = ms;
}

describe('a failed sweep (issue 13 finding 7)', () => {
  it('is a failed scan with its error, health is degraded naming it, no device goes absent, no risk changes', async () => {
    svc = await startTestService({ options: { consider_home: 1 } });
    const before = await devices(svc);
    expect(before).toHaveLength(3);
    expect(before.every((d) => d.online)).toBe(true);
    expect((await health(svc)).status).toBe('ok');
    // consider_home is 1 s: a sweep that really saw nobody would mark every device away
    await new Promise((r) => setTimeout(r, 1200));

    const cases: Array<[string, () => void, RegExp]> = [
      ['exit 1', () => (process.env.FAKE_NMAP_MODE = 'fail'), /nmap exited with code 1: Failed to resolve/],
      [
        'broken XML',
        () => {
          process.env.FAKE_NMAP_MODE = 'partial';
          process.env.FAKE_NMAP_FIXTURE = new URL('../fixtures/nmap/sweep-arp.xml', import.meta.url).pathname;
        },
        /nmap output rejected/,
      ],
      [
        'never finishes',
        () => {
          process.env.FAKE_NMAP_MODE = 'sleep';
          shortenSweepTimeout(svc as TestService, 1500);
        },
        /nmap did not finish within 2 s/,
      ],
    ];
    const since = svc.published.length;
    for (const [what, breakNmap, error] of cases) {
      breakNmap();
      await svc.sweep(`test: ${what}`);
      const scan = await lastSweep(svc);
      expect(scan, what).toMatchObject({ status: 'failed', reason: `test: ${what}` });
      expect(scan?.error, what).toMatch(error);
      const h = await health(svc);
      expect(h.status, what).toBe('degraded');
      expect(h.problems, what).toEqual([
        {
          kind: 'sweep_failed',
          message: `sweep #${scan?.id} failed: ${scan?.error}; no device was marked absent`,
          since: expect.any(String),
        },
      ]);
      expect(await devices(svc), what).toEqual(before);
    }
    // HA: the hub's problem binary sensor is on, its attributes name the last failure
    const hub = await svc.waitForPublish(
      (m) => m.topic === HUB_STATE && JSON.parse(m.payload).problems?.[0]?.includes('nmap did not finish'),
      'the hub state with the problem',
      { since },
    );
    expect(JSON.parse(hub.payload)).toMatchObject({ problem: true });
    // nothing told HA that a device left
    const published = svc.published.slice(since);
    expect(published.filter((m) => m.payload.includes('not_home'))).toEqual([]);
    expect(published.filter((m) => /"online":\s*false/.test(m.payload))).toEqual([]);
    expect(svc.alertLog().filter((a) => a.kind === 'device_offline')).toEqual([]);

    // nmap works again: the next sweep clears the problem
    process.env.FAKE_NMAP_MODE = 'hosts';
    shortenSweepTimeout(svc, 60_000);
    await svc.sweep('test: recovered');
    expect(await lastSweep(svc)).toMatchObject({ status: 'finished' });
    expect(await health(svc)).toMatchObject({ status: 'ok', problems: [] });
    expect(await devices(svc)).toEqual(before);
    await svc.waitForPublish(
      (m) => m.topic === HUB_STATE && JSON.parse(m.payload).problem === false,
      'the hub state without a problem',
      { since: svc.published.indexOf(hub) + 1 },
    );
  }, 60_000);
});

describe('a full disk (issue 13 finding 7)', () => {
  it('a write answers 507 with a clear message, health is degraded, the service keeps running and recovers', async () => {
    svc = await startTestService();
    const db = svc.service.store.db;
    const [mac] = (await devices(svc)).map((d) => d.mac);
    const roomy = db.pragma('max_page_count', { simple: true }) as number;
    /** from now on the database file may not grow by a single page (SQLite's own limit on this connection) */
    const diskFull = () =>
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);

    // a sweep that finds new devices while the disk fills up: its writes are rolled back, it is a failed scan
    // saying why, and the service goes on
    const before = await devices(svc);
    const crowd = { ...DEFAULT_HOSTS };
    for (let i = 8; i <= 13; i++)
      crowd[`10.213.250.${i}`] = `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;
    svc.setHosts(crowd);
    const req = svc.service.coordinator.requestSweep('test: disk fills up');
    diskFull();
    await svc.idle();
    const failed = svc.service.store.scans.record(req.scanId as number);
    expect(failed).toMatchObject({ status: 'failed', error: `not recorded: ${FULL_MESSAGE}` });
    expect(await devices(svc)).toEqual(before);
    expect((await health(svc)).problems.map((p) => p.kind)).toEqual(['storage', 'sweep_failed']);

    let full: { status: number; body: { error: string; message: string } } | null = null;
    // free pages inside the file are used first; a few hundred new keys (and their audit rows) use them up
    for (let i = 0; i < 2000 && !full; i++) {
      const r = await svc.api<{ error: string; message: string }>('POST', 'api/keys', {
        name: `filler ${i}`,
        scope: 'read',
      });
      if (r.status !== 201) full = r;
    }
    expect(full, 'a write hit the limit').not.toBeNull();
    expect(full?.status).toBe(507);
    expect(full?.body).toEqual({ error: 'insufficient_storage', message: FULL_MESSAGE });
    // reads still answer; health says why it is degraded
    const h = await svc.api<HealthJson>('GET', 'api/health');
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('degraded');
    expect(h.body.problems).toContainEqual({
      kind: 'storage',
      message: full?.body.message,
      since: expect.any(String),
    });
    // a sweep cannot even be queued now: 507 too, and the service keeps running
    const sweepRequest = await svc.api<{ error?: string }>('POST', 'api/scans', {
      kind: 'sweep',
      reason: 'full',
    });
    expect(sweepRequest).toMatchObject({ status: 507, body: { error: 'insufficient_storage' } });
    expect((await svc.api('GET', 'api/devices')).status).toBe(200);
    expect(
      svc.logs.filter((l) => l.includes(`database writes fail: ${FULL_MESSAGE} (SQLITE_FULL)`)),
    ).not.toEqual([]);

    // room again: the next write succeeds and the storage problem is gone; the next sweep clears the other
    db.pragma(`max_page_count = ${roomy}`);
    const again = await svc.api('PATCH', `api/devices/${mac}`, { notes: 'room again' });
    expect(again.status).toBe(200);
    expect((await health(svc)).problems.map((p) => p.kind)).toEqual(['sweep_failed']);
    await svc.sweep('test: room again');
    expect(await lastSweep(svc)).toMatchObject({ status: 'finished', reason: 'test: room again' });
    expect(await health(svc)).toMatchObject({ status: 'ok', problems: [] });
    expect((await devices(svc)).length).toBe(Object.keys(crowd).length);
  }, 60_000);
});
