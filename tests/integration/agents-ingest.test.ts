/**
 * Satellite agents over a real broker (aedes in-process, real sockets): the Agent with a scripted scanner,
 * the hub's AgentHub with a real SQLite store. Ingest into the one inventory, ownership and presence per
 * agent, commands, refusals, duplicate/reordered chunks, a broker restart mid-upload, the bounded outbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/agent.js';
import { loadAgentOptions } from '../../src/agent/config.js';
import { agentTopics, encodeResult, toWire } from '../../src/agent/protocol.js';
import type { AgentScanFn } from '../../src/agent/scanner.js';
import { AgentHub } from '../../src/hub/agents.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import { MqttPublisher } from '../../src/mqtt/client.js';
import type { ScanHost, ScanKind, ScanResult } from '../../src/scan/types.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { createLogger, type Logger } from '../../src/util/logger.js';
import type { WakeSender } from '../../src/wol/sender.js';
import type { WakeTarget } from '../../src/wol/targets.js';
import { retainedSnapshot, startAedes, type TestBroker, waitFor } from '../helpers/aedesBroker.js';
import { validateDiscovery } from '../helpers/discoveryValidator.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const BASE = 'lan_sentinel';

interface SimHostSpec {
  mac: string;
  ip: string;
  ports?: number[];
}

/** A scripted VLAN: the agent's scanner sees `hosts` (mutable); each scan advances the scan clock by 60 s. */
class ScriptedLan {
  hosts: SimHostSpec[] = [];
  calls: Array<{ kind: ScanKind; targets: string[] }> = [];
  t = T0;
  gate: Promise<void> | null = null;
  scan: AgentScanFn = async (kind, targets) => {
    this.calls.push({ kind, targets });
    if (this.gate) await this.gate;
    this.t += 60_000;
    const hosts: ScanHost[] = this.hosts
      .filter((h) => kind === 'sweep' || targets.includes(h.ip))
      .map((h) => ({
        ip: h.ip,
        mac: h.mac,
        hostnames: [],
        status: 'up',
        ports:
          kind === 'ports'
            ? (h.ports ?? []).map((p) => ({
                protocol: 'tcp' as const,
                port: p,
                state: 'open',
                service: { name: 'ssh', cpe: [] },
              }))
            : [],
        portsScanned: kind === 'ports',
      }));
    const r: ScanResult = {
      kind,
      targets,
      startedAt: new Date(this.t - 5_000),
      finishedAt: new Date(this.t),
      hosts,
      hostsUp: hosts.length,
      hostsTotal: kind === 'sweep' ? 254 : targets.length,
    };
    return { ok: true, result: r };
  };
}

/** every address of 10.213.77.0/24 up, MACs 02:77:00:00:<block>:<n> */
function fullVlan(block: string): SimHostSpec[] {
  return Array.from({ length: 254 }, (_, i) => ({
    mac: `02:77:00:00:${block}:${(i + 1).toString(16).padStart(2, '0')}`,
    ip: `10.213.77.${i + 1}`,
  }));
}

async function scanned(lan: ScriptedLan, kind: ScanKind, targets: string[]): Promise<ScanResult> {
  const r = await lan.scan(kind, targets);
  if (!r.ok) throw new Error(r.error);
  return r.result;
}

function captureLogger(lines: string[]): Logger {
  return createLogger('debug', 'test', (l) => lines.push(l));
}

