/**
 * Day one (issue 14): the real ScanCoordinator on a real SQLite file, the fake nmap answering for the
 * requested targets (nothing is scanned). Install baseline, first-start port scan of every device, port scan
 * of each new device, `unknown` risk until measured, retry with backoff after a failed port scan, resume of an
 * interrupted first-start scan, and the info log lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../../src/inventory/types.js';
import { ScanCoordinator } from '../../src/service/scanCoordinator.js';
import { openStore, type Store } from '../../src/store/store.js';
import type { Clock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import type { Logger } from '../../src/util/logger.js';

const FAKE = join(import.meta.dirname, '../fixtures/bin/nmap');
const dirs: string[] = [];

function hosts(n: number, from = 1): Record<string, string> {
  const m: Record<string, string> = {};
  for (let i = from; i < from + n; i++)
    m[`10.213.7.${10 + i}`] = `00:11:32:00:07:${String(i).padStart(2, '0')}`;
  return m;
}

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    trace() {},
    debug() {},
    info: (m: string) => void lines.push(`info ${m}`),
    warn: (m: string) => void lines.push(`warn ${m}`),
    error: (m: string) => void lines.push(`error ${m}`),
    child: () => logger,
  };
  return { logger, lines };
}

interface Rig {
  store: Store;
  coordinator: ScanCoordinator;
  changes: Change[];
  lines: string[];
  failFile: string;
  dbFile: string;
  clock: SkewClock;
}

/** Real time plus a skew the test moves forward: backoffs "pass" without sleeping, however loaded the machine. */
class SkewClock implements Clock {
  private skew = 0;
  now(): Date {
    return new Date(Date.now() + this.skew);
  }
  advance(ms: number): void {
    this.skew += ms;
  }
}

function rig(
  dbFile: string,
  opts: { scanNewDevices?: boolean; retryBaseMs?: number; runTimeoutMs?: number; gatewayIp?: string } = {},
): Rig {
  const store = openStore(dbFile, capture().logger);
  store.install.initialize();
  const bus = new EventBus(() => {});
  const changes: Change[] = [];
  bus.on('change', (c) => void changes.push(c));
  const { logger, lines } = capture();
  const clock = new SkewClock();
  const coordinator = new ScanCoordinator({
    store,
    bus,
    clock,
    logger,
    targets: () => ({ targets: ['10.213.7.0/24'], exclude: [], attached: true }),
    settings: {
      nmapPath: FAKE,
      privileged: true,
      considerHome: 180,
      portProfile: 'home',
      ports: [],
      sweepTimeoutMs: 10_000,
      hostTimeoutSec: 5,
      portScanPauseMs: 10,
      portScanBatch: 2,
      dnsTimeoutMs: 100,
      gatewayIp: () => opts.gatewayIp ?? null,
      scanNewDevices: opts.scanNewDevices ?? true,
      retryBaseMs: opts.retryBaseMs ?? 300,
      retryMaxMs: 3_600_000,
      ...(opts.runTimeoutMs !== undefined ? { portScanRunTimeoutMs: opts.runTimeoutMs } : {}),
    },
    resolver: async () => [],
  });
  return { store, coordinator, changes, lines, failFile: join(dbFile, '..', 'fail'), dbFile, clock };
}

async function sweep(r: Rig): Promise<void> {
  r.coordinator.requestSweep('test');
  await r.coordinator.whenIdle();
}

