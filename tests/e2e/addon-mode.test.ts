/**
 * Add-on (Supervisor) mode end to end: the built service runs inside the simulated LAN's scanner namespace with
 * SUPERVISOR_TOKEN and an options file, as the Supervisor starts it. A fake Supervisor (HTTP, in the test
 * process, reached from the namespace through a relay) answers `/addons/self/info` and `/services/mqtt` with the
 * credentials of a mosquitto that requires authentication, and proxies `/core/websocket` to the fake HA server
 * (ha-reference §2.8, §4). The HA ingress peer 172.30.32.2 is a loopback alias inside the namespace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateDiscoverySet } from '../helpers/discoveryValidator.js';
import { FakeHaServer } from '../helpers/fakeHaServer.js';
import { CLI, eventually, ROOT, ServiceProcess } from '../helpers/serviceProcess.js';
import { defaultHosts } from '../lan/hosts.js';
import { type ScannerMosquitto, startScannerMosquitto } from '../lan/mosquitto.js';
import { type NsRelay, relayIntoNamespace, relayOutOfNamespace } from '../lan/relay.js';
import { describeLan, mosquittoAvailable } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

const TOKEN = 'supervisor-token-0123456789abcdef';
const INGRESS_PEER = '172.30.32.2';
const INGRESS_PORT = 8765;
const SLUG = '5c53de3b_lan_sentinel';
/** what the Supervisor's /info reports as Core's version (≥ 2026.7: tracker without the deprecated keys) */
const CORE_VERSION = '2026.8.1';
const SUPERVISOR_PORT_IN_NS = 8080;
const API_PORT = 8100;
const MQTT_USER = 'addons';
const MQTT_PASS = 'pw-from-the-mosquitto-app';
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const mac12 = (m: string) => m.replace(/:/g, '');

interface SupervisorRequest {
  method: string;
  path: string;
  authorized: boolean;
}

