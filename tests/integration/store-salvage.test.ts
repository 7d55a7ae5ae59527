/**
 * Finding 3 of issue 13: one damaged page must not cost the inventory. A real database file is filled
 * by the real scan loop (fake nmap), with names, API keys, a webhook and alert rules; then a page of a
 * secondary index (or of a table) is overwritten on disk. Opening salvages every readable row into a fresh
 * file, keeps the damaged one, logs loudly, and the next sweep raises no new_device change or alert.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/alerts.js';
import type { Change } from '../../src/inventory/types.js';
import { ScanCoordinator } from '../../src/service/scanCoordinator.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { closeDatabase, type Db, openDatabaseReport } from '../../src/store/db.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { Store } from '../../src/store/store.js';
import { systemClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { createLogger, type Logger } from '../../src/util/logger.js';

const FAKE = join(import.meta.dirname, '../fixtures/bin/nmap');
const dirs: string[] = [];
let dir: string;
let lines: string[];
let logger: Logger;

function hosts(n: number): Record<string, string> {
  const m: Record<string, string> = {};
  for (let i = 1; i <= n; i++) m[`10.213.9.${10 + i}`] = `00:11:32:00:09:${String(i).padStart(2, '0')}`;
  return m;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-salvage-'));
  dirs.push(dir);
  lines = [];
  logger = createLogger('debug', 'test', (l) => lines.push(l));
  process.env.FAKE_NMAP_MODE = 'hosts';
  process.env.FAKE_NMAP_STEP_MS = '0';
  process.env.FAKE_NMAP_PORTS_FAIL = join(dir, 'fail');
  process.env.FAKE_NMAP_HOSTS = JSON.stringify(hosts(6));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Service {
  db: Db;
  store: Store;
  alerts: Alerts;
  changes: Change[];
  coordinator: ScanCoordinator;
  recovery: ReturnType<typeof openDatabaseReport>['recovery'];
}

/** The pieces main.ts wires for the database, the scan loop and the alerts, on a real file. */
async function start(file: string): Promise<Service> {
  const { db, recovery } = openDatabaseReport(file, logger, { now: () => new Date('2026-12-03T17:00:00Z') });
  const store = new Store(db);
  store.install.initialize({ salvaged: recovery?.kind === 'salvaged' });
  const bus = new EventBus(() => {});
  const alerts = new Alerts({
    db,
    clock: systemClock,
    logger,
    notifyServices: [],
    notifyOn: ['new_device'],
    trustDevice: () => {},
    getDevice: (mac) => store.devices.get(mac),
  });
  await alerts.start();
  const changes: Change[] = [];
  bus.on('change', (c) => {
    changes.push(c);
    void alerts.handleChange(c);
  });
  const coordinator = new ScanCoordinator({
    store,
    bus,
    clock: systemClock,
    logger,
    targets: () => ({ targets: ['10.213.9.0/24'], exclude: [], attached: true }),
    settings: {
      nmapPath: FAKE,
      privileged: true,
      considerHome: 180,
      portProfile: 'home',
      ports: [],
      sweepTimeoutMs: 10_000,
      hostTimeoutSec: 5,
      portScanPauseMs: 10,
      portScanBatch: 3,
      dnsTimeoutMs: 100,
      gatewayIp: () => null,
      scanNewDevices: true,
    },
    resolver: async () => [],
  });
  return { db, store, alerts, changes, coordinator, recovery };
}

async function sweep(s: Service): Promise<void> {
  s.coordinator.requestSweep('test');
  await s.coordinator.whenIdle();
  await s.alerts.stop();
}

async function stop(s: Service): Promise<void> {
  await s.coordinator.stop();
  await s.alerts.stop();
  closeDatabase(s.db);
}

const newDeviceAlerts = (db: Db) =>
  (db.prepare("SELECT count(*) AS n FROM alert_log WHERE kind = 'new_device'").get() as { n: number }).n;

/** A populated inventory: first sweep (install baseline), then a late arrival, names, keys, webhook, rule. */
async function populate(file: string): Promise<{ secret: string; readSecret: string; macs: string[] }> {
  const s = await start(file);
  await sweep(s);
  process.env.FAKE_NMAP_HOSTS = JSON.stringify(hosts(8));
  await sweep(s);
  expect(s.changes.filter((c) => c.type === 'new_device')).toHaveLength(2);
  // the alert rules do fire for a new device (so zero after the salvage means something)
  expect(newDeviceAlerts(s.db)).toBeGreaterThan(0);
  const macs = s.store.devices.all().map((d) => d.mac);
  expect(macs).toHaveLength(8);
  macs.forEach((mac, i) => {
    s.store.devices.update(mac, { name: `Device ${i} name`, notes: `note ${i}` });
  });
  const keys = new KeysRepo(s.db);
  const admin = keys.create('ci admin', 'admin');
  const read = keys.create('dashboard', 'read');
  s.alerts.webhooks.create(
    { name: 'ntfy', url: 'https://ntfy.example.org/lan', secret: 'a-webhook-secret-long-enough' },
    new Date(),
  );
  s.alerts.rules.createRule(
    { name: 'Cameras offline', types: ['device_offline'], minSeverity: 'info', channels: ['webhook'] },
    new Date(),
  );
  const audit = new AuditRepo(s.db);
  s.db.transaction(() => {
    for (let i = 0; i < 3000; i++)
      audit.append({
        actor: 'ci admin',
        actorKind: 'key',
        action: 'device.update',
        target: macs[i % 8] as string,
        detail: { field: 'notes', n: i },
      });
  })();
  await stop(s);
  return { secret: admin.secret, readSecret: read.secret, macs };
}

