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
import { agentTopics, encodeResult, toWire } from '../src/agent/protocol.js';
import { AgentHub } from '../src/hub/agents.js';
import { ingestPortScan } from '../src/inventory/ingestPortScan.js';
import { ingestSweep } from '../src/inventory/ingestSweep.js';
import { lookupVendor } from '../src/inventory/vendor.js';
import { MqttPublisher } from '../src/mqtt/client.js';
import type { ScanHost, ScanKind, ScanPort, ScanResult } from '../src/scan/types.js';
import { openStore, type Store } from '../src/store/store.js';
import { systemClock } from '../src/util/clock.js';
import { EventBus } from '../src/util/events.js';
import { silentLogger } from '../src/util/logger.js';
import { mosquittoAvailable, startMosquitto } from '../tests/helpers/mosquitto.js';
import { prng } from '../tests/helpers/nmapXmlGen.js';
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
const PORTS_SECONDS = { name: 'agent_portscan_254_s', unit: 's', target: 'report (ratio to local ingest)' };

const RESULT_TOPIC = agentTopics('lan_sentinel', 'iot').result;
/** hosts per agent port-scan result: the agent runs nmap on 4 addresses at a time (Agent.requestPortScan) */
const PORTS_PER_RESULT = 4;

const OUIS = ['b8:27:eb', '24:0a:c4', 'f0:18:98', '44:65:0d', '00:17:88', '5c:aa:fd', 'c8:2b:96', 'a4:77:33'];
const NAMES = ['esp', 'shelly', 'hue', 'sonos', 'cam', 'plug', 'tv', 'printer', 'nest', 'tablet'];
const SERVICES: ReadonlyArray<Readonly<ScanPort>> = [
  svc(22, 'ssh', 'OpenSSH', '9.6p1', 'cpe:/a:openbsd:openssh:9.6p1'),
  svc(22, 'ssh', 'Dropbear sshd', '2022.83', 'cpe:/a:matt_johnston:dropbear_ssh_server:2022.83'),
  svc(80, 'http', 'lighttpd', '1.4.59', 'cpe:/a:lighttpd:lighttpd:1.4.59'),
  svc(80, 'http', 'Hikvision-Webs', '', ''),
  svc(443, 'https', 'nginx', '1.24.0', 'cpe:/a:igor_sysoev:nginx:1.24.0'),
  svc(554, 'rtsp', 'Hikvision 7513 POE IP camera rtspd', '', 'cpe:/h:hikvision:7513_poe'),
  svc(1400, 'http', 'Sonos upnpd', '', ''),
  svc(1883, 'mqtt', 'Mosquitto', '2.0.11', 'cpe:/a:eclipse:mosquitto:2.0.11'),
  svc(8008, 'http', 'Google Chromecast httpd', '', 'cpe:/h:google:chromecast'),
  svc(9100, 'jetdirect', '', '', ''),
];

function svc(port: number, name: string, product: string, version: string, cpe: string): ScanPort {
  return {
    protocol: 'tcp',
    port,
    state: 'open',
    service: {
      name,
      ...(product ? { product } : {}),
      ...(version ? { version } : {}),
      method: 'probed',
      conf: 10,
      cpe: cpe ? [cpe] : [],
    },
  };
}

/**
 * A /24 with every address up: varied vendors (8 OUIs), random NIC bytes, names; for a port scan 0-4 open
 * ports per host drawn from 10 real-looking services (the same hosts in both kinds).
 */
function lanHosts(withPorts: boolean): ScanHost[] {
  const rnd = prng(254);
  const hex = () =>
    Math.floor(rnd() * 256)
      .toString(16)
      .padStart(2, '0');
  return Array.from({ length: 254 }, (_, i) => {
    const oui = OUIS[Math.floor(rnd() * OUIS.length)] as string;
    const name = `${NAMES[Math.floor(rnd() * NAMES.length)]}-${hex()}${hex()}`;
    const count = Math.floor(rnd() * 5);
    const ports = new Map<number, ScanPort>();
    for (let k = 0; k < count; k++) {
      const p = SERVICES[Math.floor(rnd() * SERVICES.length)] as ScanPort;
      ports.set(p.port, p);
    }
    return {
      ip: `10.213.200.${i + 1}`,
      mac: `${oui}:${hex()}:${hex()}:${hex()}`,
      hostnames: rnd() < 0.6 ? [`${name}.iot.lan`] : [],
      status: 'up' as const,
      ports: withPorts ? [...ports.values()].sort((x, y) => x.port - y.port) : [],
      portsScanned: withPorts,
    };
  });
}

function result(kind: ScanKind, at: number, hosts: ScanHost[], targets: string[]): ScanResult {
  return {
    kind,
    targets,
    startedAt: new Date(at - 3000),
    finishedAt: new Date(at),
    nmapVersion: '7.93',
    hosts,
    hostsUp: hosts.length,
    hostsTotal: hosts.length,
  };
}

const SWEEP_HOSTS = lanHosts(false);
const PORT_HOSTS = lanHosts(true);
const portResultFor = (targets: string[], at: number) =>
  result(
    'ports',
    at,
    PORT_HOSTS.filter((h) => targets.includes(h.ip)),
    targets,
  );

