/**
 * Rule preview ("would have fired N times in the last 7 days"): `POST api/alert-rules/preview` and
 * `GET api/alert-rules/:id/preview` over a temp-file SQLite store with stored changes at known times. The
 * preview must agree with the live path: the same changes fed one by one through the real Alerts service
 * (clock at each change's time) send exactly as many notifications as the preview says.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertEvent, Alerts } from '../../src/alerts/alerts.js';
import { alertsPort, webhooksPort } from '../../src/api/adapters.js';
import { buildApp } from '../../src/api/app.js';
import type { AlertRuleJson, AlertRulePreviewJson, ApiErrorBody } from '../../src/api/schemas.js';
import type { Change, ChangeType, Severity } from '../../src/inventory/types.js';
import { AlertsRepo } from '../../src/store/alertsRepo.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { closeDatabase, type Db, openDatabase } from '../../src/store/db.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { Store } from '../../src/store/store.js';
import { WebhooksRepo } from '../../src/store/webhooksRepo.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { INGRESS, MACS, RecordingScanner, seed } from '../helpers/apiFixtures.js';

const NOW = Date.parse('2026-03-08T12:00:00Z');
const clock = new ManualClock(NOW);
let dir: string;
let db: Db;
let store: Store;
let app: FastifyInstance;

const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();
function change(type: ChangeType, mac: string, hAgo: number, severity: Severity = 'info'): Change {
  return {
    type,
    mac,
    ip: '10.213.0.10',
    name: null,
    vendor: null,
    severity,
    message: `${type} on ${mac} ${hAgo} h ago`,
    time: hoursAgo(hAgo),
  };
}

const preview = async (body: object, query = '') => {
  const r = await app.inject({
    method: 'POST',
    url: `/api/alert-rules/preview${query}`,
    ...INGRESS,
    payload: body,
  });
  return { status: r.statusCode, body: r.json() as AlertRulePreviewJson & ApiErrorBody };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-rule-preview-'));
  db = openDatabase(join(dir, 'lan-sentinel.db'), silentLogger);
  store = new Store(db);
  seed(store, new Date(NOW - 9 * 86_400_000)); // devices (and their changes) from 9 days ago
  store.devices.update(MACS.hostile, { ignored: true });
  store.devices.update(MACS.camera, { watched: true });
  store.changes.insertMany([
    // outside the 7-day window
    change('hostname_changed', MACS.nas, 8 * 24),
    // inside: NAS twice within an hour (dedup 3600 s keeps one), once a day later
    change('hostname_changed', MACS.nas, 50),
    change('hostname_changed', MACS.nas, 49.5),
    change('hostname_changed', MACS.nas, 20),
    // another device, and an ignored one (never alerts)
    change('hostname_changed', MACS.camera, 30),
    change('hostname_changed', MACS.hostile, 10),
    // severities for min_severity
    change('ip_conflict', MACS.nas, 5, 'high'),
    change('ip_conflict', MACS.camera, 4, 'medium'),
    change('ip_conflict', MACS.gateway, 3, 'critical'),
  ]);
  const alerts = new Alerts({
    db,
    clock,
    logger: silentLogger,
    notifyServices: [],
    trustDevice: () => {},
    getDevice: (mac) => store.devices.get(mac),
  });
  await alerts.start();
  app = await buildApp({
    store,
    alerts: alertsPort(
      new AlertsRepo(db),
      alerts,
      { changes: store.changes, device: (mac) => store.devices.get(mac) },
      clock,
    ),
    webhooks: webhooksPort(new WebhooksRepo(db), alerts, clock),
    keys: new KeysRepo(db, clock),
    audit: new AuditRepo(db, clock),
    bus: new EventBus(() => {}),
    scanner: new RecordingScanner(),
    config: { mode: 'standalone', requireApiKey: false, settingsSummary: {} },
    logger: silentLogger,
    clock,
    version: '0.1.0-test',
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  if (db) closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('rule preview', () => {
  it('counts what a draft rule would have sent in the last 7 days: window, dedup, ignored devices', async () => {
    const r = await preview({ events: ['hostname_changed'], channels: ['ha_notify'] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      days: 7,
      until: new Date(NOW).toISOString(),
      since: new Date(NOW - 7 * 86_400_000).toISOString(),
      // 5 in the window (the 8-day-old one is not); the ignored device's change is examined, never matched
      examined: 5,
      matched: 4,
      fired: 3,
      suppressed_dedup: 1,
      suppressed_quiet: 0,
      fired_by_type: { hostname_changed: 3 },
      devices: 2,
      truncated: false,
    });
    expect(r.body.recent.map((h) => [h.mac, h.outcome])).toEqual([
      [MACS.nas, 'fired'],
      [MACS.camera, 'fired'],
      [MACS.nas, 'suppressed_dedup'],
      [MACS.nas, 'fired'],
    ]);
    expect(r.body.recent[0]?.change_id).toEqual(expect.any(Number));
  });

  it('honours min severity, a shorter repeat window and the days asked for', async () => {
    const high = await preview({ events: ['ip_conflict'], channels: ['mqtt_event'], min_severity: 'high' });
    expect(high.body).toMatchObject({ matched: 2, fired: 2, devices: 2 });
    const noDedup = await preview({
      events: ['hostname_changed'],
      channels: ['webhook'],
      dedup_window_s: 60,
    });
    expect(noDedup.body).toMatchObject({ matched: 4, fired: 4, suppressed_dedup: 0 });
    const oneDay = await preview({ events: ['hostname_changed'], channels: ['webhook'] }, '?days=1');
    expect(oneDay.body).toMatchObject({ days: 1, examined: 2, fired: 1 });
    const all = await preview({ events: ['hostname_changed', 'ip_conflict'], channels: ['webhook'] });
    expect(all.body.fired_by_type).toEqual({ hostname_changed: 3, ip_conflict: 3 });
  });

  it('counts quiet hours as suppressed (critical still goes out)', async () => {
    // every hour of the day is quiet from 00:00 to 23:59 local time except one minute
    const r = await preview({
      events: ['ip_conflict'],
      channels: ['ha_notify'],
      quiet_hours: { start: '00:00', end: '23:59' },
    });
    const quietNow = (iso: string) => {
      const d = new Date(iso);
      return d.getHours() * 60 + d.getMinutes() < 23 * 60 + 59;
    };
    const expectedQuiet = 2; // the high and the medium one; the critical one is never held back
    expect(quietNow(hoursAgo(5)) && quietNow(hoursAgo(4))).toBe(true);
    expect(r.body).toMatchObject({ matched: 3, fired: 1, suppressed_quiet: expectedQuiet });
    expect(r.body.recent.find((h) => h.severity === 'critical')?.outcome).toBe('fired');
  });

  it('previews a saved rule (as if enabled), 404 for an unknown id', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/alert-rules',
      ...INGRESS,
      payload: { name: 'Names', events: ['hostname_changed'], channels: ['ha_notify'], enabled: false },
    });
    expect(created.statusCode).toBe(201);
    const rule = created.json() as AlertRuleJson;
    const r = await app.inject({ method: 'GET', url: `/api/alert-rules/${rule.id}/preview`, ...INGRESS });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ days: 7, fired: 3, matched: 4 });
    const missing = await app.inject({ method: 'GET', url: '/api/alert-rules/99999/preview', ...INGRESS });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses bad input naming the field', async () => {
    const noEvents = await preview({ events: [], channels: ['ha_notify'] });
    expect(noEvents.status).toBe(400);
    expect(noEvents.body.message).toMatch(/events/);
    const days = await preview({ events: ['new_device'], channels: ['ha_notify'] }, '?days=90');
    expect(days.status).toBe(400);
    expect(days.body.message).toMatch(/days.*between 1 and 30/);
    const finding = await preview({ events: ['risky_port'], channels: ['ha_notify'] });
    expect(finding.status).toBe(400);
    expect(finding.body.message).toMatch(/risky_port/);
  });

  it('agrees with the live alert path: the same changes through the real Alerts service send as many', async () => {
    const liveDir = mkdtempSync(join(tmpdir(), 'lsn-rule-preview-live-'));
    const liveDb = openDatabase(join(liveDir, 'lan-sentinel.db'), silentLogger);
    try {
      const liveStore = new Store(liveDb);
      seed(liveStore, new Date(NOW - 9 * 86_400_000));
      liveStore.devices.update(MACS.hostile, { ignored: true });
      const liveClock = new ManualClock(NOW - 7 * 86_400_000);
      const sent: AlertEvent[] = [];
      const live = new Alerts({
        db: liveDb,
        clock: liveClock,
        logger: silentLogger,
        notifyServices: [],
        trustDevice: () => {},
        getDevice: (mac) => liveStore.devices.get(mac),
        onAlert: (e) => void sent.push(e),
        flood: { max: 10_000, windowSec: 60 },
      });
      await live.start();
      const repo = new AlertsRepo(liveDb);
      for (const r of repo.listRules()) repo.deleteRule(r.id);
      const rule = repo.createRule(
        {
          name: 'Ports and names',
          types: ['port_opened', 'hostname_changed'],
          minSeverity: 'low',
          channels: ['mqtt'],
          dedupWindowSec: 86_400,
        },
        liveClock.now(),
      );
      // 60 changes over 6 days: mixed devices, types, severities and gaps around the one-day window
      const macs = [MACS.nas, MACS.camera, MACS.gateway, MACS.hostile];
      const sevs: Severity[] = ['info', 'low', 'medium', 'high'];
      const types: ChangeType[] = ['port_opened', 'hostname_changed', 'ip_changed'];
      const list: Change[] = [];
      let h = 6 * 24;
      for (let i = 0; i < 60; i++) {
        h -= [0.4, 1.2, 1.6, 3][i % 4]!;
        list.push(change(types[i % 3]!, macs[(i * 7) % 4]!, h, sevs[(i * 5) % 4]!));
      }
      const stored = liveStore.changes.insertMany(list);
      for (const c of stored) {
        liveClock.set(c.time);
        await live.handleChange(c);
      }
      await live.stop();
      const port = alertsPort(
        repo,
        live,
        { changes: liveStore.changes, device: (mac) => liveStore.devices.get(mac) },
        new ManualClock(NOW),
      );
      const p = port.rules.previewSaved(rule.id, 7);
      expect(sent.length).toBeGreaterThan(5);
      expect(p?.matched).toBeGreaterThan(p?.fired ?? 0); // the dedup window held some back
      expect(p?.fired).toBe(sent.length);
      expect(p?.fired).toBe(repo.count({ statuses: ['sent'] }));
    } finally {
      closeDatabase(liveDb);
      rmSync(liveDir, { recursive: true, force: true });
    }
  });
});
