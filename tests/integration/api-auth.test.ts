import { afterEach, describe, expect, it } from 'vitest';
import { assertBindAllowed } from '../../src/api/server.js';
import { digestsEqual, hashKey } from '../../src/store/keysRepo.js';
import { type Harness, LAN_PEER, MACS, makeHarness } from '../helpers/apiFixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('ingress and loopback', () => {
  it('a real ingress peer is the HA admin; forged ingress headers from a LAN peer are not', async () => {
    h = await makeHarness();
    const ok = await h.app.inject({
      method: 'PATCH',
      url: `/api/devices/${MACS.nas}`,
      payload: { watched: true },
      remoteAddress: '172.30.32.2',
      headers: {
        'x-ingress-path': '/api/hassio_ingress/abc',
        'x-remote-user-name': 'alice',
        'x-remote-user-id': 'u1',
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(h.audit.list({ action: 'device.update' }).items[0]).toMatchObject({
      actor: 'ha:alice',
      actorKind: 'ingress',
    });
    const forged = await h.app.inject({
      url: '/api/devices',
      remoteAddress: LAN_PEER,
      headers: {
        'x-ingress-path': '/api/hassio_ingress/abc',
        'x-remote-user-id': 'admin',
        'x-forwarded-for': '172.30.32.2',
      },
    });
    expect(forged.statusCode).toBe(401);
    // the ingress peer without X-Ingress-Path (e.g. the Supervisor itself) is not admin either
    expect((await h.app.inject({ url: '/api/devices', remoteAddress: '172.30.32.2' })).statusCode).toBe(401);
  });

  it('loopback is trusted only with trustLoopback, a loopback Host, and without requireApiKey', async () => {
    h = await makeHarness({ config: { trustLoopback: true } });
    const ok = await h.app.inject({
      url: '/api/devices',
      remoteAddress: '127.0.0.1',
      headers: { host: '127.0.0.1:8099' },
    });
    expect(ok.statusCode).toBe(200);
    const rebinding = await h.app.inject({
      url: '/api/devices',
      remoteAddress: '127.0.0.1',
      headers: { host: 'evil.example:8099' },
    });
    expect(rebinding.statusCode).toBe(401);
    const csrf = await h.app.inject({
      method: 'POST',
      url: '/api/scans',
      payload: {},
      remoteAddress: '127.0.0.1',
      headers: { host: 'localhost:8099', origin: 'http://evil.example' },
    });
    expect(csrf.statusCode).toBe(403);
    expect((await h.app.inject({ url: '/api/devices', remoteAddress: LAN_PEER })).statusCode).toBe(401);
    await h.close();
    h = await makeHarness({ config: { trustLoopback: true, requireApiKey: true } });
    expect(
      (
        await h.app.inject({
          url: '/api/devices',
          remoteAddress: '127.0.0.1',
          headers: { host: 'localhost' },
        })
      ).statusCode,
    ).toBe(401);
  });
});

describe('API keys', () => {
  it('no key, wrong key, revoked key → 401; read key GET ok, mutation → 403; admin key ok; audited', async () => {
    h = await makeHarness({ config: { authFailuresPerMinute: 100 } });
    const read = h.keys.create('grafana', 'read');
    const admin = h.keys.create('cli', 'admin');
    const as = (key: string | undefined, method: 'GET' | 'PATCH' | 'DELETE' = 'GET', url = '/api/devices') =>
      h!.app.inject({
        method,
        url,
        remoteAddress: LAN_PEER,
        headers: key ? { authorization: `Bearer ${key}` } : {},
        ...(method === 'PATCH' ? { payload: { watched: true } } : {}),
      });
    const none = await as(undefined);
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect((await as(`lsk_${'A'.repeat(43)}`)).statusCode).toBe(401);
    expect((await as('garbage')).statusCode).toBe(401);
    expect((await as(read.secret)).statusCode).toBe(200);
    const x = await h.app.inject({
      url: '/api/devices',
      remoteAddress: LAN_PEER,
      headers: { 'x-api-key': read.secret },
    });
    expect(x.statusCode).toBe(200);
    const denied = await as(read.secret, 'PATCH', `/api/devices/${MACS.nas}`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toMatch(/scope "admin"/);
    // keys and audit are admin-only even for reading
    expect((await as(read.secret, 'GET', '/api/keys')).statusCode).toBe(403);
    expect((await as(read.secret, 'GET', '/api/audit')).statusCode).toBe(403);
    expect((await as(admin.secret, 'PATCH', `/api/devices/${MACS.nas}`)).statusCode).toBe(200);
    expect(h.audit.list({ action: 'device.update' }).items[0]).toMatchObject({
      actor: 'cli',
      actorKind: 'key',
      ip: LAN_PEER,
    });
    // key use: first use per key per minute is audited and touches last_used_at
    const uses = h.audit.list({ action: 'key.use' });
    expect(uses.items.map((u) => u.actor).sort()).toEqual(['cli', 'grafana']);
    expect(h.keys.get(read.key.id)?.lastUsedAt).not.toBeNull();
    await as(read.secret);
    expect(h.audit.list({ action: 'key.use', actor: 'grafana' }).total).toBe(1);
    h.clock.advance(61_000);
    await as(read.secret);
    expect(h.audit.list({ action: 'key.use', actor: 'grafana' }).total).toBe(2);
    expect(h.audit.list({ action: 'auth.fail' }).total).toBe(2);
    // revoked
    h.keys.revoke(read.key.id);
    expect((await as(read.secret)).statusCode).toBe(401);
  });

  it('repeated bad keys from one IP → 429 with retry-after, even for the right key; other IPs unaffected', async () => {
    h = await makeHarness();
    const admin = h.keys.create('cli', 'admin');
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await h.app.inject({
        url: '/api/devices',
        remoteAddress: LAN_PEER,
        headers: { 'x-api-key': `lsk_wrong${i}` },
      });
      codes.push(r.statusCode);
      if (r.statusCode === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const blocked = await h.app.inject({
      url: '/api/devices',
      remoteAddress: LAN_PEER,
      headers: { 'x-api-key': admin.secret },
    });
    expect(blocked.statusCode).toBe(429);
    const other = await h.app.inject({
      url: '/api/devices',
      remoteAddress: '192.168.1.51',
      headers: { 'x-api-key': admin.secret },
    });
    expect(other.statusCode).toBe(200);
    h.clock.advance(60_001);
    const after = await h.app.inject({
      url: '/api/devices',
      remoteAddress: LAN_PEER,
      headers: { 'x-api-key': admin.secret },
    });
    expect(after.statusCode).toBe(200);
  });

  it('rate limit is keyed per ingress user, not per proxy IP', async () => {
    h = await makeHarness({ config: { rateLimitPerMinute: 20 } });
    const as = (user: string) =>
      h!.app.inject({
        url: '/api/health',
        remoteAddress: '172.30.32.2',
        headers: { 'x-ingress-path': '/api/hassio_ingress/abc', 'x-remote-user-id': user },
      });
    const a: number[] = [];
    for (let i = 0; i < 25; i++) a.push((await as('A')).statusCode);
    expect(a.filter((c) => c === 429).length).toBe(5);
    const limited = await as('A');
    expect(limited.json().error).toBe('rate_limited');
    expect((await as('B')).statusCode).toBe(200);
  });

  it('digest comparison never throws on different lengths', () => {
    expect(digestsEqual(hashKey('a'), hashKey('a'))).toBe(true);
    expect(digestsEqual(hashKey('a'), hashKey('b'))).toBe(false);
    expect(digestsEqual(hashKey('a'), Buffer.alloc(3))).toBe(false);
  });
});

describe('bind guard', () => {
  it('refuses non-loopback binds without keys', () => {
    expect(() => assertBindAllowed({ host: '127.0.0.1', apiKeysConfigured: false })).not.toThrow();
    expect(() => assertBindAllowed({ host: '0.0.0.0', apiKeysConfigured: true })).not.toThrow();
    expect(() => assertBindAllowed({ host: '0.0.0.0', apiKeysConfigured: false })).toThrow(
      'http_host: binding to 0.0.0.0 exposes the API; create an API key first (lan-sentinel keys create) or bind 127.0.0.1',
    );
    expect(() => assertBindAllowed({ host: '192.168.1.5', apiKeysConfigured: false })).toThrow(/http_host/);
  });
});
