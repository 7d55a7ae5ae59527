/**
 * Security of the real running service (dist/cli.js run) inside the simulated LAN's scanner namespace:
 * - issue 13 finding 1: a real reverse-proxy process that rewrites Host to 127.0.0.1:<port> (nginx's default
 *   proxy_pass) no longer turns every client into an admin; the one-time login link and its session cookie
 *   work through the proxy;
 * - finding 5: `lan-sentinel cve import` (another process) applies to the running service at once: the
 *   "now active" it prints is the service's own rule count and the device's finding is there without a
 *   restart; a hostile feed (one record with 20,000 ranges) is refused naming the field and changes nothing;
 * - finding 7: a second instance on the same data dir refuses to start naming the first one's pid; a refused
 *   bind (LAN address without API keys, or a port in use) exits non-zero and publishes nothing on MQTT.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, eventually, ROOT, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { defaultHosts } from '../lan/hosts.js';
import { type NsRelay, relayIntoNamespace } from '../lan/relay.js';
import { describeLan } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

const PROXY = join(ROOT, 'tests/helpers/hostRewriteProxy.mjs');
const PROXY_PORT = 18080;

describeLan('security of the running service (simulated LAN)', () => {
  let lan: SimLan;
  let svc: ServiceProcess;
  let proxy: ChildProcess;
  let proxyRelay: NsRelay;
  let brokerRelay: NsRelay;
  let sub: MqttClient;
  const seen: string[] = [];

  beforeAll(async () => {
    lan = await SimLan.create({ hosts: defaultHosts().slice(0, 1) });
    // standalone: the embedded broker listens on 127.0.0.1:1883 in the scanner namespace
    svc = await ServiceProcess.start(lan, {
      // one TCP port: the first-start port scan of the router takes seconds, not minutes
      flags: serviceFlags({ ports: '80' }),
    });
    proxy = lan.spawnInScanner(process.execPath, [
      PROXY,
      '127.0.0.1',
      String(PROXY_PORT),
      String(svc.httpPort),
    ]);
    await new Promise<void>((resolve, reject) => {
      proxy.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) resolve();
      });
      proxy.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
    });
    proxyRelay = await relayIntoNamespace(lan.scannerNs, PROXY_PORT);
    brokerRelay = await relayIntoNamespace(lan.scannerNs, 1883);
    sub = mqtt.connect(`mqtt://127.0.0.1:${brokerRelay.port}`, { reconnectPeriod: 200 });
    sub.on('message', (topic) => seen.push(topic));
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync('#', { qos: 1 });
  }, 90_000);

  afterAll(async () => {
    await sub?.endAsync();
    proxy?.kill('SIGTERM');
    await proxyRelay?.close();
    await brokerRelay?.close();
    svc?.cleanup();
    await lan?.destroy();
  }, 60_000);

  const viaProxy = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${proxyRelay.port}/${path}`, { redirect: 'manual', ...init });

  it('through a Host-rewriting reverse proxy, POST api/keys without credentials is refused; the login link works once', async () => {
    const create = await viaProxy('api/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stolen', scope: 'admin' }),
    });
    expect(create.status).toBe(401);
    expect((await viaProxy('api/devices')).status).toBe(401);
    const keys = await svc.api<{ items: Array<{ name: string }> }>('api/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.items.map((k) => k.name)).not.toContain('stolen');

    // the link printed at start signs a browser in, through the proxy too, exactly once
    const printed = /web UI on (http:\/\/\S+\/login\?token=[A-Za-z0-9_-]{43})/.exec(svc.log);
    expect(printed, svc.log.slice(-2000)).not.toBeNull();
    const path = new URL(printed![1]!).pathname.slice(1) + new URL(printed![1]!).search;
    const login = await viaProxy(path);
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^lsn_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const session = cookie.split(';')[0]!;
    const made = await viaProxy('api/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session },
      body: JSON.stringify({ name: 'by-session', scope: 'read' }),
    });
    expect(made.status).toBe(201);
    expect((await viaProxy(path)).status).toBe(401);

    // `lan-sentinel login` (authenticated by the 0600 token file) prints a fresh one-time link
    expect(statSync(join(svc.dataDir, 'cli-token')).mode & 0o777).toBe(0o600);
    const r = await lan.execInScanner(process.execPath, [CLI, 'login', '--data-dir', svc.dataDir], {
      cwd: ROOT,
      timeoutMs: 20_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const link = new URL(r.stdout.trim());
    expect(link.pathname).toBe('/login');
    expect((await viaProxy(`login${link.search}`)).status).toBe(303);
    // the audit names the session, not "loopback"
    const audit = await svc.api<{ items: Array<{ action: string; actor_kind: string }> }>(
      'api/audit?action=key.create',
    );
    expect(audit.body.items[0]).toMatchObject({ actor_kind: 'session' });
  });

  it('cve import by the CLI is active in the running service at once; a hostile feed is refused naming the field', async () => {
    const router = defaultHosts()[0]!;
    // a port scan finds lighttpd/1.4.59 on the router
    await eventually(
      async () => (await svc.api(`api/devices/${router.mac}`)).status === 200,
      30_000,
      'the first sweep found the router',
    );
    await eventually(
      async () =>
        typeof (await svc.api<{ ports_scanned_at?: string | null }>(`api/devices/${router.mac}`)).body
          .ports_scanned_at === 'string',
      60_000,
      'the router is port-scanned',
    );
    const findings = async () =>
      (
        await svc.api<{ items: Array<{ cve: string | null; severity: string }> }>(
          `api/findings?mac=${router.mac}`,
        )
      ).body.items;
    expect((await findings()).map((f) => f.cve)).not.toContain('CVE-2099-4242');
    const record = (score: number) => ({
      cve: {
        id: 'CVE-2099-4242',
        descriptions: [{ lang: 'en', value: 'Fixture: a made-up lighttpd flaw before 1.4.60.' }],
        metrics: { cvssMetricV31: [{ cvssData: { baseScore: score, baseSeverity: 'CRITICAL' } }] },
        configurations: [
          {
            nodes: [
              {
                cpeMatch: [
                  {
                    vulnerable: true,
                    criteria: 'cpe:2.3:a:lighttpd:lighttpd:*:*:*:*:*:*:*:*',
                    versionEndExcluding: '1.4.60',
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'lsn-feed-'));
    try {
      const cveImport = (file: string) =>
        lan.execInScanner(process.execPath, [CLI, 'cve', 'import', file, '--data-dir', svc.dataDir], {
          cwd: ROOT,
          timeoutMs: 30_000,
        });
      const before = (await svc.api<{ rules_active: number }>('api/cve')).body.rules_active;
      // one record with 20,000 ranges: refused whole, naming the field; nothing changes
      const hostile = join(dir, 'hostile.json');
      const huge = record(9.8);
      huge.cve.configurations[0]!.nodes[0]!.cpeMatch = Array.from({ length: 20_000 }, (_, i) => ({
        vulnerable: true,
        criteria: `cpe:2.3:a:lighttpd:lighttpd:1.${i}:*:*:*:*:*:*:*`,
        versionEndExcluding: '1.4.60',
      }));
      writeFileSync(hostile, JSON.stringify({ format: 'NVD_CVE', vulnerabilities: [huge] }));
      const bad = await cveImport(hostile);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain(
        'vulnerabilities[0].cve.configurations[0].nodes[0].cpeMatch: at most 10000 CPE matches (got 20000)',
      );
      expect((await svc.api<{ rules_active: number }>('api/cve')).body.rules_active).toBe(before);

      const good = join(dir, 'nvdcve-2.0-recent.json.gz');
      writeFileSync(good, gzipSync(JSON.stringify({ format: 'NVD_CVE', vulnerabilities: [record(9.8)] })));
      const r = await cveImport(good);
      expect(r.code, r.stderr).toBe(0);
      const m = /(\d+) CVE rules are now active/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      const active = Number(m![1]);
      expect(active).toBe(before + 1);
      // no restart, no waiting: the service answered after it had applied the feed
      expect((await svc.api<{ rules_active: number }>('api/cve')).body.rules_active).toBe(active);
      expect(await findings()).toContainEqual(
        expect.objectContaining({ cve: 'CVE-2099-4242', severity: 'critical' }),
      );
      expect(svc.exited).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a second instance on the same data dir refuses to start and names the first one’s pid', async () => {
    const r = await lan.execInScanner(
      process.execPath,
      [CLI, 'run', '--subnets', lan.subnet, '--data-dir', svc.dataDir, '--http-port', '8111'],
      { cwd: ROOT, timeoutMs: 30_000 },
    );
    expect(r.signal).toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`in use by another LAN Sentinel (pid ${svc.child.pid})`);
    // the first one is untouched
    expect((await svc.api('api/health')).status).toBe(200);
  });

  it('a refused bind exits non-zero and publishes nothing', async () => {
    for (const [name, extra] of [
      ['lan-bind', ['--http-host', '0.0.0.0', '--http-port', '8112']],
      ['port-in-use', ['--http-port', String(svc.httpPort)]],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'lsn-bind-'));
      try {
        const r = await lan.execInScanner(
          process.execPath,
          [
            CLI,
            'run',
            '--subnets',
            lan.subnet,
            '--data-dir',
            dir,
            '--mqtt-url',
            'mqtt://127.0.0.1:1883',
            '--base-topic',
            `lsn_${name.replace('-', '_')}`,
            '--discovery-prefix',
            `ha_${name.replace('-', '_')}`,
            ...extra,
          ],
          { cwd: ROOT, timeoutMs: 30_000 },
        );
        expect(r.signal, `${name}: ${r.stderr}`).toBeNull();
        expect(r.code, name).not.toBe(0);
        expect(r.stderr, name).toMatch(/http_(host|port)/);
        await new Promise((res) => setTimeout(res, 500));
        expect(
          seen.filter((t) => t.includes(name.replace('-', '_'))),
          name,
        ).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    await eventually(
      () => seen.some((t) => t.startsWith('lan_sentinel/')),
      5_000,
      'the first service publishes',
    );
  });
});
