/**
 * Routed subnets and Wake-on-LAN through an agent (issue 19, DESIGN §15 and §16), end to end: two simulated LANs
 * with a router namespace between them; the hub (`lan-sentinel run`, real nmap) on LAN A sweeps both /24s and
 * publishes to a real mosquitto (the documented hub ACL, one user per agent). ARP does not cross the router, so
 * the hub finds LAN B's hosts by ICMP echo or TCP SYN (one host ignores pings and is found by its open port) and
 * they become devices identified by IP: keyed `ip_<a>_<b>_<c>_<d>`, marked in the API and in HA (no MAC
 * `connection`, no wake button), with presence (a host that joins is home, one that leaves is away). Then a
 * satellite agent starts on LAN B: it learns the MACs, and each IP device becomes its MAC's device, keeping its
 * name and history, while its IP-keyed HA device goes. Finally a device only the agent sees is woken: the hub sends
 * the agent a `wake` command and a UDP listener on LAN B hears the magic packet from the agent; a forged wake
 * command published by another agent's credentials is dropped by the broker's ACL and wakes nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentTopics } from '../../src/agent/protocol.js';
import type { DeviceHistoryJson, DeviceJson, WakeResultJson } from '../../src/api/schemas.js';
import { validateDiscovery } from '../helpers/discoveryValidator.js';
import { CLI, eventually, ROOT, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { type DefaultHostInfo, defaultHosts, type HostSpec } from '../lan/hosts.js';
import { ip } from '../lan/ip.js';
import { type ScannerMosquitto, startScannerMosquitto } from '../lan/mosquitto.js';
import { startWolListener, type WolListener } from '../lan/peers.js';
import { describeLan } from '../lan/requireLan.js';
import { routeBetween, type SimRouter } from '../lan/router.js';
import { http } from '../lan/services.js';
import { SimLan } from '../lan/sim-lan.js';

const PW = { hub: 'hub-pw-1', iot: 'iot-pw-3', guest: 'guest-pw-4' };
const key = (addr: string) => `ip_${addr.replace(/\./g, '_')}`;
const mac12 = (m: string) => m.replace(/:/g, '');
const magic = (mac: string) => `ffffffffffff${mac12(mac).repeat(16)}`;
const DESKTOP: HostSpec = { name: 'desktop', mac: '00:d8:61:4a:5b:6c', ip: 40 };

describeLan('a routed subnet: identity by IP, presence, upgrade by an agent, Wake-on-LAN through it', () => {
  let a: SimLan;
  let b: SimLan;
  let router: SimRouter;
  let broker: ScannerMosquitto;
  let hub: ServiceProcess;
  let sub: MqttClient;
  let agent: ChildProcess | null = null;
  let agentLog = '';
  let listener: WolListener;
  let dir: string;
  const retained = new Map<string, string>();
  const figures: Record<string, unknown> = {};
  const hostsA: DefaultHostInfo[] = defaultHosts().filter((h) => ['router', 'pi'].includes(h.name));
  const hostsB: HostSpec[] = [
    ...defaultHosts()
      .filter((h) => ['esp', 'camera', 'sonos', 'nest'].includes(h.name))
      .map((h) => ({ ...h, services: h.name === 'camera' ? [http('Hikvision-Webs', 80)] : [] })),
    DESKTOP,
  ];
  /** LAN B's hosts answer through the router (they have no default route of their own) */
  const routeBack = (name: string) =>
    ip(['-n', b.host(name).ns, 'route', 'add', a.subnet, 'via', router.ipB]);
  const devices = async () =>
    (await hub.api<{ items: DeviceJson[] }>('api/devices?limit=500&sort=ip')).body.items;
  const state = (id: string) =>
    JSON.parse(retained.get(`lan_sentinel/device/${id}/state`) ?? '{}') as Record<string, unknown>;
  const discovery = (id: string) => retained.get(`homeassistant/device/lan_sentinel_${id}/config`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-routed-e2e-'));
    a = await SimLan.create({ hosts: hostsA });
    b = await SimLan.create({ hosts: hostsB });
    router = await routeBetween(a, b);
    for (const h of hostsB) await routeBack(h.name);
    // the camera ignores pings: only a TCP SYN to its web port finds it
    const quiet = await b.execIn(b.host('camera').ns, 'sysctl', ['-w', 'net.ipv4.icmp_echo_ignore_all=1']);
    expect(quiet.code, quiet.stderr).toBe(0);
    listener = await startWolListener(b, DESKTOP.name, 9);
    broker = await startScannerMosquitto(a, {
      bind: 'scanner',
      users: { lan_sentinel_hub: PW.hub, iot: PW.iot, guest: PW.guest },
      acl: readFileSync(join(ROOT, 'deploy', 'agent', 'mosquitto-hub.acl'), 'utf8'),
    });
    sub = mqtt.connect(broker.hostUrl, {
      username: 'lan_sentinel_hub',
      password: PW.hub,
      reconnectPeriod: 200,
    });
    sub.on('message', (topic, payload) => {
      if (payload.length === 0) retained.delete(topic);
      else retained.set(topic, payload.toString());
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync(['homeassistant/device/+/config', 'lan_sentinel/device/+/state'], { qos: 1 });
    hub = await ServiceProcess.start(a, {
      // the first-start port scan runs regardless and holds sweeps back while it runs: one port nobody serves
      // keeps it short (an HTTP port would cost nmap's service probes on every host)
      flags: serviceFlags({
        mqttUrl: broker.url,
        sweepInterval: 15,
        considerHome: 10,
        passive: false,
        scanNewDevices: false,
        ports: '22',
        extra: [
          '--subnets',
          `${a.subnet},${b.subnet}`,
          '--mqtt-username',
          'lan_sentinel_hub',
          '--mqtt-password',
          PW.hub,
          '--agents',
          'iot',
        ],
      }),
    });
  }, 120_000);

  afterAll(async () => {
    console.log(`[routed] figures: ${JSON.stringify(figures)}`);
    if (process.env.LSN_ROUTED_DEBUG)
      console.log(`hub:\n${hub?.log.slice(-6000)}\nagent:\n${agentLog.slice(-3000)}`);
    agent?.kill('SIGKILL');
    await sub?.endAsync();
    await listener?.stop();
    hub?.cleanup();
    await broker?.stop();
    await b?.destroy();
    await a?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("the hub's sweep finds the routed subnet's hosts by ICMP/TCP ping as devices identified by IP, in HA without a MAC", async () => {
    // every live address of LAN B: its hosts, the router's LAN B side and LAN B's scanner box (the agent's, later)
    const expected = [...hostsB.map((h) => b.host(h.name).ip), router.ipB, b.scannerIp];
    const t0 = Date.now();
    const found = await eventually(
      async () => {
        const routed = (await devices()).filter((d) => d.ip?.startsWith(b.subnet.replace(/0\/24$/, '')));
        return routed.length >= expected.length ? routed : null;
      },
      90_000,
      `the ${expected.length} addresses of ${b.subnet}; hub log:\n${hub.log.slice(-3000)}`,
    );
    figures.routed_hosts_found = `${found.length} of ${expected.length} live addresses of ${b.subnet} (${hostsB.length} hosts + router + scanner box)`;
    figures.routed_found_after_s = (Date.now() - t0) / 1000;
    figures.routed_reasons = Object.fromEntries(found.map((d) => [d.ip, d.presence_reason]));
    expect(found.map((d) => d.ip).sort()).toEqual([...expected].sort());
    for (const d of found) {
      expect(d.identified_by).toBe('ip');
      expect(d.mac).toBe(key(d.ip!));
      expect(d.vendor).toBeNull();
      expect(d.randomized).toBe(false);
      expect(d.presence).toBe('home');
      expect(d.display_name).toBe(d.ip);
    }
    // the camera drops pings: a TCP probe found it (SYN-ACK from its web port or RST to the ACK probe); the
    // others answered the ICMP echo
    const cam = found.find((d) => d.ip === b.host('camera').ip)!;
    expect(cam.presence_reason).toMatch(/syn-ack|reset/);
    expect(found.find((d) => d.ip === b.host('esp').ip)!.presence_reason).toMatch(/echo-reply/);
    // LAN A's hosts stay MAC devices
    for (const h of hostsA)
      expect((await hub.api<DeviceJson>(`api/devices/${h.mac}`)).body.identified_by).toBe('mac');

    for (const d of found) {
      const id = d.mac;
      const topic = `homeassistant/device/lan_sentinel_${id}/config`;
      const disc = await eventually(async () => discovery(id), 20_000, `discovery of ${id}`);
      expect(validateDiscovery(topic, disc)).toEqual([]);
      const payload = JSON.parse(disc) as {
        device: { identifiers: string[]; connections?: unknown; model?: string };
        components: Record<string, { platform: string; unique_id: string; default_entity_id?: string }>;
      };
      // no fake MAC: the identifier names the device, there is no MAC connection and no wake button
      expect(payload.device.identifiers).toEqual([`lan_sentinel_${id}`]);
      expect(payload.device.connections).toBeUndefined();
      expect(payload.components.wake).toBeUndefined();
      expect(payload.components.presence).toMatchObject({
        platform: 'device_tracker',
        unique_id: `lan_sentinel_${id}_presence`,
        default_entity_id: `device_tracker.lan_sentinel_${id}`,
      });
      await eventually(async () => state(id).presence === 'home', 20_000, `state of ${id}`);
      expect(state(id)).toMatchObject({ identified_by: 'ip', mac: null, ip: d.ip, presence: 'home' });
    }
    // the API takes the key wherever it takes a MAC; waking needs a MAC
    expect((await hub.api<DeviceJson>(`api/devices/${cam.mac}`)).status).toBe(200);
    const w = await hub.api<{ error: { code: string } }>(`api/devices/${cam.mac}/wake`, {
      method: 'POST',
      body: '{}',
    });
    expect(w.status).toBe(409);
  }, 150_000);

  it('presence on the routed subnet: a host that joins is home within a sweep, one that leaves is away', async () => {
    const tablet: HostSpec = { name: 'tablet', mac: 'f0:18:98:aa:00:09', ip: 120 };
    const t0 = Date.now();
    await b.addHost(tablet);
    await routeBack('tablet');
    const id = key(b.host('tablet').ip);
    await eventually(async () => state(id).presence === 'home', 60_000, `${id} home`, 200);
    figures.routed_arrival_s = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    await b.removeHost('tablet');
    const scanLines = () =>
      hub.log
        .split('\n')
        .filter((l) => /sweep #|presence:|port scan/.test(l))
        .slice(-30)
        .join('\n');
    await eventually(async () => state(id).presence === 'not_home', 150_000, `${id} away`, 200).catch(
      (err: Error) => {
        throw new Error(`${err.message}; hub:\n${scanLines()}`);
      },
    );
    figures.routed_departure_s = (Date.now() - t1) / 1000;
    figures.routed_presence_settings = 'sweep_interval 15 s, consider_home 10 s, 3 probe rounds 4 s apart';
    const d = (await hub.api<DeviceJson>(`api/devices/${id}`)).body;
    expect(d.presence_reason).toMatch(/ICMP echo, TCP SYN/);
    // nobody else left
    for (const h of hostsB) expect(state(key(b.host(h.name).ip)).presence, h.name).toBe('home');
  }, 200_000);

  it('an agent on the routed subnet learns the MACs: each IP device becomes its MAC device, name and history kept', async () => {
    const esp = b.host('esp');
    const named = await hub.api<DeviceJson>(`api/devices/${key(esp.ip)}`, {
      method: 'PATCH',
      body: JSON.stringify({ name: 'Greenhouse sensor' }),
    });
    expect(named.status).toBe(200);
    const firstSeen = named.body.first_seen;
    const pwFile = join(dir, 'iot.pw');
    writeFileSync(pwFile, `${PW.iot}\n`, { mode: 0o600 });
    const t0 = Date.now();
    agent = b.spawnInScanner(
      process.execPath,
      [
        CLI,
        'agent',
        '--agent-id',
        'iot',
        '--mqtt-url',
        `mqtt://${a.scannerIp}:${broker.port}`,
        '--mqtt-username',
        'iot',
        '--mqtt-password-file',
        pwFile,
        '--subnets',
        b.subnet,
        '--sweep-interval',
        '15',
        '--port-scan-schedule',
        '',
        '--no-scan-new-devices',
        '--log-level',
        'debug',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const onLog = (s: Buffer) => {
      agentLog = (agentLog + s.toString()).slice(-200_000);
    };
    agent.stdout?.on('data', onLog);
    agent.stderr?.on('data', onLog);
    for (const h of hostsB) {
      const host = b.host(h.name);
      await eventually(
        async () => (await hub.api<DeviceJson>(`api/devices/${host.mac}`)).status === 200,
        60_000,
        `${h.name} as ${host.mac}; agent log:\n${agentLog.slice(-2000)}\nhub log:\n${hub.log.slice(-2000)}`,
      );
      expect((await hub.api(`api/devices/${key(host.ip)}`)).status).toBe(404);
      await eventually(
        async () => discovery(key(host.ip)) === undefined,
        20_000,
        `${h.name}'s IP device gone from HA`,
      );
      const disc = await eventually(
        async () => discovery(mac12(host.mac)),
        20_000,
        `${h.name}'s MAC device in HA`,
      );
      expect((JSON.parse(disc) as { device: { connections: string[][] } }).device.connections).toEqual([
        ['mac', host.mac],
      ]);
    }
    figures.routed_upgraded_after_agent_s = (Date.now() - t0) / 1000;
    const d = (await hub.api<DeviceJson>(`api/devices/${esp.mac}`)).body;
    expect(d).toMatchObject({
      identified_by: 'mac',
      name: 'Greenhouse sensor',
      first_seen: firstSeen,
      vendor: 'Espressif Inc.',
    });
    const history = (await hub.api<DeviceHistoryJson>(`api/devices/${esp.mac}/history`)).body;
    expect(history.ip_history.map((x) => x.ip)).toContain(esp.ip);
    // its change log came along: the first port scan the hub made of it by IP
    expect(history.changes.map((c) => c.type)).toContain('first_port_scan');
    await hub.waitForLog(/ip_\S+ \(identified by IP\) is 24:0a:c4:\S+: its MAC was learned/, 5_000);
    // the agent's own box answers from no MAC: it stays identified by IP
    expect((await hub.api<DeviceJson>(`api/devices/${key(b.scannerIp)}`)).body.identified_by).toBe('ip');
    figures.routed_upgraded = hostsB.length + 1;
  }, 150_000);

  it('waking a device only the agent sees: the hub sends the agent a wake command, the packet is heard on LAN B; a forged command wakes nothing', async () => {
    const desk = b.host(DESKTOP.name);
    await eventually(
      async () =>
        (await hub.api<{ items: Array<{ id: string; devices: number }> }>('api/agents')).body.items.find(
          (x) => x.id === 'iot',
        )?.devices,
      30_000,
      'agent iot owns its devices',
    );
    const since = listener.heard.length;
    const r = await hub.api<WakeResultJson>(`api/devices/${desk.mac}/wake`, { method: 'POST', body: '{}' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ mac: desk.mac, ip: desk.ip, agent: 'iot', subnet: b.subnet, sent: [] });
    const heard = await listener.next((x) => x.hex === magic(desk.mac), 15_000, since);
    expect(heard.length).toBe(102);
    // sent by the agent on LAN B, not routed from the hub
    expect(heard.from).toBe(b.scannerIp);
    figures.wake_via_agent = `${r.body.message}; the desktop heard ${heard.length} bytes from ${heard.from}`;
    // the HA button: same path
    const sinceHa = listener.heard.length;
    await sub.publishAsync(`lan_sentinel/device/${mac12(desk.mac)}/wake`, 'PRESS', { qos: 1 });
    await listener.next((x) => x.hex === magic(desk.mac), 15_000, sinceHa);

    // forged: another agent's credentials publishing a wake command on iot's command topic
    const before = listener.heard.length;
    const g = await mqtt.connectAsync(broker.hostUrl, {
      username: 'guest',
      password: PW.guest,
      clientId: 'test-guest',
    });
    const forged = { v: 1, id: 'forged-1', command: 'wake', mac: desk.mac, ip: desk.ip, port: 9 };
    await g.publishAsync(agentTopics('lan_sentinel', 'iot').cmd, JSON.stringify(forged), { qos: 1 });
    await g.endAsync();
    await new Promise((res) => setTimeout(res, 4000));
    expect(listener.heard.length).toBe(before);
    expect(agentLog).not.toMatch(/hub command forged-1/);
    figures.forged_wake_heard = listener.heard.length - before;
  }, 90_000);
});
