/**
 * Finding 4 (and the webhook half of 6/7) of issue 13, on the real API listening on a real port:
 * - a webhook may not call the service's own listeners (any local address, after DNS, on redirects) nor
 *   link-local / 169.254.169.254; the API refuses such URLs (400 naming body.url) and delivery refuses
 *   stored ones without a single request reaching the service, so the UI cannot be locked out by it;
 * - deliveries carry Standard Webhooks headers, verified by the independent `standardwebhooks` package,
 *   with the timestamp inside the signature (a replayed/altered timestamp fails);
 * - after WEBHOOK_GIVE_UP failed deliveries in a row a webhook is suspended with a visible warning;
 * - read-scoped keys see webhook URLs redacted.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Alerts, WEBHOOK_GIVE_UP } from '../../src/alerts/alerts.js';
import { webhooksPort } from '../../src/api/adapters.js';
import { buildApp } from '../../src/api/app.js';
import type { Change } from '../../src/inventory/types.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { WebhooksRepo } from '../../src/store/webhooksRepo.js';
import { systemClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { RecordingScanner } from '../helpers/apiFixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Got {
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

let dir: string;
let store: Store;
let alerts: Alerts;
let app: FastifyInstance;
let apiPort: number;
let apiHits: string[];
let receiver: Server;
let receiverBase: string;
let got: Got[];
let receiverStatus: number;
let admin: string;
let reader: string;
const ownPorts = new Set<number>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-wh-guard-'));
  store = openStore(join(dir, 'lan-sentinel.db'), silentLogger);
  const keys = new KeysRepo(store.db);
  admin = keys.create('admin', 'admin').secret;
  reader = keys.create('dashboard', 'read').secret;
  alerts = new Alerts({
    db: store.db,
    clock: systemClock,
    logger: silentLogger,
    notifyServices: [],
    notifyOn: ['new_device'],
    trustDevice: () => {},
    getDevice: () => null,
    webhookBaseDelayMs: 2,
    webhookTimeoutMs: 2000,
    webhookPolicy: { ownPorts: () => ownPorts },
  });
  await alerts.start();
  app = await buildApp({
    store,
    webhooks: webhooksPort(new WebhooksRepo(store.db), alerts),
    alerts: undefined,
    keys,
    audit: new AuditRepo(store.db),
    bus: new EventBus(() => {}),
    scanner: new RecordingScanner(),
    config: { mode: 'standalone', requireApiKey: false, settingsSummary: {} },
    logger: silentLogger,
    clock: systemClock,
    version: '0.1.0-test',
  } as never);
  await app.listen({ host: '0.0.0.0', port: 0 });
  apiPort = (app.server.address() as AddressInfo).port;
  ownPorts.add(apiPort);
  apiHits = [];
  app.server.on('request', (req: IncomingMessage) => apiHits.push(`${req.method} ${req.url}`));

  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ path: req.url ?? '', body, headers: req.headers });
      if (req.url?.startsWith('/redirect-self')) {
        res.statusCode = 307;
        res.setHeader('location', `http://localhost:${apiPort}/api/webhooks`);
      } else if (req.url?.startsWith('/redirect-metadata')) {
        res.statusCode = 302;
        res.setHeader('location', 'http://169.254.169.254/latest/meta-data/');
      } else if (req.url?.startsWith('/redirect-ok')) {
        res.statusCode = 308;
        res.setHeader('location', '/final');
      } else if (req.url?.startsWith('/fail-twice'))
        res.statusCode = got.filter((g) => g.path === req.url).length <= 2 ? 500 : 204;
      else res.statusCode = receiverStatus;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

beforeEach(() => {
  got = [];
  apiHits = [];
  receiverStatus = 204;
});

afterAll(async () => {
  await alerts?.stop();
  await app?.close();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });

async function api(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, key = admin) {
  return app.inject({ method, url, headers: as(key), ...(body ? { payload: body as object } : {}) });
}

function storedHook(url: string, secret?: string) {
  return new WebhooksRepo(store.db).create(
    { name: `hook ${url.slice(0, 40)}`, url, ...(secret ? { secret } : {}) },
    new Date(),
  );
}

const change = (mac: string): Change => ({
  type: 'new_device',
  mac,
  ip: '10.213.0.77',
  name: null,
  vendor: 'Acme',
  severity: 'info',
  message: `New device ${mac}`,
  time: new Date().toISOString(),
});

function localInterfaceAddress(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  return null;
}

describe('webhook targets (issue 13 finding 4)', () => {
  const ownUrls = () => [
    `http://127.0.0.1:${apiPort}/api/webhooks/1/test`,
    `http://localhost:${apiPort}/api/devices/aa:bb:cc:00:00:01/scan`,
    `http://127.7.7.7:${apiPort}/api/scans`,
    `http://0.0.0.0:${apiPort}/api/scans`,
    `http://[::1]:${apiPort}/api/scans`,
    `http://[::ffff:127.0.0.1]:${apiPort}/api/scans`,
    ...(localInterfaceAddress() ? [`http://${localInterfaceAddress()}:${apiPort}/api/scans`] : []),
  ];
  const linkLocal = [
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://169.254.10.20:8080/x',
    'http://[fe80::1]/x',
  ];

  it('the API refuses URLs of its own listeners and link-local addresses with 400 naming body.url', async () => {
    for (const url of [...ownUrls(), ...linkLocal]) {
      const r = await api('POST', '/api/webhooks', { name: 'x', url });
      expect(r.statusCode, url).toBe(400);
      expect(r.body, url).toContain('body.url');
      expect(r.body, url).toMatch(/own listener|link-local|metadata/);
    }
    // a receiver on another loopback port is fine (e.g. a local ntfy)
    const ok = await api('POST', '/api/webhooks', { name: 'ok', url: `${receiverBase}/hook` });
    expect(ok.statusCode).toBe(201);
    const id = (ok.json() as { id: number }).id;
    const patch = await api('PATCH', `/api/webhooks/${id}`, { url: `http://localhost:${apiPort}/api/x` });
    expect(patch.statusCode).toBe(400);
    expect(patch.body).toContain("LAN Sentinel's own listener");
  });

  it('a stored webhook to the service itself is refused at delivery: no request reaches it, the UI stays usable', async () => {
    const hook = storedHook(`http://localhost:${apiPort}/api/webhooks/1/test`);
    apiHits = [];
    const r = await alerts.testWebhook(hook.id);
    expect(r.ok).toBe(false);
    expect(r.attempts).toBe(1); // a refused target is not retried
    expect(r.error).toMatch(/localhost resolves to .* LAN Sentinel's own listener/);
    expect(apiHits).toEqual([]);
    // the same through the API's test endpoint: exactly one request (ours), no nested ones, no 429 after
    const t = await api('POST', `/api/webhooks/${hook.id}/test`);
    expect(t.statusCode).toBe(200);
    expect((t.json() as { status: string }).status).toBe('failed');
    for (let i = 0; i < 20; i++) expect((await api('GET', '/api/webhooks')).statusCode).toBe(200);
    expect(apiHits).toEqual([]); // inject() does not go through the socket: any hit would be a webhook
  });

  it('redirects are checked too: to the service itself and to the metadata address are refused', async () => {
    for (const [path, why] of [
      ['/redirect-self', /own listener/],
      ['/redirect-metadata', /169\.254\.169\.254/],
    ] as const) {
      const hook = storedHook(`${receiverBase}${path}`);
      apiHits = [];
      const r = await alerts.testWebhook(hook.id);
      expect(r.ok, path).toBe(false);
      expect(r.error, path).toMatch(why);
      expect(apiHits, path).toEqual([]);
    }
    // an ordinary redirect is followed with the same signed body
    const hook = storedHook(`${receiverBase}/redirect-ok`);
    got = [];
    const r = await alerts.testWebhook(hook.id);
    expect(r.ok).toBe(true);
    expect(got.map((g) => g.path)).toEqual(['/redirect-ok', '/final']);
    expect(got[1]?.body).toBe(got[0]?.body);
  });
});

describe('Standard Webhooks signatures', () => {
  it('a generated secret (whsec_) verifies with the standardwebhooks package; the timestamp is signed', async () => {
    const created = await api('POST', '/api/webhooks', { name: 'sw', url: `${receiverBase}/sw` });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json() as { id: number; secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    got = [];
    const t = await api('POST', `/api/webhooks/${id}/test`);
    expect((t.json() as { status: string }).status).toBe('ok');
    const req = got[0] as Got;
    const headers = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    };
    expect(headers['webhook-id']).toMatch(/^msg_/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    const verified = new StandardWebhook(secret).verify(req.body, headers) as { event_type: string };
    expect(verified.event_type).toBe('test');
    // replayed 6 minutes later, the same request is refused by the receiver's tolerance window: the timestamp
    // is checked, and it cannot be refreshed because it is inside the signature
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6 * 60_000 });
    try {
      expect(() => new StandardWebhook(secret).verify(req.body, headers)).toThrow(
        'Message timestamp too old',
      );
    } finally {
      vi.useRealTimers();
    }
    // a replay with another timestamp, or another body, fails verification
    const shifted = { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) };
    expect(() => new StandardWebhook(secret).verify(req.body, shifted)).toThrow();
    expect(() => new StandardWebhook(secret).verify(`${req.body} `, headers)).toThrow();
    expect(() =>
      new StandardWebhook(`whsec_${Buffer.from('x'.repeat(24)).toString('base64')}`).verify(
        req.body,
        headers,
      ),
    ).toThrow();
  });

  it('the verification example of DOCS.md verifies a real delivery and refuses a replay', async () => {
    const docs = readFileSync(join(ROOT, 'DOCS.md'), 'utf8');
    const code = /```js\n([\s\S]*?verifyLanSentinel[\s\S]*?)```/.exec(docs)?.[1];
    expect(code, 'DOCS.md has the webhook verification example').toBeDefined();
    // beside node_modules so that its `import 'standardwebhooks'` resolves as in a user's project
    const file = join(ROOT, 'node_modules', '.cache', `lsn-docs-verify-${process.pid}.mjs`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, code as string);
    try {
      const { verifyLanSentinel } = (await import(pathToFileURL(file).href)) as {
        verifyLanSentinel: (secret: string, body: string, headers: Got['headers']) => { event_type: string };
      };
      const created = await api('POST', '/api/webhooks', { name: 'docs', url: `${receiverBase}/docs` });
      const { id, secret } = created.json() as { id: number; secret: string };
      got = [];
      expect(((await api('POST', `/api/webhooks/${id}/test`)).json() as { status: string }).status).toBe(
        'ok',
      );
      const req = got[0] as Got;
      expect(verifyLanSentinel(secret, req.body, req.headers).event_type).toBe('test');
      expect(() => verifyLanSentinel(secret, req.body.replace('test', 'tset'), req.headers)).toThrow();
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6 * 60_000 });
      try {
        expect(() => verifyLanSentinel(secret, req.body, req.headers)).toThrow('Message timestamp too old');
      } finally {
        vi.useRealTimers();
      }
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('a user-given secret verifies in raw format; retries keep the webhook-id and sign a new timestamp', async () => {
    const secret = 'my-own-secret-of-some-length';
    const hook = storedHook(`${receiverBase}/fail-twice`, secret);
    const r = await alerts.testWebhook(hook.id);
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    expect(got).toHaveLength(3);
    const ids = new Set(got.map((g) => g.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const g of got) {
      const h = {
        'webhook-id': String(g.headers['webhook-id']),
        'webhook-timestamp': String(g.headers['webhook-timestamp']),
        'webhook-signature': String(g.headers['webhook-signature']),
      };
      expect(() => new StandardWebhook(secret, { format: 'raw' }).verify(g.body, h)).not.toThrow();
    }
  });
});

describe('give-up and redaction', () => {
  it(`after ${WEBHOOK_GIVE_UP} failed deliveries in a row a webhook is suspended with a warning; a good test resumes it`, async () => {
    const created = await api('POST', '/api/webhooks', { name: 'flaky', url: `${receiverBase}/flaky` });
    const { id } = created.json() as { id: number };
    // only this webhook takes part
    const hooks = new WebhooksRepo(store.db);
    for (const h of hooks.list()) if (h.id !== id) hooks.update(h.id, { enabled: false }, new Date());
    receiverStatus = 500;
    for (let i = 0; i < WEBHOOK_GIVE_UP; i++) await alerts.handleChange(change(`aa:bb:cc:00:01:${10 + i}`));
    const requestsWhileFailing = got.length;
    expect(requestsWhileFailing).toBe(WEBHOOK_GIVE_UP * 4); // each delivery: 1 attempt + 3 retries
    const h = (await api('GET', `/api/webhooks/${id}`)).json() as {
      suspended: boolean;
      consecutive_failures: number;
      warning: string;
    };
    expect(h).toMatchObject({ suspended: true, consecutive_failures: WEBHOOK_GIVE_UP });
    expect(h.warning).toContain(
      `gave up after ${WEBHOOK_GIVE_UP} failed deliveries in a row (last: HTTP 500)`,
    );
    // suspended: the next alert does not call it, and the alert log says it failed
    await alerts.handleChange(change('aa:bb:cc:00:01:99'));
    expect(got.length).toBe(requestsWhileFailing);
    // a successful test resumes it
    receiverStatus = 204;
    expect(((await api('POST', `/api/webhooks/${id}/test`)).json() as { status: string }).status).toBe('ok');
    const after = (await api('GET', `/api/webhooks/${id}`)).json() as {
      suspended: boolean;
      warning: unknown;
    };
    expect(after).toMatchObject({ suspended: false, warning: null });
    for (const x of hooks.list()) hooks.update(x.id, { enabled: true }, new Date());
  });

  it('read-scoped keys see webhook URLs redacted; admin keys see them whole', async () => {
    const url = `${receiverBase}/topic/secret-token-123?auth=abc`;
    const created = await api('POST', '/api/webhooks', { name: 'ntfy', url });
    const { id } = created.json() as { id: number };
    const asAdmin = (await api('GET', `/api/webhooks/${id}`)).json() as { url: string };
    expect(asAdmin.url).toBe(url);
    const one = (await api('GET', `/api/webhooks/${id}`, undefined, reader)).json() as { url: string };
    const list = (await api('GET', '/api/webhooks', undefined, reader)).json() as {
      items: Array<{ url: string }>;
    };
    for (const u of [one.url, ...list.items.map((i) => i.url)]) {
      expect(u).not.toContain('secret-token');
      expect(u).not.toContain('auth=');
      expect(u).toContain('(redacted)');
    }
    expect(one.url).toBe(`${new URL(receiverBase).origin}/…(redacted)`);
  });
});
