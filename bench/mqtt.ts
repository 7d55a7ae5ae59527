/**
 * mqtt_1000_devices_s: discovery + state of 1,000 devices (plus the hub's) published by MqttPublisher + HaBridge
 * on connect, timed from `start()` until the last of them reaches a subscriber on a real mosquitto (Debian's, on a
 * free 127.0.0.1 port). mqtt_birth_republish_msgs: messages the subscriber receives after a HA birth
 * (`homeassistant/status` = `online`) with nothing changed.
 */
import mqtt from 'mqtt';
import { HaBridge } from '../src/ha/bridge.js';
import type { DiscoveryCtx } from '../src/ha/discovery.js';
import type { Device } from '../src/inventory/types.js';
import { MqttPublisher } from '../src/mqtt/client.js';
import { mosquittoAvailable, startMosquitto } from '../tests/helpers/mosquitto.js';
import {
  atMost,
  type Benchmark,
  type BenchResult,
  errorText,
  fmtList,
  median,
  missing,
  sleep,
  waitUntil,
} from './lib.js';

const SECONDS = { name: 'mqtt_1000_devices_s', unit: 's', target: '<= 3 s' };
const BIRTH = {
  name: 'mqtt_birth_republish_msgs',
  unit: 'messages',
  target: 'states only: 1002 (1000 device states + hub state + availability), 0 discovery',
};
const DEVICES = 1000;
const ctx: DiscoveryCtx = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: '0.1.0' };

function device(i: number): Device {
  const hex = i.toString(16).padStart(6, '0');
  return {
    mac: `02:00:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`,
    ip: `10.213.${(i >> 8) & 255}.${i & 255}`,
    hostname: `host-${i}`,
    name: null,
    vendor: 'Espressif Inc.',
    randomized: false,
    firstSeen: '2026-08-01T10:00:00.000Z',
    lastSeen: '2026-08-21T10:15:00.000Z',
    online: i % 3 !== 0,
    presence: i % 3 !== 0 ? 'home' : 'not_home',
    missedSweeps: 0,
    known: true,
    watched: false,
    ignored: false,
    notes: null,
    considerHome: null,
    ports: [],
    portsScannedAt: null,
    riskScore: 0,
    risk: 'none',
    isNew: false,
  };
}

interface Msg {
  topic: string;
  at: number;
}

interface RunFigures {
  seconds: number;
  birthMsgs: number;
  birthDiscovery: number;
}

async function oneRun(): Promise<RunFigures> {
  const broker = await startMosquitto();
  const cleanups: Array<() => Promise<unknown>> = [() => broker.dispose()];
  try {
    const spy = await mqtt.connectAsync(broker.url, {
      clientId: `bench_spy_${process.pid}`,
      reconnectPeriod: 0,
    });
    cleanups.unshift(() => spy.endAsync(true));
    const messages: Msg[] = [];
    spy.on('message', (topic) => messages.push({ topic, at: performance.now() }));
    await spy.subscribeAsync('#', { qos: 1 });

    const devices = Array.from({ length: DEVICES }, (_, i) => device(i + 1));
    const pub = new MqttPublisher({
      url: broker.url,
      statusTopic: 'lan_sentinel/status',
      reconnectPeriod: 500,
    });
    const bridge = new HaBridge({
      publisher: pub,
      ctx,
      listDevices: () => devices,
      findingsFor: () => [],
      hubStats: () => ({ online: 667, total: DEVICES, new: 0, threatsActive: 0, lastScan: null }),
      onScanNow: () => {},
      onRescan: () => {},
      random: () => 0,
      birthDelayMs: [0, 1],
      reconcileMs: 500,
    });
    cleanups.unshift(async () => {
      await bridge.stop();
      await pub.close(1000);
    });
    await bridge.start();
    const ours = (m: Msg) =>
      m.topic.startsWith('homeassistant/device/') ||
      (m.topic.startsWith('lan_sentinel/') && m.topic.endsWith('/state'));
    const expected = 2 * DEVICES + 2; // config + state per device, hub config + hub state
    const t0 = performance.now();
    pub.start();
    await waitUntil(() => messages.filter(ours).length >= expected, 30_000, `${expected} messages`, 20);
    const last = messages.filter(ours).at(-1)?.at ?? t0;
    await bridge.whenReconciled();
    await sleep(300);

    messages.length = 0;
    await spy.publishAsync('homeassistant/status', 'online');
    await waitUntil(() => bridge.birthRepublishes === 1, 10_000, 'the birth republish');
    // let the republish drain, then a quiet second
    let seen = -1;
    await waitUntil(
      () => {
        const done = messages.length === seen;
        seen = messages.length;
        return done;
      },
      20_000,
      'the birth republish to settle',
      1000,
    );
    const birth = messages.filter((m) => m.topic !== 'homeassistant/status');
    return {
      seconds: (last - t0) / 1000,
      birthMsgs: birth.length,
      birthDiscovery: birth.filter((m) => m.topic.startsWith('homeassistant/')).length,
    };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

export const mqttBenchmark: Benchmark = {
  names: [SECONDS, BIRTH],
  async run(bctx) {
    try {
      if (!mosquittoAvailable())
        throw new Error('/usr/sbin/mosquitto is not installed (apt-get install mosquitto)');
    } catch (err) {
      return [missing(SECONDS, errorText(err)), missing(BIRTH, errorText(err))];
    }
    const runs = bctx.quick ? 2 : 5;
    const figures: RunFigures[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const f = await oneRun();
        figures.push(f);
        bctx.log(`mqtt run ${i + 1}/${runs}: ${f.seconds.toFixed(2)} s, birth ${f.birthMsgs} messages`);
      }
    } catch (err) {
      return [missing(SECONDS, `failed: ${errorText(err)}`), missing(BIRTH, `failed: ${errorText(err)}`)];
    }
    const secs = figures.map((f) => f.seconds);
    const birth = figures.map((f) => f.birthMsgs);
    const discovery = Math.max(...figures.map((f) => f.birthDiscovery));
    const birthValue = median(birth);
    const results: BenchResult[] = [
      atMost(
        SECONDS.name,
        median(secs),
        's',
        3,
        `median of ${runs} runs, each on a fresh mosquitto: from MqttPublisher.start() to the last of ${2 * DEVICES + 2} ` +
          `retained QoS 1 messages (device config + state each, hub config + state) at a '#' subscriber; runs ${fmtList(secs)} s. ` +
          'Anchor: NetAlertX publishes about one device per 10 s (~10,000 s for 1,000 devices)',
      ),
      {
        name: BIRTH.name,
        value: birthValue,
        unit: BIRTH.unit,
        target: BIRTH.target,
        pass: birthValue === DEVICES + 2 && discovery === 0,
        detail: `messages at a '#' subscriber after publishing homeassistant/status=online with nothing changed (bridge birth delay 0-1 ms), median of ${runs}; runs ${fmtList(birth, 0)}; discovery configs among them: ${discovery}`,
      },
    ];
    return results;
  },
};
