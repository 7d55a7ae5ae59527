/** MqttPublisher + HaBridge against an in-process aedes broker (real sockets, real time, short timers). */
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HaBridge } from '../../src/ha/bridge.js';
import type { DiscoveryCtx } from '../../src/ha/discovery.js';
import type { Device } from '../../src/inventory/types.js';
import { MqttPublisher } from '../../src/mqtt/client.js';
import { CHANGE_TYPES } from '../../src/vocabulary.js';
import { retainedSnapshot, startAedes, type TestBroker, waitFor } from '../helpers/aedesBroker.js';
import {
  validateAttributesPayload,
  validateDiscoverySet,
  validateEventMessage,
} from '../helpers/discoveryValidator.js';
import { makeDevice, testMac } from '../helpers/makeDevice.js';

const ctx: DiscoveryCtx = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: '0.1.0' };

function device(i: number, over: Partial<Device> = {}): Device {
  return makeDevice({
    mac: testMac(i),
    ip: `10.213.${(i >> 8) & 255}.${i & 255}`,
    hostname: `host-${i}`,
    vendor: i % 2 ? 'Espressif Inc.' : null,
    ...over,
  });
}

let broker: TestBroker;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeEach(async () => {
  broker = await startAedes();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await broker.close();
});

function publisher(extra: Partial<ConstructorParameters<typeof MqttPublisher>[0]> = {}) {
  const p = new MqttPublisher({
    url: broker.url,
    statusTopic: 'lan_sentinel/status',
    reconnectPeriod: 100,
    keepalive: 2,
    ...extra,
  });
  cleanups.push(() => p.close(1000));
  return p;
}

async function externalClient() {
  const c = await mqtt.connectAsync(broker.url, {
    reconnectPeriod: 100,
    clientId: `ext_${Math.random().toString(16).slice(2)}`,
  });
  cleanups.push(() => c.endAsync(true));
  return c;
}

interface Harness {
  bridge: HaBridge;
  pub: MqttPublisher;
  devices: Device[];
  calls: { scanNow: number; rescans: string[]; wakes: string[] };
}

async function harness(devices: Device[], opts: { reconcileMs?: number } = {}): Promise<Harness> {
  const pub = publisher();
  const calls = { scanNow: 0, rescans: [] as string[], wakes: [] as string[] };
  const list = devices;
  const bridge = new HaBridge({
    publisher: pub,
    ctx,
    listDevices: () => list,
    findingsFor: () => [],
    hubStats: () => ({
      online: list.filter((d) => d.online).length,
      total: list.length,
      new: 0,
      threatsActive: 0,
      lastScan: null,
    }),
    onScanNow: () => calls.scanNow++,
    onRescan: (mac) => calls.rescans.push(mac),
    onWake: (mac) => {
      calls.wakes.push(mac);
    },
    random: () => 0,
    reconcileMs: opts.reconcileMs ?? 300,
  });
  cleanups.push(() => bridge.stop());
  await bridge.start();
  pub.start();
  await pub.waitConnected(5000);
  await bridge.whenReconciled();
  return { bridge, pub, devices: list, calls };
}

const published = (topic: string) => broker.published.filter((m) => m.topic === topic);

