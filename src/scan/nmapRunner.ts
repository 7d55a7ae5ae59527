import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The only module that starts a subprocess. nmap runs without a shell, in its own process group, so a timeout or
 * an abort kills it together with anything it started (SIGTERM, then SIGKILL after a grace period).
 */

export interface RunNmapOptions {
  /** Binary to run (option nmap_path; tests point it at tests/fixtures/bin/nmap). */
  nmapPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called for each `<taskprogress percent=…>` nmap prints (needs `--stats-every`). */
  onProgress?: (pct: number, task?: string) => void;
  /** stdout cap; beyond it the run is killed and `outputTruncated` set. Default 256 MiB. */
  maxOutputBytes?: number;
  /** stderr cap; beyond it stderr is dropped (the run continues). Default 1 MiB. */
  maxStderrBytes?: number;
  /** Time between SIGTERM and SIGKILL. Default 2000 ms. */
  killGraceMs?: number;
  /** Environment for nmap. Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
}

export interface RunNmapResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** stdout went over maxOutputBytes and nmap was killed: the output is incomplete. */
  outputTruncated: boolean;
  durationMs: number;
}

/** nmap could not be started at all (missing binary, not executable). */
export class NmapSpawnError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'NmapSpawnError';
  }
}

export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_STDERR_BYTES = 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2000;
const PROGRESS_RE = /<taskprogress\b([^>]*)>/g;
const ATTR_PERCENT = /\bpercent="([0-9]+(?:\.[0-9]+)?)"/;
const ATTR_TASK = /\btask="([^"]{0,200})"/;

export const INSTALL_HINT =
  'install it with `apt-get install -y nmap` (Debian/Ubuntu) or `apk add nmap` (Alpine), or set option nmap_path';

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // group already gone
  }
}

/** Incremental `<taskprogress>` scanner over the streaming stdout; keeps only a bounded tail between chunks. */
function progressScanner(onProgress: (pct: number, task?: string) => void): (chunk: Buffer) => void {
  let tail = '';
  return (chunk) => {
    const text = tail + chunk.toString('latin1');
    const lastLt = text.lastIndexOf('<');
    const complete = lastLt >= 0 && text.indexOf('>', lastLt) === -1 ? text.slice(0, lastLt) : text;
    tail = complete.length === text.length ? '' : text.slice(lastLt).slice(0, 4096);
    if (!complete.includes('<taskprogress')) return;
    for (const m of complete.matchAll(PROGRESS_RE)) {
      const attrs = m[1] ?? '';
      const pct = ATTR_PERCENT.exec(attrs);
      if (!pct) continue;
      const task = ATTR_TASK.exec(attrs)?.[1];
      const value = Math.min(100, Math.max(0, Number(pct[1])));
      try {
        onProgress(value, task);
      } catch {
        // a failing progress listener must not break the scan
      }
    }
  };
}

/** Runs nmap with `argv` (already built and validated). Rejects only with NmapSpawnError. */
export function runNmap(argv: readonly string[], opts: RunNmapOptions): Promise<RunNmapResult> {
  const started = performance.now();
  const maxOut = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const maxErr = opts.maxStderrBytes ?? DEFAULT_MAX_STDERR_BYTES;
  const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  if (typeof opts.nmapPath !== 'string' || opts.nmapPath === '' || opts.nmapPath.includes('\0')) {
    return Promise.reject(
      new NmapSpawnError('nmap_path: must be a non-empty path to the nmap binary', undefined),
    );
  }
  if (!argv.every((a) => typeof a === 'string' && !a.includes('\0'))) {
    return Promise.reject(new NmapSpawnError('nmap argv must be strings without NUL bytes', undefined));
  }

  return new Promise((resolve, reject) => {
    let timedOut = false;
    let aborted = false;
    let outputTruncated = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    const out: Buffer[] = [];
    let outBytes = 0;
    const err: Buffer[] = [];
    let errBytes = 0;
    const timers: NodeJS.Timeout[] = [];

    if (opts.signal?.aborted) {
      resolve({
        stdout: '',
        stderr: '',
        exitCode: null,
        signal: null,
        timedOut: false,
        aborted: true,
        outputTruncated: false,
        durationMs: 0,
      });
      return;
    }

    const child = spawn(opts.nmapPath, [...argv], {
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      windowsHide: true,
    });

    const terminate = (): void => {
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), grace);
      t.unref();
      timers.push(t);
    };

    const onAbort = (): void => {
      if (settled) return;
      aborted = true;
      terminate();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const timeout = setTimeout(
      () => {
        if (settled) return;
        timedOut = true;
        terminate();
      },
      Math.max(1, opts.timeoutMs),
    );
    timers.push(timeout);

    const progress = opts.onProgress ? progressScanner(opts.onProgress) : undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (outputTruncated) return;
      if (outBytes + chunk.length > maxOut) {
        out.push(chunk.subarray(0, maxOut - outBytes));
        outBytes = maxOut;
        outputTruncated = true;
        terminate();
        return;
      }
      out.push(chunk);
      outBytes += chunk.length;
      progress?.(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (errBytes >= maxErr) return;
      const part = chunk.length > maxErr - errBytes ? chunk.subarray(0, maxErr - errBytes) : chunk;
      err.push(part);
      errBytes += part.length;
    });

    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({
        stdout: Buffer.concat(out, outBytes).toString('utf8'),
        stderr: Buffer.concat(err, errBytes).toString('utf8'),
        exitCode,
        signal: exitSignal,
        timedOut,
        aborted,
        outputTruncated,
        durationMs: Math.round(performance.now() - started),
      });
    };

    child.once('error', (e: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // errors after a successful start (e.g. kill failures) are not fatal
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
      const what =
        e.code === 'ENOENT'
          ? `nmap not found at ${JSON.stringify(opts.nmapPath)}: ${INSTALL_HINT}`
          : e.code === 'EACCES'
            ? `nmap at ${JSON.stringify(opts.nmapPath)} is not executable (EACCES)`
            : `nmap could not be started: ${e.message}`;
      reject(new NmapSpawnError(what, e.code));
    });

    child.once('exit', (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      // Output pipes may still be held by processes nmap left behind; give them a moment, then kill the group.
      const t = setTimeout(() => {
        killGroup(child, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, grace);
      t.unref();
      timers.push(t);
    });
    child.once('close', finish);
  });
}

export type NmapCheck = { ok: true; version: string } | { ok: false; message: string };

/** Runs `nmap --version`: tells whether the binary is usable and which version it is. */
export async function checkNmap(nmapPath: string, timeoutMs = 10_000): Promise<NmapCheck> {
  try {
    const r = await runNmap(['--version'], { nmapPath, timeoutMs });
    const version = /Nmap version (\S+)/.exec(r.stdout)?.[1];
    if (r.exitCode === 0 && version) return { ok: true, version };
    const detail = r.timedOut
      ? `did not answer within ${timeoutMs} ms`
      : `exited with ${r.exitCode ?? r.signal}${r.stderr ? `: ${r.stderr.trim().slice(0, 200)}` : ''}`;
    return { ok: false, message: `nmap at ${JSON.stringify(nmapPath)} --version ${detail}` };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Whether nmap may use raw sockets (SYN scan, ARP ping): running as root, or NMAP_PRIVILEGED set (nmap itself
 * honours it, e.g. with cap_net_raw). NMAP_UNPRIVILEGED forces the unprivileged path.
 */
export function isPrivileged(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NMAP_UNPRIVILEGED !== undefined) return false;
  if (env.NMAP_PRIVILEGED !== undefined) return true;
  return process.getuid?.() === 0;
}
