/**
 * Starts Debian's /usr/sbin/mosquitto on a free loopback port with a throw-away config (tests only).
 * Under CI=true a missing mosquitto is an error, never a silent skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD_BIN = '/usr/bin/mosquitto_passwd';

export function mosquittoAvailable(): boolean {
  const ok = existsSync(MOSQUITTO_BIN);
  if (!ok && process.env.CI === 'true')
    throw new Error(`mosquitto is required under CI=true (${MOSQUITTO_BIN} missing)`);
  return ok;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitListening(
  host: string,
  port: number,
  timeoutMs: number,
  proc: ChildProcess,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host, port }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${host}:${port} within ${timeoutMs} ms`);
}

export interface MosquittoOptions {
  users?: Array<{ username: string; password: string }>;
  port?: number;
}

export interface Mosquitto {
  host: string;
  port: number;
  url: string;
  /** SIGTERM and wait */
  stop(): Promise<void>;
  /** stop + start on the same port (no persistence: retained messages are gone) */
  restart(delayMs?: number): Promise<void>;
  /** SIGKILL the broker */
  kill9(): Promise<void>;
  /** stop and remove the temp dir */
  dispose(): Promise<void>;
  log(): string;
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const host = '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const dir = mkdtempSync(join(tmpdir(), 'lsn-mosq-'));
  const lines = [
    `listener ${port} ${host}`,
    'persistence false',
    // HA's Mosquitto add-on uses 8192; a bound keeps memory sane while letting 1,000-device bursts through
    'max_queued_messages 10000',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
  ];
  if (process.getuid?.() === 0) lines.push('user root');
  if (opts.users && opts.users.length > 0) {
    const pw = join(dir, 'passwd');
    writeFileSync(pw, '', { mode: 0o600 });
    for (const u of opts.users)
      execFileSync(MOSQUITTO_PASSWD_BIN, ['-b', pw, u.username, u.password], { stdio: 'ignore' });
    lines.push('allow_anonymous false', `password_file ${pw}`);
  } else {
    lines.push('allow_anonymous true');
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let logText = '';
  let proc: ChildProcess | null = null;

  const launch = async () => {
    const p = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr?.on('data', (b: Buffer) => {
      logText = (logText + b.toString()).slice(-20_000);
    });
    proc = p;
    await waitListening(host, port, 5000, p);
  };
  const waitExit = (p: ChildProcess) =>
    p.exitCode !== null || p.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => p.once('exit', () => r()));
  const stop = async () => {
    const p = proc;
    if (!p) return;
    proc = null;
    p.kill('SIGTERM');
    await waitExit(p);
  };
  await launch();
  return {
    host,
    port,
    url: `mqtt://${host}:${port}`,
    stop,
    async restart(delayMs = 0) {
      await stop();
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      await launch();
    },
    async kill9() {
      const p = proc;
      if (!p) return;
      proc = null;
      p.kill('SIGKILL');
      await waitExit(p);
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => logText,
  };
}
