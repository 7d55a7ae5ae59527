import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBindAllowed } from '../../src/api/server.js';
import { digestsEqual, hashKey } from '../../src/store/keysRepo.js';
import { CLI_TOKEN, type Harness, LAN_PEER, MACS, makeHarness } from '../helpers/apiFixtures.js';
import { assertBuilt, CLI, ROOT } from '../helpers/serviceProcess.js';

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

  it('loopback is never trusted for its address: a loopback peer with a loopback Host needs a credential', async () => {
    h = await makeHarness();
    for (const host of ['127.0.0.1:8099', 'localhost:8099', '[::1]:8099']) {
      const r = await h.app.inject({ url: '/api/devices', remoteAddress: '127.0.0.1', headers: { host } });
      expect(r.statusCode, host).toBe(401);
      expect(r.json().message).toMatch(/login link/);
    }
    const keys = await h.app.inject({
      method: 'POST',
      url: '/api/keys',
      payload: { name: 'stolen', scope: 'admin' },
      remoteAddress: '127.0.0.1',
      headers: { host: '127.0.0.1:8099' },
    });
    expect(keys.statusCode).toBe(401);
    expect(h.keys.list().items).toEqual([]);
  });
});

describe('standalone sign-in: one-time login link, session cookie, CLI token', () => {
  it('the login link opens an HttpOnly SameSite=Strict session once; the session is admin; CSRF still refused', async () => {
    h = await makeHarness();
    const token = h.sessions.issueLoginToken();
    const login = await h.app.inject({ url: `/login?token=${token}`, remoteAddress: '127.0.0.1' });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('./');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^lsn_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    const ok = await h.app.inject({
      method: 'PATCH',
      url: `/api/devices/${MACS.nas}`,
      payload: { watched: true },
      remoteAddress: LAN_PEER,
      headers: { cookie: session, host: 'sentinel.lan:8099', origin: 'http://sentinel.lan:8099' },
    });
    expect(ok.statusCode).toBe(200);
    expect(h.audit.list({ action: 'device.update' }).items[0]).toMatchObject({ actorKind: 'session' });
    const csrf = await h.app.inject({
      method: 'POST',
      url: '/api/scans',
      payload: {},
      remoteAddress: LAN_PEER,
      headers: { cookie: session, host: 'sentinel.lan:8099', origin: 'http://evil.example' },
    });
    expect(csrf.statusCode).toBe(403);
    // used once: the same link does not open a second session
    expect((await h.app.inject({ url: `/login?token=${token}` })).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/login?token=nope' })).statusCode).toBe(401);
    // a made-up cookie is nothing
    const forged = await h.app.inject({
      url: '/api/devices',
      remoteAddress: LAN_PEER,
      headers: { cookie: `lsn_session=${'A'.repeat(43)}` },
    });
    expect(forged.statusCode).toBe(401);
    // logout ends the session
    await h.app.inject({ method: 'POST', url: '/api/logout', payload: {}, headers: { cookie: session } });
    expect(
      (await h.app.inject({ url: '/api/devices', remoteAddress: LAN_PEER, headers: { cookie: session } }))
        .statusCode,
    ).toBe(401);
  });

  it('the CLI token is admin; requireApiKey (the add-on LAN port) accepts neither session nor CLI token', async () => {
    h = await makeHarness();
    const cli = await h.app.inject({
      method: 'POST',
      url: '/api/login-links',
      payload: {},
      remoteAddress: '127.0.0.1',
      headers: { authorization: `Bearer ${CLI_TOKEN}` },
    });
    expect(cli.statusCode).toBe(201);
    const link = cli.json().path as string;
    expect(link).toMatch(/^login\?token=/);
    const login = await h.app.inject({ url: `/${link}` });
    expect(login.statusCode).toBe(303);
    const session = String(login.headers['set-cookie']).split(';')[0]!;
    await h.close();
    h = await makeHarness({ config: { requireApiKey: true } });
    const t = h.sessions.issueLoginToken();
    const s2 = String((await h.app.inject({ url: `/login?token=${t}` })).headers['set-cookie']).split(
      ';',
    )[0]!;
    for (const headers of [{ authorization: `Bearer ${CLI_TOKEN}` }, { cookie: s2 }, { cookie: session }]) {
      expect(
        (await h.app.inject({ url: '/api/devices', remoteAddress: '127.0.0.1', headers })).statusCode,
      ).toBe(401);
    }
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

  it('repeated bad keys from one IP → 429 with retry-after; the right key is never locked out; other IPs unaffected', async () => {
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
    expect(blocked.statusCode).toBe(200);
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

  it('a browser session polling past its limit never locks out a valid key on the same IP, and bad keys never lock out the session', async () => {
    h = await makeHarness({ config: { rateLimitPerMinute: 10 } });
    const admin = h.keys.create('cli', 'admin');
    const token = h.sessions.issueLoginToken();
    const login = await h.app.inject({ url: `/login?token=${token}`, remoteAddress: LAN_PEER });
    const session = String(login.headers['set-cookie']).split(';')[0]!;
    const ui = () =>
      h!.app.inject({ url: '/api/health', remoteAddress: LAN_PEER, headers: { cookie: session } });
    const withKey = () =>
      h!.app.inject({ url: '/api/health', remoteAddress: LAN_PEER, headers: { 'x-api-key': admin.secret } });
    // someone on that IP guesses keys until the IP is blocked: the session and the key still work
    const guesses: number[] = [];
    for (let i = 0; i < 6; i++)
      guesses.push(
        (
          await h.app.inject({
            url: '/api/health',
            remoteAddress: LAN_PEER,
            headers: { 'x-api-key': `lsk_bad${i}` },
          })
        ).statusCode,
      );
    expect(guesses.at(-1)).toBe(429);
    expect((await ui()).statusCode).toBe(200);
    expect((await withKey()).statusCode).toBe(200);
    // the UI polls past its own limit: only the session is limited, never the key on the same IP
    const polled: number[] = [];
    for (let i = 0; i < 11; i++) polled.push((await ui()).statusCode);
    expect(polled.filter((c) => c === 429).length).toBe(2);
    for (let i = 0; i < 9; i++) expect((await withKey()).statusCode).toBe(200);
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

describe('key changes made by another process apply at once (PRAGMA data_version)', () => {
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [CLI, ...args, '--data-dir', h!.dir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SUPERVISOR_TOKEN: '' },
    });
  const as = (key: string) =>
    h!.app.inject({
      url: '/api/devices',
      remoteAddress: LAN_PEER,
      headers: { authorization: `Bearer ${key}` },
    });

  it('`lan-sentinel keys create` in another process is accepted at once; `keys revoke` is refused at once', async () => {
    assertBuilt();
    h = await makeHarness({ config: { authFailuresPerMinute: 100 } });
    // the service has already read its key list (an unknown, well-formed key)
    expect((await as(`lsk_${'Z'.repeat(43)}`)).statusCode).toBe(401);
    const { id, secret } = JSON.parse(
      cli('keys', 'create', 'from-cli', '--scope', 'admin', '--json').trim(),
    ) as {
      id: number;
      secret: string;
    };
    expect((await as(secret)).statusCode).toBe(200);
    cli('keys', 'revoke', String(id));
    expect((await as(secret)).statusCode).toBe(401);
  });
});

describe('audit of refusals', () => {
  it('403s and 429 lockouts are audited; a flood from many sources adds a bounded number of rows', async () => {
    h = await makeHarness();
    const read = h.keys.create('grafana', 'read');
    const forbidden = await h.app.inject({
      method: 'PATCH',
      url: `/api/devices/${MACS.nas}`,
      payload: { watched: true },
      remoteAddress: LAN_PEER,
      headers: { authorization: `Bearer ${read.secret}` },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(h.audit.list({ action: 'auth.forbidden' }).items[0]).toMatchObject({
      actor: 'grafana',
      actorKind: 'key',
      ip: LAN_PEER,
      target: '/api/devices/:mac',
    });
    for (let i = 0; i < 7; i++)
      await h.app.inject({
        url: '/api/devices',
        remoteAddress: LAN_PEER,
        headers: { 'x-api-key': `lsk_${'W'.repeat(43)}` },
      });
    expect(h.audit.list({ action: 'auth.lockout' }).total).toBeGreaterThanOrEqual(1);
    expect(h.audit.list({ action: 'auth.lockout' }).items[0]).toMatchObject({
      ip: LAN_PEER,
      actorKind: 'anonymous',
    });

    // 2,000 refused requests from 200 addresses without credentials: the log grows by a bounded amount
    const before = h.audit.list().total;
    for (let i = 0; i < 2000; i++) {
      await h.app.inject({
        url: '/api/devices',
        remoteAddress: `10.77.${Math.floor(i / 10) % 200}.${(i % 10) + 1}`,
        headers: { 'x-api-key': `lsk_${String(i).padStart(43, 'X')}` },
      });
    }
    const added = h.audit.list().total - before;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(60);
    // after the window, the next row says how many were left out
    h.clock.advance(61_000);
    await h.app.inject({
      url: '/api/devices',
      remoteAddress: '10.77.199.10',
      headers: { 'x-api-key': `lsk_${'Q'.repeat(43)}` },
    });
    const last = h.audit.list({ action: 'auth.*' }).items[0]!;
    expect((last.detail as { suppressed?: number }).suppressed).toBeGreaterThan(0);
  });
});
