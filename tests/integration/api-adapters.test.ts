/**
 * The API ports backed by the real repositories (src/api/adapters.ts): temp-file SQLite with every
 * migration, the real Alerts service, `buildApp`, and requests through `app.inject`. Webhook tests deliver
 * to a loopback HTTP receiver and check the HMAC signature it received.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/alerts.js';
import { SIGNATURE_HEADER } from '../../src/alerts/webhook.js';
import { alertsPort, findingsPort, webhooksPort } from '../../src/api/adapters.js';
import { buildApp } from '../../src/api/app.js';
import type {
  AlertJson,
  AlertRuleJson,
  ApiErrorBody,
  DeliveryJson,
  DeviceJson,
  FindingJson,
  List,
  WebhookJson,
} from '../../src/api/schemas.js';
import { AlertsRepo, type NewLogEntry } from '../../src/store/alertsRepo.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { closeDatabase, type Db, openDatabase } from '../../src/store/db.js';
import { FindingsRepo } from '../../src/store/findingsRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { Store } from '../../src/store/store.js';
import { WebhooksRepo } from '../../src/store/webhooksRepo.js';
import type { Finding } from '../../src/threats/types.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { INGRESS, MACS, RecordingScanner, seed } from '../helpers/apiFixtures.js';

interface Received {
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

let dir: string;
let db: Db;
let app: FastifyInstance;
let alerts: Alerts;
let receiver: Server;
let base: string;
const got: Received[] = [];
const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));

const get = (url: string) => app.inject({ method: 'GET', url, ...INGRESS });
const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({ method, url, ...INGRESS, ...(payload !== undefined ? { payload: payload as object } : {}) });

function finding(mac: string, key: string, over: Partial<Finding> = {}): Finding {
  return {
    key,
    mac,
    kind: 'risky_port',
    severity: 'medium',
    title: `finding ${key}`,
    detail: 'detail',
    remediation: 'fix it',
    confidence: 1,
    ...over,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-api-adapters-'));
  db = openDatabase(join(dir, 'lan-sentinel.db'), silentLogger);
  const store = new Store(db);
  seed(store, clock.now());

  const findings = new FindingsRepo(db);
  const t0 = new Date(clock.now().getTime() - 3_600_000);
  findings.reconcile(
    MACS.nas,
    [
      finding(MACS.nas, 'cve:CVE-2024-6387:tcp/22', {
        kind: 'vulnerable_version',
        severity: 'critical',
        port: 22,
        protocol: 'tcp',
        cve: 'CVE-2024-6387',
        cvss: 8.1,
        knownExploited: true,
      }),
      finding(MACS.nas, 'port:tcp/445', { severity: 'medium', port: 445, protocol: 'tcp' }),
      finding(MACS.nas, 'port:tcp/80', { severity: 'low', port: 80, protocol: 'tcp' }),
    ],
    t0,
  );
  findings.reconcile(MACS.gateway, [finding(MACS.gateway, 'port:tcp/23', { severity: 'high' })], t0);
  findings.reconcile(MACS.camera, [finding(MACS.camera, 'port:tcp/23', { severity: 'high' })], t0);
  findings.reconcile(MACS.camera, [], clock.now()); // resolved

  // webhook receiver: /fail-once answers 500 to its first request, everything else 204
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      const seen = got.filter((g) => g.path === path).length;
      got.push({ path, body, headers: req.headers });
      res.statusCode = path === '/fail-once' && seen === 0 ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  alerts = new Alerts({
    db,
    clock,
    logger: silentLogger,
    notifyServices: [],
    trustDevice: () => {},
    getDevice: (mac) => store.devices.get(mac),
    webhookBaseDelayMs: 5,
    webhookTimeoutMs: 2000,
  });
  await alerts.start(); // seeds the default rules

  app = await buildApp({
    store,
    findings: findingsPort(findings),
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
  await alerts?.stop();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  if (db) closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('findings', () => {
  it('lists active findings by default, most severe first, with device names and a total', async () => {
    const r = await get('/api/findings');
    expect(r.statusCode).toBe(200);
    const body = r.json() as List<FindingJson>;
    expect(body.total).toBe(4);
    expect(body.items.map((f) => f.severity)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(body.items.every((f) => f.active && f.resolved_at === null)).toBe(true);
    const cve = body.items[0]!;
    expect(cve).toMatchObject({
      mac: MACS.nas,
      device_name: 'NAS',
      kind: 'vulnerable_version',
      cve: 'CVE-2024-6387',
      cvss: 8.1,
      known_exploited: true,
      port: 22,
      protocol: 'tcp',
    });
  });

  it('filters by device (any MAC spelling), minimum severity, kind and status', async () => {
    const nas = (await get('/api/findings?mac=0011.32AA.BB01')).json() as List<FindingJson>;
    expect(nas.total).toBe(3);
    expect(nas.items.every((f) => f.mac === MACS.nas)).toBe(true);
    const high = (await get('/api/findings?min_severity=high')).json() as List<FindingJson>;
    expect(high.items.map((f) => f.severity)).toEqual(['critical', 'high']);
    expect(high.total).toBe(2);
    const vuln = (await get('/api/findings?kind=vulnerable_version')).json() as List<FindingJson>;
    expect(vuln.total).toBe(1);
    expect(vuln.items[0]?.kind).toBe('vulnerable_version');
    const resolved = (await get('/api/findings?status=resolved')).json() as List<FindingJson>;
    expect(resolved.total).toBe(1);
    expect(resolved.items[0]).toMatchObject({ mac: MACS.camera, active: false });
    expect(resolved.items[0]?.resolved_at).toBe(clock.now().toISOString());
    const all = (await get('/api/findings?status=all')).json() as List<FindingJson>;
    expect(all.total).toBe(5);
    const combined = (await get(`/api/findings?mac=${MACS.nas}&min_severity=medium&kind=risky_port`)).json();
    expect((combined as List<FindingJson>).items.map((f) => f.port)).toEqual([445]);
  });

  it('pages with limit/offset while the total stays the full count', async () => {
    const all = ((await get('/api/findings?status=all')).json() as List<FindingJson>).items.map((f) => f.id);
    const page = (await get('/api/findings?status=all&limit=2&offset=1')).json() as List<FindingJson>;
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(page.items.map((f) => f.id)).toEqual(all.slice(1, 3));
    const past = (await get('/api/findings?offset=50')).json() as List<FindingJson>;
    expect(past.items).toEqual([]);
    expect(past.total).toBe(4);
  });

  it('counts active findings per device in api/devices and per severity in metrics', async () => {
    const devices = (await get('/api/devices?limit=500')).json() as List<DeviceJson>;
    const count = new Map(devices.items.map((d) => [d.mac, d.findings]));
    expect(count.get(MACS.nas)).toBe(3);
    expect(count.get(MACS.gateway)).toBe(1);
    expect(count.get(MACS.camera)).toBe(0); // resolved findings do not count
    expect(count.get(MACS.hostile)).toBe(0);
    const one = (await get(`/api/devices/${MACS.nas}`)).json() as DeviceJson;
    expect(one.findings).toBe(3);
    const metrics = (await get('/metrics')).body;
    expect(metrics).toContain('lan_sentinel_findings{severity="critical"} 1');
    expect(metrics).toContain('lan_sentinel_findings{severity="high"} 1');
    expect(metrics).toContain('lan_sentinel_findings{severity="medium"} 1');
    expect(metrics).toContain('lan_sentinel_findings{severity="info"} 0');
  });
});

describe('alerts', () => {
  const ids: Record<string, number> = {};
  beforeAll(() => {
    const repo = new AlertsRepo(db);
    const rule = repo.listRules()[0]!;
    const at = (min: number) => new Date(clock.now().getTime() - min * 60_000);
    const entry = (over: Partial<NewLogEntry>): NewLogEntry => ({
      time: at(30),
      ruleId: rule.id,
      mac: MACS.nas,
      kind: 'new_device',
      dedupKey: `${rule.id}|${MACS.nas}|new_device`,
      status: 'sent',
      severity: 'info',
      // rows written before the channel names were unified (0.1) say `ha`/`mqtt`; they read as the current names
      channels: ['ha', 'mqtt'] as unknown as NewLogEntry['channels'],
      title: 'New device on your network: NAS',
      message: 'New device NAS',
      ...over,
    });
    ids.sent = repo.log(entry({})).id;
    ids.dup = repo.log(entry({ time: at(29), status: 'suppressed_dedup' })).id;
    ids.quiet = repo.log(
      entry({ time: at(20), mac: MACS.camera, status: 'suppressed_quiet', severity: 'high' }),
    ).id;
    ids.failed = repo.log(
      entry({ time: at(10), ruleId: null, mac: null, status: 'failed', severity: 'critical', error: 'x' }),
    ).id;
  });

  it('lists alerts newest first with rule names and API channel names; dedup repeats are left out', async () => {
    const r = await get('/api/alerts');
    expect(r.statusCode).toBe(200);
    const body = r.json() as List<AlertJson>;
    expect(body.total).toBe(3);
    expect(body.items.map((a) => a.id)).toEqual([ids.failed, ids.quiet, ids.sent]);
    expect(body.items[2]).toMatchObject({
      rule_name: 'New devices',
      kind: 'new_device',
      mac: MACS.nas,
      channels: ['ha_notify', 'mqtt_event'],
      acked: false,
      acked_at: null,
    });
    expect(body.items[0]).toMatchObject({ rule_id: null, rule_name: null, mac: null, severity: 'critical' });
  });

  it('filters by device, minimum severity and paging', async () => {
    const cam = (await get(`/api/alerts?mac=${MACS.camera}`)).json() as List<AlertJson>;
    expect(cam.items.map((a) => a.id)).toEqual([ids.quiet]);
    const high = (await get('/api/alerts?min_severity=high')).json() as List<AlertJson>;
    expect(high.items.map((a) => a.id)).toEqual([ids.failed, ids.quiet]);
    const page = (await get('/api/alerts?limit=1&offset=1')).json() as List<AlertJson>;
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.items.map((a) => a.id)).toEqual([ids.quiet]);
  });

  it('acks an alert once (a second ack keeps the first time); 404 for an unknown id', async () => {
    const r = await send('POST', `/api/alerts/${ids.sent}/ack`);
    expect(r.statusCode).toBe(200);
    const first = r.json() as AlertJson;
    expect(first).toMatchObject({ id: ids.sent, acked: true, acked_at: clock.now().toISOString() });
    clock.advance(60_000);
    const again = (await send('POST', `/api/alerts/${ids.sent}/ack`)).json() as AlertJson;
    expect(again.acked_at).toBe(first.acked_at);
    expect((await send('POST', '/api/alerts/99999/ack')).statusCode).toBe(404);

    const open = (await get('/api/alerts?status=open')).json() as List<AlertJson>;
    expect(open.items.map((a) => a.id)).toEqual([ids.failed, ids.quiet]);
    expect(open.total).toBe(2);
    const acked = (await get('/api/alerts?status=acked')).json() as List<AlertJson>;
    expect(acked.items.map((a) => a.id)).toEqual([ids.sent]);
  });
});

describe('alert rules', () => {
  it('lists the seeded default rules in wire form', async () => {
    const body = (await get('/api/alert-rules')).json() as List<AlertRuleJson>;
    expect(body.items.map((r) => r.name)).toEqual([
      'New devices',
      'Watched devices going offline',
      'Security findings (high and critical)',
      'Router identity changed (possible ARP spoofing)',
    ]);
    expect(body.items[3]).toMatchObject({
      events: ['gateway_mac_changed'],
      min_severity: 'info',
      enabled: true,
    });
    expect(body.items[0]).toMatchObject({
      enabled: true,
      events: ['new_device'],
      min_severity: 'info',
      channels: ['ha_notify', 'webhook', 'mqtt_event'],
      macs: [],
      quiet_hours: null,
      dedup_window_s: 3600,
    });
    expect(body.items[2]?.min_severity).toBe('high');
    expect(body.items[0]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('creates, reads, patches and deletes a rule', async () => {
    const created = await send('POST', '/api/alert-rules', {
      name: 'Ports at night',
      events: ['port_opened', 'service_changed', 'port_opened'],
      min_severity: 'medium',
      channels: ['webhook', 'mqtt_event'],
      quiet_hours: { start: '22:30', end: '07:00' },
      dedup_window_s: 600,
    });
    expect(created.statusCode).toBe(201);
    const rule = created.json() as AlertRuleJson;
    expect(rule).toMatchObject({
      name: 'Ports at night',
      enabled: true,
      events: ['port_opened', 'service_changed'],
      min_severity: 'medium',
      channels: ['webhook', 'mqtt_event'],
      macs: [],
      quiet_hours: { start: '22:30', end: '07:00' },
      dedup_window_s: 600,
      created_at: clock.now().toISOString(),
    });
    expect((await get(`/api/alert-rules/${rule.id}`)).json()).toEqual(rule);

    clock.advance(1000);
    const patched = await send('PATCH', `/api/alert-rules/${rule.id}`, { enabled: false, quiet_hours: null });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toEqual({
      ...rule,
      enabled: false,
      quiet_hours: null,
      updated_at: clock.now().toISOString(),
    });
    const renamed = (
      await send('PATCH', `/api/alert-rules/${rule.id}`, { name: 'Ports', channels: ['ha_notify'] })
    ).json() as AlertRuleJson;
    expect(renamed).toMatchObject({
      name: 'Ports',
      channels: ['ha_notify'],
      enabled: false,
      dedup_window_s: 600,
    });

    expect((await send('DELETE', `/api/alert-rules/${rule.id}`)).json()).toEqual({ id: rule.id });
    expect((await get(`/api/alert-rules/${rule.id}`)).statusCode).toBe(404);
    expect((await send('DELETE', `/api/alert-rules/${rule.id}`)).statusCode).toBe(404);
    expect((await send('PATCH', `/api/alert-rules/${rule.id}`, { enabled: true })).statusCode).toBe(404);
  });

  it('keeps settings the API does not show (watched only) when a default rule is patched', async () => {
    const repo = new AlertsRepo(db);
    const watched = repo.listRules().find((r) => r.watchedOnly)!;
    const r = await send('PATCH', `/api/alert-rules/${watched.id}`, { min_severity: 'low' });
    expect(r.statusCode).toBe(200);
    const after = repo.getRule(watched.id)!;
    expect(after.watchedOnly).toBe(true);
    expect(after.minSeverity).toBe('low');
    expect(after.types).toEqual(['device_offline']);
  });

  it('refuses finding-kind events and device lists with a 400 naming the field', async () => {
    const kinds = await send('POST', '/api/alert-rules', {
      name: 'x',
      events: ['new_device', 'risky_port'],
      channels: ['webhook'],
    });
    expect(kinds.statusCode).toBe(400);
    const e = kinds.json() as ApiErrorBody;
    expect(e.issues?.[0]?.path).toBe('body.events');
    expect(e.message).toMatch(/risky_port.*threat_detected/);
    const macs = await send('POST', '/api/alert-rules', {
      name: 'x',
      events: ['new_device'],
      channels: ['webhook'],
      macs: [MACS.nas],
    });
    expect(macs.statusCode).toBe(400);
    expect((macs.json() as ApiErrorBody).issues?.[0]?.path).toBe('body.macs');
    const count = ((await get('/api/alert-rules')).json() as List<AlertRuleJson>).total;
    expect(count).toBe(4);
  });
});

describe('webhooks', () => {
  const SECRET = 'a-very-secret-signing-key-0123456789';

  it('creates with the secret shown once, never on list/get', async () => {
    const r = await send('POST', '/api/webhooks', { name: 'Receiver', url: `${base}/ok`, secret: SECRET });
    expect(r.statusCode).toBe(201);
    const hook = r.json() as WebhookJson & { secret?: string };
    expect(hook).toMatchObject({
      name: 'Receiver',
      url: `${base}/ok`,
      enabled: true,
      events: [],
      has_secret: true,
      last_delivery_at: null,
      last_status: null,
      secret: SECRET,
    });
    const list = await get('/api/webhooks');
    expect(list.body).not.toContain(SECRET);
    expect((list.json() as List<WebhookJson>).items.map((w) => w.id)).toContain(hook.id);
    const one = await get(`/api/webhooks/${hook.id}`);
    expect(one.body).not.toContain(SECRET);
    expect(one.json()).not.toHaveProperty('secret');

    const generated = (
      await send('POST', '/api/webhooks', { name: 'Gen', url: `${base}/gen`, secret: null })
    ).json() as WebhookJson & { secret?: string };
    expect(generated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect((await get(`/api/webhooks/${generated.id}`)).body).not.toContain(generated.secret as string);
    expect((await send('DELETE', `/api/webhooks/${generated.id}`)).statusCode).toBe(200);
  });

  it('patches name/enabled/url/secret; refuses removing the secret and event filters', async () => {
    const hook = (
      await send('POST', '/api/webhooks', { name: 'P', url: `${base}/p`, secret: SECRET })
    ).json() as WebhookJson;
    clock.advance(1000);
    const r = await send('PATCH', `/api/webhooks/${hook.id}`, {
      name: 'Q',
      enabled: false,
      url: `${base}/q`,
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      name: 'Q',
      enabled: false,
      url: `${base}/q`,
      updated_at: clock.now().toISOString(),
    });
    expect(r.body).not.toContain(SECRET);
    const rotated = await send('PATCH', `/api/webhooks/${hook.id}`, { secret: 'another-secret-0123456789' });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body).not.toContain('another-secret');
    expect(new WebhooksRepo(db).get(hook.id)?.secret).toBe('another-secret-0123456789');

    const remove = await send('PATCH', `/api/webhooks/${hook.id}`, { secret: null });
    expect(remove.statusCode).toBe(400);
    expect((remove.json() as ApiErrorBody).issues?.[0]?.path).toBe('body.secret');
    const events = await send('PATCH', `/api/webhooks/${hook.id}`, { events: ['new_device'] });
    expect(events.statusCode).toBe(400);
    expect((events.json() as ApiErrorBody).issues?.[0]?.path).toBe('body.events');
    expect((await send('PATCH', '/api/webhooks/99999', { enabled: true })).statusCode).toBe(404);
    expect((await send('DELETE', `/api/webhooks/${hook.id}`)).json()).toEqual({ id: hook.id });
    expect((await get(`/api/webhooks/${hook.id}`)).statusCode).toBe(404);
  });

  it('sends a signed test event to a loopback receiver and logs the delivery', async () => {
    const hook = (
      await send('POST', '/api/webhooks', { name: 'T', url: `${base}/ok`, secret: SECRET })
    ).json() as WebhookJson;
    const before = got.length;
    const r = await send('POST', `/api/webhooks/${hook.id}/test`);
    expect(r.statusCode).toBe(200);
    const d = r.json() as DeliveryJson;
    expect(d).toMatchObject({
      webhook_id: hook.id,
      event: 'test',
      status: 'ok',
      http_status: 204,
      attempts: 1,
      error: null,
    });
    const req = got.slice(before);
    expect(req).toHaveLength(1);
    const { body, headers } = req[0]!;
    expect(JSON.parse(body)).toMatchObject({ event_type: 'test', severity: 'info' });
    const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect(headers[SIGNATURE_HEADER.toLowerCase()]).toBe(expected);

    const log = (await get(`/api/webhooks/${hook.id}/deliveries`)).json() as List<DeliveryJson>;
    expect(log.total).toBe(1);
    expect(log.items).toEqual([d]);
    const after = (await get(`/api/webhooks/${hook.id}`)).json() as WebhookJson;
    expect(after.last_status).toBe('ok');
    expect(after.last_delivery_at).toBe(d.finished_at);
  });

  it('groups retried attempts into one delivery and pages the log', async () => {
    const hook = (
      await send('POST', '/api/webhooks', { name: 'R', url: `${base}/fail-once`, secret: SECRET })
    ).json() as WebhookJson;
    const retried = (await send('POST', `/api/webhooks/${hook.id}/test`)).json() as DeliveryJson;
    expect(retried).toMatchObject({ status: 'ok', attempts: 2, http_status: 204 });
    expect(got.filter((g) => g.path === '/fail-once')).toHaveLength(2);
    await send('POST', `/api/webhooks/${hook.id}/test`);
    const third = (await send('POST', `/api/webhooks/${hook.id}/test`)).json() as DeliveryJson;

    const all = (await get(`/api/webhooks/${hook.id}/deliveries`)).json() as List<DeliveryJson>;
    expect(all.total).toBe(3);
    expect(all.items[0]).toEqual(third);
    expect(all.items[2]).toEqual(retried);
    const page = (
      await get(`/api/webhooks/${hook.id}/deliveries?limit=1&offset=1`)
    ).json() as List<DeliveryJson>;
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.items).toEqual([all.items[1]]);
  });

  it('reports a failing receiver as a failed delivery and 404s for unknown webhooks', async () => {
    // a port that was just closed: connection refused, retried, then failed
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const hook = (
      await send('POST', '/api/webhooks', { name: 'Dead', url: `http://127.0.0.1:${port}/x` })
    ).json() as WebhookJson;
    const d = (await send('POST', `/api/webhooks/${hook.id}/test`)).json() as DeliveryJson;
    expect(d).toMatchObject({ status: 'failed', http_status: null, attempts: 4 });
    expect(d.error).toMatch(/fetch failed|ECONNREFUSED/);
    expect(((await get(`/api/webhooks/${hook.id}`)).json() as WebhookJson).last_status).toBe('failed');

    expect((await send('POST', '/api/webhooks/99999/test')).statusCode).toBe(404);
    expect((await get('/api/webhooks/99999/deliveries')).statusCode).toBe(404);
  });
});