/** Bytes of one QoS 1 MQTT 3.1.1/5 PUBLISH on the wire (fixed header + topic + packet id + payload) + its PUBACK. */
function mqttBytes(payload: number): number {
  const rest = 2 + Buffer.byteLength(RESULT_TOPIC) + 2 + payload;
  const lenBytes = rest < 128 ? 1 : rest < 16_384 ? 2 : rest < 2_097_152 ? 3 : 4;
  return 1 + lenBytes + rest + 4;
}

interface Run {
  /** result chunks the hub received in this run (sweep + port results; counted by AgentHub) */
  chunksAtHub: number;
  uploadS: number;
  localS: number;
  portsS: number;
  localPortsS: number;
}

/** The local reference: the same sweep, then the same 64 port results, through the hub's own store. */
function localIngest(
  ref: Store,
  sweep: ScanResult,
  portResults: ScanResult[],
): { sweepS: number; portsS: number } {
  const t0 = performance.now();
  const sid = ref.scans.start('sweep', sweep.targets, 'bench', 'local', sweep.startedAt);
  ingestSweep(ref, sid, sweep, { now: sweep.finishedAt, considerHome: 180, lookupVendor });
  const t1 = performance.now();
  for (const r of portResults) {
    const pid = ref.scans.start('ports', r.targets, 'bench', 'local', r.startedAt);
    ingestPortScan(ref, pid, r, r.finishedAt);
  }
  const t2 = performance.now();
  return { sweepS: (t1 - t0) / 1000, portsS: (t2 - t1) / 1000 };
}

async function oneRun(url: string, localFirst: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'lsn-bench-agents-'));
  try {
    return await runIn(dir, url, localFirst);
  } finally {
    // also when a store cannot even be opened (a missing native binding): no temp directory is left
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runIn(dir: string, url: string, localFirst: boolean): Promise<Run> {
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
  const handedOver: Record<ScanKind, number[]> = { sweep: [], ports: [] };
  const ingested: Record<ScanKind, number[]> = { sweep: [], ports: [] };
  bus.on('scan:finished', (e) => {
    ingested[e.kind].push(performance.now());
  });
  const now = Date.now();
  const sweep = result('sweep', now, SWEEP_HOSTS, ['10.213.200.0/24']);
  const portResults: ScanResult[] = [];
  for (let i = 0; i < PORT_HOSTS.length; i += PORTS_PER_RESULT)
    portResults.push(
      portResultFor(
        PORT_HOSTS.slice(i, i + PORTS_PER_RESULT).map((h) => h.ip),
        now + 1000,
      ),
    );
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
    scan: async (kind, targets) => {
      handedOver[kind].push(performance.now());
      return { ok: true, result: kind === 'sweep' ? sweep : portResultFor(targets, now + 1000) };
    },
    clock: systemClock,
    logger: silentLogger,
    version: 'bench',
  });
  try {
    const local = localFirst ? localIngest(ref, sweep, portResults) : null;
    await hub.start();
    pub.start();
    await pub.waitConnected();
    agent.start();
    await waitUntil(
      () => ingested.sweep.length > 0 && agent.stats().acked === 1,
      30_000,
      'the sweep ingested and acked',
      1,
    );
    const uploadS = ((ingested.sweep[0] as number) - (handedOver.sweep[0] as number)) / 1000;
    agent.requestPortScan(
      PORT_HOSTS.map((h) => h.ip),
      'bench',
    );
    await waitUntil(
      () => ingested.ports.length >= portResults.length && agent.stats().acked === 1 + portResults.length,
      60_000,
      `${portResults.length} port results ingested and acked`,
      1,
    );
    const portsS = (Math.max(...ingested.ports) - (handedOver.ports[0] as number)) / 1000;
    const ref2 = local ?? localIngest(ref, sweep, portResults);
    return {
      chunksAtHub: hub.stats.chunks,
      uploadS,
      localS: ref2.sweepS,
      portsS,
      localPortsS: ref2.portsS,
    };
  } finally {
    await agent.stop();
    await hub.stop();
    await pub.close(1000);
    store.close();
    ref.close();
  }
}

