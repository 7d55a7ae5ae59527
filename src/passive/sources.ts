/**
 * The adapters of passive listening: a UDP socket on 67 (DHCP requests are broadcast to it), an mDNS socket
 * on 5353 joined to 224.0.0.251 on each listened interface, and a `tcpdump -l -e -n -i <iface> arp` child
 * per interface (argv, never a shell), restarted with a growing delay when it dies. Every datagram and line
 * is handed on as data; size caps apply before parsing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../util/logger.js';
import { ARP_LINE_MAX } from './arpLine.js';
import { DHCP_MAX_BYTES } from './dhcp.js';
import { MDNS_MAX_BYTES } from './mdns.js';

export interface Closable {
  close(): Promise<void>;
}

function closeSocket(s: Socket): Promise<void> {
  return new Promise((r) => {
    try {
      s.close(() => r());
    } catch {
      r();
    }
  });
}

function bindUdp(
  port: number,
  onMessage: (msg: Buffer, from: string) => void,
  maxBytes: number,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // reuseAddr: a DHCP server or Avahi on the same host keeps working, and both get the broadcasts
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    s.once('error', reject);
    s.on('message', (msg, rinfo) => {
      if (msg.length <= maxBytes) onMessage(msg, rinfo.address);
    });
    s.bind(port, () => {
      s.off('error', reject);
      s.on('error', () => undefined);
      resolve(s);
    });
  });
}

export async function listenDhcp(
  onMessage: (msg: Buffer, from: string) => void,
  port = 67,
): Promise<Closable> {
  const s = await bindUdp(port, onMessage, DHCP_MAX_BYTES);
  return { close: () => closeSocket(s) };
}

export const MDNS_GROUP = '224.0.0.251';

/** `addresses`: the host's IPv4 on each listened interface (membership is per interface). */
export async function listenMdns(
  onMessage: (msg: Buffer, from: string) => void,
  addresses: string[],
  log: Logger,
  port = 5353,
): Promise<Closable> {
  const s = await bindUdp(port, onMessage, MDNS_MAX_BYTES);
  let joined = 0;
  for (const a of addresses) {
    try {
      s.addMembership(MDNS_GROUP, a);
      joined++;
    } catch (err) {
      log.warn(`mDNS: cannot join ${MDNS_GROUP} on ${a}: ${(err as Error).message}`);
    }
  }
  if (joined === 0) {
    await closeSocket(s);
    throw new Error(`could not join ${MDNS_GROUP} on any interface`);
  }
  return { close: () => closeSocket(s) };
}

export interface TcpdumpOptions {
  tcpdumpPath: string;
  iface: string;
  onLine: (line: string) => void;
  log: Logger;
  /** first restart delay; doubles up to maxDelayMs, back to the start after a minute of running */
  baseDelayMs?: number;
  maxDelayMs?: number;
  spawnFn?: typeof spawn;
}

export function tcpdumpArgv(iface: string): string[] {
  // -l line-buffered, -e link-level header (the sender MAC), -n no name lookups, -Q in: only what others send
  return ['-l', '-e', '-n', '-Q', 'in', '-i', iface, '--', 'arp'];
}

/** A supervised tcpdump: lines are capped, stderr is logged at debug, a dead child is restarted. */
export class TcpdumpArp implements Closable {
  private child: ChildProcess | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private startedAt = 0;
  restarts = 0;

  constructor(private readonly o: TcpdumpOptions) {}

  start(): void {
    if (this.stopped) return;
    const spawnFn = this.o.spawnFn ?? spawn;
    this.startedAt = Date.now();
    const child = spawnFn(this.o.tcpdumpPath, tcpdumpArgv(this.o.iface), {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    this.child = child;
    let buf = '';
    // after an overlong line was cut off, the rest of it (up to its newline) is skipped too
    let skipping = false;
    child.stdout?.setEncoding('latin1');
    child.stdout?.on('data', (chunk: string) => {
      buf += chunk;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!skipping && line.length <= ARP_LINE_MAX) this.o.onLine(line);
        skipping = false;
        nl = buf.indexOf('\n');
      }
      // a line longer than the cap is not ARP from tcpdump: drop it instead of growing without bound
      if (buf.length > ARP_LINE_MAX) {
        buf = '';
        skipping = true;
      }
    });
    let errText = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => {
      if (errText.length < 2000) errText += c;
    });
    child.once('error', (err) => {
      this.o.log.warn(`tcpdump on ${this.o.iface} could not run: ${err.message}`);
    });
    child.once('close', (code, signal) => {
      this.child = null;
      if (this.stopped) return;
      if (Date.now() - this.startedAt > 60_000) this.failures = 0;
      this.failures++;
      const base = this.o.baseDelayMs ?? 1_000;
      const delay = Math.min(this.o.maxDelayMs ?? 60_000, base * 2 ** (this.failures - 1));
      this.o.log.warn(
        `tcpdump on ${this.o.iface} ended (${signal ?? `code ${code}`})${errText ? `: ${lastLine(errText)}` : ''}; restarting in ${Math.round(delay / 1000)} s`,
      );
      errText = '';
      this.timer = setTimeout(() => {
        this.timer = null;
        this.restarts++;
        this.start();
      }, delay);
      this.timer.unref();
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        c.kill('SIGKILL');
        r();
      }, 2_000);
      c.once('close', () => {
        clearTimeout(t);
        r();
      });
      c.kill('SIGTERM');
    });
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}
