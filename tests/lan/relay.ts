/**
 * Reach a TCP service that listens inside a namespace (typically the scanner's loopback) from the test
 * process in the host namespace, without any route between them: host 127.0.0.1:<ephemeral> → unix socket
 * → `ns-relay.mjs` inside the namespace → <host>:<port> there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onExitCleanup, STATE_DIR } from './cleanup.js';
import { assertNsName, IP_BIN } from './ip.js';

export const NS_RELAY_SCRIPT = fileURLToPath(new URL('./ns-relay.mjs', import.meta.url));

export interface NsRelay {
  /** 127.0.0.1 in the host namespace */
  host: string;
  /** ephemeral port in the host namespace */
  port: number;
  close(): Promise<void>;
}

let relayCounter = 0;

export async function relayIntoNamespace(
  ns: string,
  targetPort: number,
  targetHost = '127.0.0.1',
  timeoutMs = 10_000,
): Promise<NsRelay> {
  assertNsName(ns);
  if (!Number.isInteger(targetPort) || targetPort < 1 || targetPort > 65535) {
    throw new Error(`target port ${targetPort} must be 1..65535`);
  }
  fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  const sockPath = path.join(STATE_DIR, `relay-${process.pid}-${++relayCounter}.sock`);
  const child = spawn(
    IP_BIN,
    ['netns', 'exec', ns, process.execPath, NS_RELAY_SCRIPT, sockPath, targetHost, String(targetPort)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
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
      reject(new Error(`relay into ${ns} not ready after ${timeoutMs} ms: ${stderr.trim()}`));
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
      reject(new Error(`relay into ${ns} exited (${code}): ${stderr.trim()}`));
    });
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(sockPath);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done);
    upstream.on('error', done);
    client.on('close', done);
    upstream.on('close', done);
  });
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
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => child.kill('SIGKILL'), 1_000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
          child.stdin.end();
        });
      }
      fs.rmSync(sockPath, { force: true });
      unhook();
    },
  };
}
