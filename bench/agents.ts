/**
 * Satellite upload of a 254-host result (DESIGN §16), on a real mosquitto (Debian's, free loopback port):
 * agent_upload_254_bytes: bytes on the wire of a 254-host port/service scan result (3 open ports per host,
 *   with service/product/version/CPE) and of a 254-host sweep, gzip'd JSON in chunks (every MQTT message
 *   < 256 KiB).
 * agent_upload_254_s: from the moment the agent's scanner hands over the result until the hub has ingested
 *   it (encode, publish QoS 1, broker, reassemble, gunzip, validate, store ingest, bus events), next to
 *   its reference in the same run: the same result ingested locally by the hub's own store (a ratio).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../src/agent/agent.js';
import { loadAgentOptions } from '../src/agent/config.js';
import { encodeResult, toWire } from '../src/agent/protocol.js';
import { AgentHub } from '../src/hub/agents.js';
import { lookupVendor } from '../src/inventory/vendor.js';
import { MqttPublisher } from '../src/mqtt/client.js';
import type { ScanKind, ScanResult } from '../src/scan/types.js';
import { openStore } from '../src/store/store.js';
import { systemClock } from '../src/util/clock.js';
import { EventBus } from '../src/util/events.js';
import { silentLogger } from '../src/util/logger.js';
import { mosquittoAvailable, startMosquitto } from '../tests/helpers/mosquitto.js';
import {
  type Benchmark,
  type BenchResult,
  errorText,
  fmtList,
  median,
  missing,
  round,
  waitUntil,
} from './lib.js';

const BYTES = { name: 'agent_upload_254_bytes', unit: 'bytes', target: 'every message < 262144' };
const SECONDS = { name: 'agent_upload_254_s', unit: 's', target: 'report (ratio to local ingest)' };

function result(kind: ScanKind, at: number): ScanResult {
  const hosts = Array.from({ length: 254 }, (_, i) => ({
    ip: `10.213.200.${i + 1}`,
    mac: `b8:27:eb:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    hostnames: [`host-${i + 1}.iot.lan`],
    status: 'up' as const,
    ports:
      kind === 'ports'
        ? [22, 80, 1883].map((port) => ({
            protocol: 'tcp' as const,
            port,
            state: 'open',
            service: {
              name: port === 22 ? 'ssh' : port === 80 ? 'http' : 'mqtt',
              product: port === 22 ? 'OpenSSH' : port === 80 ? 'lighttpd' : 'Mosquitto',
              version: port === 22 ? '9.6p1' : port === 80 ? '1.4.59' : '2.0.11',
              method: 'probed',
              conf: 10,
              cpe: [port === 22 ? 'cpe:/a:openbsd:openssh:9.6p1' : 'cpe:/a:lighttpd:lighttpd:1.4.59'],
            },
          }))
        : [],
    portsScanned: kind === 'ports',
  }));
  return {
    kind,
    targets: ['10.213.200.0/24'],
    startedAt: new Date(at - 3000),
    finishedAt: new Date(at),
    nmapVersion: '7.93',
    hosts,
    hostsUp: 254,
    hostsTotal: 254,
  };
}

interface Run {
  uploadS: number;
  localS: number;
}

async function oneRun(url: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'lsn-bench-agents-'));
  const store = openStore(join(dir, 'hub.db'), silentLogger);
  const ref = openStore(join(dir, 'ref.db'), silentLogger);
  const bus = new EventBus();
  const pub = new MqttPublisher({ url, statusTopic: 'lan_sentinel/status' });
  const hub = new AgentHub({
    mqtt: pub,
    store,
    bus,
    clock: systemClock,
    logger: silentLogger,
    known: ['iot'],
    ctx: { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: 'bench' },
    considerHome: 180,
    lookupVendor,
  });
  let handedOver = 0;
  let ingested = 0;
  bus.on('scan:finished', () => {
    ingested = performance.now();
  });
  const sweep = result('sweep', Date.now());
  const agent = new Agent({
    options: loadAgentOptions(
      [
        '--agent-id',
        'iot',
        '--mqtt-url',
        url,
        '--subnets',
        '10.213.200.0/24',
        '--sweep-interval',
        '3600',
        '--port-scan-schedule',
        '',
        '--no-scan-new-devices',
      ],
      {},
    ),
    scan: async () => {
      handedOver = performance.now();
      return { ok: true, result: sweep };
    },
    clock: systemClock,
    logger: silentLogger,
    version: 'bench',
  });
  try {
    await hub.start();
    pub.start();
    await pub.waitConnected();
    agent.start();
    await waitUntil(
      () => ingested > 0 && agent.stats().acked === 1,
      30_000,
      'the sweep ingested and acked',
      1,
    );
    const uploadS = (ingested - handedOver) / 1000;
    // reference: the same result through the local ingest path (store + the same vendor lookup)
    const t0 = performance.now();
    const sid = ref.scans.start('sweep', sweep.targets, 'bench', 'local', sweep.startedAt);
    ref.recordSweep(sid, sweep, { now: sweep.finishedAt, considerHome: 180, lookupVendor });
    const localS = (performance.now() - t0) / 1000;
    return { uploadS, localS };
  } finally {
    await agent.stop();
    await hub.stop();
    await pub.close(1000);
    store.close();
    ref.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const agentsBenchmark: Benchmark = {
  names: [BYTES, SECONDS],
  async run(bctx) {
    const sweepEnc = encodeResult(toWire('iot', 'bench-sweep-1', 'bench', result('sweep', Date.now())));
    const portsEnc = encodeResult(toWire('iot', 'bench-ports-1', 'bench', result('ports', Date.now())));
    const largest = Math.max(...[...sweepEnc.chunks, ...portsEnc.chunks].map((c) => c.length));
    const bytes: BenchResult = {
      name: BYTES.name,
      value: portsEnc.chunks.reduce((n, c) => n + c.length, 0),
      unit: 'bytes',
      target: BYTES.target,
      pass: largest < 262_144,
      detail:
        `254-host port scan (3 open ports each, with services): ${portsEnc.jsonBytes} B JSON -> ${portsEnc.bodyBytes} B gzip in ${portsEnc.chunks.length} chunk(s); ` +
        `254-host sweep: ${sweepEnc.jsonBytes} B JSON -> ${sweepEnc.bodyBytes} B gzip in ${sweepEnc.chunks.length} chunk(s); largest message ${largest} B`,
    };
    if (!mosquittoAvailable()) return [bytes, missing(SECONDS, '/usr/sbin/mosquitto is not installed')];
    const broker = await startMosquitto();
    const runs = bctx.quick ? 3 : 7;
    const figures: Run[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        const f = await oneRun(broker.url);
        figures.push(f);
        bctx.log(
          `agents run ${i + 1}/${runs}: upload+ingest ${f.uploadS.toFixed(3)} s, local ingest ${f.localS.toFixed(3)} s`,
        );
      }
    } catch (err) {
      return [bytes, missing(SECONDS, `failed: ${errorText(err)}`)];
    } finally {
      await broker.dispose();
    }
    const up = median(figures.map((f) => f.uploadS));
    const local = median(figures.map((f) => f.localS));
    return [
      bytes,
      {
        name: SECONDS.name,
        value: round(up),
        unit: 's',
        target: SECONDS.target,
        pass: null,
        detail: `median of ${runs}: agent scanner hand-over -> hub ingested (new 254-device sweep, real mosquitto on loopback) ${fmtList(figures.map((f) => f.uploadS))} s; reference, the same sweep ingested locally: ${round(local)} s (${fmtList(figures.map((f) => f.localS))}); ratio ${round(up / local, 2)}x`,
      },
    ];
  },
};
