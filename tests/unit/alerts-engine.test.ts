import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertEngine, inQuietHours } from '../../src/alerts/engine.js';
import type { AlertRule } from '../../src/alerts/types.js';
import type { Change } from '../../src/inventory/types.js';
import { AlertsRepo, DEFAULT_ALERT_RULES } from '../../src/store/alertsRepo.js';
import { closeDatabase, type Db, openDatabase } from '../../src/store/db.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
let db: Db;
let repo: AlertsRepo;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-alerts-'));
  db = openDatabase(join(dir, 'db.sqlite'), silentLogger);
  repo = new AlertsRepo(db);
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const change = (over: Partial<Change> = {}): Change => ({
  type: 'new_device',
  mac: 'aa:bb:cc:00:00:01',
  ip: '10.213.0.9',
  name: null,
  vendor: 'Acme',
  severity: 'info',
  message: 'New device Acme 00:00:01 at 10.213.0.9',
  time: '2026-03-01T12:00:00.000Z',
  ...over,
});
const dev = { ignored: false, watched: false };

/** Decide and record like Alerts does, so the history drives the next decision. */
function run(engine: AlertEngine, c: Change, rules: AlertRule[], now: Date, device = dev) {
  const ds = engine.decide(c, device, rules, now);
  for (const d of ds) {
    repo.log({
      time: now,
      ruleId: d.rule.id,
      mac: c.mac,
      kind: c.type,
      dedupKey: d.dedupKey,
      status: d.status,
      severity: c.severity,
      channels: d.rule.channels,
      title: 't',
      message: c.message,
    });
  }
  return ds.map((d) => d.status);
}

describe('default rules', () => {
  it('are seeded once from notify_on and also cover router identity changes; a deleted default stays deleted', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(repo.seedDefaults(now)).toBe('seeded');
    expect(repo.seedDefaults(now)).toBe('none');
    const rules = repo.listRules();
    expect(rules.map((r) => r.types)).toEqual([
      ['new_device'],
      ['device_offline'],
      ['threat_detected'],
      ['gateway_mac_changed'],
    ]);
    expect(rules[1]?.watchedOnly).toBe(true);
    expect(rules[2]?.minSeverity).toBe('high');
    // a deleted default stays deleted
    repo.deleteRule(rules[0]?.id as number);
    repo.seedDefaults(now);
    expect(repo.listRules()).toHaveLength(3);
  });
  it('notify_on shapes the defaults of a fresh install: other types get one rule, critical findings always notify', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(repo.seedDefaults(now, ['new_device', 'port_opened', 'ip_changed'])).toBe('seeded');
    const rules = repo.listRules();
    expect(rules.map((r) => [r.types, r.minSeverity])).toEqual([
      [['new_device'], 'info'],
      [['port_opened', 'ip_changed'], 'info'],
      [['gateway_mac_changed'], 'info'],
      [['threat_detected'], 'critical'],
    ]);
  });
  it('an install from before "rules are the truth" is migrated so that exactly what notified before still does', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    // the old world: defaults seeded, a user rule for port_opened/ip_changed that notify_on silently blocked
    for (const r of DEFAULT_ALERT_RULES) repo.createRule(r, now);
    repo.createRule(
      { name: 'ports and IPs', types: ['port_opened', 'ip_changed', 'new_device'], channels: ['mqtt'] },
      now,
    );
    repo.createRule({ name: 'offline only', types: ['device_offline'], channels: ['mqtt'] }, now);
    db.prepare("INSERT INTO meta (key, value) VALUES ('alert_rules_seeded', 'x')").run();
    const notifyOn = ['new_device', 'threat_detected'] as const;
    expect(repo.seedDefaults(now, notifyOn)).toBe('migrated');
    expect(repo.seedDefaults(now, notifyOn)).toBe('none');
    const rules = repo.listRules();
    expect(rules.map((r) => [r.name, r.types, r.enabled])).toEqual([
      ['New devices', ['new_device'], true],
      ['Watched devices going offline', ['device_offline'], false],
      ['Security findings (high and critical)', ['threat_detected'], true],
      ['ports and IPs', ['new_device'], true],
      ['offline only', ['device_offline'], false],
      ['Router identity changed (possible ARP spoofing)', ['gateway_mac_changed'], true],
    ]);
  });
  it('fire for the right changes only', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    repo.seedDefaults(now);
    const rules = repo.listRules();
    const engine = new AlertEngine(repo);
    expect(run(engine, change(), rules, now)).toEqual(['sent']);
    expect(run(engine, change({ type: 'device_offline' }), rules, now)).toEqual([]);
    expect(
      run(engine, change({ type: 'device_offline', mac: 'aa:bb:cc:00:00:02' }), rules, now, {
        ignored: false,
        watched: true,
      }),
    ).toEqual(['sent']);
    expect(run(engine, change({ type: 'threat_detected', severity: 'medium' }), rules, now)).toEqual([]);
    expect(run(engine, change({ type: 'threat_detected', severity: 'critical' }), rules, now)).toEqual([
      'sent',
    ]);
    expect(run(engine, change({ type: 'port_opened' }), rules, now)).toEqual([]);
  });
  it('rejects invalid rule input with a message naming the field', () => {
    expect(() =>
      repo.createRule(
        { name: 'x', types: ['new_device'], channels: ['ha'], quietHours: { start: '25:00', end: '07:00' } },
        new Date(),
      ),
    ).toThrow(/HH:MM/);
    expect(() => repo.createRule({ name: 'x', types: [], channels: ['ha'] }, new Date())).toThrow(
      /at least one change type/,
    );
  });
});