/** Overwrite one page of the file (1-based page number) with junk. */
function smashPage(file: string, page: number): void {
  const probe = new Database(file, { readonly: true });
  const size = probe.pragma('page_size', { simple: true }) as number;
  probe.close();
  const junk = Buffer.alloc(size);
  for (let i = 0; i < size; i++) junk[i] = (i * 151 + 13) & 0xff;
  const fd = openSync(file, 'r+');
  writeSync(fd, junk, 0, size, (page - 1) * size);
  closeSync(fd);
}

function pagesOf(file: string, name: string, kind: 'leaf' | 'any' = 'any'): number[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT pageno, pagetype FROM dbstat WHERE name = ? ORDER BY pageno`)
      .all(name) as Array<{ pageno: number; pagetype: string }>;
    return rows.filter((r) => kind === 'any' || r.pagetype === 'leaf').map((r) => r.pageno);
  } finally {
    db.close();
  }
}

function expectDamaged(file: string): void {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('quick_check', { simple: true })).not.toBe('ok');
  } finally {
    db.close();
  }
}

describe('salvage of a damaged database (issue 13 finding 3)', () => {
  it('a damaged page of a secondary index: names, keys, webhooks, rules survive; no new_device alert after', async () => {
    const file = join(dir, 'lan-sentinel.db');
    const seeded = await populate(file);
    // a secondary index of the devices table (not the table itself)
    const probe = new Database(file, { readonly: true });
    const index = probe
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL ORDER BY name LIMIT 1",
      )
      .get() as { name: string };
    probe.close();
    expect(index?.name).toBeTruthy();
    smashPage(file, pagesOf(file, index.name)[0] as number);
    expectDamaged(file);

    const s = await start(file);
    try {
      // VACUUM INTO copies index b-trees too and stops at the damaged page; the row copy reads tables only
      expect(s.recovery).toMatchObject({ kind: 'salvaged', report: { method: 'row_copy' } });
      const report = (s.recovery as { report: { tables: Array<{ damaged: boolean }> } }).report;
      expect(report.tables.filter((t) => t.damaged)).toEqual([]);
      const movedTo = (s.recovery as { movedTo: string }).movedTo;
      expect(existsSync(movedTo)).toBe(true);
      expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const err = lines.find((l) => l.includes('DATABASE DAMAGED'));
      expect(err).toMatch(/ERROR/);
      expect(err).toContain('salvaged');
      expect(err).toContain(movedTo);
      // everything survived
      const devices = s.store.devices.all();
      expect(devices.map((d) => d.mac).sort()).toEqual([...seeded.macs].sort());
      for (const d of devices) expect(d.name).toMatch(/^Device \d name$/);
      const keys = new KeysRepo(s.db);
      expect(keys.verify(seeded.secret)?.scope).toBe('admin');
      expect(keys.verify(seeded.readSecret)?.scope).toBe('read');
      expect(s.alerts.webhooks.list().map((w) => w.url)).toEqual(['https://ntfy.example.org/lan']);
      expect(s.alerts.rules.listRules().map((r) => r.name)).toContain('Cameras offline');
      expect(s.store.install.info().state).toBe('applied');
      const before = newDeviceAlerts(s.db);
      // the next sweep sees the same 8 devices: none is new, no alert
      await sweep(s);
      expect(s.changes.filter((c) => c.type === 'new_device')).toHaveLength(0);
      expect(newDeviceAlerts(s.db)).toBe(before);
      expect(s.store.devices.all().every((d) => !d.isNew || seeded.macs.includes(d.mac))).toBe(true);
    } finally {
      await stop(s);
    }
  }, 60_000);

  it('a damaged leaf page of a table: every other row is kept by the row-by-row copy', async () => {
    const file = join(dir, 'lan-sentinel.db');
    const seeded = await populate(file);
    const leaves = pagesOf(file, 'audit_log', 'leaf');
    expect(leaves.length).toBeGreaterThan(10);
    smashPage(file, leaves[Math.floor(leaves.length / 2)] as number);
    expectDamaged(file);

    const s = await start(file);
    try {
      expect(s.recovery).toMatchObject({ kind: 'salvaged', report: { method: 'row_copy' } });
      const report = (
        s.recovery as { report: { tables: Array<{ table: string; rows: number; damaged: boolean }> } }
      ).report;
      const audit = report.tables.find((t) => t.table === 'audit_log');
      expect(audit?.damaged).toBe(true);
      // one leaf of ~leaves.length lost, the rest kept (rows after the damaged page too)
      const kept = s.db.prepare('SELECT count(*) AS n, max(id) AS top FROM audit_log').get() as {
        n: number;
        top: number;
      };
      expect(kept.n).toBeGreaterThan(3000 - 2 * Math.ceil(3000 / leaves.length));
      expect(kept.n).toBeLessThan(3000);
      expect(kept.top).toBeGreaterThanOrEqual(3000);
      expect(lines.find((l) => l.includes('DATABASE DAMAGED'))).toContain('audit_log');
      expect(s.store.devices.all()).toHaveLength(8);
      expect(new KeysRepo(s.db).verify(seeded.secret)?.scope).toBe('admin');
      expect(s.alerts.webhooks.list()).toHaveLength(1);
      expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
      await sweep(s);
      expect(s.changes.filter((c) => c.type === 'new_device')).toHaveLength(0);
      expect(readdirSync(dir).some((f) => f.includes('.corrupt-'))).toBe(true);
    } finally {
      await stop(s);
    }
  }, 60_000);
});
