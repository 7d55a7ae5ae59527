import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, DeviceJson, List } from '../../src/api/schemas.js';
import { type Harness, HOSTILE, INGRESS, MACS, makeHarness } from '../helpers/apiFixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => {
  await h.close();
});

const get = (url: string) => h.app.inject({ method: 'GET', url, ...INGRESS });
const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  h.app.inject({ method, url, ...INGRESS, ...(payload !== undefined ? { payload: payload as object } : {}) });

describe('devices', () => {
  it('lists with envelope, filter, search, sort and paging', async () => {
    const r = await get('/api/devices?limit=2&offset=0&sort=ip&order=asc');
    expect(r.statusCode).toBe(200);
    const body = r.json() as List<DeviceJson>;
    expect(body.total).toBe(4);
    expect(body.limit).toBe(2);
    expect(body.items.map((d) => d.ip)).toEqual(['10.213.0.1', '10.213.0.10']);
    const nas = (await get('/api/devices?q=nas')).json() as List<DeviceJson>;
    expect(nas.items.map((d) => d.mac)).toEqual([MACS.nas]);
    expect(nas.items[0]!.ports.map((p) => p.port)).toEqual([22, 80, 445]);
    expect(nas.items[0]!.open_ports).toBe(3);
    expect(nas.items[0]!.display_name).toBe('NAS');
    const fresh = (await get('/api/devices?filter=new')).json() as List<DeviceJson>;
    expect(fresh.items.every((d) => d.is_new)).toBe(true);
    expect(fresh.total).toBe(3);
  });

  it('rejects bad queries with field-level issues', async () => {
    const r = await get('/api/devices?sort=evil&limit=9999');
    expect(r.statusCode).toBe(400);
    const e = r.json() as ApiErrorBody;
    expect(e.error).toBe('bad_request');
    expect(e.issues?.map((i) => i.path).sort()).toEqual(['query.limit', 'query.sort']);
    expect(e.issues?.find((i) => i.path === 'query.sort')?.message).toMatch(/name/);
    expect((await get('/api/devices?bogus=1')).statusCode).toBe(400);
  });

  it('gets one device by any MAC spelling; 400 for a bad MAC, 404 for an unknown one', async () => {
    const r = await get('/api/devices/0011.32AA.BB01');
    expect(r.statusCode).toBe(200);
    expect((r.json() as DeviceJson).mac).toBe(MACS.nas);
    const bad = await get('/api/devices/not-a-mac');
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ApiErrorBody).issues?.[0]?.path).toBe('params.mac');
    expect((await get('/api/devices/00:00:00:00:00:09')).statusCode).toBe(404);
  });

  it('returns a hostile name as JSON data, never HTML', async () => {
    const r = await get(`/api/devices/${MACS.hostile}`);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((r.json() as DeviceJson).name).toBe(HOSTILE);
  });

  it('PATCH renames, marks known (acknowledging new), audits and emits device:updated', async () => {
    const seen: string[] = [];
    const off = h.bus.on('device:updated', (d) => void seen.push(d.name ?? ''));
    const r = await send('PATCH', `/api/devices/${MACS.camera}`, {
      name: 'Porch camera',
      known: true,
      notes: 'x',
    });
    off();
    expect(r.statusCode).toBe(200);
    const d = r.json() as DeviceJson;
    expect([d.name, d.known, d.is_new, d.notes]).toEqual(['Porch camera', true, false, 'x']);
    expect(seen).toEqual(['Porch camera']);
    const audit = h.audit.list({ action: 'device.update', target: MACS.camera });
    expect(audit.total).toBe(1);
    expect(audit.items[0]).toMatchObject({ actorKind: 'ingress', ip: '172.30.32.2' });
  });

  it('PATCH rejects unknown keys, empty bodies, bad types and bodies over 64 KiB', async () => {
    const unknown = await send('PATCH', `/api/devices/${MACS.camera}`, { name: 'a', admin: true });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/admin/);
    expect((await send('PATCH', `/api/devices/${MACS.camera}`, {})).statusCode).toBe(400);
    const types = await send('PATCH', `/api/devices/${MACS.camera}`, { known: 'yes', consider_home: 0 });
    expect((types.json() as ApiErrorBody).issues?.map((i) => i.path).sort()).toEqual([
      'body.consider_home',
      'body.known',
    ]);
    const big = await send('PATCH', `/api/devices/${MACS.camera}`, { notes: 'x'.repeat(1024 * 1024) });
    expect(big.statusCode).toBe(413);
    expect((await send('PATCH', '/api/devices/00:00:00:00:00:09', { known: true })).statusCode).toBe(404);
  });

  it('control and bidi characters in names, notes, key names and reasons are refused: 400 naming the field, nothing stored', async () => {
    const before = (await get(`/api/devices/${MACS.camera}`)).json() as DeviceJson;
    const nul = await send('PATCH', `/api/devices/${MACS.camera}`, { name: 'cam\u0000era' });
    expect(nul.statusCode).toBe(400);
    const e = nul.json() as ApiErrorBody;
    expect(e.issues).toEqual([
      {
        path: 'body.name',
        message:
          'must not contain control or invisible formatting characters (U+0000 at character 4); letters, digits, spaces, punctuation and emoji are allowed',
      },
    ]);
    expect(e.message).toMatch(/^invalid body: body\.name must not contain control/);
    const bidi = await send('PATCH', `/api/devices/${MACS.camera}`, { notes: 'ok\n\u202eevil' });
    expect((bidi.json() as ApiErrorBody).issues).toEqual([
      {
        path: 'body.notes',
        message:
          'must not contain control or invisible formatting characters (U+202E at character 4); letters, digits, spaces, punctuation, emoji, newlines and tabs are allowed',
      },
    ]);
    const esc = await send('PATCH', `/api/devices/${MACS.camera}`, {
      name: 'x\u001b[31m',
      notes: 'zero\u200bwidth',
    });
    expect((esc.json() as ApiErrorBody).issues?.map((i) => i.path).sort()).toEqual([
      'body.name',
      'body.notes',
    ]);
    const after = (await get(`/api/devices/${MACS.camera}`)).json() as DeviceJson;
    expect([after.name, after.notes]).toEqual([before.name, before.notes]);
    // newlines and tabs in notes, emoji and joiners in names are fine
    const fine = await send('PATCH', `/api/devices/${MACS.camera}`, {
      name: 'Kamera 👨‍👩‍👧 Einfahrt',
      notes: 'line one\r\n\tline two',
    });
    expect(fine.statusCode).toBe(200);
    expect((fine.json() as DeviceJson).name).toBe('Kamera 👨‍👩‍👧 Einfahrt');
    await send('PATCH', `/api/devices/${MACS.camera}`, { name: before.name, notes: before.notes });
    const key = await send('POST', '/api/keys', { name: 'grafana\u2066', scope: 'read' });
    expect(key.statusCode).toBe(400);
    expect((key.json() as ApiErrorBody).issues?.[0]?.path).toBe('body.name');
    const scan = await send('POST', '/api/scans', { kind: 'sweep', reason: 'because\u0007' });
    expect(scan.statusCode).toBe(400);
    expect((scan.json() as ApiErrorBody).issues?.[0]?.path).toBe('body.reason');
  });

  it('history returns ip history, presence, port events and changes', async () => {
    const r = await get(`/api/devices/${MACS.nas}/history`);
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(b.ip_history[0].ip).toBe('10.213.0.10');
    expect(b.presence[0].online).toBe(true);
    expect(b.ports.some((p: { port: number; event: string }) => p.port === 445 && p.event === 'opened')).toBe(
      true,
    );
    expect(b.changes.some((c: { type: string }) => c.type === 'port_opened')).toBe(true);
    expect((await get('/api/devices/00:00:00:00:00:09/history')).statusCode).toBe(404);
  });

  it('POST scan → 202 and asks the scanner for that device', async () => {
    const r = await send('POST', `/api/devices/${MACS.nas}/scan`);
    expect(r.statusCode).toBe(202);
    expect(r.json().queued).toBe(true);
    expect(h.scanner.calls.at(-1)).toMatchObject({ kind: 'device', mac: MACS.nas });
    expect((await send('POST', '/api/devices/00:00:00:00:00:09/scan')).statusCode).toBe(404);
  });

  it('vendors list', async () => {
    expect((await get('/api/vendors')).statusCode).toBe(200);
  });
});