/** The Supervisor API an add-on sees, with {result, data} envelopes and Bearer auth. */
async function startFakeSupervisor(
  haPort: number,
): Promise<{ port: number; requests: SupervisorRequest[]; close(): Promise<void> }> {
  const requests: SupervisorRequest[] = [];
  const sockets = new Set<net.Socket>();
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorized });
    if (!authorized) return send(res, 401, { result: 'error', message: 'Unauthorized' });
    if (req.method === 'GET' && req.url === '/addons/self/info')
      return send(res, 200, {
        result: 'ok',
        data: {
          name: 'LAN Sentinel',
          // installed add-ons' slugs carry the repository prefix, never the bare slug
          slug: SLUG,
          version: VERSION,
          hostname: 'lan-sentinel',
          ingress: true,
          ingress_port: INGRESS_PORT,
          ingress_entry: '/api/hassio_ingress/3Zk9rTq',
          ingress_url: '/api/hassio_ingress/3Zk9rTq/',
          ip_address: '172.30.33.4',
        },
      });
    if (req.method === 'GET' && req.url === '/info')
      return send(res, 200, {
        result: 'ok',
        data: { supervisor: '2026.11.2', homeassistant: CORE_VERSION, hassos: '16.3', arch: 'amd64' },
      });
    if (req.method === 'GET' && req.url === '/services/mqtt')
      return send(res, 200, {
        result: 'ok',
        data: {
          addon: 'core_mosquitto',
          host: '127.0.0.1',
          // the documented shape is a string; the service must accept it
          port: '1883',
          ssl: false,
          protocol: '3.1.1',
          username: MQTT_USER,
          password: MQTT_PASS,
        },
      });
    return send(res, 404, { result: 'error', message: `no such endpoint ${req.url}` });
  });
  // /core/websocket: a byte-level proxy to Core's /api/websocket (the auth handshake passes through)
  server.on('upgrade', (req, socket, head) => {
    requests.push({ method: 'UPGRADE', path: req.url ?? '', authorized: true });
    if (req.url !== '/core/websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const up = net.connect(haPort, '127.0.0.1', () => {
      const lines = [`GET /api/websocket HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    for (const s of [socket as net.Socket, up]) {
      sockets.add(s);
      s.on('error', () => {
        socket.destroy();
        up.destroy();
      });
      s.on('close', () => {
        sockets.delete(s);
        socket.destroy();
        up.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describeLan('add-on mode (fake Supervisor, authenticated mosquitto, fake HA, ingress peer)', () => {
  const hosts = defaultHosts().filter((h) => ['router', 'pi', 'esp'].includes(h.name));
  let lan: SimLan;
  let broker: ScannerMosquitto;
  let ha: FakeHaServer;
  let supervisor: Awaited<ReturnType<typeof startFakeSupervisor>>;
  let supervisorRelay: NsRelay;
  let ingress: NsRelay;
  let svc: ServiceProcess;
  let sub: MqttClient;
  let dir: string;
  const retained = new Map<string, string>();

  /** The environment the Supervisor gives the add-on, pointed at this test's fakes. */
  const addonEnv = (token: string, optionsFile: string) => ({
    SUPERVISOR_TOKEN: token,
    LAN_SENTINEL_OPTIONS_FILE: join(dir, optionsFile),
    LAN_SENTINEL_SUPERVISOR_URL: `http://127.0.0.1:${SUPERVISOR_PORT_IN_NS}`,
    LAN_SENTINEL_WWW_DIR: join(dir, 'www'),
  });

  const viaIngress = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://${ingress.host}:${ingress.port}/${path}`, {
      headers: { 'X-Ingress-Path': '/api/hassio_ingress/3Zk9rTq', ...headers },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-addon-'));
    lan = await SimLan.create({ hosts });
    await lan.execInScanner('ip', ['addr', 'add', `${INGRESS_PEER}/32`, 'dev', 'lo']);
    broker = await startScannerMosquitto(lan, { username: MQTT_USER, password: MQTT_PASS });
    ha = await FakeHaServer.start({ token: TOKEN });
    supervisor = await startFakeSupervisor(Number(new URL(ha.url).port));
    supervisorRelay = await relayOutOfNamespace(lan.scannerNs, SUPERVISOR_PORT_IN_NS, supervisor.port);
    sub = await mqtt.connectAsync(broker.hostUrl, {
      username: MQTT_USER,
      password: MQTT_PASS,
      reconnectPeriod: 200,
    });
    sub.on('message', (topic, payload) => {
      if (payload.length === 0) retained.delete(topic);
      else retained.set(topic, payload.toString());
    });
    await sub.subscribeAsync(['homeassistant/#', 'lan_sentinel/#'], { qos: 1 });
    // what the Supervisor writes to /data/options.json: every option, defaults filled in
    const options = {
      subnets: [lan.subnet],
      exclude: [],
      sweep_interval: 3600,
      consider_home: 180,
      port_scan_schedule: 'off',
      port_profile: 'top100',
      ports: [],
      discovery_prefix: 'homeassistant',
      base_topic: 'lan_sentinel',
      notify_services: [],
      notify_on: ['new_device', 'device_offline', 'threat_detected'],
      install_card: true,
      api_port: 0,
      log_level: 'debug',
      retention_days: 90,
    };
    writeFileSync(join(dir, 'options.json'), JSON.stringify(options));
    svc = await ServiceProcess.start(lan, {
      httpPort: INGRESS_PORT,
      dataDir: join(dir, 'data'),
      readyPattern: /ingress listening on port/,
      env: addonEnv(TOKEN, 'options.json'),
    });
    ingress = await relayIntoNamespace(lan.scannerNs, INGRESS_PORT, lan.scannerIp, 10_000, INGRESS_PEER);
  }, 90_000);

  afterAll(async () => {
    await sub?.endAsync(true);
    svc?.cleanup();
    await ingress?.close();
    await supervisorRelay?.close();
    await supervisor?.close();
    await ha?.close();
    await broker?.stop();
    await lan?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('asks the Supervisor for its ingress port and the MQTT service, with the token', async () => {
    const paths = supervisor.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('GET /addons/self/info');
    expect(paths).toContain('GET /services/mqtt');
    expect(supervisor.requests.every((r) => r.authorized)).toBe(true);
    expect(svc.log).toMatch(/LAN Sentinel \S+ \(add-on\)/);
    expect(svc.log).not.toContain(MQTT_PASS);
    expect(svc.log).not.toContain(TOKEN);
  });

  it('authenticates to the broker with the Supervisor credentials and publishes valid discovery', async () => {
    await eventually(
      () =>
        hosts.every((h) => retained.has(`homeassistant/device/lan_sentinel_${mac12(h.mac)}/config`)) &&
        retained.has('homeassistant/device/lan_sentinel_hub/config'),
      60_000,
      'hub and per-host discovery configs',
    );
    expect(retained.get('lan_sentinel/status')).toBe('online');
    const all = [...retained]
      .filter(([t]) => t.startsWith('homeassistant/device/'))
      .map(([topic, payload]) => ({ topic, payload }));
    expect(validateDiscoverySet(all)).toEqual([]);
    const hub = JSON.parse(retained.get('homeassistant/device/lan_sentinel_hub/config')!) as {
      device: { configuration_url?: string };
    };
    // add-on mode links into the ingress panel /app/<real slug>, not a host:port and not the bare slug
    expect(hub.device.configuration_url).toBe(`homeassistant://app/${SLUG}`);
    // Core 2026.8 (from the Supervisor's /info): the tracker without the deprecated keys, in_zones attributes
    expect(supervisor.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /info');
    const host = hosts[0]!;
    const dev = JSON.parse(retained.get(`homeassistant/device/lan_sentinel_${mac12(host.mac)}/config`)!) as {
      device: { configuration_url?: string };
      components: Record<string, Record<string, unknown>>;
    };
    expect(dev.device.configuration_url).toBe(`homeassistant://app/${SLUG}`);
    const tracker = dev.components.presence!;
    expect(tracker.platform).toBe('device_tracker');
    for (const k of ['state_topic', 'value_template', 'payload_home', 'payload_not_home'])
      expect(tracker, k).not.toHaveProperty(k);
    expect(tracker.json_attributes_topic).toBe(`lan_sentinel/device/${mac12(host.mac)}/state`);
    const st = JSON.parse(retained.get(`lan_sentinel/device/${mac12(host.mac)}/state`)!) as Record<
      string,
      unknown
    >;
    expect(st.in_zones).toEqual(['zone.home']);
    expect(st.source_type).toBe('router');
    // the broker refuses anonymous clients, so the discovery above proves the credentials were used
    const anon = mqtt.connect(broker.hostUrl, { reconnectPeriod: 0, connectTimeout: 5_000 });
    const refused = await new Promise<string>((r) => {
      anon.once('error', (e) => r(String((e as Error).message)));
      anon.once('connect', () => r('connected'));
    });
    anon.end(true);
    expect(refused).not.toBe('connected');
  }, 90_000);

  it('serves ingress to the ingress peer only', async () => {
    const health = await viaIngress('api/health');
    expect(health.status).toBe(200);
    const devices = await viaIngress('api/devices?limit=50');
    expect(devices.status).toBe(200);
    const macs = (JSON.parse(devices.text) as { items: Array<{ mac: string }> }).items.map((d) => d.mac);
    for (const h of hosts) expect(macs).toContain(h.mac);
    const ui = await viaIngress('');
    expect(ui.status).toBe(200);
    expect(ui.type).toMatch(/text\/html/);
    // the UI uses relative URLs only, so it works under /api/hassio_ingress/<token>/
    expect(ui.text).not.toMatch(/(src|href)="\/(?!\/)/);
    // any other peer is refused, even with forged ingress headers
    const forged = await svc.api('api/health', {
      headers: { 'X-Ingress-Path': '/api/hassio_ingress/3Zk9rTq', 'X-Remote-User-Id': 'admin' },
    });
    expect(forged.status).toBe(403);
    expect((await svc.api('api/devices')).status).toBe(403);
  });

  it('opens no listener but ingress (the Dockerfile HEALTHCHECK uses it; no extra health port)', async () => {
    const pid = svc.child.pid!;
    const out = await lan.execInScanner('ss', ['-ltnpH']);
    const ports = out.stdout
      .split('\n')
      .filter((l) => l.includes(`pid=${pid},`))
      .map((l) => Number(l.trim().split(/\s+/)[3]?.split(':').pop()));
    expect(new Set(ports)).toEqual(new Set([INGRESS_PORT]));
    // what the Dockerfile HEALTHCHECK runs: dist/healthcheck.js against the heartbeat in the data dir
    const check = spawnSync(process.execPath, [join(ROOT, 'dist', 'healthcheck.js')], {
      env: { ...process.env, LAN_SENTINEL_DATA_DIR: join(dir, 'data') },
      encoding: 'utf8',
    });
    expect(check.status, check.stderr).toBe(0);
  });

  it('installs the card into www and registers it as a module resource, once', async () => {
    const url = `/local/lan-sentinel/lan-sentinel-card.js?v=${VERSION}`;
    await eventually(() => ha.resources.some((r) => r.url === url), 30_000, 'the card resource');
    expect(ha.resources.filter((r) => r.url.startsWith('/local/lan-sentinel/'))).toEqual([
      expect.objectContaining({ url, type: 'module' }),
    ]);
    const written = readFileSync(join(dir, 'www', 'lan-sentinel', 'lan-sentinel-card.js'));
    const built = readFileSync(join(ROOT, 'frontend-card', 'dist', 'lan-sentinel-card.js'));
    expect(written.equals(built)).toBe(true);
    // www did not exist before: one persistent notification asks for one Core restart
    const notes = ha.calls.filter((c) => c.domain === 'persistent_notification' && c.service === 'create');
    expect(notes).toHaveLength(1);
    expect(String(notes[0]!.service_data?.message)).toMatch(/restart Home Assistant/i);
    expect(String(notes[0]!.service_data?.message)).toContain(join(dir, 'www'));
    // the websocket went through the Supervisor's proxy, authenticated with SUPERVISOR_TOKEN
    expect(supervisor.requests.some((r) => r.method === 'UPGRADE' && r.path === '/core/websocket')).toBe(
      true,
    );
    expect(ha.authOk).toBeGreaterThanOrEqual(1);
  });

  it('SIGTERM stops within 10 s and leaves lan_sentinel/status offline', async () => {
    const r = await svc.stop('SIGTERM');
    expect(r.ms).toBeLessThan(10_000);
    expect(r.code).toBe(0);
    await eventually(() => retained.get('lan_sentinel/status') === 'offline', 5_000, 'status offline');
  });

  it('api_port opens a second listener that answers API keys only', async () => {
    const created = execFileSync(
      process.execPath,
      [CLI, 'keys', 'create', 'grafana', '--scope', 'read', '--json', '--data-dir', join(dir, 'data')],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SUPERVISOR_TOKEN: '' } },
    );
    const { secret } = JSON.parse(created.trim().split('\n').at(-1)!) as { secret: string };
    const opts = JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'options-api.json'), JSON.stringify({ ...opts, api_port: API_PORT }));
    const withApi = await ServiceProcess.start(lan, {
      httpPort: API_PORT,
      dataDir: join(dir, 'data'),
      readyPattern: /API port \d+ open/,
      env: addonEnv(TOKEN, 'options-api.json'),
    });
    try {
      // loopback is not trusted on the API port, and neither are forged ingress headers
      expect((await withApi.api('api/devices')).status).toBe(401);
      const forged = await withApi.api('api/devices', {
        headers: { 'X-Ingress-Path': '/api/hassio_ingress/x' },
      });
      expect(forged.status).toBe(401);
      const wrong = await withApi.api('api/devices', { headers: { Authorization: 'Bearer wrong' } });
      expect(wrong.status).toBe(401);
      const ok = await withApi.api<{ items: Array<{ mac: string }> }>('api/devices', {
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.items.map((d) => d.mac)).toEqual(expect.arrayContaining(hosts.map((h) => h.mac)));
      // a read key may not change anything
      const patch = await withApi.api(`api/devices/${hosts[0]!.mac}`, {
        method: 'PATCH',
        body: JSON.stringify({ name: 'x' }),
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(patch.status).toBe(403);
      expect((await withApi.stop('SIGTERM')).code).toBe(0);
    } finally {
      withApi.cleanup();
    }
  }, 60_000);

  it('a rejected SUPERVISOR_TOKEN stops start-up with a message naming the Supervisor', async () => {
    const bad = await ServiceProcess.start(lan, {
      httpPort: INGRESS_PORT,
      dataDir: join(dir, 'data-bad'),
      readyPattern: /ingress listening on port/,
      startTimeoutMs: 20_000,
      env: addonEnv('wrong-token', 'options.json'),
    }).catch((err: unknown) => err as Error);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error).message).toMatch(/Supervisor/);
    expect((bad as Error).message).toMatch(/"code":78/);
  }, 30_000);
}, [mosquittoAvailable()]);