const count = (cs: Change[], type: Change['type']) => cs.filter((c) => c.type === type).length;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-dayone-'));
  dirs.push(dir);
  process.env.FAKE_NMAP_MODE = 'hosts';
  process.env.FAKE_NMAP_STEP_MS = '0';
  process.env.FAKE_NMAP_PORTS_FAIL = join(dir, 'fail');
  process.env.FAKE_NMAP_PORTS_HANG = join(dir, 'hang');
  process.env.FAKE_NMAP_UDP_FAIL = join(dir, 'udp-fail');
  delete process.env.FAKE_NMAP_PORTS_TIMEDOUT;
  delete process.env.FAKE_NMAP_UDP_TIMEDOUT;
  process.env.FAKE_NMAP_HOSTS = JSON.stringify(hosts(5));
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('day one', () => {
  it('fresh install: baseline without new_device, every device port-scanned once with one summary each; later arrivals are new and scanned', async () => {
    const r = rig(join(dir, 'db.sqlite'));
    expect(r.store.install.info().state).toBe('pending');
    // before any port scan the status says so
    expect(r.coordinator.portScanStatus()).toMatchObject({
      lastAt: null,
      pendingDevices: 0,
      initial: 'none',
    });
    await sweep(r);
    expect(count(r.changes, 'new_device')).toBe(0);
    // 5 devices in batches of 2 = one request, three nmap runs
    expect(count(r.changes, 'first_port_scan')).toBe(5);
    expect(count(r.changes, 'port_opened')).toBe(0);
    const devices = r.store.devices.all();
    expect(devices).toHaveLength(5);
    for (const d of devices) {
      expect(d.isNew).toBe(false);
      expect(d.portsScannedAt).not.toBeNull();
      expect(d.risk).not.toBe('unknown');
      // TCP and UDP (home profile as root) ran as two nmap runs per batch and were merged
      expect(d.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(['tcp/22', 'udp/53']);
    }
    const runs = r.lines.filter((l) =>
      /^info port scan #\d+ \(first start, batch \d\/3\): .* \(tcp [\d.]+ s, udp [\d.]+ s\)$/.test(l),
    );
    expect(runs).toHaveLength(3);
    const info = r.store.install.info();
    expect(info).toMatchObject({ state: 'applied', initialPortScanPending: false });
    expect(info.baselineMacs).toHaveLength(5);
    expect(r.store.install.untrustedBaseline()).toHaveLength(5);
    const st = r.coordinator.portScanStatus();
    expect(st).toMatchObject({ pendingDevices: 0, queuedBatches: 0, initial: 'done', nextRetryAt: null });
    expect(st.lastAt).not.toBeNull();
    const ports = r.store.scans.list({ kind: 'ports' });
    expect(ports.items.map((s) => s.reason)).toEqual(['first start']);
    // log lines a user can follow
    expect(r.lines.some((l) => /^info sweep #\d+: 5 hosts up, 0 new, 0 gone, 0 back in /.test(l))).toBe(true);
    expect(r.lines.some((l) => l.startsWith('info install baseline: the 5 devices'))).toBe(true);
    expect(r.lines.filter((l) => /^info port scan #\d+ \(first start, batch \d\/3\): /.test(l))).toHaveLength(
      3,
    );
    expect(r.lines.some((l) => l.startsWith('info first port scan after install finished'))).toBe(true);

    // a later sweep of the same LAN: nothing new, no port scan
    r.changes.length = 0;
    await sweep(r);
    expect(r.changes).toEqual([]);

    // a host joins: one new_device, and it is port-scanned right away (one summary)
    process.env.FAKE_NMAP_HOSTS = JSON.stringify({ ...hosts(5), '10.213.7.99': '00:11:32:00:07:99' });
    await sweep(r);
    expect(r.changes.map((c) => c.type)).toEqual(['new_device', 'first_port_scan']);
    expect(r.store.devices.get('00:11:32:00:07:99')).toMatchObject({ isNew: true, risk: expect.any(String) });
    expect(r.store.devices.get('00:11:32:00:07:99')?.risk).not.toBe('unknown');
    expect(r.lines.some((l) => l.startsWith('info New device') || /new device/i.test(l))).toBe(true);
    expect(r.store.scans.list({ kind: 'ports' }).items.map((s) => s.reason)).toEqual([
      'new device',
      'first start',
    ]);
    r.store.db.close();
  });

  it('scan_new_devices off: the first-start scan still runs, a later arrival waits (risk unknown)', async () => {
    const r = rig(join(dir, 'db.sqlite'), { scanNewDevices: false });
    await sweep(r);
    expect(count(r.changes, 'first_port_scan')).toBe(5);
    process.env.FAKE_NMAP_HOSTS = JSON.stringify({ ...hosts(5), '10.213.7.99': '00:11:32:00:07:99' });
    r.changes.length = 0;
    await sweep(r);
    expect(r.changes.map((c) => c.type)).toEqual(['new_device']);
    expect(r.store.devices.get('00:11:32:00:07:99')?.risk).toBe('unknown');
    r.store.db.close();
  });

  it('a failed port scan leaves risk unknown and is retried with backoff', async () => {
    const r = rig(join(dir, 'db.sqlite'), { retryBaseMs: 60_000 });
    writeFileSync(r.failFile, '2');
    await sweep(r);
    // batch 1 and 2 failed (4 devices), batch 3 (1 device) succeeded
    const unknown = r.store.devices.all().filter((d) => d.risk === 'unknown');
    expect(unknown).toHaveLength(4);
    for (const d of unknown) expect(d.portsScannedAt).toBeNull();
    expect(r.store.devices.query({ filter: 'unscanned' }).items).toHaveLength(4);
    expect(r.store.devices.query({ filter: 'risky' }).items).toHaveLength(0);
    const st = r.coordinator.portScanStatus();
    expect(st).toMatchObject({ pendingDevices: 4, initial: 'pending' });
    expect(st.nextRetryAt).not.toBeNull();
    expect(
      r.lines.filter((l) => /did not complete \(attempt 1\); risk stays unknown, retry in 60 s/.test(l)),
    ).toHaveLength(4);
    // a sweep before the backoff ran out queues nothing
    await sweep(r);
    expect(r.store.scans.list({ kind: 'ports' }).items).toHaveLength(1);
    r.clock.advance(60_100);
    await sweep(r);
    expect(r.store.devices.all().filter((d) => d.risk === 'unknown')).toHaveLength(0);
    expect(r.store.install.info().initialPortScanPending).toBe(false);
    expect(count(r.changes, 'first_port_scan')).toBe(5);
    r.store.db.close();
  });

  it('a host nmap gives up on (--host-timeout) stays unknown, never "none", and is retried with backoff', async () => {
    const r = rig(join(dir, 'db.sqlite'), { retryBaseMs: 60_000 });
    process.env.FAKE_NMAP_PORTS_TIMEDOUT = JSON.stringify(['10.213.7.12', '10.213.7.15']);
    await sweep(r);
    const slow = ['00:11:32:00:07:02', '00:11:32:00:07:05'];
    for (const mac of slow) {
      const d = r.store.devices.get(mac);
      expect(d?.risk).toBe('unknown');
      expect(d?.portsScannedAt).toBeNull();
    }
    expect(r.store.devices.all().filter((d) => d.risk === 'unknown')).toHaveLength(2);
    expect(
      r.lines.filter((l) => /did not complete \(attempt 1\); risk stays unknown, retry in 60 s/.test(l)),
    ).toHaveLength(2);
    expect(r.coordinator.portScanStatus()).toMatchObject({ pendingDevices: 2, initial: 'pending' });
    // still slow at the first retry: the delay doubles
    // before the backoff ran out nothing is retried
    await sweep(r);
    expect(r.lines.some((l) => /attempt 2/.test(l))).toBe(false);
    r.clock.advance(60_100);
    await sweep(r);
    expect(
      r.lines.filter((l) => /did not complete \(attempt 2\); risk stays unknown, retry in 120 s/.test(l)),
    ).toHaveLength(2);
    // the hosts answer again: measured, the first port scan after install is done
    delete process.env.FAKE_NMAP_PORTS_TIMEDOUT;
    r.clock.advance(120_100);
    await sweep(r);
    for (const mac of slow) expect(r.store.devices.get(mac)?.risk).not.toBe('unknown');
    expect(r.store.install.info().initialPortScanPending).toBe(false);
    expect(count(r.changes, 'first_port_scan')).toBe(5);
    r.store.db.close();
  });

  it('a failed UDP run fails its batch (TCP facts are not stored half): risk unknown, retried with backoff', async () => {
    const r = rig(join(dir, 'db.sqlite'), { retryBaseMs: 60_000 });
    writeFileSync(join(dir, 'udp-fail'), '1');
    await sweep(r);
    // batch 1's UDP run failed: its 2 devices have no ports and stay unknown; batches 2-3 are measured
    const unknown = r.store.devices.all().filter((d) => d.risk === 'unknown');
    expect(unknown).toHaveLength(2);
    for (const d of unknown) expect(d.ports).toEqual([]);
    expect(
      r.lines.some((l) => /^warn ports scan \d+ failed: nmap exited with code 1: fake nmap: UDP/.test(l)),
    ).toBe(true);
    const failed = r.store.scans.list({ kind: 'ports' }).items[0];
    expect(JSON.stringify(failed)).toMatch(/UDP run: nmap exited with code 1/);
    r.clock.advance(60_100);
    await sweep(r);
    expect(r.store.devices.all().filter((d) => d.risk === 'unknown')).toHaveLength(0);
    expect(count(r.changes, 'first_port_scan')).toBe(5);
    r.store.db.close();
  });

  it('a host the UDP run gives up on is not measured: none of its ports is reported closed', async () => {
    const r = rig(join(dir, 'db.sqlite'), { retryBaseMs: 60_000 });
    await sweep(r);
    const mac = '00:11:32:00:07:02';
    expect(r.store.devices.get(mac)?.ports.map((p) => p.port)).toEqual([22, 53]);
    // a later scan where the UDP run times out on this host: its udp/53 is not reported closed
    process.env.FAKE_NMAP_UDP_TIMEDOUT = JSON.stringify(['10.213.7.12']);
    r.changes.length = 0;
    r.coordinator.requestDeviceScan(mac, 'manual');
    await r.coordinator.whenIdle();
    expect(r.changes.filter((c) => c.type === 'port_closed')).toEqual([]);
    expect(r.store.devices.get(mac)?.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual([
      'tcp/22',
      'udp/53',
    ]);
    r.store.db.close();
  });

  it('the log names a gateway MAC change (a warning a user can follow)', async () => {
    const r = rig(join(dir, 'db.sqlite'), { gatewayIp: '10.213.7.11' });
    await sweep(r);
    expect(r.lines.some((l) => /gateway/i.test(l) && l.startsWith('warn'))).toBe(false);
    process.env.FAKE_NMAP_HOSTS = JSON.stringify({ ...hosts(5), '10.213.7.11': '66:66:66:00:00:01' });
    await sweep(r);
    expect(count(r.changes, 'gateway_mac_changed')).toBe(1);
    expect(
      r.lines.filter((l) =>
        /^warn The gateway 10\.213\.7\.11 now answers from 66:66:66:00:00:01 instead of 00:11:32:00:07:01/.test(
          l,
        ),
      ),
    ).toHaveLength(1);
    r.store.db.close();
  });

  it('a wedged nmap is killed at the run bound; its devices stay unknown and are retried', async () => {
    const r = rig(join(dir, 'db.sqlite'), { retryBaseMs: 60_000, runTimeoutMs: 1_500 });
    writeFileSync(join(dir, 'hang'), '1');
    const t0 = Date.now();
    await sweep(r);
    expect(Date.now() - t0).toBeLessThan(8_000);
    const failed = r.store.scans.list({ kind: 'ports' }).items[0];
    expect(r.lines.some((l) => /ports scan \d+ failed: nmap did not finish within 2 s/.test(l))).toBe(true);
    // batch 1 (2 devices) hung, batches 2-3 ran
    expect(r.store.devices.all().filter((d) => d.risk === 'unknown')).toHaveLength(2);
    expect(r.store.devices.query({ filter: 'risky' }).items.some((d) => d.risk === 'unknown')).toBe(false);
    expect(failed?.reason).toBe('first start');
    await sweep(r);
    expect(r.store.devices.all().filter((d) => d.risk === 'unknown')).toHaveLength(2);
    r.clock.advance(60_100);
    await sweep(r);
    expect(r.store.devices.all().filter((d) => d.risk === 'unknown')).toHaveLength(0);
    expect(r.store.install.info().initialPortScanPending).toBe(false);
    r.store.db.close();
  });

  it('an interrupted first-start scan resumes after a restart; the baseline is never re-applied', async () => {
    const file = join(dir, 'db.sqlite');
    const a = rig(file);
    writeFileSync(a.failFile, '100');
    await sweep(a);
    await a.coordinator.stop();
    a.store.db.close();
    expect(a.store.devices).toBeDefined();

    writeFileSync(a.failFile, '0');
    const b = rig(file);
    expect(b.store.install.info()).toMatchObject({ state: 'applied', initialPortScanPending: true });
    await sweep(b);
    expect(count(b.changes, 'new_device')).toBe(0);
    expect(count(b.changes, 'first_port_scan')).toBe(5);
    expect(b.store.scans.list({ kind: 'ports' }).items[0]?.reason).toBe('first start');
    expect(b.store.install.info().initialPortScanPending).toBe(false);
    // forget every device: the database is still not fresh, so the next sweep's devices are new
    for (const d of b.store.devices.all()) b.store.devices.forget(d.mac);
    b.changes.length = 0;
    await sweep(b);
    expect(count(b.changes, 'new_device')).toBe(5);
    b.store.db.close();
  });

  it('a database with an inventory from before the baseline existed is never baselined', async () => {
    const file = join(dir, 'db.sqlite');
    const a = rig(file);
    await sweep(a);
    a.store.db.prepare("DELETE FROM meta WHERE key LIKE 'install%' OR key = 'initial_port_scan'").run();
    a.store.db.close();
    const b = rig(file);
    expect(b.store.install.info().state).toBe('existing');
    process.env.FAKE_NMAP_HOSTS = JSON.stringify({ ...hosts(5), '10.213.7.99': '00:11:32:00:07:99' });
    await sweep(b);
    expect(count(b.changes, 'new_device')).toBe(1);
    b.store.db.close();
  });
});