describe('scans, changes, findings', () => {
  it('lists scans and one scan with hosts; 404/400', async () => {
    const list = (await get('/api/scans?kind=ports&status=finished')).json();
    expect(list.total).toBe(2);
    expect(list.items[0].status).toBe('finished');
    expect(list.items[0].progress).toMatchObject({ hosts_done: 2, hosts_total: 2, percent: 100, batches: 1 });
    const one = (await get(`/api/scans/${h.ids.ports2}`)).json();
    expect(one.hosts.find((x: { mac: string }) => x.mac === MACS.nas).ports).toHaveLength(3);
    // like with like: the previous port scan over the same hosts, not the sweep in between
    expect(one.previous_id).toBe(h.ids.ports1);
    expect(one.batches).toEqual([expect.objectContaining({ seq: 0, status: 'finished', hosts_up: 2 })]);
    const ip = (await get(`/api/scans/${h.ids.ports2}/hosts/10.213.0.10`)).json();
    expect(ip).toMatchObject({ state: 'up', host: { mac: MACS.nas } });
    expect(ip.host.ports.map((p: { port: number }) => p.port)).toEqual([22, 80, 445]);
    expect((await get(`/api/scans/${h.ids.ports2}/hosts/10.213.0.99`)).statusCode).toBe(404);
    expect((await get(`/api/scans/${h.ids.ports2}/hosts/nope`)).statusCode).toBe(400);
    expect((await get(`/api/scans/${h.ids.sweep1}/hosts/10.213.0.99`)).json().state).toBe('down');
    expect((await get('/api/scans/999')).statusCode).toBe(404);
    expect((await get('/api/scans/abc')).statusCode).toBe(400);
    expect((await get('/api/scans?status=nope')).statusCode).toBe(400);
  });

  it('compares two scans: new port and service change', async () => {
    const r = await get(`/api/scans/${h.ids.ports1}/compare/${h.ids.ports2}`);
    expect(r.statusCode).toBe(200);
    const c = r.json();
    expect(c.new_ports).toEqual([
      expect.objectContaining({ mac: MACS.nas, port: 445, product: 'Samba smbd', hostname: 'nas.lan' }),
    ]);
    expect(c.service_changes).toEqual([
      expect.objectContaining({ port: 22, before: expect.objectContaining({ version: '8.9p1' }) }),
    ]);
    expect(c.removed_ports).toEqual([]);
    expect((await get(`/api/scans/${h.ids.ports1}/compare/999`)).statusCode).toBe(404);
  });

  it('refuses to compare a sweep with a port scan', async () => {
    const r = await get(`/api/scans/${h.ids.sweep1}/compare/${h.ids.ports2}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/is a sweep and scan \d+ a port scan/);
  });

  it('POST scans → 202 (sweep default, ports), bad kind → 400', async () => {
    const r = await send('POST', '/api/scans', {});
    expect(r.statusCode).toBe(202);
    const body = r.json();
    expect(body.scan_id).toBeGreaterThan(h.ids.ports2);
    expect(r.headers.location).toBe(`scans/${body.scan_id}`);
    const queued = (await get(`/api/scans/${body.scan_id}`)).json();
    expect(queued).toMatchObject({ status: 'queued', kind: 'sweep', run_started_at: null });
    expect(
      (await send('POST', '/api/scans', { kind: 'sweep', profile: 'top100', targets: ['10.213.0.5'] }))
        .statusCode,
    ).toBe(503);
    expect((await send('POST', '/api/scans', { kind: 'ports' })).statusCode).toBe(202);
    expect(h.scanner.calls.slice(-2).map((c) => c.kind)).toEqual(['sweep', 'ports']);
    expect((await send('POST', '/api/scans', { kind: 'xmas' })).statusCode).toBe(400);
    expect(h.audit.list({ action: 'scan.request' }).total).toBe(2);
  });

  it('changes filter by type/mac/severity; bad type → 400', async () => {
    const r = (await get(`/api/changes?type=port_opened&mac=${MACS.nas.replace(/:/g, '')}`)).json();
    expect(r.total).toBeGreaterThan(0);
    expect(
      r.items.every((c: { type: string; mac: string }) => c.type === 'port_opened' && c.mac === MACS.nas),
    ).toBe(true);
    expect((await get('/api/changes?type=nope')).statusCode).toBe(400);
    expect((await get('/api/changes?since=yesterday')).statusCode).toBe(400);
  });

  it('findings/alerts degrade to empty lists; mutations 503 without the module', async () => {
    expect((await get('/api/findings')).json()).toEqual({ items: [], total: 0, limit: 100, offset: 0 });
    expect((await get('/api/alerts')).json().items).toEqual([]);
    expect((await get('/api/alert-rules')).json().items).toEqual([]);
    expect((await get('/api/webhooks')).json().items).toEqual([]);
    expect(
      (
        await send('POST', '/api/alert-rules', {
          name: 'x',
          events: ['new_device'],
          channels: ['ha_notify'],
        })
      ).statusCode,
    ).toBe(503);
    const bad = await send('POST', '/api/webhooks', { name: 'x', url: 'ftp://x' });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ApiErrorBody).issues?.[0]?.path).toBe('body.url');
    expect((await send('POST', '/api/alerts/1/ack')).statusCode).toBe(503);
    expect((await get('/api/webhooks/1/deliveries')).statusCode).toBe(404);
  });
});

describe('keys, audit, meta', () => {
  it('creates a key (secret once), lists without secrets, revokes; audits each', async () => {
    const c = await send('POST', '/api/keys', { name: 'prometheus', scope: 'read' });
    expect(c.statusCode).toBe(201);
    const created = c.json();
    expect(created.secret).toMatch(/^lsk_[A-Za-z0-9_-]{43}$/);
    const list = (await get('/api/keys')).json();
    expect(JSON.stringify(list)).not.toContain(created.secret);
    expect(list.items[0].prefix).toBe(created.secret.slice(0, 10));
    const rev = await send('DELETE', `/api/keys/${created.id}`);
    expect(rev.json().revoked_at).not.toBeNull();
    expect((await get('/api/keys')).json().total).toBe(0);
    expect((await get('/api/keys?include_revoked=true')).json().total).toBe(1);
    expect((await send('DELETE', '/api/keys/999')).statusCode).toBe(404);
    expect((await send('POST', '/api/keys', { name: '', scope: 'root' })).statusCode).toBe(400);
    const audit = (await get('/api/audit?action=key.')).json();
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual(['key.revoke', 'key.create']);
    expect(audit.items[0].actor_kind).toBe('ingress');
  });

  it('openapi document lists every registered path', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/health',
      '/api/devices',
      '/api/devices/{mac}',
      '/api/devices/{mac}/history',
      '/api/devices/{mac}/scan',
      '/api/scans',
      '/api/scans/{id}',
      '/api/scans/{a}/compare/{b}',
      '/api/changes',
      '/api/findings',
      '/api/alerts',
      '/api/alerts/{id}/ack',
      '/api/alert-rules',
      '/api/alert-rules/{id}',
      '/api/webhooks',
      '/api/webhooks/{id}',
      '/api/webhooks/{id}/test',
      '/api/webhooks/{id}/deliveries',
      '/api/keys',
      '/api/keys/{id}',
      '/api/audit',
      '/api/events',
      '/api/openapi.json',
      '/metrics',
    ]) {
      expect(paths).toContain(p);
    }
    expect(Object.keys(doc.paths['/api/devices/{mac}'])).toEqual(['get', 'patch', 'delete']);
    expect(doc.paths['/api/devices'].get.parameters.map((p: { name: string }) => p.name)).toContain('sort');
    expect(
      doc.paths['/api/devices/{mac}'].patch.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('consider_home');
  });

  it('metrics are Prometheus text', async () => {
    const r = await get('/metrics');
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = r.body.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [0-9.e+-]+)$/);
    expect(r.body).toContain('lan_sentinel_devices{state="total"} 4');
    expect(r.body).toContain('lan_sentinel_scans_total{kind="ports",status="finished"} 2');
    expect(r.body).toMatch(
      /lan_sentinel_http_requests_total\{method="GET",route="\/api\/devices",status="200"\} \d+/,
    );
    expect(r.body).toContain('lan_sentinel_findings{severity="critical"} 0');
    const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(r.body)?.[1]);
    expect(rss).toBeGreaterThan(10 * 2 ** 20);
    expect(r.body).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(r.body).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
  });

  it('health and settings', async () => {
    const r = (await get('/api/health')).json();
    expect(r).toMatchObject({
      status: 'ok',
      devices: { total: 4 },
      auth: { kind: 'ingress', scope: 'admin' },
    });
    expect((await get('/api/settings')).json().settings.sweep_interval).toBe(60);
  });

  it('DELETE forgets a device and emits device:removed', async () => {
    const removed: string[] = [];
    const off = h.bus.on('device:removed', (e) => void removed.push(`${e.mac}/${e.reason}`));
    const r = await send('DELETE', `/api/devices/${MACS.gateway}`);
    off();
    expect(r.statusCode).toBe(200);
    expect(removed).toEqual([`${MACS.gateway}/forgotten`]);
    expect((await get(`/api/devices/${MACS.gateway}`)).statusCode).toBe(404);
    expect((await send('DELETE', `/api/devices/${MACS.gateway}`)).statusCode).toBe(404);
    expect(h.audit.list({ action: 'device.forget' }).total).toBe(1);
  });

  it('unknown routes → JSON 404; security headers on / and API responses', async () => {
    const r = await get('/api/nope');
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toBe('not_found');
    for (const res of [r, await get('/'), await get('/api/devices')]) {
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('static UI', () => {
  it('serves index.html and assets from uiDir, rejects traversal', async () => {
    const ui = join(h.dir, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(
      join(ui, 'index.html'),
      '<!doctype html><script type="module" src="./assets/app.js"></script>',
    );
    writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
    const h2 = await makeHarness({ uiDir: ui });
    try {
      const index = await h2.app.inject({ url: '/', ...INGRESS });
      expect(index.statusCode).toBe(200);
      expect(index.headers['content-type']).toMatch(/text\/html/);
      expect(index.body).toContain('./assets/app.js');
      const js = await h2.app.inject({ url: '/assets/app.js', remoteAddress: '192.168.1.50' });
      expect(js.statusCode).toBe(200);
      for (const url of ['/..%2f..%2fetc/passwd', '/assets/..%2f..%2f..%2fetc/passwd', '/../../etc/passwd']) {
        const t = await h2.app.inject({ url, ...INGRESS });
        expect([403, 404]).toContain(t.statusCode);
        expect(t.body).not.toContain('root:');
      }
    } finally {
      await h2.close();
    }
  });
});
