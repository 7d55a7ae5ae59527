/**
 * End to end on the simulated LAN: the real service (dist/cli.js) runs inside the scanner namespace with real
 * nmap, a real mosquitto in that namespace, and real service emulators on the hosts. Covers the scanning core,
 * MQTT discovery/states/events/commands, threats, presence and shutdown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateDiscoverySet } from '../helpers/discoveryValidator.js';
import { CLI, eventually, ROOT, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { defaultHosts } from '../lan/hosts.js';
import { type ScannerMosquitto, startScannerMosquitto } from '../lan/mosquitto.js';
import { describeLan, mosquittoAvailable } from '../lan/requireLan.js';
import { ssh } from '../lan/services.js';
import { SimLan } from '../lan/sim-lan.js';

const mac12 = (m: string) => m.replace(/:/g, '');

interface ChangeJson {
  type: string;
  mac: string | null;
  severity: string;
  before?: unknown;
  after?: unknown;
}
interface DeviceJson {
  mac: string;
  ip: string | null;
  vendor: string | null;
  randomized: boolean;
  presence: string;
  online: boolean;
  risk: string;
  ports: Array<{ port: number; product: string | null; version: string | null }>;
}
interface ScanJson {
  id: number;
  kind: string;
  status: string;
  finished_at: string | null;
}

describeLan('LAN Sentinel on the simulated LAN', () => {
  let lan: SimLan;
  let broker: ScannerMosquitto;
  let svc: ServiceProcess;
  let sub: MqttClient;
  const retained = new Map<string, string>();
  const events: Array<Record<string, unknown>> = [];
  const hosts = defaultHosts();

  const lastScanId = async (kind: 'sweep' | 'ports'): Promise<number> => {
    const r = await svc.api<{ items: ScanJson[] }>(`api/scans?kind=${kind}&limit=1`);
    return r.body.items[0]?.id ?? 0;
  };
  /** Requests a scan (or presses a button) and waits until a newer scan of that kind has finished. */
  const scanAndWait = async (
    kind: 'sweep' | 'ports',
    trigger?: () => Promise<unknown>,
    timeoutMs = 90_000,
  ) => {
    const before = await lastScanId(kind);
    if (trigger) await trigger();
    else
      expect((await svc.api('api/scans', { method: 'POST', body: JSON.stringify({ kind }) })).status).toBe(
        202,
      );
    const done = await eventually(
      async () => {
        const r = await svc.api<{ items: ScanJson[] }>(`api/scans?kind=${kind}&limit=5`);
        return (
          r.body.items.find((s) => s.id > before && s.status !== 'running' && s.status !== 'queued') ?? null
        );
      },
      timeoutMs,
      `a ${kind} scan newer than #${before} to finish`,
    );
    // port scans of many devices run in batches: wait until the scanner is idle
    await eventually(
      async () => {
        const h = await svc.api<{ scanner: { running: boolean; queue: number } }>('api/health');
        return !h.body.scanner.running && h.body.scanner.queue === 0;
      },
      timeoutMs,
      'the scanner to be idle',
    );
    if (done.status !== 'finished')
      throw new Error(`scan #${done.id} ${done.status}; service log:\n${svc.log.slice(-3000)}`);
    return done;
  };
  const changes = async (type: string, mac?: string) =>
    (await svc.api<{ items: ChangeJson[] }>(`api/changes?type=${type}${mac ? `&mac=${mac}` : ''}&limit=100`))
      .body.items;
  const device = async (mac: string) => (await svc.api<DeviceJson>(`api/devices/${mac}`)).body;
  const stateOf = (mac: string) =>
    JSON.parse(retained.get(`lan_sentinel/device/${mac12(mac)}/state`) ?? '{}') as Record<string, unknown>;

  beforeAll(async () => {
    lan = await SimLan.create({ defaultRoute: true });
    broker = await startScannerMosquitto(lan);
    sub = mqtt.connect(broker.hostUrl, { reconnectPeriod: 200 });
    sub.on('message', (topic, payload, packet) => {
      if (
        packet.retain ||
        topic.startsWith('homeassistant/') ||
        topic.endsWith('/state') ||
        topic.endsWith('/status')
      ) {
        if (payload.length === 0) retained.delete(topic);
        else retained.set(topic, payload.toString());
      }
      if (topic === 'lan_sentinel/event')
        events.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync('#', { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    await sub?.endAsync();
    svc?.cleanup();
    await broker?.stop();
    await lan?.destroy();
  }, 60_000);

  it('scan --once --json finds every host with the right MAC, IP and vendor, and flags the randomized MAC', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lsn-once-'));
    try {
      const r = await lan.execInScanner(
        process.execPath,
        [CLI, 'scan', '--once', '--json', '--subnets', lan.subnet, '--data-dir', dataDir],
        {
          cwd: ROOT,
          timeoutMs: 60_000,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { hosts: DeviceJson[]; scan: { status: string } };
      expect(out.scan.status).toBe('finished');
      for (const h of hosts) {
        const d = out.hosts.find((x) => x.mac === h.mac);
        expect(d, `host ${h.name} ${h.mac}`).toBeDefined();
        expect(d!.ip).toBe(lan.host(h.name).ip);
        expect(d!.randomized).toBe(h.randomized);
        expect(d!.vendor).toBe(h.randomized ? null : h.vendor);
      }
      expect(out.hosts.find((x) => x.mac === hosts.find((h) => h.randomized)!.mac)!.vendor).toBeNull();
      // the scanner itself has no MAC in its own sweep and is not a device
      expect(out.hosts).toHaveLength(hosts.length);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('runs as a service: discovery for every host passes the checker rules', async () => {
    svc = await ServiceProcess.start(lan, {
      flags: serviceFlags({ mqttUrl: broker.url, considerHome: 3, ports: '21,22,23,80,2222' }),
    });
    await eventually(
      async () =>
        (await lastScanId('sweep')) > 0 &&
        (await svc.api<{ items: ScanJson[] }>('api/scans?kind=sweep&limit=1')).body.items[0]?.status ===
          'finished',
      60_000,
      'the start-up sweep',
    );
    const configs = await eventually(
      () => {
        const c = [...retained].filter(([t]) =>
          /^homeassistant\/device\/lan_sentinel_[0-9a-f]{12}\/config$/.test(t),
        );
        return c.length >= hosts.length ? c : null;
      },
      20_000,
      'a discovery config per host',
    );
    for (const h of hosts)
      expect(retained.has(`homeassistant/device/lan_sentinel_${mac12(h.mac)}/config`), h.name).toBe(true);
    const all = [...retained]
      .filter(([t]) => t.startsWith('homeassistant/device/'))
      .map(([topic, payload]) => ({ topic, payload }));
    expect(validateDiscoverySet(all)).toEqual([]);
    expect(configs.length).toBe(hosts.length);
    expect(retained.get('lan_sentinel/status')).toBe('online');
    const pi = hosts.find((h) => h.name === 'pi')!;
    expect(stateOf(pi.mac)).toMatchObject({
      presence: 'home',
      in_zones: ['zone.home'],
      source: 'lan_sentinel',
      ip: lan.host('pi').ip,
    });
  }, 120_000);

  it('a new host raises new_device within one sweep, also on the MQTT event topic', async () => {
    const mac = 'b8:27:eb:aa:bb:01';
    await lan.addHost({ name: 'newpi', mac, ip: 120 });
    await scanAndWait('sweep');
    const c = await changes('new_device', mac);
    expect(c).toHaveLength(1);
    await eventually(
      () => events.find((e) => e.event_type === 'new_device' && e.mac === mac),
      10_000,
      'the new_device MQTT event',
    );
    await eventually(
      () => retained.has(`homeassistant/device/lan_sentinel_${mac12(mac)}/config`),
      10_000,
      'its discovery',
    );
  }, 120_000);

  it('a changed IP raises ip_changed', async () => {
    const esp = hosts.find((h) => h.name === 'esp')!;
    await lan.setHostIp('esp', 121);
    await scanAndWait('sweep');
    const c = await changes('ip_changed', esp.mac);
    expect(c.length).toBeGreaterThanOrEqual(1);
    expect((await device(esp.mac)).ip).toBe(lan.ip(121));
  }, 120_000);

  it('a removed host goes not_home after consider_home and two missed sweeps, raising device_offline', async () => {
    const nest = hosts.find((h) => h.name === 'nest')!;
    await lan.removeHost('nest');
    await scanAndWait('sweep');
    expect((await device(nest.mac)).presence).toBe('home'); // one missed sweep is not enough
    await new Promise((r) => setTimeout(r, 3_500));
    await scanAndWait('sweep');
    expect((await device(nest.mac)).presence).toBe('not_home');
    expect(await changes('device_offline', nest.mac)).toHaveLength(1);
    await eventually(
      () =>
        stateOf(nest.mac).presence === 'not_home' && (stateOf(nest.mac).in_zones as unknown[]).length === 0,
      10_000,
      'tracker state not_home',
    );
  }, 120_000);

  it('the hub scan_now button starts a sweep', async () => {
    await scanAndWait('sweep', () => sub.publishAsync('lan_sentinel/hub/scan_now', 'PRESS'));
  }, 120_000);

  it('a port scan finds the vulnerable services and rates them (vsftpd 2.3.4 critical)', async () => {
    await scanAndWait('ports', undefined, 180_000);
    const oldbox = await device(hosts.find((h) => h.name === 'oldbox')!.mac);
    expect(oldbox.risk).toBe('critical');
    const findings = (
      await svc.api<{
        items: Array<{
          mac: string;
          cve?: string | null;
          severity: string;
          kind: string;
          port?: number | null;
        }>;
      }>('api/findings?limit=200')
    ).body.items;
    const by = (name: string) => findings.filter((f) => f.mac === hosts.find((h) => h.name === name)!.mac);
    expect(by('oldbox').some((f) => f.cve === 'CVE-2011-2523' && f.severity === 'critical')).toBe(true);
    expect(by('nas').some((f) => f.cve === 'CVE-2021-41773')).toBe(true);
    expect(by('nas').some((f) => f.cve === 'CVE-2021-42013')).toBe(true);
    expect(by('pi').some((f) => f.cve === 'CVE-2018-15473')).toBe(true);
    expect(by('camera').some((f) => f.kind === 'risky_port' && f.port === 23)).toBe(true);
    expect(by('pi4')).toHaveLength(0);
    expect((await changes('threat_detected')).length).toBeGreaterThanOrEqual(4);
    const camera = hosts.find((h) => h.name === 'camera')!;
    await eventually(() => stateOf(camera.mac).risk !== 'none', 10_000, 'camera risk published');
    await eventually(
      () => retained.get('lan_sentinel/hub/state')?.includes('"threats_active"'),
      10_000,
      'hub state',
    );
  }, 240_000);

  it('rescan: an opened port raises port_opened, a changed SSH banner raises service_changed, closing telnet resolves the finding', async () => {
    const pi4 = hosts.find((h) => h.name === 'pi4')!;
    const pi = hosts.find((h) => h.name === 'pi')!;
    const camera = hosts.find((h) => h.name === 'camera')!;
    await lan.openPort('pi4', ssh('SSH-2.0-OpenSSH_9.6p1', 2222));
    await scanAndWait('ports', () =>
      sub.publishAsync(`lan_sentinel/device/${mac12(pi4.mac)}/rescan`, 'PRESS'),
    );
    expect(
      (await changes('port_opened', pi4.mac)).some((c) => JSON.stringify(c.after).includes('2222')),
    ).toBe(true);

    await lan.setBanner('pi', 22, 'SSH-2.0-OpenSSH_9.6p1');
    await scanAndWait('ports', () => svc.api(`api/devices/${pi.mac}/scan`, { method: 'POST', body: '{}' }));
    const sc = await changes('service_changed', pi.mac);
    expect(sc).toHaveLength(1);
    expect(JSON.stringify(sc[0]!.before)).toContain('7.2p2');
    expect(JSON.stringify(sc[0]!.after)).toContain('9.6p1');

    await lan.closePort('camera', 23);
    await scanAndWait('ports', () =>
      sub.publishAsync(`lan_sentinel/device/${mac12(camera.mac)}/rescan`, 'PRESS'),
    );
    expect((await changes('threat_resolved', camera.mac)).length).toBeGreaterThanOrEqual(1);
    expect((await device(camera.mac)).risk).toBe('none');
  }, 240_000);

  it('SIGTERM closes cleanly within 10 s and leaves lan_sentinel/status offline', async () => {
    const r = await svc.stop('SIGTERM');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    await eventually(() => retained.get('lan_sentinel/status') === 'offline', 5_000, 'status offline');
    expect(svc.log).toMatch(/stopped/);
  }, 30_000);

  it('kill -9 makes the broker publish the LWT', async () => {
    retained.delete('lan_sentinel/status');
    const again = await ServiceProcess.start(lan, {
      dataDir: svc.dataDir,
      flags: serviceFlags({ mqttUrl: broker.url }),
    });
    try {
      await eventually(() => retained.get('lan_sentinel/status') === 'online', 15_000, 'status online');
      await again.stop('SIGKILL');
      await eventually(() => retained.get('lan_sentinel/status') === 'offline', 30_000, 'LWT offline');
    } finally {
      again.cleanup();
    }
  }, 60_000);
}, [mosquittoAvailable()]);