describe('AlertEngine', () => {
  it('dedups per (rule, device, kind) within the window', () => {
    const r = repo.createRule(
      { name: 'new', types: ['new_device', 'ip_changed'], channels: ['webhook'], dedupWindowSec: 600 },
      new Date(),
    );
    const engine = new AlertEngine(repo);
    const t0 = new Date('2026-03-01T12:00:00Z');
    expect(run(engine, change(), [r], t0)).toEqual(['sent']);
    expect(run(engine, change(), [r], new Date(t0.getTime() + 60_000))).toEqual(['suppressed_dedup']);
    // another device, or another kind, is not a duplicate
    expect(run(engine, change({ mac: 'aa:bb:cc:00:00:09' }), [r], new Date(t0.getTime() + 60_000))).toEqual([
      'sent',
    ]);
    expect(run(engine, change({ type: 'ip_changed' }), [r], new Date(t0.getTime() + 60_000))).toEqual([
      'sent',
    ]);
    // after the window it alerts again
    expect(run(engine, change(), [r], new Date(t0.getTime() + 601_000))).toEqual(['sent']);
  });

  it('never alerts for ignored devices', () => {
    const r = repo.createRule({ name: 'all', types: ['new_device'], channels: ['ha'] }, new Date());
    const engine = new AlertEngine(repo);
    expect(run(engine, change(), [r], new Date(), { ignored: true, watched: true })).toEqual([]);
  });

  it('suppresses (and logs) during quiet hours, across midnight; critical still goes out', () => {
    const r = repo.createRule(
      {
        name: 'q',
        types: ['new_device', 'threat_detected'],
        channels: ['ha'],
        quietHours: { start: '22:00', end: '07:00' },
        dedupWindowSec: 0,
      },
      new Date(),
    );
    const engine = new AlertEngine(repo);
    const local = (h: number, m = 0) => new Date(2026, 2, 1, h, m);
    expect(run(engine, change(), [r], local(23, 30))).toEqual(['suppressed_quiet']);
    expect(run(engine, change(), [r], local(3))).toEqual(['suppressed_quiet']);
    expect(run(engine, change(), [r], local(7, 0))).toEqual(['sent']);
    expect(run(engine, change(), [r], local(21, 59))).toEqual(['sent']);
    expect(run(engine, change({ type: 'threat_detected', severity: 'critical' }), [r], local(2))).toEqual([
      'sent',
    ]);
    expect(repo.list().filter((e) => e.status === 'suppressed_quiet')).toHaveLength(2);
    expect(inQuietHours({ start: '09:00', end: '17:00' }, local(12))).toBe(true);
    expect(inQuietHours({ start: '09:00', end: '17:00' }, local(17))).toBe(false);
    expect(inQuietHours({ start: '09:00', end: '09:00' }, local(9))).toBe(false);
  });

  it('applies a flood limit: max N per window, then exactly one summary, then silence until the window frees', () => {
    const r = repo.createRule(
      { name: 'flood', types: ['new_device'], channels: ['webhook'], dedupWindowSec: 3600 },
      new Date(),
    );
    const engine = new AlertEngine(repo, { max: 5, windowSec: 600 });
    const t0 = new Date('2026-03-01T12:00:00Z');
    const statuses: string[] = [];
    for (let i = 0; i < 12; i++) {
      const mac = `aa:bb:cc:00:01:${i.toString(16).padStart(2, '0')}`;
      statuses.push(...run(engine, change({ mac }), [r], new Date(t0.getTime() + i * 1000)));
    }
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'summary')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'suppressed_flood')).toHaveLength(6);
    expect(statuses[5]).toBe('summary');
    // 10 minutes later the window is free again
    expect(run(engine, change({ mac: 'aa:bb:cc:00:02:01' }), [r], new Date(t0.getTime() + 700_000))).toEqual([
      'sent',
    ]);
  });
});
