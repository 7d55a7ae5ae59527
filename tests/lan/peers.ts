/**
 * Real peers for passive listening on the simulated LAN:
 * - `startDnsmasq(lan, host)`: Debian's dnsmasq as the DHCP server inside a host's namespace (DNS off);
 * - `dhcpJoin(lan, host, client)`: busybox `udhcpc` sends real DHCP DISCOVER/REQUEST from that host's eth0
 *   (its MAC is the chaddr) with a hostname, client id and vendor class, and exits once leased;
 * - `mdnsAnnounce(lan, host, …)`: tests/lan/mdns-announcer.mjs multicasts an unsolicited mDNS response;
 * - `startWolListener(lan, host, port?)`: tests/lan/wol-listener.mjs hears magic packets on UDP 9 (or 7).
 * Every process runs inside a namespace of this LAN (spawnIn/execIn): nothing touches the machine's own.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimLan } from './sim-lan.js';

export const DNSMASQ = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].find((p) => existsSync(p)) ?? null;
export const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p)) ?? null;
export const TCPDUMP = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => existsSync(p)) ?? null;
const ANNOUNCER = join(import.meta.dirname, 'mdns-announcer.mjs');
const WOL_LISTENER = join(import.meta.dirname, 'wol-listener.mjs');

let leaseScript: string | null = null;
/** udhcpc's event script (runs in the simulated host only): puts the leased address on eth0, like a phone. */
function udhcpcScript(): string {
  if (leaseScript && existsSync(leaseScript)) return leaseScript;
  const dir = mkdtempSync(join(tmpdir(), 'lsn-udhcpc-'));
  leaseScript = join(dir, 'lease.sh');
  writeFileSync(
    leaseScript,
    '#!/bin/sh\ncase "$1" in bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface";; esac\nexit 0\n',
  );
  chmodSync(leaseScript, 0o755);
  return leaseScript;
}

