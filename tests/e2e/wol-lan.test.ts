/**
 * Wake-on-LAN on the simulated LAN (issue 19, DESIGN §15): the real service runs in the scanner namespace
 * with its embedded broker (aedes); a desktop host runs a UDP :9 listener inside its own namespace, as a
 * sleeping network card would listen. A magic packet sent by the service — through POST api/devices/:mac/wake,
 * through the HA `wake` button (PRESS on the discovered command topic) and through the CLI — must arrive
 * there with the right MAC, byte for byte. Nothing leaves the simulated LAN.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, eventually, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { startWolListener, type WolListener } from '../lan/peers.js';
import { type NsRelay, relayIntoNamespace } from '../lan/relay.js';
import { describeLan } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

const DESKTOP = { name: 'desktop', mac: '00:d8:61:4a:5b:6c', ip: 40 };
const PI = { name: 'pi', mac: 'b8:27:eb:12:34:56', ip: 10 };
const magic = (mac: string) => `ffffffffffff${mac.replace(/:/g, '').repeat(16)}`;
const mac12 = (mac: string) => mac.replace(/:/g, '');
/** the simulated LAN's /24 broadcast address */
const broadcastOf = (lan: SimLan) => lan.subnet.replace(/\.0\/24$/, '.255');

interface WakeJson {
  mac: string;
  ip: string;
  subnet: string;
  packet: string;
  sent: Array<{ address: string; port: number; ok: boolean; error?: string }>;
  message: string;
}

describeLan('Wake-on-LAN on the simulated LAN', () => {
  let lan: SimLan;
  let svc: ServiceProcess;
  let listener: WolListener;
  let brokerRelay: NsRelay;
  let sub: MqttClient;
  const configs = new Map<string, string>();

  beforeAll(async () => {
    lan = await SimLan.create({
      hosts: [{ name: 'router', mac: '78:8a:20:10:00:01', ip: 1 }, PI, DESKTOP],
    });
    listener = await startWolListener(lan, DESKTOP.name, 9);
    svc = await ServiceProcess.start(lan, {
      // embedded MQTT broker (no --mqtt-url); one TCP port keeps the first-start port scan short
      flags: serviceFlags({ ports: '22' }),
    });
    await eventually(
      async () => (await svc.api(`api/devices/${DESKTOP.mac}`)).status === 200,
      60_000,
      'the first sweep to find the desktop',
    );
    brokerRelay = await relayIntoNamespace(lan.scannerNs, 1883);
    sub = mqtt.connect(`mqtt://127.0.0.1:${brokerRelay.port}`, { reconnectPeriod: 200 });
    sub.on('message', (topic, payload) => {
      if (topic.startsWith('homeassistant/device/')) configs.set(topic, payload.toString());
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync('homeassistant/device/+/config', { qos: 1 });
  }, 120_000);

  afterAll(async () => {
    await sub?.endAsync(true);
    await brokerRelay?.close();
    await listener?.stop();
    svc?.cleanup();
    await lan?.destroy();
  }, 60_000);

  it('POST api/devices/:mac/wake: the desktop hears its magic packet on UDP 9 from the scanner', async () => {
    const since = listener.heard.length;
    const r = await svc.api<WakeJson>(`api/devices/${DESKTOP.mac}/wake`, { method: 'POST', body: '{}' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const broadcast = broadcastOf(lan);
    expect(r.body).toMatchObject({ mac: DESKTOP.mac, ip: lan.ip(DESKTOP.ip), subnet: lan.subnet });
    expect(r.body.packet).toBe(magic(DESKTOP.mac));
    expect(r.body.sent[0]).toEqual({ address: broadcast, port: 9, ok: true });
    expect(r.body.sent[1]).toMatchObject({ address: '255.255.255.255', port: 9 });
    const d = await listener.next((x) => x.hex === magic(DESKTOP.mac), 10_000, since);
    expect(d.length).toBe(102);
    expect(d.from).toBe(lan.scannerIp);
    console.log(
      `wake via API: ${r.body.message}; targets ${JSON.stringify(r.body.sent)}; the desktop heard ${listener.heard.length - since} datagram(s) of ${d.length} bytes from ${d.from}: ${d.hex}`,
    );
    const audit = await svc.api<{ items: Array<{ action: string; target: string; actor_kind: string }> }>(
      'api/audit?action=device.wake',
    );
    expect(audit.body.items[0]).toMatchObject({ action: 'device.wake', target: DESKTOP.mac });
  }, 60_000);

  it('the HA wake button (PRESS on its discovered command topic) sends the same packet', async () => {
    const topic = `homeassistant/device/lan_sentinel_${mac12(DESKTOP.mac)}/config`;
    const config = await eventually(async () => configs.get(topic), 20_000, 'the desktop discovery config');
    const wake = (JSON.parse(config) as { components: Record<string, Record<string, string>> }).components
      .wake;
    expect(wake).toMatchObject({
      platform: 'button',
      command_topic: `lan_sentinel/device/${mac12(DESKTOP.mac)}/wake`,
      payload_press: 'PRESS',
      default_entity_id: `button.lan_sentinel_${mac12(DESKTOP.mac)}_wake`,
    });
    const since = listener.heard.length;
    await sub.publishAsync(wake!.command_topic!, 'PRESS', { qos: 1 });
    const d = await listener.next((x) => x.hex === magic(DESKTOP.mac), 10_000, since);
    expect(d.from).toBe(lan.scannerIp);
    await svc.waitForLog(/wake pressed in Home Assistant: magic packet for 00:d8:61:4a:5b:6c sent/, 5_000);
    const audit = await svc.api<{ items: Array<{ actor: string; target: string }> }>(
      'api/audit?action=device.wake',
    );
    expect(audit.body.items[0]).toMatchObject({ actor: 'home assistant', target: DESKTOP.mac });
    // anything but PRESS, or a MAC not in the inventory, wakes nothing
    const before = listener.heard.length;
    await sub.publishAsync(wake!.command_topic!, 'ON', { qos: 1 });
    await sub.publishAsync('lan_sentinel/device/00d861000000/wake', 'PRESS', { qos: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(listener.heard.length).toBe(before);
  }, 60_000);

  it('the CLI (in the scanner namespace, through the running service) wakes the Pi: its MAC reaches the link', async () => {
    const since = listener.heard.length;
    const r = await lan.execInScanner(
      process.execPath,
      [CLI, 'wake', lan.ip(PI.ip), '--json', '--data-dir', svc.dataDir, '--subnets', lan.subnet],
      { timeoutMs: 60_000, env: { PATH: process.env.PATH ?? '', HOME: '/root' } },
    );
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as WakeJson;
    expect(body.mac).toBe(PI.mac);
    // a broadcast: the desktop's card hears the Pi's packet too, with the Pi's MAC in it
    const d = await listener.next((x) => x.hex === magic(PI.mac), 10_000, since);
    expect(d.length).toBe(102);
    const human = await lan.execInScanner(
      process.execPath,
      [CLI, 'wake', PI.mac, '--data-dir', svc.dataDir, '--subnets', lan.subnet],
      { timeoutMs: 60_000, env: { PATH: process.env.PATH ?? '', HOME: '/root' } },
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`magic packet for ${PI.mac} sent to ${broadcastOf(lan)}:9`);
    const bad = await lan.execInScanner(
      process.execPath,
      [CLI, 'wake', 'ff:ff:ff:ff:ff:ff', '--data-dir', svc.dataDir, '--subnets', lan.subnet],
      { timeoutMs: 60_000, env: { PATH: process.env.PATH ?? '', HOME: '/root' } },
    );
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/broadcast/);
  }, 120_000);
});
