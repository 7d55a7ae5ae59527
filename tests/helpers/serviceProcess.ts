/**
 * Runs the real service (`node dist/cli.js run …`) inside a simulated LAN's scanner namespace and reaches its
 * HTTP API from the test process through a unix-socket relay (no route between the namespaces).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NsRelay, relayIntoNamespace } from '../lan/relay.js';
import type { SimLan } from '../lan/sim-lan.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
/** The V8 flags the service is started with, from package.json's start script (the add-on's run script uses the same). */
export const SERVICE_NODE_FLAGS: string[] = (() => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const m = /^node((?:\s+--\S+)*)\s+dist\/cli\.js$/.exec(pkg.scripts.start);
  if (!m)
    throw new Error(`package.json start script is not "node [--flags] dist/cli.js": ${pkg.scripts.start}`);
  return m[1]!.split(/\s+/).filter(Boolean);
})();

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does it)`);
}

/** The option flags of a service under test: a sweep interval, and quiet otherwise unless asked for. */
export interface ServiceFlags {
  /** seconds between sweeps; default 3600 (the start sweep, then only what the test asks for) */
  sweepInterval?: number;
  /** seconds a device stays home after it was last seen */
  considerHome?: number;
  /** cron of the scheduled port scans; default off */
  portScanSchedule?: string;
  /** port-scan each newly arrived device (option scan_new_devices); default: the option's default */
  scanNewDevices?: boolean;
  /** a custom port list: `--port-profile custom --ports <ports>` */
  ports?: string;
  /** a broker URL, or 'none'; default: the embedded broker */
  mqttUrl?: string;
  /** passive listening; default: the option's default */
  passive?: boolean;
  /** further flags, appended */
  extra?: string[];
}

export function serviceFlags(f: ServiceFlags = {}): string[] {
  return [
    ...(f.mqttUrl !== undefined ? ['--mqtt-url', f.mqttUrl] : []),
    ...['--sweep-interval', String(f.sweepInterval ?? 3600)],
    ...(f.considerHome !== undefined ? ['--consider-home', String(f.considerHome)] : []),
    ...(f.passive === false ? ['--no-passive'] : []),
    ...['--port-scan-schedule', f.portScanSchedule ?? 'off'],
    ...(f.scanNewDevices === false ? ['--no-scan-new-devices'] : []),
    ...(f.scanNewDevices === true ? ['--scan-new-devices'] : []),
    ...(f.ports !== undefined ? ['--port-profile', 'custom', '--ports', f.ports] : []),
    ...(f.extra ?? []),
  ];
}

export interface ServiceOptions {
  /** extra option flags, e.g. ['--mqtt-url', 'mqtt://127.0.0.1:1883'] or serviceFlags({ … }) */
  flags?: string[];
  env?: Record<string, string>;
  httpPort?: number;
  dataDir?: string;
  /** wait for this log line (regexp) before resolving; default the "web UI on" line */
  readyPattern?: RegExp;
  startTimeoutMs?: number;
}

export class ServiceProcess {
  private output = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitWaiters: Array<() => void> = [];

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly httpPort: number,
    private relay: NsRelay | null,
    private readonly ownsDataDir: boolean,
  ) {
    const onData = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > 2_000_000) this.output = this.output.slice(-1_000_000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      for (const w of this.exitWaiters) w();
    });
  }

  static async start(lan: SimLan, opts: ServiceOptions = {}): Promise<ServiceProcess> {
    assertBuilt();
    const ownsDataDir = !opts.dataDir;
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lsn-svc-'));
    const httpPort = opts.httpPort ?? 8099;
    const args = [
      ...SERVICE_NODE_FLAGS,
      CLI,
      'run',
      '--subnets',
      lan.subnet,
      '--data-dir',
      dataDir,
      '--http-port',
      String(httpPort),
      '--log-level',
      'debug',
      ...(opts.flags ?? []),
    ];
    const child = lan.spawnInScanner(process.execPath, args, {
      env: { ...process.env, ...opts.env },
      cwd: ROOT,
    });
    const svc = new ServiceProcess(child, dataDir, httpPort, null, ownsDataDir);
    await svc.waitForLog(
      opts.readyPattern ?? /web UI on http|ingress listening/,
      opts.startTimeoutMs ?? 20_000,
    );
    svc.relay = await relayIntoNamespace(lan.scannerNs, httpPort);
    return svc;
  }

  get log(): string {
    return this.output;
  }

  get exited(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exitInfo;
  }

  /** Resolves when `pattern` appears in the output (searching from `fromIndex`). */
  async waitForLog(pattern: RegExp, timeoutMs = 15_000, fromIndex = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.output.slice(fromIndex));
      if (m) return m[0];
      if (this.exitInfo)
        throw new Error(
          `service exited (${JSON.stringify(this.exitInfo)}) before ${pattern}:\n${this.output.slice(-4000)}`,
        );
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; output tail:\n${this.output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get baseUrl(): string {
    if (!this.relay) throw new Error('service relay not ready');
    return `http://${this.relay.host}:${this.relay.port}/`;
  }

  /** The running service's CLI token from `<data_dir>/cli-token` (how the local CLI authenticates). */
  get cliToken(): string {
    return readFileSync(join(this.dataDir, 'cli-token'), 'utf8').trim();
  }

  /**
   * A request to the service's API, authenticated like the local CLI (bearer token from the data dir's
   * cli-token file) unless `anonymous` is set or the caller brings its own Authorization header.
   */
  async api<T = unknown>(
    path: string,
    init: RequestInit & { anonymous?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    const { anonymous, ...rest } = init;
    const own = new Headers(rest.headers);
    const auth: Record<string, string> =
      anonymous || own.has('authorization') || !existsSync(join(this.dataDir, 'cli-token'))
        ? {}
        : { authorization: `Bearer ${this.cliToken}` };
    const res = await fetch(new URL(path, this.baseUrl), {
      ...rest,
      headers: { 'content-type': 'application/json', ...auth, ...Object.fromEntries(own.entries()) },
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: body as T };
  }

  /** Sends a signal and waits for the exit; returns the exit info and how long it took. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 15_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const t0 = Date.now();
    if (!this.exitInfo) {
      // `ip netns exec` execs the command, so the child pid is the service itself
      this.child.kill(signal);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`service did not exit within ${timeoutMs} ms after ${signal}`)),
          timeoutMs,
        );
        this.exitWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        if (this.exitInfo) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    await this.relay?.close();
    this.relay = null;
    return { ...(this.exitInfo ?? { code: null, signal: null }), ms: Date.now() - t0 };
  }

  cleanup(): void {
    if (!this.exitInfo) this.child.kill('SIGKILL');
    void this.relay?.close();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function eventually<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  what: string,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
