/**
 * Satellites end to end (DESIGN §16): two simulated LANs in their own namespaces with a router between
 * them; the hub (`lan-sentinel run`, real nmap) and a mosquitto on LAN A; `lan-sentinel agent` and a
 * second mosquitto on LAN B, bridged to A's broker with the documented bridge config; both brokers use
 * the documented ACL files (deploy/agent/*.acl) and per-agent credentials. Faults: both brokers
 * restarted while results are under way, the agent killed mid-scan, duplicate and reordered chunks
 * through the bridge, an agent with a wrong id and one publishing as another.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentTopics, encodeResult } from '../../src/agent/protocol.js';
import { validateDiscovery } from '../helpers/discoveryValidator.js';
import { CLI, eventually, ROOT, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { type DefaultHostInfo, defaultHosts, type HostSpec } from '../lan/hosts.js';
import { type ScannerMosquitto, startScannerMosquitto } from '../lan/mosquitto.js';
import { type NsRelay, relayIntoNamespace } from '../lan/relay.js';
import { describeLan, mosquittoAvailable } from '../lan/requireLan.js';
import { routeBetween, type SimRouter } from '../lan/router.js';
import { http } from '../lan/services.js';
import { SimLan } from '../lan/sim-lan.js';

const mac12 = (m: string) => m.replace(/:/g, '');
const deploy = (f: string) => readFileSync(join(ROOT, 'deploy', 'agent', f), 'utf8');
const PW = { hub: 'hub-pw-1', site: 'site-pw-2', iot: 'iot-pw-3', guest: 'guest-pw-4' };

interface AgentApi {
  id: string;
  online: boolean;
  health: string;
  devices: number;
  results: number;
  queue_pending: number;
  queue_dropped: number;
}

describeLan('satellite agent on a second, routed LAN through bridged mosquittos', () => {
  let a: SimLan;
  let b: SimLan;
  let brokerA: ScannerMosquitto;
  let brokerB: ScannerMosquitto;
  let relayB: NsRelay;
  let hub: ServiceProcess;
  let agent: ChildProcess;
  let agentLog = '';
  let guestAgent: ChildProcess | null = null;
  let guestLog = '';
  let sub: MqttClient;
  let dir: string;
  let router: SimRouter;
  const retained = new Map<string, string>();
  /** every result id agent iot produced (both processes: its debug log names each one as it is queued) */
  const produced = new Set<string>();
  let carry = '';
  const track = (s: string) => {
    const lines = (carry + s).split('\n');
    carry = lines.pop() ?? '';
    for (const l of lines) {
      const m = /\b(?:sweep|ports) result ([0-9a-z]+-[0-9a-f]{12}): /.exec(l);
      if (m) produced.add(m[1]!);
    }
  };
  const onIotLog = (s: string) => {
    agentLog = (agentLog + s).slice(-200_000);
    track(s);
  };
  /** what the hub holds of agent iot's own results (the tests' hand-made ones are named test-…) */
  const atHub = () => {
    const db = hubDb();
    try {
      const rows = db
        .prepare("SELECT rid, scan_id FROM agent_results WHERE agent_id = 'iot' AND rid NOT LIKE 'test-%'")
        .all() as Array<{ rid: string; scan_id: number | null }>;
      const scans = (
        db.prepare("SELECT COUNT(*) AS n FROM scans WHERE args = 'agent iot'").get() as { n: number }
      ).n;
      return { rids: rows.map((r) => r.rid), applied: rows.filter((r) => r.scan_id !== null).length, scans };
    } finally {
      db.close();
    }
  };
  /** produced vs at the hub: lost = produced but not at the hub, duplicated = rows beyond distinct ids */
  const tally = () => {
    const h = atHub();
    const ids = new Set(h.rids);
    return {
      produced: produced.size,
      at_hub: ids.size,
      rows: h.rids.length,
      lost: [...produced].filter((r) => !ids.has(r)).length,
      unknown_at_hub: [...ids].filter((r) => !produced.has(r)).length,
      duplicated: h.rids.length - ids.size,
      applied: h.applied,
      scans: h.scans,
    };
  };
  const seenResults: string[] = [];
  const figures: Record<string, unknown> = {};
  const hostsA: DefaultHostInfo[] = defaultHosts().filter((h) => ['router', 'pi', 'nas'].includes(h.name));
  const hostsB: DefaultHostInfo[] = defaultHosts()
    .filter((h) => ['esp', 'camera', 'sonos', 'nest', 'phone'].includes(h.name))
    .map((h) => ({ ...h, services: h.name === 'camera' ? [http('Hikvision-Webs', 80)] : [] }));

  const startAgent = (id: string, user: keyof typeof PW, onLog: (s: string) => void): ChildProcess => {
    const pwFile = join(dir, `${user}.pw`);
    writeFileSync(pwFile, `${PW[user]}\n`, { mode: 0o600 });
    const child = b.spawnInScanner(
      process.execPath,
      [
        CLI,
        'agent',
        '--agent-id',
        id,
        '--mqtt-url',
        brokerB.url,
        '--mqtt-username',
        user,
        '--mqtt-password-file',
        pwFile,
        '--subnets',
        b.subnet,
        '--sweep-interval',
        '15',
        '--heartbeat-interval',
        '5',
        '--port-scan-schedule',
        '',
        '--no-scan-new-devices',
        '--port-profile',
        'custom',
        '--ports',
        '22,23,80',
        '--log-level',
        'debug',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => onLog(d.toString()));
    child.stderr?.on('data', (d: Buffer) => onLog(d.toString()));
    return child;
  };
  const state = (mac: string) =>
    JSON.parse(retained.get(`lan_sentinel/device/${mac12(mac)}/state`) ?? '{}') as Record<string, unknown>;
  const agentApi = async (id = 'iot') =>
    (await hub.api<{ items: AgentApi[] }>('api/agents')).body.items.find((x) => x.id === id);
  const heartbeat = () =>
    JSON.parse(retained.get('lan_sentinel/agent/iot/heartbeat') ?? '{}') as {
      results_total?: number;
      queue?: { pending: number; dropped: number };
    };
  const hubDb = () =>
    new Database(join(hub.dataDir, 'lan-sentinel.db'), { readonly: true, fileMustExist: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-agents-e2e-'));
    a = await SimLan.create({ hosts: hostsA });
    b = await SimLan.create({ hosts: hostsB });
    router = await routeBetween(a, b);
    brokerA = await startScannerMosquitto(a, {
      bind: 'scanner',
      users: { lan_sentinel_hub: PW.hub, site_iot: PW.site },
      acl: deploy('mosquitto-hub.acl'),
    });
    const bridge = deploy('mosquitto-bridge.conf')
      .replaceAll('HUB_BROKER_ADDRESS', a.scannerIp)
      .replaceAll('SITE_PASSWORD', PW.site)
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    brokerB = await startScannerMosquitto(b, {
      users: { iot: PW.iot, guest: PW.guest },
      acl: deploy('mosquitto-site.acl'),
      extra: bridge,
    });
    relayB = await relayIntoNamespace(b.scannerNs, brokerB.port);
    sub = mqtt.connect(brokerA.hostUrl, {
      username: 'lan_sentinel_hub',
      password: PW.hub,
      reconnectPeriod: 200,
    });
    sub.on('message', (topic, payload) => {
      if (topic.endsWith('/result')) {
        const nl = payload.indexOf(0x0a);
        if (nl > 0) seenResults.push(JSON.parse(payload.subarray(0, nl).toString()).rid as string);
        return;
      }
      if (payload.length === 0) retained.delete(topic);
      else retained.set(topic, payload.toString());
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync(['homeassistant/#', 'lan_sentinel/#'], { qos: 1 });
    hub = await ServiceProcess.start(a, {
      flags: serviceFlags({
        mqttUrl: brokerA.url,
        sweepInterval: 15,
        considerHome: 10,
        ports: '22,23,80',
        extra: ['--mqtt-username', 'lan_sentinel_hub', '--mqtt-password', PW.hub, '--agents', 'iot'],
      }),
    });
    agent = startAgent('iot', 'iot', onIotLog);
  }, 120_000);

  afterAll(async () => {
    console.log(`agents e2e figures: ${JSON.stringify(figures)}`);
    if (process.env.LSN_AGENTS_DEBUG)
      console.log(
        `agent:\n${agentLog.slice(-3000)}\nbroker A:\n${brokerA?.log()}\nbroker B:\n${brokerB?.log()}\nhub:\n${hub?.log.slice(-3000)}`,
      );
    agent?.kill('SIGKILL');
    guestAgent?.kill('SIGKILL');
    await sub?.endAsync();
    hub?.cleanup();
    await relayB?.close();
    await brokerB?.stop();
    await brokerA?.stop();
    await b?.destroy();
    await a?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('devices of the second VLAN reach HA discovery with vendor and presence through the agent', async () => {
    const t0 = Date.now();
    for (const h of hostsB) {
      await eventually(
        () => state(h.mac).presence === 'home',
        60_000,
        `${h.name} (${h.mac}) home via the agent; agent log:\n${agentLog.slice(-2000)}\nhub log:\n${hub.log.slice(-2000)}`,
      );
      const topic = `homeassistant/device/lan_sentinel_${mac12(h.mac)}/config`;
      const disc = retained.get(topic)!;
      expect(validateDiscovery(topic, disc)).toEqual([]);
      const d = JSON.parse(disc) as { device: { manufacturer?: string } };
      if (h.randomized) expect(d.device.manufacturer ?? null).toBeNull();
      else expect(d.device.manufacturer).toBe(h.vendor);
      expect(state(h.mac).ip).toBe(b.host(h.name).ip);
      // marked with the agent that saw it, and linked to that agent's HA device
      expect(state(h.mac).agent).toBe('iot');
      expect((JSON.parse(disc) as { device: { via_device: string } }).device.via_device).toBe(
        'lan_sentinel_agent_iot',
      );
    }
    figures.first_devices_via_agent_s = (Date.now() - t0) / 1000;
    // one inventory: the hub's own LAN is there too, and each device says who saw it
    for (const h of hostsA) {
      await eventually(() => state(h.mac).presence === 'home', 60_000, `${h.name} local`);
      expect(state(h.mac).agent).toBeUndefined();
    }
    const ag = await eventually(
      async () => {
        const x = await agentApi();
        return x?.online && x.devices === hostsB.length + 1 ? x : null;
      },
      30_000,
      'agent iot online with its devices in api/agents',
    );
    expect(ag.health).toBe('online');
    const topic = 'homeassistant/device/lan_sentinel_agent_iot/config';
    expect(validateDiscovery(topic, retained.get(topic)!)).toEqual([]);
    expect(JSON.parse(retained.get('lan_sentinel/hub/agent/iot/state')!)).toMatchObject({
      online: true,
      devices: hostsB.length + 1,
    });
    const db = hubDb();
    try {
      const owners = db.prepare('SELECT mac, agent_id FROM agent_devices').all() as Array<{
        mac: string;
        agent_id: string;
      }>;
      // the router's interface on LAN B is a device of LAN B too
      expect(owners.map((o) => o.mac).sort()).toEqual([...hostsB.map((h) => h.mac), router.macB].sort());
      expect(owners.every((o) => o.agent_id === 'iot')).toBe(true);
    } finally {
      db.close();
    }
  }, 120_000);

  it('arrival and departure through the agent, next to the local scanner', async () => {
    // two rounds (bounded: ~2 x 60 s), a new host on each LAN at the same moment; the figures are reported
    const rounds = 2;
    const times = {
      arrival_local_s: [],
      arrival_agent_s: [],
      departure_local_s: [],
      departure_agent_s: [],
    } as Record<string, number[]>;
    /** milliseconds from `since` until the device's HA state says `presence` */
    const reaches = (mac: string, presence: string, since: number, timeoutMs: number) =>
      eventually(
        () => (state(mac).presence === presence ? Date.now() - since : null),
        timeoutMs,
        `${mac} ${presence}`,
        100,
      );
    for (let i = 0; i < rounds; i++) {
      const newA: HostSpec = { name: `tablet-a${i}`, mac: `f0:18:98:aa:00:0${i + 1}`, ip: 120 + i };
      const newB: HostSpec = { name: `plug-b${i}`, mac: `24:0a:c4:bb:00:0${i + 1}`, ip: 121 + i * 2 };
      const t0 = Date.now();
      await Promise.all([a.addHost(newA), b.addHost(newB)]);
      const [arrA = 0, arrB = 0] = await Promise.all(
        [newA.mac, newB.mac].map((m) => reaches(m, 'home', t0, 60_000)),
      );
      times.arrival_local_s!.push(arrA / 1000);
      times.arrival_agent_s!.push(arrB / 1000);
      // the device arrived through the agent, and only through it
      expect(state(newB.mac).agent).toBe('iot');
      expect(state(newA.mac).agent).toBeUndefined();
      const t1 = Date.now();
      await Promise.all([a.removeHost(newA.name), b.removeHost(newB.name)]);
      const [depA = 0, depB = 0] = await Promise.all(
        [newA.mac, newB.mac].map((m) => reaches(m, 'not_home', t1, 120_000)),
      );
      times.departure_local_s!.push(depA / 1000);
      times.departure_agent_s!.push(depB / 1000);
    }
    for (const [k, v] of Object.entries(times)) figures[k] = v;
    figures.presence_settings = 'sweep_interval 15 s (hub and agent), consider_home 10 s';
    // the others stayed home: no false away on either LAN
    for (const h of [...hostsA, ...hostsB]) expect(state(h.mac).presence, h.name).toBe('home');
  }, 400_000);

  it('duplicate and reordered chunks through the bridge are ingested once; nobody can publish as another agent', async () => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${relayB.port}`, {
      username: 'iot',
      password: PW.iot,
      clientId: 'test-iot',
    });
    const cam = b.host('camera');
    const now = new Date();
    const wire = {
      v: 1 as const,
      agent: 'iot',
      id: `test-dup-${Date.now().toString(36)}`,
      kind: 'ports' as const,
      reason: 'test',
      targets: [cam.ip],
      startedAt: new Date(now.getTime() - 1000).toISOString(),
      finishedAt: now.toISOString(),
      hosts: [
        {
          ip: cam.ip,
          mac: cam.mac,
          hostnames: [],
          status: 'up' as const,
          ports: [
            { protocol: 'tcp' as const, port: 8554, state: 'open', service: { name: 'rtsp', cpe: [] } },
          ],
          portsScanned: true,
        },
      ],
      hostsUp: 1,
      hostsTotal: 1,
    };
    const enc = encodeResult(wire, 64);
    expect(enc.chunks.length).toBeGreaterThan(3);
    const order = [...enc.chunks.keys()].reverse();
    const sent = [...order, 0, 2, 1, ...order];
    for (const i of sent)
      await c.publishAsync(agentTopics('lan_sentinel', 'iot').result, enc.chunks[i]!, { qos: 1 });
    await eventually(
      async () => {
        const r = await hub.api<{ items: Array<{ type: string }> }>(`api/changes?mac=${cam.mac}&limit=50`);
        return (
          r.body.items.some((x) => x.type === 'port_opened' || x.type === 'threat_detected') ||
          r.body.items.length > 0
        );
      },
      30_000,
      'the port result ingested',
    );
    await new Promise((r) => setTimeout(r, 2000));
    const db = hubDb();
    try {
      const rows = (
        db.prepare('SELECT COUNT(*) AS n FROM agent_results WHERE rid = ?').get(wire.id) as { n: number }
      ).n;
      const opened = db
        .prepare("SELECT COUNT(*) AS n FROM port_history WHERE mac = ? AND port = 8554 AND event = 'opened'")
        .get(cam.mac) as { n: number };
      figures.duplicate_reordered_chunks = {
        chunks: enc.chunks.length,
        published: sent.length,
        results_at_hub: rows,
        port_opened_events: opened.n,
      };
      expect(rows).toBe(1);
      expect(opened.n).toBe(1);
    } finally {
      db.close();
    }
    const dev = (await hub.api<{ ports: Array<{ port: number }> }>(`api/devices/${cam.mac}`)).body;
    expect(dev.ports.filter((p) => p.port === 8554)).toHaveLength(1);
    await c.endAsync();

    // the guest user publishing on iot's topic: the site broker's ACL drops it, nothing reaches the hub
    const g = await mqtt.connectAsync(`mqtt://127.0.0.1:${relayB.port}`, {
      username: 'guest',
      password: PW.guest,
      clientId: 'test-guest',
    });
    const forged = encodeResult({ ...wire, id: `forged-${Date.now().toString(36)}` });
    await g.publishAsync(agentTopics('lan_sentinel', 'iot').result, forged.chunks[0]!, { qos: 1 });
    await g.publishAsync(agentTopics('lan_sentinel', 'iot').status, 'offline', { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 3000));
    expect(seenResults).not.toContain(forged.rid);
    expect(JSON.parse(retained.get('lan_sentinel/hub/agent/iot/state')!).online).toBe(true);
    await g.endAsync();

    // an agent with an id the hub does not know (its own credentials are fine): refused with a logged reason
    const mark = hub.log.length;
    guestAgent = startAgent('guest', 'guest', (s) => {
      guestLog = (guestLog + s).slice(-100_000);
    });
    await hub.waitForLog(/agent "guest" is not in option agents/, 60_000, mark);
    expect((await hub.api<{ items: AgentApi[] }>('api/agents')).body.items.map((x) => x.id)).toEqual(['iot']);
    const gdb = hubDb();
    try {
      const n = (k: string) =>
        (gdb.prepare(`SELECT COUNT(*) AS n FROM ${k} WHERE agent_id = 'guest'`).get() as { n: number }).n;
      figures.wrong_id = {
        guest_results_at_hub: n('agent_results'),
        guest_devices_at_hub: n('agent_devices'),
        forged_seen_at_hub_broker: seenResults.filter((r) => r === forged.rid).length,
      };
      expect(figures.wrong_id).toEqual({
        guest_results_at_hub: 0,
        guest_devices_at_hub: 0,
        forged_seen_at_hub_broker: 0,
      });
    } finally {
      gdb.close();
    }
    guestAgent.kill('SIGTERM');
    guestAgent = null;
  }, 120_000);

  it('broker restarts while results are under way lose nothing and ingest nothing twice', async () => {
    const before = heartbeat().results_total ?? 0;
    // the hub's broker goes away for 8 s, then the agent's own broker for 20 s (> one sweep interval)
    await brokerA.restart(8_000);
    await brokerB.restart(20_000);
    await eventually(
      () => {
        const h = heartbeat();
        return (h.results_total ?? 0) > before + 1 && h.queue?.pending === 0 ? h : null;
      },
      90_000,
      `agent outbox drained after the restarts; agent log:\n${agentLog.slice(-2000)}`,
    );
    const h = heartbeat();
    expect(h.queue!.dropped).toBe(0);
    // every result the agent produced is at the hub exactly once (the hub's counter of agent iot would also
    // count the test's own hand-made port result above: compare result ids, not that counter)
    const t = await eventually(
      () => {
        const x = tally();
        return x.lost === 0 && x.produced === h.results_total ? x : null;
      },
      30_000,
      'the hub holds every result the agent produced',
    );
    figures.broker_restart = { ...t, queue_dropped: h.queue!.dropped };
    expect(t).toMatchObject({ lost: 0, unknown_at_hub: 0, duplicated: 0 });
    expect(t.at_hub).toBe(t.produced);
    // every applied result is one scan row (+1 for the test's own port result)
    expect(t.scans).toBe(t.applied + 1);
    for (const h2 of hostsB) expect(state(h2.mac).presence, h2.name).toBe('home');
  }, 200_000);

  it('the agent killed mid-scan: LWT marks it offline, nothing goes absent, it resumes on restart', async () => {
    const cam = b.host('camera');
    const mark = agentLog.length;
    sub.publish(`lan_sentinel/device/${mac12(cam.mac)}/rescan`, 'PRESS');
    await eventually(() => /deep scan/.test(agentLog.slice(mark)), 30_000, 'the agent starts the deep scan');
    await new Promise((r) => setTimeout(r, 1000)); // nmap -sV is on the camera's HTTP port now
    agent.kill('SIGKILL');
    const producedAtKill = produced.size;
    await eventually(
      () => JSON.parse(retained.get('lan_sentinel/hub/agent/iot/state') ?? '{}').health === 'offline',
      30_000,
      'agent offline by its LWT',
    );
    // a while without the agent: its devices are not marked away (it is the only one that could tell)
    await new Promise((r) => setTimeout(r, 20_000));
    for (const h of hostsB) expect(state(h.mac).presence, h.name).toBe('home');
    agentLog = '';
    carry = '';
    agent = startAgent('iot', 'iot', onIotLog);
    await eventually(
      () => JSON.parse(retained.get('lan_sentinel/hub/agent/iot/state') ?? '{}').online === true,
      60_000,
      'agent back online',
    );
    const ag = await eventually(
      async () => {
        const x = await agentApi();
        return x?.online && x.devices >= hostsB.length + 1 ? x : null;
      },
      30_000,
      'agent devices',
    );
    expect(ag.online).toBe(true);
    // both processes' results (the killed one's deep scan never finished: no result from it) and the new
    // one's first sweep: each at the hub once
    const t = await eventually(
      () => {
        const x = tally();
        return produced.size > producedAtKill && x.lost === 0 ? x : null;
      },
      60_000,
      'the hub holds every result of both agent processes',
    );
    figures.agent_killed = t;
    expect(t).toMatchObject({ lost: 0, unknown_at_hub: 0, duplicated: 0 });
    expect(t.scans).toBe(t.applied + 1);
  }, 150_000);
}, [mosquittoAvailable()]);
