/**
 * Against Debian's real mosquitto: broker restart mid-burst, LWT on kill -9 of a child holding the client, clean
 * close/SIGTERM leaving `offline`, authentication, and the 1,000-device publish / birth-republish figures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { HaBridge } from '../../src/ha/bridge.js';
import type { DiscoveryCtx } from '../../src/ha/discovery.js';
import type { Device } from '../../src/inventory/types.js';
import { MqttPublisher } from '../../src/mqtt/client.js';
import { retainedSnapshot, waitFor } from '../helpers/aedesBroker.js';
import { validateDiscoverySet } from '../helpers/discoveryValidator.js';
import { makeDevice, testMac } from '../helpers/makeDevice.js';
import { type Mosquitto, mosquittoAvailable, startMosquitto } from '../helpers/mosquitto.js';

const available = mosquittoAvailable();
const ctx: DiscoveryCtx = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: '0.1.0' };

function device(i: number): Device {
  return makeDevice({
    mac: testMac(i),
    ip: `10.213.${(i >> 8) & 255}.${i & 255}`,
    hostname: `host-${i}`,
    vendor: 'Espressif Inc.',
  });
}
const idOf = (d: Device) => `lan_sentinel_${d.mac.replace(/:/g, '')}`;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      /* best effort */
    }
  }
});

async function broker(opts?: Parameters<typeof startMosquitto>[0]): Promise<Mosquitto> {
  const b = await startMosquitto(opts);
  cleanups.push(() => b.dispose());
  return b;
}

function makeBridge(url: string, devices: Device[], extra: { username?: string; password?: string } = {}) {
  const pub = new MqttPublisher({
    url,
    statusTopic: 'lan_sentinel/status',
    reconnectPeriod: 200,
    keepalive: 2,
    ...extra,
  });
  const bridge = new HaBridge({
    publisher: pub,
    ctx,
    listDevices: () => devices,
    findingsFor: () => [],
    hubStats: () => ({
      online: devices.length,
      total: devices.length,
      new: 0,
      threatsActive: 0,
      lastScan: null,
    }),
    onScanNow: () => {},
    onRescan: () => {},
    random: () => 0,
    reconcileMs: 300,
  });
  cleanups.push(async () => {
    await bridge.stop();
    await pub.close(1000);
  });
  return { pub, bridge };
}

interface Spy {
  client: MqttClient;
  messages: Array<{ topic: string; payload: string; retain: boolean; at: number }>;
}
async function spy(url: string, filter: string): Promise<Spy> {
  const client = await mqtt.connectAsync(url, {
    reconnectPeriod: 100,
    clientId: `spy_${Math.random().toString(16).slice(2)}`,
  });
  const messages: Spy['messages'] = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString(), retain: packet.retain, at: performance.now() }),
  );
  await client.subscribeAsync(filter, { qos: 1 });
  cleanups.push(() => client.endAsync(true));
  return { client, messages };
}

