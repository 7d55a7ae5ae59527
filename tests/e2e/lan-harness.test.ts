/**
 * Proves the simulated LAN harness (tests/lan) with the real nmap run inside the scanner namespace.
 * Needs root, iproute2 and nmap; under CI=true their absence fails the suite instead of skipping it.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { XMLParser } from 'fast-xml-parser';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipBatch } from '../lan/ip.js';
import { startScannerMosquitto } from '../lan/mosquitto.js';
import { cleanupStale, defaultHosts, listNamespaces, normalizeMac, SimLan, ssh } from '../lan/netns.js';
import { describeLan, mosquittoAvailable, requireLanOrSkip } from '../lan/requireLan.js';
import { parseServiceSpec } from '../lan/services.js';

interface NmapService {
  name?: string;
  product?: string;
  version?: string;
}
interface NmapPort {
  port: number;
  state: string;
  service: NmapService;
}
interface NmapHost {
  ip: string;
  mac?: string;
  ports: NmapPort[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  isArray: (name) => ['host', 'address', 'port'].includes(name),
});

function parseNmap(xml: string): NmapHost[] {
  const doc = parser.parse(xml) as {
    nmaprun?: { runstats?: { finished?: { exit?: string } }; host?: Array<Record<string, unknown>> };
  };
  expect(doc.nmaprun?.runstats?.finished?.exit, 'nmap run did not finish successfully').toBe('success');
  return (doc.nmaprun?.host ?? []).map((h) => {
    const addrs = (h.address ?? []) as Array<{ addr: string; addrtype: string }>;
    const ports = ((h.ports as { port?: unknown[] } | undefined)?.port ?? []) as Array<{
      portid: string;
      state: { state: string };
      service?: NmapService;
    }>;
    const host: NmapHost = {
      ip: addrs.find((a) => a.addrtype === 'ipv4')?.addr ?? '',
      ports: ports.map((p) => ({ port: Number(p.portid), state: p.state.state, service: p.service ?? {} })),
    };
    const mac = addrs.find((a) => a.addrtype === 'mac')?.addr;
    if (mac) host.mac = mac.toLowerCase();
    return host;
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

async function sweep(lan: SimLan): Promise<{ hosts: NmapHost[]; ms: number }> {
  const r = await lan.execInScanner('nmap', ['-n', '-sn', '-PR', '-oX', '-', '--', lan.subnet], {
    check: true,
  });
  return { hosts: parseNmap(r.stdout), ms: r.durationMs };
}

async function versionScan(
  lan: SimLan,
  ports: number[],
  ips: string[],
): Promise<{ hosts: NmapHost[]; ms: number }> {
  const r = await lan.execInScanner('nmap', ['-n', '-sV', '-p', ports.join(','), '-oX', '-', '--', ...ips], {
    check: true,
    timeoutMs: 120_000,
  });
  return { hosts: parseNmap(r.stdout), ms: r.durationMs };
}

function port(hosts: NmapHost[], ip: string, p: number): NmapPort | undefined {
  return hosts.find((h) => h.ip === ip)?.ports.find((x) => x.port === p);
}

const figures: Record<string, number | string> = {};

describe('simulated LAN input validation (no root needed)', () => {
  it('refuses malformed MACs, multicast MACs and hostile ip batch tokens', async () => {
    expect(normalizeMac('B8-27-EB-12-34-56')).toBe('b8:27:eb:12:34:56');
    expect(() => normalizeMac('01:00:5e:00:00:01')).toThrow(/multicast/);
    expect(() => normalizeMac('b8:27:eb:12:34')).toThrow(/aa:bb:cc:dd:ee:ff/);
    await expect(ipBatch([['link', 'set', 'lo up\nnetns', 'del']])).rejects.toThrow(/must match/);
    await expect(ipBatch([['netns', 'add', 'x']], 'not-lsn')).rejects.toThrow(/lsn- prefix/);
  });

  it('a missing prerequisite throws under CI=true and skips with a reason outside CI', () => {
    const saved = process.env.CI;
    try {
      process.env.CI = 'true';
      expect(() => requireLanOrSkip([{ ok: false, reason: 'mosquitto missing' }])).toThrow(
        /prerequisites missing under CI=true: mosquitto missing/,
      );
      process.env.CI = '';
      expect(requireLanOrSkip([{ ok: false, reason: 'mosquitto missing' }])).toEqual({
        ok: false,
        reason: expect.stringContaining('mosquitto missing'),
      });
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it('refuses unknown service kinds and out-of-range ports with a readable message', () => {
    expect(parseServiceSpec({ port: 22, kind: 'ssh' })).toEqual({ port: 22, kind: 'ssh' });
    expect(() => parseServiceSpec({ port: 0, kind: 'ssh' })).toThrow(/port/);
    expect(() => parseServiceSpec({ port: 22, kind: 'rdp' })).toThrow(/kinds: ssh, http, ftp, telnet/);
    expect(() => parseServiceSpec({ port: 22, kind: 'ssh', extra: 1 })).toThrow(/invalid service spec/);
  });
});

describeLan('simulated LAN harness (real nmap in the scanner namespace)', () => {
  let lan: SimLan;

  beforeAll(async () => {
    lan = await SimLan.create();
    figures['setup ms (default population, 11 hosts)'] = Math.round(lan.setupMs);
  }, 60_000);

  afterAll(async () => {
    await lan?.destroy();
    console.log(`[lan-harness figures] ${JSON.stringify(figures, null, 1)}`);
  });

  it('names its namespaces lsn-<id>-* and picks a /24 inside 10.213.0.0/16', async () => {
    expect(lan.subnet).toMatch(/^10\.213\.\d{1,3}\.0\/24$/);
    expect(lan.scannerNs).toBe(`lsn-${lan.id}-scan`);
    const names = await listNamespaces();
    for (const ns of lan.namespaceNames) {
      expect(ns.startsWith(`lsn-${lan.id}-`)).toBe(true);
      expect(names).toContain(ns);
    }
    expect(lan.hosts.length).toBeGreaterThanOrEqual(9);
    expect(lan.host('router').ip).toBe(lan.gatewayIp);
  });

  it('the scanner namespace routes only the simulated /24', async () => {
    expect(await lan.scannerRoutes()).toEqual([
      `${lan.subnet} dev eth0 proto kernel scope link src ${lan.scannerIp}`,
    ]);
    const links = await lan.execInScanner('ip', ['-o', 'link', 'show'], { check: true });
    const ifNames = links.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':')[1]?.trim().split('@')[0]);
    expect(ifNames.sort()).toEqual(['eth0', 'lo']);
    // A route lookup for anything outside the sim fails (no packet leaves: there is no route to send it on).
    const get = await lan.execInScanner('ip', ['route', 'get', '192.0.2.1']);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toMatch(/unreachable/i);
    // Connecting to an address of the host's own namespace fails with ENETUNREACH.
    const hostAddr =
      Object.values(os.networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '192.0.2.1';
    const probe = `const s=require('net').connect({host:${JSON.stringify(hostAddr)},port:22});s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)});setTimeout(()=>{console.log('TIMEOUT');process.exit(0)},3000);`;
    const r = await lan.execInScanner(process.execPath, ['-e', probe], { check: true });
    expect(r.stdout.trim()).toBe('ENETUNREACH');
  });

  it('an ARP sweep from the scanner finds every host with its MAC (median of 5 timed)', async () => {
    const times: number[] = [];
    let last: NmapHost[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await sweep(lan);
      times.push(s.ms);
      last = s.hosts;
    }
    figures['bare nmap -n -sn -PR of the /24, median of 5 (ms)'] = Math.round(median(times));
    figures['sweep runs (ms)'] = times.map((t) => Math.round(t)).join(', ');
    const expected = lan.hosts;
    for (const h of expected) {
      const found = last.find((x) => x.ip === h.ip);
      expect(found, `host ${h.name} ${h.ip} missing from the sweep`).toBeDefined();
      expect(found?.mac).toBe(h.mac);
    }
    // Every host plus the scanner itself (which nmap lists without a MAC), nothing else.
    expect(last.map((x) => x.ip).sort()).toEqual([...expected.map((h) => h.ip), lan.scannerIp].sort());
    expect(last.find((x) => x.ip === lan.scannerIp)?.mac).toBeUndefined();
    const phone = defaultHosts().find((h) => h.randomized);
    expect(phone && last.find((x) => x.mac === phone.mac)).toBeTruthy();
  }, 90_000);

  it('nmap -sV names ssh, http, ftp and telnet with product and version', async () => {
    const pi = lan.host('pi');
    const nas = lan.host('nas');
    const oldbox = lan.host('oldbox');
    const camera = lan.host('camera');
    const { hosts, ms } = await versionScan(lan, [21, 22, 23, 80], [pi.ip, nas.ip, oldbox.ip, camera.ip]);
    figures['nmap -sV -p21,22,23,80 on 4 service hosts (ms)'] = Math.round(ms);

    expect(port(hosts, pi.ip, 22)).toMatchObject({
      state: 'open',
      service: { name: 'ssh', product: 'OpenSSH', version: '7.2p2 Ubuntu 4ubuntu2.8' },
    });
    expect(port(hosts, nas.ip, 80)).toMatchObject({
      state: 'open',
      service: { name: 'http', product: 'Apache httpd', version: '2.4.49' },
    });
    expect(port(hosts, nas.ip, 22)).toMatchObject({
      state: 'open',
      service: { name: 'ssh', product: 'OpenSSH', version: '9.6p1' },
    });
    expect(port(hosts, oldbox.ip, 21)).toMatchObject({
      state: 'open',
      service: { name: 'ftp', product: 'vsftpd', version: '2.3.4' },
    });
    expect(port(hosts, camera.ip, 23)).toMatchObject({ state: 'open', service: { name: 'telnet' } });
    expect(port(hosts, pi.ip, 80)?.state).toBe('closed');
  }, 120_000);

  it('openPort, closePort and setBanner are seen by the next scan', async () => {
    const pi = lan.host('pi');
    const pi4 = lan.host('pi4');
    const oldbox = lan.host('oldbox');
    await lan.openPort('pi4', ssh('SSH-2.0-dropbear_2019.78', 2222));
    await lan.setBanner('pi', 22, 'SSH-2.0-OpenSSH_9.6p1');
    await lan.setBanner('oldbox', 21, `220 ProFTPD 1.3.5 Server (Debian) [::ffff:${oldbox.ip}]`);
    await lan.closePort('nas', 80);
    const after = await versionScan(lan, [21, 22, 80, 2222], [pi.ip, pi4.ip, oldbox.ip, lan.host('nas').ip]);
    figures['nmap -sV after changes (ms)'] = Math.round(after.ms);
    expect(port(after.hosts, pi4.ip, 2222)).toMatchObject({
      state: 'open',
      service: { name: 'ssh', product: 'Dropbear sshd', version: '2019.78' },
    });
    expect(port(after.hosts, pi.ip, 22)?.service).toMatchObject({ product: 'OpenSSH', version: '9.6p1' });
    expect(port(after.hosts, oldbox.ip, 21)?.service).toMatchObject({ product: 'ProFTPD', version: '1.3.5' });
    expect(port(after.hosts, lan.host('nas').ip, 80)?.state).toBe('closed');
    expect(lan.host('pi4').services.map((s) => s.port)).toEqual([2222]);

    await lan.closePort('pi4', 2222);
    const closed = await versionScan(lan, [2222], [pi4.ip]);
    expect(port(closed.hosts, pi4.ip, 2222)?.state).toBe('closed');
    await expect(lan.closePort('pi4', 2222)).rejects.toThrow(/not open/);
  }, 120_000);

  it('removeHost makes a host disappear, addHost makes one appear, setHostIp moves one', async () => {
    const sonos = lan.host('sonos');
    const esp = lan.host('esp');
    await lan.removeHost('sonos');
    expect((await listNamespaces()).includes(sonos.ns)).toBe(false);
    await lan.setHostIp('esp', 21);
    const newcomer = await lan.addHost({ name: 'newcomer', mac: 'b8:27:eb:00:00:99', ip: 99 });
    const { hosts } = await sweep(lan);
    expect(hosts.find((h) => h.mac === sonos.mac)).toBeUndefined();
    expect(hosts.find((h) => h.ip === sonos.ip)).toBeUndefined();
    expect(hosts.find((h) => h.mac === esp.mac)?.ip).toBe(lan.ip(21));
    expect(hosts.find((h) => h.ip === esp.ip)).toBeUndefined();
    expect(hosts.find((h) => h.ip === newcomer.ip)?.mac).toBe('b8:27:eb:00:00:99');
    expect(() => lan.host('sonos')).toThrow(/no simulated host/);
    await expect(lan.addHost({ name: 'dup', mac: '02:00:00:00:00:01', ip: 99 })).rejects.toThrow(
      /already used/,
    );
    await expect(lan.addHost({ name: 'out', mac: '02:00:00:00:00:02', ip: '192.168.1.5' })).rejects.toThrow(
      /must be inside/,
    );
  }, 60_000);

  it('setHostOnline(false) hides a host without deleting it; setHostMac changes its MAC', async () => {
    const mac = lan.host('mac');
    await lan.setHostOnline('mac', false);
    expect((await sweep(lan)).hosts.find((h) => h.ip === mac.ip)).toBeUndefined();
    await lan.setHostOnline('mac', true);
    await lan.setHostMac('mac', 'f0:18:98:99:99:99');
    expect((await sweep(lan)).hosts.find((h) => h.ip === mac.ip)?.mac).toBe('f0:18:98:99:99:99');
  }, 60_000);

  it('two simulated LANs coexist with distinct ids and subnets (setup of 9 hosts timed)', async () => {
    const other = await SimLan.create({ hosts: defaultHosts().slice(0, 9) });
    try {
      figures['setup ms (9 hosts, while another LAN is live)'] = Math.round(other.setupMs);
      expect(other.id).not.toBe(lan.id);
      expect(other.subnet).not.toBe(lan.subnet);
      const { hosts } = await sweep(other);
      expect(hosts.filter((h) => h.mac).length).toBe(9);
      expect(hosts.every((h) => h.ip.startsWith(other.subnet.replace(/0\/24$/, '')))).toBe(true);
    } finally {
      await other.destroy();
    }
    expect((await listNamespaces()).filter((n) => n.startsWith(`lsn-${other.id}-`))).toEqual([]);
  }, 60_000);
});

describeLan('simulated LAN cleanup', () => {
  it('destroy() leaves no lsn-<id> namespace and is idempotent', async () => {
    const lan = await SimLan.create({ hosts: defaultHosts().slice(0, 2) });
    const child = lan.spawnInScanner('sleep', ['30']);
    expect((await listNamespaces()).filter((n) => n.startsWith(`lsn-${lan.id}-`)).length).toBe(4);
    await lan.destroy();
    await lan.destroy();
    expect((await listNamespaces()).filter((n) => n.startsWith(`lsn-${lan.id}-`))).toEqual([]);
    expect(child.killed || child.exitCode !== null || child.signalCode !== null).toBe(true);
    expect(() => lan.host('router')).toThrow(/destroyed/);
  }, 30_000);

  async function runChild(signal: NodeJS.Signals): Promise<{ id: string; ns: string[] }> {
    const code = [
      `import { SimLan } from ${JSON.stringify(new URL('../lan/sim-lan.ts', import.meta.url).href)};`,
      `const lan = await SimLan.create({ hosts: [{ name: 'a', mac: '02:00:00:00:00:0a', ip: 10, services: [{ port: 22, kind: 'ssh' }] }] });`,
      `console.log(JSON.stringify({ id: lan.id, ns: lan.namespaceNames }));`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: new URL('../..', import.meta.url).pathname,
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const info = await new Promise<{ id: string; ns: string[] }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`child did not start: ${err}`)), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) {
          clearTimeout(t);
          resolve(JSON.parse(line) as { id: string; ns: string[] });
        }
      });
      child.once('exit', (c) => reject(new Error(`child exited ${c}: ${err}`)));
    });
    expect((await listNamespaces()).filter((n) => n.startsWith(`lsn-${info.id}-`)).sort()).toEqual(
      [...info.ns].sort(),
    );
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    return info;
  }

  it('SIGTERM to the owning process removes its namespaces (exit hook)', async () => {
    const info = await runChild('SIGTERM');
    expect((await listNamespaces()).filter((n) => n.startsWith(`lsn-${info.id}-`))).toEqual([]);
  }, 40_000);

  it('cleanupStale() removes namespaces left by a SIGKILLed run', async () => {
    const info = await runChild('SIGKILL');
    expect((await listNamespaces()).filter((n) => n.startsWith(`lsn-${info.id}-`)).length).toBe(3);
    // Another worker's SimLan.create() may run cleanupStale() concurrently and take some of them first.
    const deleted = (await cleanupStale()).filter((n) => n.startsWith(`lsn-${info.id}-`));
    for (const n of deleted) expect(info.ns).toContain(n);
    expect((await listNamespaces()).filter((n) => n.startsWith(`lsn-${info.id}-`))).toEqual([]);
  }, 40_000);
});

const mosq = mosquittoAvailable();
const mosqGate = requireLanOrSkip([mosq]);
(mosqGate.ok ? describe : describe.skip)('mosquitto inside the scanner namespace', () => {
  let lan: SimLan;
  beforeAll(async () => {
    lan = await SimLan.create({ hosts: [] });
  }, 30_000);
  afterAll(async () => {
    await lan?.destroy();
  });

  it('serves clients in the scanner namespace and, through the relay, the test process; restart works', async () => {
    const broker = await startScannerMosquitto(lan, { username: 'sentinel', password: 's3cret pw' });
    try {
      expect(broker.url).toBe('mqtt://127.0.0.1:1883');
      const client = await mqtt.connectAsync(broker.hostUrl, {
        username: 'sentinel',
        password: 's3cret pw',
        reconnectPeriod: 200,
        connectTimeout: 5_000,
      });
      const got = new Promise<string>((resolve) => client.on('message', (_t, p) => resolve(p.toString())));
      await client.subscribeAsync('lsn/test');
      // A client inside the scanner namespace publishes on the in-namespace URL.
      await lan.execInScanner(
        'mosquitto_pub',
        [
          '-h',
          '127.0.0.1',
          '-p',
          '1883',
          '-u',
          'sentinel',
          '-P',
          's3cret pw',
          '-t',
          'lsn/test',
          '-m',
          'hello',
        ],
        { check: true },
      );
      expect(await got).toBe('hello');

      const bad = await lan.execInScanner('mosquitto_pub', [
        ...['-h', '127.0.0.1', '-p', '1883', '-u', 'sentinel', '-P', 'wrong', '-t', 'x', '-m', 'y'],
      ]);
      expect(bad.code).not.toBe(0);

      await broker.restart();
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no reconnect within 5 s')), 5_000);
        client.once('connect', () => {
          clearTimeout(t);
          resolve();
        });
      });
      await client.endAsync();
    } finally {
      await broker.stop();
    }
  }, 30_000);
});
