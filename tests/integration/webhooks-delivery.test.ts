import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/alerts.js';
import type { Change, Device } from '../../src/inventory/types.js';
import { closeDatabase, type Db, openDatabase } from '../../src/store/db.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { makeNewDevice } from '../helpers/makeDevice.js';

interface Received {
  at: number;
  body: string;
  headers: IncomingMessage['headers'];
}

/** A loopback receiver that answers 500 to the first `failFirst` requests, then 204. */
async function receiver(failFirst: number): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ at: performance.now(), body, headers: req.headers });
      res.statusCode = got.length <= failFirst ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

const MAC = 'aa:bb:cc:00:00:42';
const device: Device = makeNewDevice({
  mac: MAC,
  ip: '10.213.0.42',
  hostname: 'printer',
  vendor: 'Acme',
  firstSeen: '2026-03-01T12:00:00.000Z',
  lastSeen: '2026-03-01T12:00:00.000Z',
});
const newDevice: Change = {
  type: 'new_device',
  mac: MAC,
  ip: '10.213.0.42',
  name: 'printer',
  vendor: 'Acme',
  severity: 'info',
  message: 'New device printer (Acme) at 10.213.0.42',
  time: '2026-03-01T12:00:00.000Z',
};

let dir: string;
let db: Db;
const servers: Server[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-webhooks-'));
  db = openDatabase(join(dir, 'db.sqlite'), silentLogger);
});
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function makeAlerts(baseDelayMs = 50): Alerts {
  return new Alerts({
    db,
    clock: new ManualClock(Date.parse('2026-03-01T12:00:00Z')),
    logger: silentLogger,
    ha: null,
    notifyServices: [],
    trustDevice: () => {},
    getDevice: (mac) => (mac === MAC ? device : null),
    webhookBaseDelayMs: baseDelayMs,
  });
}

describe('webhook delivery (loopback receiver)', () => {
  it('retries a receiver that fails twice, with exponential backoff, and signs the body', async () => {
    const rx = await receiver(2);
    servers.push(rx.server);
    const alerts = makeAlerts(100);
    await alerts.start();
    const secret = 's3cret-for-tests-0123456789';
    const hook = alerts.webhooks.create({ name: 'receiver', url: rx.url, secret }, new Date());
    await alerts.handleChange(newDevice);

    expect(rx.got).toHaveLength(3);
    const gaps = [(rx.got[1]?.at ?? 0) - (rx.got[0]?.at ?? 0), (rx.got[2]?.at ?? 0) - (rx.got[1]?.at ?? 0)];
    console.log(`webhook retry gaps (base 100 ms): ${gaps.map((g) => g.toFixed(0)).join(' ms, ')} ms`);
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    for (const r of rx.got) {
      const sig = String(r.headers['x-lan-sentinel-signature']);
      const want = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
      expect(timingSafeEqual(Buffer.from(sig), Buffer.from(want))).toBe(true);
      expect(r.headers['x-lan-sentinel-timestamp']).toMatch(/^\d{10}$/);
      expect(r.headers['content-type']).toBe('application/json');
    }
    // a wrong secret does not verify
    const wrong = `sha256=${createHmac('sha256', 'other')
      .update(rx.got[0]?.body ?? '')
      .digest('hex')}`;
    expect(rx.got[0]?.headers['x-lan-sentinel-signature']).not.toBe(wrong);
    // every attempt carries the same delivery id
    expect(new Set(rx.got.map((r) => r.headers['x-lan-sentinel-delivery'])).size).toBe(1);

    const body = JSON.parse(rx.got[2]?.body ?? '{}');
    expect(body).toEqual({
      event_type: 'new_device',
      mac: MAC,
      ip: '10.213.0.42',
      name: 'printer',
      vendor: 'Acme',
      severity: 'info',
      message: 'New device printer (Acme) at 10.213.0.42',
      time: '2026-03-01T12:00:00.000Z',
    });
    const log = alerts.webhooks.deliveries(hook.id);
    expect(log.map((d) => [d.attempt, d.ok, d.statusCode])).toEqual([
      [3, true, 204],
      [2, false, 500],
      [1, false, 500],
    ]);
    expect(alerts.rules.list()[0]?.status).toBe('sent');
    await alerts.stop();
  });

  it('gives up after 3 retries and marks the alert failed', async () => {
    const rx = await receiver(100);
    servers.push(rx.server);
    const alerts = makeAlerts(5);
    await alerts.start();
    // only the webhook channel, so the failure is total
    for (const r of alerts.rules.listRules()) alerts.rules.deleteRule(r.id);
    alerts.rules.createRule({ name: 'hooks only', types: ['new_device'], channels: ['webhook'] }, new Date());
    const hook = alerts.webhooks.create({ name: 'down', url: rx.url }, new Date());
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    await alerts.handleChange(newDevice);
    expect(rx.got).toHaveLength(4);
    expect(alerts.webhooks.deliveries(hook.id)).toHaveLength(4);
    const entry = alerts.rules.list()[0];
    expect(entry?.status).toBe('failed');
    expect(entry?.error).toContain('HTTP 500');
  });

  it('testWebhook() sends a signed test event; bad URLs are refused', async () => {
    const rx = await receiver(0);
    servers.push(rx.server);
    const alerts = makeAlerts();
    const hook = alerts.webhooks.create({ name: 'ok', url: rx.url }, new Date());
    const res = await alerts.testWebhook(hook.id);
    expect(res).toMatchObject({ ok: true, attempts: 1, statusCode: 204 });
    expect(JSON.parse(rx.got[0]?.body ?? '{}').event_type).toBe('test');
    expect(() => alerts.webhooks.create({ name: 'bad', url: 'file:///etc/passwd' }, new Date())).toThrow(
      /http:\/\/ or https:\/\//,
    );
    expect(() => alerts.webhooks.create({ name: 'bad', url: 'javascript:alert(1)' }, new Date())).toThrow(
      /http/,
    );
    expect(() => alerts.webhooks.create({ name: 'short', url: rx.url, secret: 'x' }, new Date())).toThrow(
      /16 characters/,
    );
  });

  it('times out a receiver that never answers', async () => {
    const server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    server.closeAllConnections?.();
    const { deliverWebhook } = await import('../../src/alerts/webhook.js');
    const logged: unknown[] = [];
    const res = await deliverWebhook(
      {
        id: 1,
        name: 'x',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        secret: 'k'.repeat(16),
        enabled: true,
        createdAt: '',
        updatedAt: '',
      },
      {
        event_type: 'test',
        mac: null,
        ip: null,
        name: null,
        vendor: null,
        severity: 'info',
        message: 'm',
        time: '',
      },
      { clock: new ManualClock(), log: (d) => logged.push(d), timeoutMs: 200, retries: 1, baseDelayMs: 5 },
    );
    server.closeAllConnections();
    expect(res.ok).toBe(false);
    expect(res.attempts).toBe(2);
    expect(res.error).toMatch(/timed out after 200 ms/);
    expect(logged).toHaveLength(2);
  });
});