describe('MqttPublisher', () => {
  it('connects with online retained, refuses wildcard topics, dedups unchanged retained payloads', async () => {
    const p = publisher();
    p.start();
    await p.waitConnected(5000);
    await waitFor(() => published('lan_sentinel/status').length === 1, 'online');
    expect(published('lan_sentinel/status')[0]).toMatchObject({ payload: 'online', retain: true, qos: 1 });
    expect(await p.publish('a/+/b', 'x')).toBe('refused');
    expect(await p.publish('a/#', 'x')).toBe('refused');
    expect(await p.publish('a//b', 'x')).toBe('refused');
    expect(await p.publish('a/\u0000', 'x')).toBe('refused');
    expect(await p.publish('t/cfg', '{"a":1}', { retain: true })).toBe('sent');
    expect(await p.publish('t/cfg', '{"a":1}', { retain: true })).toBe('deduped');
    expect(await p.publish('t/cfg', '{"a":1}', { retain: true, force: true })).toBe('sent');
    expect(await p.publish('t/cfg', '{"a":2}', { retain: true })).toBe('sent');
    expect(published('t/cfg').map((m) => m.payload)).toEqual(['{"a":1}', '{"a":1}', '{"a":2}']);
    expect(published('t/cfg').every((m) => m.retain && m.qos === 1)).toBe(true);
    expect(broker.published.some((m) => m.topic.includes('+') || m.topic.includes('#'))).toBe(false);
  });

  it('while disconnected keeps only the latest retained payload per topic, a bounded event queue, and flushes on reconnect', async () => {
    const p = publisher({ maxPendingEvents: 5, reconnectPeriod: 300 });
    let handled = 0;
    await p.subscribe('cmd/x', () => handled++);
    p.start();
    await p.waitConnected(5000);
    await p.publish('dev/1/state', 'v0', { retain: true });
    await broker.restart();
    // the publisher notices the drop; publish while it is offline
    await waitFor(() => !p.connected, 'disconnect', 3000);
    const before = broker.published.length;
    for (let i = 1; i <= 50; i++)
      expect(await p.publish('dev/1/state', `v${i}`, { retain: true })).toBe('buffered');
    await p.publish('dev/2/state', 'w1', { retain: true });
    for (let i = 0; i < 12; i++) await p.publish('ev', `e${i}`);
    expect(p.stats.droppedEvents).toBe(7);
    await p.waitConnected(5000);
    await waitFor(() => published('ev').length === 5, 'event flush');
    const after = broker.published.slice(before);
    expect(after.filter((m) => m.topic === 'dev/1/state').map((m) => m.payload)).toEqual(['v50']);
    expect(after.filter((m) => m.topic === 'dev/2/state').map((m) => m.payload)).toEqual(['w1']);
    expect(after.filter((m) => m.topic === 'ev').map((m) => m.payload)).toEqual([
      'e7',
      'e8',
      'e9',
      'e10',
      'e11',
    ]);
    expect(after.filter((m) => m.topic === 'ev').every((m) => !m.retain)).toBe(true);
    expect(after.find((m) => m.topic === 'lan_sentinel/status')?.payload).toBe('online');
    const snap = await retainedSnapshot(broker.url, '#');
    expect(snap.get('dev/1/state')).toBe('v50');
    expect(snap.get('lan_sentinel/status')).toBe('online');
    // resubscribed after the reconnect
    const ext = await externalClient();
    await ext.publishAsync('cmd/x', 'go');
    await waitFor(() => handled === 1, 'command after reconnect');
  });

  it('the retained-topic buffer is bounded', async () => {
    const p = publisher({ maxPendingRetained: 10, url: 'mqtt://127.0.0.1:1' });
    for (let i = 0; i < 25; i++) await p.publish(`t/${i}`, 'x', { retain: true });
    expect(p.stats.droppedRetained).toBe(15);
  });

  it('close() publishes offline retained before disconnecting', async () => {
    const p = publisher();
    p.start();
    await p.waitConnected(5000);
    await p.close();
    expect((await retainedSnapshot(broker.url, 'lan_sentinel/status')).get('lan_sentinel/status')).toBe(
      'offline',
    );
    expect(published('lan_sentinel/status').map((m) => m.payload)).toEqual(['online', 'offline']);
  });
});

