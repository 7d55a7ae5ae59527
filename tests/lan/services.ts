/**
 * Fake services for simulated hosts: spec types (validated with zod) and a controller for the
 * `service-host.mjs` process that runs inside a host's namespace.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { assertNsName, IP_BIN } from './ip.js';

export const SERVICE_KINDS = ['ssh', 'http', 'ftp', 'telnet', 'mqtt', 'banner', 'silent'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/**
 * One TCP listener.
 * - ssh: `banner` is the identification line without CRLF (default `SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.8`).
 * - http: `banner` is the `Server:` header value (default `Apache/2.4.49 (Unix)`).
 * - ftp: `banner` is the whole greeting line without CRLF (default `220 (vsFTPd 2.3.4)`).
 * - telnet: IAC negotiation first; `banner` is the prompt sent after the client answers (default `login: `).
 * - mqtt: a broker's first exchange: silent until an MQTT CONNECT, then CONNACK (nmap: mqtt).
 * - banner: `banner` is sent verbatim on connect. silent: accept and hold, send nothing.
 */
export const serviceSpecSchema = z
  .object({
    port: z.number().int().min(1).max(65535),
    kind: z.enum(SERVICE_KINDS),
    banner: z.string().max(4096).optional(),
  })
  .strict();
export type ServiceSpec = z.infer<typeof serviceSpecSchema>;

export const SERVICE_DEFAULTS: Record<ServiceKind, string> = {
  ssh: 'SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.8',
  http: 'Apache/2.4.49 (Unix)',
  ftp: '220 (vsFTPd 2.3.4)',
  telnet: 'login: ',
  mqtt: '',
  banner: '',
  silent: '',
};

export const ssh = (banner = SERVICE_DEFAULTS.ssh, port = 22): ServiceSpec => ({ port, kind: 'ssh', banner });
export const http = (server = SERVICE_DEFAULTS.http, port = 80): ServiceSpec => ({
  port,
  kind: 'http',
  banner: server,
});
export const ftp = (greeting = SERVICE_DEFAULTS.ftp, port = 21): ServiceSpec => ({
  port,
  kind: 'ftp',
  banner: greeting,
});
export const telnet = (prompt = SERVICE_DEFAULTS.telnet, port = 23): ServiceSpec => ({
  port,
  kind: 'telnet',
  banner: prompt,
});
export const mqtt = (port = 1883): ServiceSpec => ({ port, kind: 'mqtt' });
export const banner = (port: number, text: string): ServiceSpec => ({ port, kind: 'banner', banner: text });
export const silent = (port: number): ServiceSpec => ({ port, kind: 'silent' });

export function parseServiceSpec(input: unknown): ServiceSpec {
  const r = serviceSpecSchema.safeParse(input);
  if (!r.success) {
    throw new Error(
      `invalid service spec ${JSON.stringify(input)}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')} (kinds: ${SERVICE_KINDS.join(', ')})`,
    );
  }
  return r.data;
}

export const SERVICE_HOST_SCRIPT = fileURLToPath(new URL('./service-host.mjs', import.meta.url));

interface Reply {
  id?: number | null;
  ok?: boolean;
  error?: string;
  ready?: boolean;
}

/** Controller of one `service-host.mjs` process inside a namespace. */
export class ServiceHostProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private stderr = '';
  private exited = false;
  readonly ports = new Map<number, ServiceSpec>();

  private constructor(
    readonly ns: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  static start(
    ns: string,
    services: readonly ServiceSpec[],
    timeoutMs = 10_000,
  ): Promise<ServiceHostProcess> {
    assertNsName(ns);
    const specs = services.map(parseServiceSpec);
    const child = spawn(
      IP_BIN,
      ['netns', 'exec', ns, process.execPath, SERVICE_HOST_SCRIPT, JSON.stringify({ services: specs })],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const proc = new ServiceHostProcess(ns, child);
    for (const s of specs) proc.ports.set(s.port, s);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill();
        reject(new Error(`service host in ${ns} not ready after ${timeoutMs} ms: ${proc.stderr.trim()}`));
      }, timeoutMs);
      let buf = '';
      let ready = false;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buf += chunk;
        let idx = buf.indexOf('\n');
        while (idx >= 0) {
          const line = buf.slice(0, idx);
          buf = buf.slice(idx + 1);
          idx = buf.indexOf('\n');
          let msg: Reply;
          try {
            msg = JSON.parse(line) as Reply;
          } catch {
            continue;
          }
          if (msg.ready && !ready) {
            ready = true;
            clearTimeout(timer);
            resolve(proc);
          } else if (typeof msg.id === 'number') {
            const p = proc.pending.get(msg.id);
            proc.pending.delete(msg.id);
            if (msg.ok) p?.resolve();
            else p?.reject(new Error(`service host in ${ns}: ${msg.error ?? 'unknown error'}`));
          }
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (c: string) => {
        proc.stderr = (proc.stderr + c).slice(-4096);
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('exit', (code, signal) => {
        proc.exited = true;
        const err = new Error(
          `service host in ${ns} exited (${code ?? signal}): ${proc.stderr.trim() || '(no stderr)'}`,
        );
        for (const p of proc.pending.values()) p.reject(err);
        proc.pending.clear();
        if (!ready) {
          clearTimeout(timer);
          reject(err);
        }
      });
    });
  }

  private send(msg: Record<string, unknown>, timeoutMs = 5_000): Promise<void> {
    if (this.exited) return Promise.reject(new Error(`service host in ${this.ns} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(
            `service host in ${this.ns} did not answer ${JSON.stringify(msg)} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin.write(`${JSON.stringify({ id, ...msg })}\n`);
    });
  }

  async open(service: ServiceSpec): Promise<void> {
    const s = parseServiceSpec(service);
    await this.send({ op: 'open', service: s });
    this.ports.set(s.port, s);
  }

  async close(port: number): Promise<void> {
    await this.send({ op: 'close', port });
    this.ports.delete(port);
  }

  /** Close the listener (dropping its connections) and reopen it with the new spec. */
  async replace(service: ServiceSpec): Promise<void> {
    const s = parseServiceSpec(service);
    await this.send({ op: 'replace', service: s });
    this.ports.set(s.port, s);
  }

  /** Graceful stop: closing stdin makes the script exit; SIGKILL after a grace period. */
  stop(graceMs = 1_000): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.kill(), graceMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.stdin.end();
    });
  }

  /** Synchronous hard kill (exit handlers). */
  kill(): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}
