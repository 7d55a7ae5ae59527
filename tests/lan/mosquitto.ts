/**
 * Debian's mosquitto inside a simulated LAN's scanner namespace, for end-to-end MQTT tests of the service that
 * runs in that namespace. `url` is for processes inside the scanner namespace; `hostUrl` reaches the same broker
 * from the test process (host namespace) through a unix-socket relay (no route is added).
 */
import { type ChildProcess, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type NsRelay, relayIntoNamespace } from './relay.js';
import type { SimLan } from './sim-lan.js';

const MOSQUITTO_CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];
const PASSWD_CANDIDATES = [
  '/usr/bin/mosquitto_passwd',
  '/usr/sbin/mosquitto_passwd',
  '/usr/local/bin/mosquitto_passwd',
];

export function findMosquitto(): { broker: string | null; passwd: string | null } {
  const first = (list: string[]) => list.find((p) => fs.existsSync(p)) ?? null;
  return { broker: first(MOSQUITTO_CANDIDATES), passwd: first(PASSWD_CANDIDATES) };
}

export interface ScannerMosquittoOptions {
  /** Port inside the scanner namespace (default 1883; the namespace is private, so it is free). */
  port?: number;
  /** 'loopback' = 127.0.0.1 only (default); 'scanner' = also the scanner's LAN address. */
  bind?: 'loopback' | 'scanner';
  username?: string;
  password?: string;
  /** more broker users (name → password), e.g. one per satellite agent */
  users?: Record<string, string>;
  /** mosquitto ACL file content (`acl_file`) */
  acl?: string;
  /** more mosquitto.conf lines (e.g. a bridge connection) */
  extra?: string[];
  startTimeoutMs?: number;
}

export interface ScannerMosquitto {
  /** For processes inside the scanner namespace, e.g. mqtt://127.0.0.1:1883 */
  url: string;
  /** For the test process in the host namespace (relay on host loopback). */
  hostUrl: string;
  port: number;
  username?: string;
  password?: string;
  /** Stop the broker (and the relay). Idempotent. */
  stop(): Promise<void>;
  /**
   * Stop and start again on the same port with the same config (not persistent: retained messages are lost),
   * staying down for `downMs` (default 0) in between.
   */
  restart(downMs?: number): Promise<void>;
  /** Recent broker log lines. */
  log(): string;
}

function execFileP(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 10_000 }, (err, _o, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(),
    ),
  );
}

export async function startScannerMosquitto(
  lan: SimLan,
  opts: ScannerMosquittoOptions = {},
): Promise<ScannerMosquitto> {
  const { broker, passwd } = findMosquitto();
  if (!broker) throw new Error('mosquitto is not installed: apt-get install -y mosquitto mosquitto-clients');
  const port = opts.port ?? 1883;
  if ((opts.username === undefined) !== (opts.password === undefined)) {
    throw new Error('startScannerMosquitto: give both username and password, or neither');
  }
  if (opts.username !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(opts.username)) {
    throw new Error('startScannerMosquitto: username must match [A-Za-z0-9_.-]{1,64}');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsn-mosq-'));
  const lines = [
    'per_listener_settings false',
    'persistence false',
    'user root',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    `listener ${port} 127.0.0.1`,
  ];
  if (opts.bind === 'scanner') lines.push(`listener ${port} ${lan.scannerIp}`);
  const users: Record<string, string> = { ...(opts.users ?? {}) };
  if (opts.username !== undefined && opts.password !== undefined) users[opts.username] = opts.password;
  if (Object.keys(users).length > 0) {
    if (!passwd) throw new Error('mosquitto_passwd is not installed: apt-get install -y mosquitto');
    const pwFile = path.join(dir, 'passwd');
    for (const [i, [u, pw]] of Object.entries(users).entries()) {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(u)) throw new Error('startScannerMosquitto: bad user name');
      await execFileP(passwd, [...(i === 0 ? ['-c'] : []), '-b', pwFile, u, pw]);
    }
    fs.chmodSync(pwFile, 0o600);
    lines.push('allow_anonymous false', `password_file ${pwFile}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (opts.acl !== undefined) {
    const aclFile = path.join(dir, 'acl');
    fs.writeFileSync(aclFile, opts.acl, { mode: 0o600 });
    lines.push(`acl_file ${aclFile}`);
  }
  lines.push(...(opts.extra ?? []));
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(conf, `${lines.join('\n')}\n`, { mode: 0o600 });

  let child: ChildProcess | null = null;
  let logBuf = '';
  const timeoutMs = opts.startTimeoutMs ?? 10_000;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const c = lan.spawnInScanner(broker, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let ready = false;
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new Error(`mosquitto in ${lan.scannerNs} not ready after ${timeoutMs} ms:\n${logBuf}`));
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        logBuf = (logBuf + chunk.toString('utf8')).slice(-8192);
        if (!ready && /mosquitto version \S+ running/.test(logBuf)) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      };
      c.stderr?.on('data', onData);
      c.stdout?.on('data', onData);
      c.once('exit', (code, sig) => {
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(`mosquitto exited during start (${code ?? sig}):\n${logBuf}`));
        }
      });
    });

  const stopBroker = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 3_000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };

  await start();
  let relay: NsRelay;
  try {
    relay = await relayIntoNamespace(lan.scannerNs, port);
  } catch (err) {
    await stopBroker();
    throw err;
  }
  let stopped = false;
  const result: ScannerMosquitto = {
    url: `mqtt://127.0.0.1:${port}`,
    hostUrl: `mqtt://127.0.0.1:${relay.port}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await relay.close();
      await stopBroker();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async restart(downMs = 0) {
      if (stopped) throw new Error('mosquitto was stopped; start a new one');
      await stopBroker();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    log: () => logBuf,
  };
  if (opts.username !== undefined) result.username = opts.username;
  if (opts.password !== undefined) result.password = opts.password;
  return result;
}