describe('satellite agents over a real broker (aedes)', () => {
  let broker: TestBroker;
  let dir: string;
  let store: Store;
  let bus: EventBus;
  let hubMqtt: MqttPublisher;
  let hub: AgentHub;
  let hubClock: ManualClock;
  let hubLog: string[];
  const agents: Agent[] = [];

  async function startHub(known = ['iot']): Promise<void> {
    hubMqtt = new MqttPublisher({ url: broker.url, statusTopic: `${BASE}/status` });
    hub = new AgentHub({
      mqtt: hubMqtt,
      store,
      bus,
      clock: hubClock,
      logger: captureLogger(hubLog),
      known,
      ctx: { discoveryPrefix: 'homeassistant', baseTopic: BASE, swVersion: '0.1.0' },
      considerHome: 180,
      lookupVendor,
    });
    await hub.start();
    hubMqtt.start();
    await hubMqtt.waitConnected();
  }

  function startAgent(
    lan: ScriptedLan,
    extra: string[] = [],
    chunkBodyBytes?: number,
    flushTickMs = 100,
    wakeSender?: WakeSender,
  ): Agent {
    const options = loadAgentOptions(
      [
        '--agent-id',
        'iot',
        '--mqtt-url',
        broker.url,
        '--subnets',
        '10.213.77.0/24',
        '--sweep-interval',
        '3600',
        '--port-scan-schedule',
        '',
        '--no-scan-new-devices',
        ...extra,
      ],
      {},
    );
    const a = new Agent({
      options,
      scan: lan.scan,
      clock: { now: () => new Date(lan.t) },
      logger: createLogger('fatal'),
      version: '0.1.0',
      resendMs: 1_000,
      flushTickMs,
      ...(chunkBodyBytes ? { chunkBodyBytes } : {}),
      ...(wakeSender ? { wakeSender } : {}),
    });
    agents.push(a);
    a.start();
    return a;
  }

  beforeEach(async () => {
    broker = await startAedes();
    dir = mkdtempSync(join(tmpdir(), 'lsn-agents-'));
    store = openStore(join(dir, 'db.sqlite'), createLogger('error'));
    bus = new EventBus();
    hubClock = new ManualClock(T0 + 86_400_000);
    hubLog = [];
  });

  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await hub?.stop();
    await hubMqtt?.close();
    store.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests agent sweeps into the one inventory, with vendor, owner and per-agent presence', async () => {
    await startHub();
    const lan = new ScriptedLan();
    lan.hosts = [
      { mac: 'b8:27:eb:00:00:10', ip: '10.213.77.10' }, // Raspberry Pi Foundation
      { mac: '24:0a:c4:00:00:20', ip: '10.213.77.20' }, // Espressif
    ];
    // a device the hub saw itself on its own LAN
    const sid = store.scans.start('sweep', ['10.213.50.0/24'], 'test', 'local');
    ingestSweep(
      store,
      sid,
      {
        ...(await scanned(new ScriptedLan(), 'sweep', ['10.213.50.0/24'])),
        hosts: [
          {
            ip: '10.213.50.5',
            mac: 'f0:18:98:00:00:05',
            hostnames: [],
            status: 'up',
            ports: [],
            portsScanned: false,
          },
        ],
      } as ScanResult,
      { now: new Date(T0), considerHome: 180, lookupVendor },
    );
    const updates: string[] = [];
    bus.on('device:updated', (d) => {
      updates.push(d.mac);
    });
    const agent = startAgent(lan);
    await waitFor(() => store.devices.all().length === 3, 'agent devices in the inventory');
    const pi = store.devices.get('b8:27:eb:00:00:10')!;
    expect(pi.vendor).toMatch(/Raspberry Pi/);
    expect(pi.presence).toBe('home');
    expect(store.agents.agentOf('b8:27:eb:00:00:10')).toBe('iot');
    expect(store.agents.agentOf('f0:18:98:00:00:05')).toBeNull();
    expect(updates).toContain('24:0a:c4:00:00:20');
    await waitFor(() => agent.stats().pending === 0, 'the hub acknowledged the result');

    // the esp leaves the IoT VLAN: two agent sweeps later and past consider_home it is away; the hub's own
    // device is untouched by agent sweeps (and the hub's own sweeps do not touch agent devices)
    lan.hosts = lan.hosts.slice(0, 1);
    for (let i = 0; i < 4; i++) {
      agent.requestSweep('test');
      await agent.whenIdle();
      await waitFor(() => agent.stats().pending === 0, 'ack');
    }
    await hub.idle();
    expect(store.devices.get('24:0a:c4:00:00:20')!.presence).toBe('not_home');
    expect(store.devices.get('f0:18:98:00:00:05')!.presence).toBe('home');
    const sid2 = store.scans.start('sweep', ['10.213.50.0/24'], 'test', 'local');
    for (let i = 0; i < 3; i++)
      ingestSweep(
        store,
        sid2 + 0 * i,
        {
          kind: 'sweep',
          targets: ['10.213.50.0/24'],
          startedAt: new Date(T0),
          finishedAt: new Date(T0 + 600_000 * (i + 1)),
          hosts: [
            {
              ip: '10.213.50.5',
              mac: 'f0:18:98:00:00:05',
              hostnames: [],
              status: 'up',
              ports: [],
              portsScanned: false,
            },
          ],
          hostsUp: 1,
          hostsTotal: 254,
        },
        { now: new Date(T0 + 600_000 * (i + 1)), considerHome: 180, lookupVendor },
      );
    expect(store.devices.get('b8:27:eb:00:00:10')!.presence).toBe('home');
    expect(store.agents.list().find((a) => a.id === 'iot')).toMatchObject({ devices: 2, results: 5 });
  });

  it('publishes one valid HA device per agent with its health, and obeys hub commands', async () => {
    await startHub();
    const lan = new ScriptedLan();
    lan.hosts = [{ mac: 'b8:27:eb:00:00:10', ip: '10.213.77.10', ports: [22] }];
    const agent = startAgent(lan);
    await waitFor(() => store.devices.all().length === 1, 'first sweep ingested');
    await waitFor(() => agent.stats().pending === 0, 'ack');
    let snap = new Map<string, string>();
    await waitFor(() => {
      void retainedSnapshot(broker.url, `${BASE}/hub/agent/#`, 100).then((s) => (snap = s));
      const st = snap.get(`${BASE}/hub/agent/iot/state`);
      return !!st && JSON.parse(st).online === true && JSON.parse(st).devices === 1;
    }, 'agent state online with 1 device');
    const disc = await retainedSnapshot(broker.url, 'homeassistant/device/+/config');
    const payload = disc.get('homeassistant/device/lan_sentinel_agent_iot/config');
    expect(payload).toBeDefined();
    expect(validateDiscovery('homeassistant/device/lan_sentinel_agent_iot/config', payload!)).toEqual([]);
    expect(JSON.parse(payload!).device.via_device).toBe('lan_sentinel_hub');

    // HA's button → hub → agent: a sweep now
    const before = lan.calls.length;
    const c = await mqtt.connectAsync(broker.url);
    await c.publishAsync(`${BASE}/hub/agent/iot/scan_now`, 'PRESS');
    await waitFor(() => lan.calls.length > before && lan.calls.at(-1)!.kind === 'sweep', 'sweep on command');
    // deep scan of an agent's device goes to that agent, with the device's IP
    expect(hub.deepScan('b8:27:eb:00:00:10', 'test')).toBe(true);
    await waitFor(() => store.devices.get('b8:27:eb:00:00:10')!.ports.length === 1, 'ports ingested');
    expect(lan.calls.at(-1)).toEqual({ kind: 'ports', targets: ['10.213.77.10'] });
    // a command for an address outside the agent's subnets is not obeyed
    const n = lan.calls.length;
    await c.publishAsync(
      agentTopics(BASE, 'iot').cmd,
      JSON.stringify({ v: 1, id: 'x1', command: 'deep_scan', ip: '192.168.1.1' }),
      { qos: 1 },
    );
    await c.publishAsync(
      agentTopics(BASE, 'iot').cmd,
      JSON.stringify({ v: 1, id: 'x2', command: 'exec', args: 'rm -rf /' }),
      { qos: 1 },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(lan.calls.length).toBe(n);
    await c.endAsync();

    // agent goes away: its LWT/clean offline marks it offline in HA
    await agent.stop();
    await waitFor(() => {
      void retainedSnapshot(broker.url, `${BASE}/hub/agent/#`, 100).then((s) => (snap = s));
      const st = snap.get(`${BASE}/hub/agent/iot/state`);
      return !!st && JSON.parse(st).health === 'offline';
    }, 'agent offline');
  });

  it("wakes a device it sees on the hub's command: the magic packet goes to its own subnet broadcast", async () => {
    await startHub();
    const lan = new ScriptedLan();
    lan.hosts = [{ mac: '00:d8:61:4a:5b:6c', ip: '10.213.77.40' }];
    const sent: Array<{ packet: string; targets: WakeTarget[] }> = [];
    const sender: WakeSender = {
      async send(packet, targets) {
        sent.push({ packet: Buffer.from(packet).toString('hex'), targets: [...targets] });
        return targets.map((t) => ({ ...t, ok: true }));
      },
    };
    startAgent(lan, [], undefined, 100, sender);
    await waitFor(() => store.devices.all().length === 1, 'first sweep ingested');
    const relayed = hub.wake('00:d8:61:4a:5b:6c', 9, 'test');
    expect(relayed?.agent).toBe('iot');
    // the agent's subnet that holds the device, from its heartbeat (null until the first heartbeat arrived)
    expect([null, '10.213.77.0/24']).toContain(relayed?.subnet);
    await waitFor(() => sent.length === 1, 'the agent sent the magic packet');
    expect(sent[0]).toEqual({
      packet: `ffffffffffff${'00d8614a5b6c'.repeat(16)}`,
      targets: [
        { address: '10.213.77.255', port: 9 },
        { address: '255.255.255.255', port: 9 },
      ],
    });
    // a device the agent does not own is not the agent's to wake; a command for an address outside its
    // subnets, or with a group MAC, wakes nothing
    expect(hub.wake('b8:27:eb:99:99:99', 9, 'test')).toBeNull();
    const c = await mqtt.connectAsync(broker.url);
    for (const bad of [
      { v: 1, id: 'w1', command: 'wake', mac: '00:d8:61:4a:5b:6c', ip: '192.168.1.40', port: 9 },
      { v: 1, id: 'w2', command: 'wake', mac: 'ff:ff:ff:ff:ff:ff', ip: '10.213.77.40', port: 9 },
      { v: 1, id: 'w3', command: 'wake', mac: '00:d8:61:4a:5b:6c', ip: '10.213.77.40', port: 1234 },
    ])
      await c.publishAsync(agentTopics(BASE, 'iot').cmd, JSON.stringify(bad), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.length).toBe(1);
    await c.endAsync();
  });

  it('refuses unknown agents, malformed payloads and payloads naming another agent, with a logged reason', async () => {
    await startHub(['iot']);
    const lan = new ScriptedLan();
    lan.hosts = [{ mac: 'b8:27:eb:00:00:10', ip: '10.213.77.10' }];
    const r = await scanned(lan, 'sweep', ['10.213.77.0/24']);
    const c = await mqtt.connectAsync(broker.url);
    // an agent the hub does not know
    const evil = encodeResult(toWire('guest', 'rid-guest-1', 'x', r));
    await c.publishAsync(agentTopics(BASE, 'guest').result, evil.chunks[0]!, { qos: 1 });
    // iot's topic, but the payload claims to be another agent
    const other = encodeResult(toWire('guest', 'rid-other-1', 'x', r));
    await c.publishAsync(agentTopics(BASE, 'iot').result, other.chunks[0]!, { qos: 1 });
    // garbage, a wrong protocol version, a body that is not what the header says
    await c.publishAsync(agentTopics(BASE, 'iot').result, 'hello', { qos: 1 });
    const good = encodeResult(toWire('iot', 'rid-iot-0001', 'x', r)).chunks[0]!;
    const nl = good.indexOf(0x0a);
    const h = JSON.parse(good.subarray(0, nl).toString());
    await c.publishAsync(
      agentTopics(BASE, 'iot').result,
      Buffer.concat([Buffer.from(`${JSON.stringify({ ...h, v: 2 })}\n`), good.subarray(nl + 1)]),
      { qos: 1 },
    );
    const tampered = Buffer.from(good);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 5) ^ 0xff, tampered.length - 5);
    await c.publishAsync(agentTopics(BASE, 'iot').result, tampered, { qos: 1 });
    // a well-formed body whose content breaks the schema (a shell string where a MAC belongs)
    const bad = toWire('iot', 'rid-iot-0002', 'x', r);
    (bad.hosts[0] as { mac: string }).mac = '$(reboot)';
    await c.publishAsync(agentTopics(BASE, 'iot').result, encodeResult(bad).chunks[0]!, { qos: 1 });
    await c.publishAsync(agentTopics(BASE, 'iot').heartbeat, '{"v":1}', { qos: 1 });
    await waitFor(() => hub.stats.refused >= 7, 'seven refusals', 5000);
    await hub.idle();
    expect(store.devices.all()).toHaveLength(0);
    const log = hubLog.join('\n');
    expect(log).toMatch(/agent "guest" is not in option agents/);
    expect(log).toMatch(/names agent "guest" on agent iot's topic/);
    expect(log).toMatch(/no header line/);
    expect(log).toMatch(/protocol version 2 is not supported/);
    expect(log).toMatch(/does not match its sha256/);
    expect(log).toMatch(/hosts\.0\.mac/);
    expect(log).toMatch(/malformed heartbeat/);
    // an unknown agent leaves no row behind; iot's refusals are counted
    expect(store.agents.list().map((a) => a.id)).toEqual(['iot']);
    expect(store.agents.get('iot')!.refused).toBeGreaterThanOrEqual(5);
    await c.endAsync();
  });

  it('reassembles duplicate and reordered chunks into exactly one ingest', async () => {
    await startHub();
    const lan = new ScriptedLan();
    lan.hosts = fullVlan('00');
    const r = await scanned(lan, 'sweep', ['10.213.77.0/24']);
    const enc = encodeResult(toWire('iot', 'rid-chunks-01', 'test', r), 300);
    expect(enc.chunks.length).toBeGreaterThan(3);
    const acks: string[] = [];
    const c = await mqtt.connectAsync(broker.url);
    c.on('message', (_t, p) => acks.push(JSON.parse(p.toString()).status));
    await c.subscribeAsync(agentTopics(BASE, 'iot').ack, { qos: 1 });
    const order = [...enc.chunks.keys()].reverse();
    for (const i of [...order, 1, 0, 2])
      await c.publishAsync(agentTopics(BASE, 'iot').result, enc.chunks[i]!, { qos: 1 });
    await waitFor(() => acks.length >= 1, 'ack');
    await hub.idle();
    // the whole result again (an agent that did not see the ack): acknowledged as duplicate, not ingested
    for (const ch of enc.chunks) await c.publishAsync(agentTopics(BASE, 'iot').result, ch, { qos: 1 });
    await waitFor(() => acks.length >= 2, 'second ack');
    await hub.idle();
    expect(acks).toEqual(['ingested', 'duplicate']);
    expect(store.devices.all()).toHaveLength(254);
    expect(hub.stats).toMatchObject({ ingested: 1, duplicates: 1 });
    // every chunk of the whole resend (and the 3 repeated ones, once the first ingest is committed) counts as
    // a duplicate chunk: a result already received is never reassembled again
    expect(hub.stats.duplicateChunks).toBeGreaterThanOrEqual(enc.chunks.length);
    expect(hub.stats.duplicateChunks).toBeLessThanOrEqual(enc.chunks.length + 3);
    await c.endAsync();
  });

  it('keeps results through a broker restart mid-upload: nothing lost, nothing ingested twice', async () => {
    await startHub();
    const lan = new ScriptedLan();
    lan.hosts = fullVlan('01');
    const agent = startAgent(lan, [], 100);
    await waitFor(() => agent.stats().connected, 'agent connected');
    // four results (sweeps never overlap: one after the other) queue up while the first is still uploading
    for (let i = 0; i < 3; i++) {
      await agent.whenIdle();
      agent.requestSweep(`burst ${i}`);
    }
    await agent.whenIdle();
    const resultTopic = agentTopics(BASE, 'iot').result;
    const chunksSeen = () => broker.published.filter((p) => p.topic === resultTopic).length;
    // cut the broker while chunks are flowing: some results are half-uploaded
    await waitFor(() => chunksSeen() >= 5, 'upload under way', 10_000);
    await broker.restart(1000);
    const atCut = hub.stats.ingested;
    await agent.whenIdle();
    await waitFor(() => agent.stats().pending === 0, 'outbox drained after the restart', 20_000);
    await hub.idle();
    const produced = lan.calls.filter((c) => c.kind === 'sweep').length;
    expect(produced).toBeGreaterThanOrEqual(2);
    expect(atCut).toBeLessThan(produced); // the cut really happened mid-upload
    expect(store.agents.get('iot')!.results).toBe(produced);
    expect(hub.stats.ingested + hub.stats.superseded).toBe(produced);
    expect(store.devices.all()).toHaveLength(254);
    expect(agent.stats().dropped).toBe(0);
    // no scan ingested twice: one scan row per result id
    const rows = store.db
      .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT rid) AS d FROM agent_results')
      .get() as { n: number; d: number };
    expect(rows.n).toBe(rows.d);
  }, 40_000);

  it('broker restart mid-upload with acks arriving during the resend: exactly once at the hub, no acknowledged result sent again', async () => {
    await startHub();
    const lan = new ScriptedLan();
    lan.hosts = fullVlan('05');
    const topics = agentTopics(BASE, 'iot');
    const ridOf = (chunk: Buffer | string) =>
      (
        JSON.parse(Buffer.from(chunk).subarray(0, Buffer.from(chunk).indexOf(0x0a)).toString()) as {
          rid: string;
        }
      ).rid;
    // the agent's own mqtt client, with acks held back (a slow bridge): they reach the agent only after the
    // reconnect, while it is resending everything it had not seen acknowledged
    let agentRef: Agent | null = null;
    let hold = true;
    // acks are released after the 2nd chunk resent (after the reconnect) of a result sent before the cut
    let cut = Number.POSITIVE_INFINITY;
    const beforeCut = new Set<string>();
    const held: unknown[][] = [];
    const afterAck: string[] = [];
    const published: string[] = [];
    const connect = (url: string, opts: IClientOptions): MqttClient => {
      const client = mqtt.connect(url, opts);
      const emit = client.emit.bind(client) as (ev: string, ...args: unknown[]) => boolean;
      (client as unknown as { emit: typeof emit }).emit = (ev, ...args) => {
        if (ev === 'message' && hold && args[0] === topics.ack) {
          held.push(args);
          return true;
        }
        return emit(ev, ...args);
      };
      const pub = client.publishAsync.bind(client);
      client.publishAsync = (async (topic: string, payload: string | Buffer, o?: object) => {
        if (topic === topics.result) {
          const rid = ridOf(payload);
          // the invariant under test: a chunk goes out only for a result still waiting for its ack
          if (!agentRef!.outbox.has(rid)) afterAck.push(rid);
          published.push(rid);
        }
        const r = await pub(topic, payload, o as never);
        const resentOld = published.slice(cut).filter((x) => beforeCut.has(x)).length;
        if (topic === topics.result && resentOld >= 2 && hold) {
          hold = false;
          for (const args of held.splice(0)) emit('message', ...args);
        }
        return r;
      }) as typeof client.publishAsync;
      return client;
    };
    const agent = new Agent({
      options: loadAgentOptions(
        [
          ...['--agent-id', 'iot', '--mqtt-url', broker.url, '--subnets', '10.213.77.0/24'],
          ...['--sweep-interval', '3600', '--port-scan-schedule', '', '--no-scan-new-devices'],
        ],
        {},
      ),
      scan: lan.scan,
      clock: { now: () => new Date(lan.t) },
      logger: createLogger('fatal'),
      version: '0.1.0',
      // no timed resend inside the test: only the reconnect path resends
      resendMs: 600_000,
      flushTickMs: 100,
      chunkBodyBytes: 300,
      connect,
    });
    agentRef = agent;
    agents.push(agent);
    agent.start();
    await waitFor(() => agent.stats().connected, 'agent connected');
    for (let i = 0; i < 3; i++) {
      await agent.whenIdle();
      agent.requestSweep(`before the cut ${i}`);
    }
    await agent.whenIdle();
    // four results fully uploaded and ingested; their acks are on the way (held)
    await waitFor(() => hub.stats.ingested === 4, 'four results ingested', 15_000);
    await hub.idle();
    await waitFor(() => held.length === 4, 'four acks sent by the hub', 5_000);
    expect(published.length).toBeGreaterThan(4 * 5);
    for (const r of published) beforeCut.add(r);
    expect(beforeCut.size).toBe(4);
    // the broker restarts; while it is away one more sweep is produced (never sent yet)
    const back = broker.restart(800);
    await waitFor(() => !agent.stats().connected, 'agent disconnected', 5_000);
    agent.requestSweep('during the outage');
    await agent.whenIdle();
    expect(agent.stats().pending).toBe(5);
    // after the reconnect the agent resends all five; the held acks arrive after its 2nd resent chunk
    cut = published.length;
    await back;
    await waitFor(() => agent.stats().pending === 0, 'outbox drained after the restart', 20_000);
    await hub.idle();
    expect(lan.calls.filter((c) => c.kind === 'sweep')).toHaveLength(5);
    expect(agent.stats()).toMatchObject({ acked: 5, dropped: 0, produced: 5 });
    // the agent: nothing of an acknowledged result went out again: of the four sent before the cut only the
    // first one resent had 2 chunks out before the acks arrived; the result of the outage went out whole
    expect(afterAck).toEqual([]);
    const byRid = new Map<string, number>();
    for (const r of published.slice(cut)) byRid.set(r, (byRid.get(r) ?? 0) + 1);
    const old = [...byRid].filter(([r]) => beforeCut.has(r));
    expect(old.map(([, n]) => n)).toEqual([2]);
    const fresh = [...byRid].filter(([r]) => !beforeCut.has(r));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]![1]).toBeGreaterThan(2);
    // the hub: exactly once, nothing lost, nothing duplicated
    const rows = store.db
      .prepare("SELECT rid, scan_id FROM agent_results WHERE agent_id = 'iot' ORDER BY rid")
      .all() as Array<{ rid: string; scan_id: number | null }>;
    expect(new Set(rows.map((r) => r.rid)).size).toBe(5);
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.rid))).toEqual(new Set(published));
    const scans = store.db.prepare("SELECT COUNT(*) AS n FROM scans WHERE args = 'agent iot'").get() as {
      n: number;
    };
    expect(scans.n).toBe(rows.filter((r) => r.scan_id !== null).length);
    expect(hub.stats.ingested + hub.stats.superseded).toBe(5);
    expect(store.agents.get('iot')!.results).toBe(5);
    expect(store.devices.all()).toHaveLength(254);
  }, 40_000);

  it('drops the oldest results first, counted, when the outbox is full while the broker is away', async () => {
    await startHub();
    const back = broker.restart(2500);
    await new Promise((r) => setTimeout(r, 200));
    const lan = new ScriptedLan();
    lan.hosts = [{ mac: 'b8:27:eb:00:00:10', ip: '10.213.77.10' }];
    const agent = startAgent(lan, ['--queue-max', '2']);
    await agent.whenIdle();
    for (let i = 0; i < 3; i++) {
      lan.hosts.push({
        mac: `b8:27:eb:00:02:${(i + 1).toString(16).padStart(2, '0')}`,
        ip: `10.213.77.${40 + i}`,
      });
      agent.requestSweep('offline');
      await agent.whenIdle();
    }
    expect(agent.stats()).toMatchObject({ pending: 2, dropped: 2, connected: false });
    expect(agent.heartbeat().queue).toEqual({ pending: 2, max: 2, dropped: 2 });
    // the two newest are delivered once the broker is back; the hub sees the drop count in the heartbeat
    await back;
    await waitFor(() => agent.stats().pending === 0, 'outbox drained', 15_000);
    await hub.idle();
    expect(hub.stats.ingested).toBe(2);
    expect(store.devices.all()).toHaveLength(4);
    await waitFor(
      () =>
        (store.agents.get('iot')?.heartbeat as { queue?: { dropped: number } } | null)?.queue?.dropped === 2,
      'dropped count at the hub',
    );
  }, 30_000);

  it('sends results queued while it is publishing at once, not at the next flush tick', async () => {
    await startHub();
    const lan = new ScriptedLan();
    lan.hosts = Array.from({ length: 32 }, (_, i) => ({
      mac: `b8:27:eb:00:03:${(i + 1).toString(16).padStart(2, '0')}`,
      ip: `10.213.77.${100 + i}`,
      ports: [22],
    }));
    // a flush tick far beyond the test's time: only the publish path itself can deliver
    const agent = startAgent(lan, [], undefined, 600_000);
    await waitFor(() => store.devices.all().length === 32, 'sweep ingested');
    agent.requestPortScan(
      lan.hosts.map((h) => h.ip),
      'test',
    );
    // 8 port results (4 hosts each) produced back to back while the first ones are being published
    await waitFor(() => agent.stats().acked === 9, 'all 9 results acknowledged', 8_000);
    expect(lan.calls.filter((c) => c.kind === 'ports')).toHaveLength(8);
    expect(store.devices.all().every((d) => d.ports.length === 1)).toBe(true);
  }, 20_000);
});