describe.skipIf(!available)('MQTT on a real mosquitto', () => {
  it('a broker restart while publishing 500 device configs leaves exactly the wanted set retained', async () => {
    const b = await broker();
    const devices: Device[] = [];
    const { pub, bridge } = makeBridge(b.url, devices);
    await bridge.start();
    pub.start();
    await pub.waitConnected(5000);
    await bridge.whenReconciled();
    let restarting: Promise<void> | null = null;
    const removed = new Set<string>();
    for (let i = 1; i <= 500; i++) {
      const d = device(i);
      devices.push(d);
      void bridge.deviceUpdated(d);
      if (i === 250) restarting = b.restart(2000); // broker killed mid-burst, back 2 s later, empty store
      if (i === 300 || i === 120) {
        // forget a few devices while the broker is away (and one before), so "wanted" is not just "everything"
        for (const j of [i - 5, i - 4, i - 3]) {
          const k = devices.findIndex((x) => x.mac === device(j).mac);
          if (k >= 0) {
            removed.add(idOf(devices[k] as Device));
            void bridge.deviceRemoved((devices[k] as Device).mac);
            devices.splice(k, 1);
          }
        }
      }
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await restarting;
    const t0 = performance.now();
    await pub.waitConnected(5000);
    const reconnectMs = performance.now() - t0;
    const wanted = new Set(['lan_sentinel_hub', ...devices.map(idOf)]);
    let snap = new Map<string, string>();
    const deadline = Date.now() + 10_000;
    do {
      snap = await retainedSnapshot(b.url, 'homeassistant/device/+/config', 400);
    } while (snap.size !== wanted.size && Date.now() < deadline);
    const ids = new Set([...snap.keys()].map((t) => t.split('/')[2] ?? ''));
    expect(ids).toEqual(wanted);
    for (const r of removed) expect(ids.has(r)).toBe(false);
    expect(validateDiscoverySet([...snap].map(([topic, payload]) => ({ topic, payload })))).toEqual([]);
    const states = await retainedSnapshot(b.url, 'lan_sentinel/device/+/state', 400);
    expect(states.size).toBe(devices.length);
    expect((await retainedSnapshot(b.url, 'lan_sentinel/status')).get('lan_sentinel/status')).toBe('online');
    console.log(
      `[mqtt-mosquitto] restart mid-burst: ${devices.length} devices wanted, connected again ${reconnectMs.toFixed(0)} ms after the broker came back`,
    );
  }, 40_000);

  it('kill -9 of a process holding the client makes the broker publish the LWT; SIGTERM leaves offline', async () => {
    const b = await broker();
    const dir = mkdtempSync(join(tmpdir(), 'lsn-mqtt-child-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const clientUrl = pathToFileURL(resolve('src/mqtt/client.ts')).href;
    const script = join(dir, 'child.mts');
    writeFileSync(
      script,
      `import { MqttPublisher } from ${JSON.stringify(clientUrl)};
const p = new MqttPublisher({ url: process.argv[2], statusTopic: 'lan_sentinel/status', keepalive: 2 });
p.start();
await p.waitConnected(5000);
process.on('SIGTERM', async () => { await p.close(); process.exit(0); });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`,
    );
    const runChild = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, b.url], {
        cwd: resolve('.'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      cleanups.push(() => child.kill('SIGKILL'));
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await waitFor(() => out.includes('ready') || child.exitCode !== null, 'child ready', 15_000);
      if (!out.includes('ready')) throw new Error(`child failed: ${out}`);
      return child;
    };
    const s = await spy(b.url, 'lan_sentinel/status');
    const child = await runChild();
    await waitFor(() => s.messages.some((m) => m.payload === 'online'), 'online');
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await waitFor(() => s.messages.at(-1)?.payload === 'offline', 'LWT offline', 4000);
    const lwtMs = (s.messages.at(-1)?.at ?? 0) - killedAt;
    expect((await retainedSnapshot(b.url, 'lan_sentinel/status')).get('lan_sentinel/status')).toBe('offline');

    const child2 = await runChild();
    await waitFor(() => s.messages.at(-1)?.payload === 'online', 'online again');
    child2.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child2.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect((await retainedSnapshot(b.url, 'lan_sentinel/status')).get('lan_sentinel/status')).toBe('offline');
    console.log(`[mqtt-mosquitto] LWT offline seen ${lwtMs.toFixed(0)} ms after kill -9`);
  }, 40_000);

  it('authenticates with username/password; a wrong password never connects', async () => {
    const b = await broker({ users: [{ username: 'lsn', password: 'pw-1' }] });
    const ok = new MqttPublisher({
      url: b.url,
      statusTopic: 'lan_sentinel/status',
      username: 'lsn',
      password: 'pw-1',
    });
    cleanups.push(() => ok.close(500));
    ok.start();
    await ok.waitConnected(5000);
    const bad = new MqttPublisher({
      url: b.url,
      statusTopic: 'lan_sentinel/status',
      username: 'lsn',
      password: 'nope',
      reconnectPeriod: 200,
    });
    cleanups.push(() => bad.close(500));
    bad.start();
    await expect(bad.waitConnected(1500)).rejects.toThrow(/not connected/);
    await ok.close();
    expect(
      (await retainedSnapshot(b.url.replace('mqtt://', 'mqtt://lsn:pw-1@'), 'lan_sentinel/status')).get(
        'lan_sentinel/status',
      ),
    ).toBe('offline');
  }, 20_000);

  it('figures: 1,000 devices discovery + states to a subscriber; birth republish message count', async () => {
    const b = await broker();
    const devices = Array.from({ length: 1000 }, (_, i) => device(i + 1));
    const s = await spy(b.url, '#');
    const { pub, bridge } = makeBridge(b.url, devices);
    await bridge.start();
    const t0 = performance.now();
    pub.start();
    const expected = 2 * 1000 + 2; // device config + state each, hub config + hub state
    const ours = () =>
      s.messages.filter((m) => m.topic.startsWith('homeassistant/device/') || m.topic.endsWith('/state'));
    await waitFor(() => ours().length >= expected, '1000 devices', 30_000);
    const seconds = ((ours().at(-1)?.at ?? 0) - t0) / 1000;
    const total = s.messages.length;
    await bridge.whenReconciled();
    expect(ours().length).toBe(expected);

    s.messages.length = 0;
    await s.client.publishAsync('homeassistant/status', 'online');
    await waitFor(() => bridge.birthRepublishes === 1, 'birth republish', 8000);
    await new Promise((r) => setTimeout(r, 1500));
    const birth = s.messages.filter((m) => m.topic !== 'homeassistant/status');
    expect(birth.filter((m) => m.topic.startsWith('homeassistant/'))).toEqual([]);
    expect(birth.length).toBe(1000 + 2); // device states + hub state + availability
    console.log(
      `[mqtt-mosquitto] 1000 devices: ${expected} discovery+state messages (${total} incl. availability) in ${seconds.toFixed(2)} s; birth republish with nothing changed: ${birth.length} messages`,
    );
  }, 60_000);
});
