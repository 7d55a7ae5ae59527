/**
 * Alert history (issue 14): every alert that fired, with its rule, channels, device, the change behind it and
 * how delivery went, through the real Alerts service on a temp-file SQLite store and `buildApp`. Filters
 * (rule, channel, device, type, delivery, time), acknowledge one or all matching, and the CSV export — safe to
 * open in a spreadsheet even when a device name is a formula.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/alerts.js';
import { alertsPort, webhooksPort } from '../../src/api/adapters.js';
import { buildApp } from '../../src/api/app.js';
import { csvCell, toCsv } from '../../src/api/csv.js';
import type { AlertJson, List } from '../../src/api/schemas.js';
import type { Change, ChangeType } from '../../src/inventory/types.js';
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
const clock = new ManualClock(NOW - 6 * 3_600_000);
const FORMULA_NAME = '=HYPERLINK("http://evil.example/x","click")';
let dir: string;
let db: Db;
let store: Store;
let app: FastifyInstance;
let alerts: Alerts;
const ruleIds: Record<string, number> = {};

const get = async <T>(url: string) => {
  const r = await app.inject({ method: 'GET', url, ...INGRESS });
  return { status: r.statusCode, body: r.json() as T };
};
const list = async (query: string) => (await get<List<AlertJson>>(`/api/alerts?${query}`)).body;

/** A minimal RFC 4180 reader (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

async function fire(type: ChangeType, mac: string, message: string, severity: Change['severity'] = 'info') {
  clock.advance(10 * 60_000);
  const [c] = store.changes.insertMany([
    {
      type,
      mac,
      ip: '10.213.0.10',
      name: null,
      vendor: null,
      severity,
      message,
      time: clock.now().toISOString(),
    },
  ]);
  if (!c) throw new Error('insert failed');
  await alerts.handleChange(c);
  return c;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-alert-history-'));
  db = openDatabase(join(dir, 'lan-sentinel.db'), silentLogger);
  store = new Store(db);
  seed(store, new Date(NOW - 86_400_000));
  store.devices.update(MACS.camera, { name: FORMULA_NAME });
  alerts = new Alerts({
    db,
    clock,
    logger: silentLogger,
    ha: null,
    notifyServices: [],
    trustDevice: () => {},
    getDevice: (mac) => store.devices.get(mac),
    // the MQTT channel: the broker refuses port_opened events (a failed delivery)
    onAlert: (e) => {
      if (e.event_type === 'port_opened') throw new Error('broker offline');
    },
  });
  await alerts.start();
  const repo = new AlertsRepo(db);
  for (const r of repo.listRules()) repo.deleteRule(r.id);
  const rule = (name: string, types: ChangeType[], channels: Array<'ha' | 'mqtt'>, quiet = false) =>
    repo.createRule(
      {
        name,
        types,
        channels,
        dedupWindowSec: 0,
        ...(quiet ? { quietHours: { start: '00:00', end: '23:59' } } : {}),
      },
      clock.now(),
    ).id;
  ruleIds.newDevices = rule('New devices', ['new_device'], ['mqtt']);
  ruleIds.ports = rule('Open ports', ['port_opened'], ['mqtt']);
  ruleIds.phone = rule('IP changes to the phone', ['ip_changed'], ['ha']);
  ruleIds.quiet = rule('Names, quietly', ['hostname_changed'], ['mqtt'], true);

  await fire('new_device', MACS.nas, 'New device: NAS');
  await fire('new_device', MACS.camera, '-1+1 camera joined'); // starts like a formula
  await fire('port_opened', MACS.nas, 'NAS opened tcp/445');
  await fire('ip_changed', MACS.camera, '@SUM(1) camera moved to .21');
  await fire('hostname_changed', MACS.nas, 'NAS is now nas2');
  await fire('new_device', MACS.gateway, 'New device: router');

  app = await buildApp({
    store,
    alerts: alertsPort(
      repo,
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
  await alerts?.stop();
  if (db) closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('alert history', () => {
  it('lists every alert with rule, channels, device, change and how delivery went', async () => {
    const l = await list('limit=50');
    expect(l.total).toBe(6);
    const byMsg = new Map(l.items.map((a) => [a.message, a]));
    expect(byMsg.get('New device: NAS')).toMatchObject({
      rule_name: 'New devices',
      kind: 'new_device',
      mac: MACS.nas,
      channels: ['mqtt_event'],
      delivery: 'delivered',
      channel_results: [{ channel: 'mqtt_event', outcome: 'delivered', detail: null }],
      held_back: null,
      acked: false,
    });
    expect(byMsg.get('New device: NAS')?.change_id).toEqual(expect.any(Number));
    expect(byMsg.get('NAS opened tcp/445')).toMatchObject({
      delivery: 'failed',
      channel_results: [{ channel: 'mqtt_event', outcome: 'failed', detail: 'broker offline' }],
      error: 'mqtt_event: broker offline',
    });
    // HA is not connected: the phone channel had nowhere to deliver — said so, not "sent"
    expect(byMsg.get('@SUM(1) camera moved to .21')).toMatchObject({
      delivery: 'not_sent',
      channel_results: [
        { channel: 'ha_notify', outcome: 'skipped', detail: 'not connected to Home Assistant' },
      ],
      device_name: FORMULA_NAME,
    });
    expect(byMsg.get('NAS is now nas2')).toMatchObject({ delivery: 'held_back', held_back: 'quiet_hours' });
    // newest first
    expect(l.items.map((a) => a.message)[0]).toBe('New device: router');
  });

  it('filters by rule, channel, device, type, delivery and time', async () => {
    expect((await list(`rule_id=${ruleIds.newDevices}`)).total).toBe(3);
    expect((await list('channel=ha_notify')).items.map((a) => a.kind)).toEqual(['ip_changed']);
    expect((await list('channel=mqtt_event')).total).toBe(5);
    expect((await list(`mac=${MACS.nas.toUpperCase()}`)).total).toBe(3);
    expect((await list('kind=port_opened')).items.map((a) => a.delivery)).toEqual(['failed']);
    expect((await list('delivery=failed')).total).toBe(1);
    expect((await list('delivery=delivered&kind=new_device')).total).toBe(3);
    // the first alert fired at NOW-6h+10min, one every 10 minutes
    const t = (min: number) => encodeURIComponent(new Date(NOW - 6 * 3_600_000 + min * 60_000).toISOString());
    expect((await list(`since=${t(25)}`)).total).toBe(4);
    expect((await list(`since=${t(25)}&until=${t(45)}`)).items.map((a) => a.kind)).toEqual([
      'ip_changed',
      'port_opened',
    ]);
    // an offset time means the same instant
    const local = encodeURIComponent('2026-03-08T07:25:00+01:00'); // = 06:25Z = NOW-6h+25min
    expect((await list(`since=${local}`)).total).toBe(4);
    const bad = await get<{ message: string }>('/api/alerts?channel=sms');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/channel/);
    const badTime = await get<{ message: string }>('/api/alerts?since=yesterday');
    expect(badTime.status).toBe(400);
    expect(badTime.body.message).toMatch(/since.*ISO/);
  });

  it('acknowledges one alert (who and when) and then every open one matching a filter', async () => {
    const first = (await list('kind=port_opened')).items[0];
    const one = await app.inject({ method: 'POST', url: `/api/alerts/${first?.id}/ack`, ...INGRESS });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ acked: true, acked_at: clock.now().toISOString() });
    expect((one.json() as AlertJson).acked_by).toMatch(/^ha:/);
    const many = await app.inject({
      method: 'POST',
      url: '/api/alerts/ack',
      ...INGRESS,
      payload: { kind: 'new_device' },
    });
    expect(many.statusCode).toBe(200);
    expect(many.json()).toEqual({ acked: 3 });
    expect((await list('status=open')).items.map((a) => a.kind).sort()).toEqual([
      'hostname_changed',
      'ip_changed',
    ]);
    const again = await app.inject({ method: 'POST', url: '/api/alerts/ack', ...INGRESS, payload: {} });
    expect(again.json()).toEqual({ acked: 2 });
    expect((await list('status=open')).total).toBe(0);
  });

  it('exports the filtered history as CSV with formula cells neutralised', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/alerts.csv', ...INGRESS });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toBe('attachment; filename="lan-sentinel-alerts.csv"');
    const rows = parseCsv(r.body);
    const [header, ...data] = rows;
    expect(header?.slice(0, 7)).toEqual(['id', 'time', 'rule', 'type', 'severity', 'device', 'mac']);
    expect(data).toHaveLength(6);
    const col = (name: string) => header?.indexOf(name) ?? -1;
    const camera = data.filter((row) => row[col('mac')] === MACS.camera);
    expect(camera.map((row) => row[col('device')])).toEqual([`'${FORMULA_NAME}`, `'${FORMULA_NAME}`]);
    const messages = data.map((row) => row[col('message')]);
    expect(messages).toContain("'-1+1 camera joined");
    expect(messages).toContain("'@SUM(1) camera moved to .21");
    expect(messages).toContain('New device: NAS');
    // no cell a spreadsheet would evaluate
    for (const row of data) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const failed = data.find((row) => row[col('type')] === 'port_opened');
    expect(failed?.[col('delivery')]).toBe('failed');
    expect(failed?.[col('channel_results')]).toBe('mqtt_event: failed (broker offline)');
    // the same filters as the list
    const filtered = parseCsv(
      (await app.inject({ method: 'GET', url: `/api/alerts.csv?rule_id=${ruleIds.newDevices}`, ...INGRESS }))
        .body,
    );
    expect(filtered).toHaveLength(1 + 3);
    const bad = await app.inject({ method: 'GET', url: '/api/alerts.csv?limit=5', ...INGRESS });
    expect(bad.statusCode).toBe(400);
  });

  it('csvCell prefixes every formula start and doubles quotes', () => {
    for (const s of ['=1+1', '+1', '-1', '@A1', '\tx', '\rx'])
      expect(csvCell(s)).toBe(`"'${s.replace(/"/g, '""')}"`);
    expect(csvCell('a "b" c')).toBe('"a ""b"" c"');
    expect(csvCell('plain, text')).toBe('"plain, text"');
    expect(csvCell(-3)).toBe('"-3"');
    expect(csvCell(null)).toBe('""');
    expect(toCsv([{ header: 'h', value: (x: string) => x }], ['=x', 'y'])).toBe('"h"\r\n"\'=x"\r\n"y"\r\n');
  });
});
