/**
 * TCP between the test process (host namespace) and a namespace, without any route between them, through a
 * unix socket (paths cross network namespaces) and `ns-relay.mjs` running inside the namespace:
 * - relayIntoNamespace: host 127.0.0.1:<ephemeral> → unix socket → ns-relay → <host>:<port> in the namespace
 *   (optionally connecting from a chosen source address there, e.g. the HA ingress peer 172.30.32.2);
 * - relayOutOfNamespace: <host>:<port> in the namespace → ns-relay → unix socket → 127.0.0.1:<port> in the
 *   host namespace (a fake Supervisor that the service inside the namespace calls).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onExitCleanup, STATE_DIR } from './cleanup.js';
import { assertNsName, IP_BIN } from './ip.js';

export const NS_RELAY_SCRIPT = fileURLToPath(new URL('./ns-relay.mjs', import.meta.url));

export interface NsRelay {
  /** 127.0.0.1 in the host namespace (relayIntoNamespace) or the listen address in the namespace */
  host: string;
  /** the relay's listening port (ephemeral in the host namespace for relayIntoNamespace) */
  port: number;
  close(): Promise<void>;
}

let relayCounter = 0;

function assertPort(p: number, what: string): void {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${what} ${p} must be 1..65535`);
}

/** Pipes two sockets both ways and tears both down when either ends; tracks them for close(). */
function joinSockets(a: net.Socket, b: net.Socket, live: Set<net.Socket>): void {
  live.add(a);
  live.add(b);
  a.pipe(b).pipe(a);
  const done = () => {
    a.destroy();
    b.destroy();
    live.delete(a);
    live.delete(b);
  };
  for (const s of [a, b]) {
    s.on('error', done);
    s.on('close', done);
  }
}

/** Starts ns-relay.mjs in `ns` and resolves once it prints "ready"; an exit of this process kills it and
 * removes the socket file. */
async function spawnNsRelay(
  ns: string,
  sockPath: string,
  args: string[],
  timeoutMs: number,
): Promise<{ child: ChildProcessWithoutNullStreams; unhook: () => void }> {
  const child = spawn(IP_BIN, ['netns', 'exec', ns, process.execPath, NS_RELAY_SCRIPT, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    stderr = (stderr + c).slice(-2048);
  });
  const unhook = onExitCleanup(() => {
    child.kill('SIGKILL');
    fs.rmSync(sockPath, { force: true });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay in ${ns} not ready after ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      if (c.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay in ${ns} exited (${code}): ${stderr.trim()}`));
    });
  });
  return { child, unhook };
}

async function stopNsRelay(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((r) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 1_000);
    child.once('exit', () => {
      clearTimeout(t);
      r();
    });
    child.stdin.end();
  });
}

function newSocketPath(): string {
  fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  return path.join(STATE_DIR, `relay-${process.pid}-${++relayCounter}.sock`);
}

export async function relayIntoNamespace(
  ns: string,
  targetPort: number,
  targetHost = '127.0.0.1',
  timeoutMs = 10_000,
  sourceAddress?: string,
): Promise<NsRelay> {
  assertNsName(ns);
  assertPort(targetPort, 'target port');
  if (sourceAddress !== undefined && net.isIPv4(sourceAddress) === false)
    throw new Error(`source address ${JSON.stringify(sourceAddress)} must be an IPv4 address`);
  const sockPath = newSocketPath();
  const { child, unhook } = await spawnNsRelay(
    ns,
    sockPath,
    [sockPath, targetHost, String(targetPort), ...(sourceAddress ? [sourceAddress] : [])],
    timeoutMs,
  ).catch((err: unknown) => {
    fs.rmSync(sockPath, { force: true });
    throw err;
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => joinSockets(client, net.connect(sockPath), sockets));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  let closed = false;
  return {
    host: '127.0.0.1',
    port: addr.port,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await stopNsRelay(child);
      fs.rmSync(sockPath, { force: true });
      unhook();
    },
  };
}

/**
 * Makes `listenHost:listenPort` inside `ns` reach `127.0.0.1:targetPort` in the host namespace (for fakes of
 * things the service calls, such as the Supervisor). Nothing else of the host namespace becomes reachable.
 */
export async function relayOutOfNamespace(
  ns: string,
  listenPort: number,
  targetPort: number,
  listenHost = '127.0.0.1',
  timeoutMs = 10_000,
): Promise<NsRelay> {
  assertNsName(ns);
  assertPort(listenPort, 'listen port');
  assertPort(targetPort, 'target port');
  if (!net.isIPv4(listenHost)) throw new Error(`listen host ${JSON.stringify(listenHost)} must be IPv4`);
  const sockPath = newSocketPath();
  fs.rmSync(sockPath, { force: true });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) =>
    joinSockets(client, net.connect({ host: '127.0.0.1', port: targetPort }), sockets),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sockPath, () => resolve());
  });
  let spawned: Awaited<ReturnType<typeof spawnNsRelay>>;
  try {
    spawned = await spawnNsRelay(
      ns,
      sockPath,
      ['--reverse', sockPath, listenHost, String(listenPort)],
      timeoutMs,
    );
  } catch (err) {
    server.close();
    fs.rmSync(sockPath, { force: true });
    throw err;
  }
  let closed = false;
  return {
    host: listenHost,
    port: listenPort,
    async close() {
      if (closed) return;
      closed = true;
      await stopNsRelay(spawned.child);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(sockPath, { force: true });
      spawned.unhook();
    },
  };
}