export interface Dnsmasq {
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** dnsmasq serving <prefix>.100-.199 on the host's eth0; resolves once it logs that DHCP is up. */
export async function startDnsmasq(lan: SimLan, hostName: string): Promise<Dnsmasq> {
  if (!DNSMASQ) throw new Error('dnsmasq is not installed (apt-get install dnsmasq-base)');
  const h = lan.host(hostName);
  const dir = mkdtempSync(join(tmpdir(), 'lsn-dnsmasq-'));
  const prefix = h.ip.slice(0, h.ip.lastIndexOf('.'));
  const child = lan.spawnIn(h.ns, DNSMASQ, [
    '--keep-in-foreground',
    '--log-facility=-',
    '--conf-file=/dev/null',
    '--port=0',
    '--interface=eth0',
    '--bind-interfaces',
    '--user=root',
    `--dhcp-range=${prefix}.100,${prefix}.199,255.255.255.0,1h`,
    `--dhcp-leasefile=${join(dir, 'leases')}`,
    `--pid-file=${join(dir, 'pid')}`,
    '--dhcp-authoritative',
    // no ping of an address before offering it (that waits ~3 s per client)
    '--no-ping',
    '--log-dhcp',
  ]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!/DHCP, IP range/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dnsmasq did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    log: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface DhcpClient {
  hostname?: string;
  /** option 61 as hex, type byte first (e.g. "ff" + 8 hex of IAID + DUID) */
  clientId?: string;
  vendorClass?: string;
  /** request a specific address (option 50) */
  requestIp?: string;
  /** put the leased address on the host's eth0 (default true); false leaves its address alone */
  applyLease?: boolean;
}

/** One real DHCP exchange from the host (busybox udhcpc, foreground, quits when leased or after 3 tries). */
export async function dhcpJoin(
  lan: SimLan,
  hostName: string,
  c: DhcpClient = {},
): Promise<{ code: number | null; out: string; leased: string | null; discoverAt: number | null }> {
  if (!BUSYBOX) throw new Error('busybox is not installed');
  const h = lan.host(hostName);
  const args = [
    'udhcpc',
    '-f',
    '-q',
    '-n',
    '-B',
    '-t',
    '3',
    '-T',
    '1',
    '-A',
    '1',
    '-i',
    'eth0',
    '-s',
    c.applyLease === false ? '/bin/true' : udhcpcScript(),
  ];
  if (c.hostname) args.push('-x', `hostname:${c.hostname}`);
  if (c.clientId) args.push('-C', '-x', `0x3d:${c.clientId}`);
  if (c.vendorClass) args.push('-V', c.vendorClass);
  if (c.requestIp) args.push('-r', c.requestIp);
  // streamed, so the moment the client sends its first DISCOVER is known (process start-up is not arrival)
  const child = lan.spawnIn(h.ns, BUSYBOX, args);
  let out = '';
  let discoverAt: number | null = null;
  const onData = (d: Buffer) => {
    out += d.toString();
    if (discoverAt === null && out.includes('broadcasting discover')) discoverAt = performance.now();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  clearTimeout(timer);
  const r = { code, stdout: out, stderr: '' };
  const leased = /lease of (\d+\.\d+\.\d+\.\d+) obtained/.exec(out)?.[1] ?? null;
  if (leased && c.applyLease !== false) lan.noteHostIp(hostName, leased);
  return { code: r.code, out: r.stdout + r.stderr, leased, discoverAt };
}

/** Multicast an mDNS announcement of `<host>.local` (and a service instance) from the host, `count` times. */
export async function mdnsAnnounce(
  lan: SimLan,
  hostName: string,
  a: { host: string; service?: string; instance?: string; count?: number; intervalMs?: number },
): Promise<void> {
  const h = lan.host(hostName);
  const args = [ANNOUNCER, a.host, h.ip];
  if (a.service && a.instance) args.push(a.service, a.instance);
  args.push('--count', String(a.count ?? 1), '--interval', String(a.intervalMs ?? 500));
  await lan.execIn(h.ns, process.execPath, args, { check: true, timeoutMs: 20_000 });
}

export interface SleepyPhone {
  /** awake/asleep flips so far */
  cycles: number;
  stop(): Promise<void>;
}

/**
 * A dozing phone: it ignores ICMP echo always (sysctl in its namespace), keeps TCP 62078 open (iPhone
 * lockdownd), and is reachable only part of the time — its link is up `awakeMs`, then down `asleepMs`
 * (the bridge port, as a phone's Wi-Fi power save drops off the air), so it answers about
 * awakeMs / (awakeMs + asleepMs) of the sweeps. Ends awake.
 */
export async function sleepyPhone(
  lan: SimLan,
  hostName: string,
  o: { awakeMs: number; asleepMs: number },
): Promise<SleepyPhone> {
  const h = lan.host(hostName);
  await lan.execIn(h.ns, 'sysctl', ['-q', '-w', 'net.ipv4.icmp_echo_ignore_all=1'], { check: true });
  await lan.openPort(hostName, { port: 62078, kind: 'silent' });
  let stopped = false;
  let awake = true;
  const state = { cycles: 0 };
  const loop = (async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, awake ? o.awakeMs : o.asleepMs));
      if (stopped) break;
      awake = !awake;
      state.cycles++;
      await lan.setHostOnline(hostName, awake).catch(() => undefined);
    }
  })();
  return {
    get cycles() {
      return state.cycles;
    },
    async stop() {
      stopped = true;
      await loop;
      await lan.setHostOnline(hostName, true).catch(() => undefined);
    },
  };
}

export interface WolDatagram {
  hex: string;
  length: number;
  from: string;
  port: number;
  at: number;
}

export interface WolListener {
  /** every datagram heard so far, in order */
  readonly heard: WolDatagram[];
  /** resolves with the first datagram heard after `since` (index into `heard`) that `match` accepts */
  next(match: (d: WolDatagram) => boolean, timeoutMs?: number, since?: number): Promise<WolDatagram>;
  stop(): Promise<void>;
}

/** A UDP listener on 0.0.0.0:<port> inside the host's namespace; resolves once it is bound. */
export async function startWolListener(lan: SimLan, hostName: string, port = 9): Promise<WolListener> {
  const h = lan.host(hostName);
  const child = lan.spawnIn(h.ns, process.execPath, [WOL_LISTENER, String(port)]);
  const heard: WolDatagram[] = [];
  let out = '';
  let err = '';
  let ready: () => void = () => {};
  const bound = new Promise<void>((r) => {
    ready = r;
  });
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    let nl = out.indexOf('\n');
    while (nl >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.startsWith('listening')) ready();
      else if (line.startsWith('{')) heard.push(JSON.parse(line) as WolDatagram);
      nl = out.indexOf('\n');
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`wol listener on ${hostName} exited (${code}): ${err}`))),
  );
  exited.catch(() => {});
  await Promise.race([bound, exited]);
  return {
    heard,
    async next(match, timeoutMs = 10_000, since = 0) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const d = heard.slice(since).find(match);
        if (d) return d;
        if (Date.now() > end)
          throw new Error(
            `no matching magic packet on ${hostName}:${port} within ${timeoutMs} ms; heard ${JSON.stringify(heard)} ${err}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