describe('HaBridge', () => {
  it('publishes hub + device discovery and states on connect; all configs valid; ignored devices get nothing', async () => {
    const devs = [
      device(1),
      device(2, { online: false, presence: 'not_home' }),
      device(3, { ignored: true }),
    ];
    await harness(devs);
    const snap = await retainedSnapshot(broker.url, '#');
    const configs = [...snap]
      .filter(([t]) => t.startsWith('homeassistant/'))
      .map(([topic, payload]) => ({ topic, payload }));
    expect(configs.map((c) => c.topic).sort()).toEqual(
      [
        'homeassistant/device/lan_sentinel_020000000001/config',
        'homeassistant/device/lan_sentinel_020000000002/config',
        'homeassistant/device/lan_sentinel_hub/config',
      ].sort(),
    );
    expect(validateDiscoverySet(configs)).toEqual([]);
    for (const m of broker.published.filter((x) => x.topic.startsWith('homeassistant/')))
      expect(m).toMatchObject({ retain: true, qos: 1 });
    const s2 = JSON.parse(snap.get('lan_sentinel/device/020000000002/state') ?? '{}');
    expect(s2).toMatchObject({ presence: 'not_home', in_zones: [], online: false, source: 'lan_sentinel' });
    expect(validateAttributesPayload(snap.get('lan_sentinel/device/020000000001/state') ?? '')).toEqual([]);
    expect(JSON.parse(snap.get('lan_sentinel/hub/state') ?? '{}')).toEqual({
      devices_online: 2,
      devices_known: 3,
      devices_new: 0,
      threats_active: 0,
      last_scan: null,
      last_port_scan: null,
      port_scans_pending: 0,
      scanning: false,
      scan_kind: null,
      scan_percent: null,
      scan_hosts_done: null,
      scan_hosts_total: null,
      scan_eta_s: null,
      problem: false,
      problems: [],
    });
    expect(snap.get('lan_sentinel/status')).toBe('online');
    expect(snap.has('lan_sentinel/device/020000000003/state')).toBe(false);
  });

  it('scan_now, rescan and wake commands call back (PRESS only, not retained, known devices only)', async () => {
    const h = await harness([device(1), device(2, { ignored: true }), device(3)]);
    const ext = await externalClient();
    await ext.publishAsync('lan_sentinel/hub/scan_now', 'PRESS');
    await ext.publishAsync('lan_sentinel/hub/scan_now', 'nope');
    await ext.publishAsync('lan_sentinel/device/020000000001/rescan', 'PRESS');
    await ext.publishAsync('lan_sentinel/device/020000000002/rescan', 'PRESS'); // ignored
    await ext.publishAsync('lan_sentinel/device/0200000000ff/rescan', 'PRESS'); // unknown
    await ext.publishAsync('lan_sentinel/device/020000000003/wake', 'PRESS');
    await ext.publishAsync('lan_sentinel/device/020000000001/wake', 'ON'); // not PRESS
    await ext.publishAsync('lan_sentinel/device/020000000002/wake', 'PRESS'); // ignored
    await ext.publishAsync('lan_sentinel/device/0200000000ff/wake', 'PRESS'); // unknown
    await ext.publishAsync('lan_sentinel/device/ffffffffffff/wake', 'PRESS'); // unknown (broadcast)
    await waitFor(
      () => h.calls.scanNow === 1 && h.calls.rescans.length === 1 && h.calls.wakes.length === 1,
      'commands',
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(h.calls).toEqual({ scanNow: 1, rescans: ['02:00:00:00:00:01'], wakes: ['02:00:00:00:00:03'] });
    // the wake button is discovered on the topic it listens to
    const config = JSON.parse(
      published('homeassistant/device/lan_sentinel_020000000003/config').at(-1)!.payload,
    ) as { components: Record<string, { command_topic?: string; payload_press?: string }> };
    expect(config.components.wake).toMatchObject({
      command_topic: 'lan_sentinel/device/020000000003/wake',
      payload_press: 'PRESS',
    });
    // a retained wake PRESS left on the broker wakes nothing on the next start
    await ext.publishAsync('lan_sentinel/device/020000000003/wake', 'PRESS', { retain: true });
    await waitFor(() => h.calls.wakes.length === 2, 'live retained wake delivered once');
    const h3 = await harness([device(3)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(h3.calls.wakes).toEqual([]);
    await ext.publishAsync('lan_sentinel/device/020000000003/wake', '', { retain: true });
    // a retained PRESS left on the broker must not trigger a scan on the next start
    await ext.publishAsync('lan_sentinel/hub/scan_now', 'PRESS', { retain: true });
    await waitFor(() => h.calls.scanNow === 2, 'live retained press delivered once');
    const h2 = await harness([device(1)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(h2.calls.scanNow).toBe(0);
  });

  it('ten HA births within a second cause one republish of states only', async () => {
    const devs = Array.from({ length: 20 }, (_, i) => device(i + 1));
    const h = await harness(devs);
    const ext = await externalClient();
    const from = broker.published.length;
    for (let i = 0; i < 10; i++) {
      await ext.publishAsync('homeassistant/status', 'online');
      await new Promise((r) => setTimeout(r, 50));
    }
    await ext.publishAsync('homeassistant/status', 'offline');
    await waitFor(() => h.bridge.birthRepublishes === 1, 'republish', 4000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.bridge.birthRepublishes).toBe(1);
    const ours = broker.published
      .slice(from)
      .filter((m) => m.clientId !== undefined && m.topic !== 'homeassistant/status');
    expect(ours.filter((m) => m.topic.startsWith('homeassistant/device/'))).toEqual([]);
    expect(ours.filter((m) => m.topic.endsWith('/state')).length).toBe(21); // 20 devices + hub
    expect(ours.length).toBe(22); // + availability online
  });

  it('reconciliation clears our stale retained configs and states, never a foreign config', async () => {
    const ext = await externalClient();
    const seed: Array<[string, string]> = [
      [
        'homeassistant/device/lan_sentinel_0a0000000001/config',
        '{"dev":{"ids":["lan_sentinel_0a0000000001"]}}',
      ],
      [
        'homeassistant/device/lan_sentinel_0a0000000002/config',
        '{"dev":{"ids":["lan_sentinel_0a0000000002"]}}',
      ],
      ['lan_sentinel/device/0a0000000001/state', '{"mac":"0a:00:00:00:00:01"}'],
      ['homeassistant/device/other/config', '{"dev":{"ids":["other"]}}'],
      ['homeassistant/device/lan_sentinel_020000000001/config', '{"old":true}'],
      ['homeassistant/sensor/lan_sentinel_x/config', '{"foreign":"single-component"}'],
    ];
    for (const [t, p] of seed) await ext.publishAsync(t, p, { retain: true, qos: 1 });
    await harness([device(1)], { reconcileMs: 500 });
    const snap = await retainedSnapshot(broker.url, '#');
    expect(snap.has('homeassistant/device/lan_sentinel_0a0000000001/config')).toBe(false);
    expect(snap.has('homeassistant/device/lan_sentinel_0a0000000002/config')).toBe(false);
    expect(snap.has('lan_sentinel/device/0a0000000001/state')).toBe(false);
    expect(snap.get('homeassistant/device/other/config')).toBe('{"dev":{"ids":["other"]}}');
    expect(snap.get('homeassistant/sensor/lan_sentinel_x/config')).toBe('{"foreign":"single-component"}');
    expect(
      JSON.parse(snap.get('homeassistant/device/lan_sentinel_020000000001/config') ?? '{}').device
        .identifiers,
    ).toEqual(['lan_sentinel_020000000001']);
    const clears = broker.published.filter((m) => m.payload === '' && m.retain);
    expect(clears.map((m) => m.topic).sort()).toEqual(
      [
        'homeassistant/device/lan_sentinel_0a0000000001/config',
        'homeassistant/device/lan_sentinel_0a0000000002/config',
        'lan_sentinel/device/0a0000000001/state',
      ].sort(),
    );
  });

  it('forget clears discovery and state; ignore removes entities; rename keeps unique_ids; events are not retained', async () => {
    const d1 = device(1);
    const d2 = device(2);
    const h = await harness([d1, d2]);
    const cfg = (n: string) => `homeassistant/device/lan_sentinel_02000000000${n}/config`;
    const before = JSON.parse((await retainedSnapshot(broker.url, cfg('1'))).get(cfg('1')) ?? '{}');

    await h.bridge.deviceUpdated({ ...d1, name: 'Kitchen Pi' });
    const after = JSON.parse((await retainedSnapshot(broker.url, cfg('1'))).get(cfg('1')) ?? '{}');
    expect(after.device.name).toBe('Kitchen Pi');
    expect(after.components).toEqual(before.components);
    expect(after.device.identifiers).toEqual(before.device.identifiers);

    await h.bridge.deviceRemoved(d1.mac);
    await h.bridge.deviceUpdated({ ...d2, ignored: true });
    const snap = await retainedSnapshot(broker.url, '#');
    for (const t of [
      cfg('1'),
      cfg('2'),
      'lan_sentinel/device/020000000001/state',
      'lan_sentinel/device/020000000002/state',
    ]) {
      expect(snap.has(t), t).toBe(false);
    }
    expect(snap.has('homeassistant/device/lan_sentinel_hub/config')).toBe(true);

    await h.bridge.setScanning(true);
    expect(
      JSON.parse(
        (await retainedSnapshot(broker.url, 'lan_sentinel/hub/state')).get('lan_sentinel/hub/state') ?? '{}',
      ).scanning,
    ).toBe(true);

    await h.bridge.publishEvent({
      type: 'device_offline',
      mac: d1.mac,
      ip: d1.ip,
      name: 'host-1',
      vendor: null,
      severity: 'info',
      message: 'host-1 left',
      time: '2026-08-21T10:20:00.000Z',
    });
    const ev = published('lan_sentinel/event');
    expect(ev).toHaveLength(1);
    expect(validateEventMessage(ev[0]?.payload ?? '', [...CHANGE_TYPES], ev[0]?.retain ?? true)).toEqual([]);
  });
});