export const agentsBenchmark: Benchmark = {
  names: [BYTES, SECONDS, PORTS_SECONDS],
  async run(bctx) {
    const at = Date.now();
    const sweepEnc = encodeResult(
      toWire('iot', 'bench-sweep-1', 'bench', result('sweep', at, SWEEP_HOSTS, ['10.213.200.0/24'])),
    );
    const portsOne = encodeResult(
      toWire(
        'iot',
        'bench-ports-all',
        'bench',
        result(
          'ports',
          at,
          PORT_HOSTS,
          PORT_HOSTS.map((h) => h.ip),
        ),
      ),
    );
    const portsAgent: ReturnType<typeof encodeResult>[] = [];
    for (let i = 0; i < PORT_HOSTS.length; i += PORTS_PER_RESULT) {
      const targets = PORT_HOSTS.slice(i, i + PORTS_PER_RESULT).map((h) => h.ip);
      portsAgent.push(encodeResult(toWire('iot', `bench-ports-${i}`, 'bench', portResultFor(targets, at))));
    }
    const openPorts = PORT_HOSTS.reduce((n, h) => n + h.ports.length, 0);
    const all = [sweepEnc, portsOne, ...portsAgent].flatMap((e) => e.chunks);
    const largest = Math.max(...all.map((c) => c.length));
    const wire = (es: ReturnType<typeof encodeResult>[]) =>
      es.reduce((n, e) => n + e.chunks.reduce((m, c) => m + mqttBytes(c.length), 0), 0);
    const payload = (es: ReturnType<typeof encodeResult>[]) =>
      es.reduce((n, e) => n + e.chunks.reduce((m, c) => m + c.length, 0), 0);
    const bytes: BenchResult = {
      name: BYTES.name,
      value: wire([sweepEnc]),
      unit: 'bytes',
      target: BYTES.target,
      pass: largest < 262_144,
      detail:
        `254-host sweep (8 OUIs, random NIC bytes, 60% with a hostname): ${sweepEnc.jsonBytes} B JSON -> ${sweepEnc.bodyBytes} B gzip in ${sweepEnc.chunks.length} chunk(s), ` +
        `${payload([sweepEnc])} B of MQTT payload, ${wire([sweepEnc])} B on the wire (PUBLISH QoS 1 with topic ${RESULT_TOPIC} + PUBACK); ` +
        `port/service scan of the same 254 hosts (${openPorts} open ports, 0-4 per host from 10 services with product/version/CPE) as the agent sends it, ${portsAgent.length} results of ${PORTS_PER_RESULT} hosts: ` +
        `${portsAgent.reduce((n, e) => n + e.jsonBytes, 0)} B JSON -> ${payload(portsAgent)} B payload in ${portsAgent.reduce((n, e) => n + e.chunks.length, 0)} chunks, ${wire(portsAgent)} B on the wire; ` +
        `the same as one result: ${portsOne.jsonBytes} B JSON -> ${portsOne.bodyBytes} B gzip in ${portsOne.chunks.length} chunk(s), ${wire([portsOne])} B on the wire; largest message ${largest} B`,
    };
    if (!mosquittoAvailable())
      return [
        bytes,
        missing(SECONDS, '/usr/sbin/mosquitto is not installed'),
        missing(PORTS_SECONDS, '/usr/sbin/mosquitto is not installed'),
      ];
    const broker = await startMosquitto();
    const runs = bctx.quick ? 3 : 7;
    const figures: Run[] = [];
    try {
      // one untimed warm-up (module loading, JIT, the broker's first connection)
      await oneRun(broker.url, false);
      for (let i = 0; i < runs; i++) {
        // the local reference alternates before / after the agent path
        const f = await oneRun(broker.url, i % 2 === 1);
        figures.push(f);
        bctx.log(
          `agents run ${i + 1}/${runs}: sweep upload+ingest ${f.uploadS.toFixed(3)} s (local ${f.localS.toFixed(3)} s), ` +
            `${portsAgent.length} port results ${f.portsS.toFixed(3)} s (local ${f.localPortsS.toFixed(3)} s)`,
        );
      }
    } catch (err) {
      const why = `failed: ${errorText(err)}`;
      return [bytes, missing(SECONDS, why), missing(PORTS_SECONDS, why)];
    } finally {
      await broker.dispose();
    }
    const expectedChunks = sweepEnc.chunks.length + portsAgent.reduce((n, e) => n + e.chunks.length, 0);
    const received = [...new Set(figures.map((f) => f.chunksAtHub))].join('/');
    bytes.detail += `; chunks received by the hub per timed run: ${received} (expected ${expectedChunks}: 1 sweep + ${portsAgent.length} port results, nothing resent)`;
    const med = (k: keyof Run) => median(figures.map((f) => f[k]));
    const list = (k: keyof Run) => fmtList(figures.map((f) => f[k]));
    return [
      bytes,
      {
        name: SECONDS.name,
        value: round(med('uploadS')),
        unit: 's',
        target: SECONDS.target,
        pass: null,
        detail: `median of ${runs} (after 1 warm-up): agent scanner hand-over of the 254-host sweep -> hub ingested (254 new devices, real mosquitto on loopback) ${list('uploadS')} s; reference, the same sweep ingested locally in the same runs: ${round(med('localS'))} s ${list('localS')}; ratio ${round(med('uploadS') / med('localS'), 2)}x`,
      },
      {
        name: PORTS_SECONDS.name,
        value: round(med('portsS')),
        unit: 's',
        target: PORTS_SECONDS.target,
        pass: null,
        detail: `median of ${runs}: port scan of the 254 hosts through the agent (${portsAgent.length} results of ${PORTS_PER_RESULT} hosts, ${openPorts} open ports), first hand-over -> last ingested by the hub ${list('portsS')} s; reference, the same ${portsAgent.length} results ingested locally: ${round(med('localPortsS'))} s ${list('localPortsS')}; ratio ${round(med('portsS') / med('localPortsS'), 2)}x`,
      },
    ];
  },
};
