// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * Wake-on-LAN on the simulated LAN (issue 19, DESIGN §15): the real service runs in the scanner namespace
 * with its embedded broker (aedes); a desktop host runs a UDP :9 listener inside its own namespace, as a
 * sleeping network card would listen. A magic packet sent by the service — through POST api/devices/:mac/wake,
 * through the HA `wake` button (PRESS on the discovered command topic) and through the CLI — must arrive
 * there with the right MAC, byte for byte. Nothing leaves the simulated LAN.
 * The web UI's Wake (real Chromium in the host namespace, through the relay to the service, signed in with an
 * admin key): the device page's button and, once the desktop sleeps (its card hears but no longer answers ARP,
 * so the next sweep marks it offline), the compact Wake in the devices list; each says where the packet went.
 * Screenshots: artifacts/screenshots/wake-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, eventually, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import {
  CHROMIUM,
  chromiumAvailable,
  ensureUiBuilt,
  LAUNCH_ARGS,
  SHOTS,
  signInWithKey,
} from '../helpers/uiBrowser.js';
import { startWolListener, type WolListener } from '../lan/peers.js';
import { type NsRelay, relayIntoNamespace } from '../lan/relay.js';
import { describeLan } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

if (!chromiumAvailable && process.env.CI === 'true')
  throw new Error(`the Wake-on-LAN UI test needs Chromium at ${CHROMIUM}; refusing to skip under CI`);

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

  it.skipIf(!chromiumAvailable)(
    'the web UI: Wake on the device page, and in the list once the desktop sleeps; each says where it went',
    async () => {
      mkdirSync(SHOTS, { recursive: true });
      await ensureUiBuilt();
      const key = await svc.api<{ secret: string }>('api/keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'wake-ui', scope: 'admin' }),
      });
      expect(key.status).toBe(201);
      const desktopNs = lan.host(DESKTOP.name).ns;
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
      try {
        const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${svc.baseUrl}#/devices/${DESKTOP.mac}`);
        await signInWithKey(page, key.body.secret);
        const broadcast = broadcastOf(lan);
        let since = listener.heard.length;
        await page.locator('#wake').click({ timeout: 15_000 });
        await expect
          .poll(() => page.locator('#wake-status').innerText(), { timeout: 10_000 })
          .toMatch(`magic packet for ${DESKTOP.mac} sent to ${broadcast}:9`);
        let d = await listener.next((x) => x.hex === magic(DESKTOP.mac), 10_000, since);
        expect(d.from).toBe(lan.scannerIp);
        const audit = await svc.api<{ items: Array<{ actor: string; target: string; actor_kind: string }> }>(
          'api/audit?action=device.wake',
        );
        expect(audit.body.items[0]).toMatchObject({
          actor: 'wake-ui',
          actor_kind: 'key',
          target: DESKTOP.mac,
        });
        await page.locator('#sec-summary').screenshot({ path: join(SHOTS, 'wake-device-page.png') });

        // the desktop sleeps: its card still hears broadcasts, but nothing answers ARP; the sweep misses it
        await lan.execIn(desktopNs, 'ip', ['link', 'set', 'dev', 'eth0', 'arp', 'off']);
        await lan.execInScanner('ip', ['neigh', 'flush', 'all']);
        const sweep = await svc.api('api/scans', { method: 'POST', body: JSON.stringify({ kind: 'sweep' }) });
        expect(sweep.status).toBe(202);
        await eventually(
          async () =>
            (await svc.api<{ online: boolean }>(`api/devices/${DESKTOP.mac}`)).body.online === false,
          45_000,
          'the sweep to miss the sleeping desktop',
        );
        await page.goto(`${svc.baseUrl}#/devices`);
        const row = page.locator(`#devices tr[data-mac="${DESKTOP.mac}"]`);
        await expect.poll(() => row.locator('button.wake').count(), { timeout: 15_000 }).toBe(1);
        // only offline devices offer it: the Pi (awake) has none
        expect(await page.locator(`#devices tr[data-mac="${PI.mac}"] button.wake`).count()).toBe(0);
        since = listener.heard.length;
        await row.locator('button.wake').click();
        d = await listener.next((x) => x.hex === magic(DESKTOP.mac), 10_000, since);
        expect(d.length).toBe(102);
        await expect
          .poll(() => page.locator('ls-toasts .toast').allInnerTexts(), { timeout: 10_000 })
          .toContainEqual(expect.stringContaining(`magic packet for ${DESKTOP.mac} sent to ${broadcast}:9`));
        await page.screenshot({ path: join(SHOTS, 'wake-devices-list.png') });
        expect(errors).toEqual([]);
      } finally {
        await lan.execIn(desktopNs, 'ip', ['link', 'set', 'dev', 'eth0', 'arp', 'on']).catch(() => undefined);
        await browser.close();
      }
    },
    120_000,
  );
});
