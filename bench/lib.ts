/**
 * Shared pieces of the benchmarks: the result record, statistics (median, percentiles), the table printer and a
 * few process helpers. Figures are reported, never asserted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '../tests/helpers/serviceProcess.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_DIR = join(ROOT, 'bench');

export interface BenchResult {
  name: string;
  /** null when the benchmark could not run; `detail` says why */
  value: number | null;
  unit: string;
  /** human-readable target, e.g. "<= 1 s" */
  target: string;
  /** null when there is no value (or no pass/fail target, e.g. a count) */
  pass: boolean | null;
  detail: string;
}

export interface BenchContext {
  quick: boolean;
  log(msg: string): void;
}

/** One benchmark module: returns every named figure it owns (null values with a reason when it cannot run). */
export interface Benchmark {
  /** names it produces, in order (used for "skipped"/"failed" records) */
  names: ReadonlyArray<{ name: string; unit: string; target: string }>;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new Error('percentile of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))] as number;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function fmtList(xs: readonly number[], digits = 3): string {
  return `[${xs.map((x) => round(x, digits)).join(', ')}]`;
}

/** A result with a value and a "≤ max" target. */
export function atMost(
  name: string,
  value: number,
  unit: string,
  max: number,
  detail: string,
  digits = 3,
): BenchResult {
  return { name, value: round(value, digits), unit, target: `<= ${max} ${unit}`, pass: value <= max, detail };
}

/** A result that could not be measured. */
export function missing(spec: { name: string; unit: string; target: string }, why: string): BenchResult {
  return { name: spec.name, value: null, unit: spec.unit, target: spec.target, pass: null, detail: why };
}

export function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').slice(0, 400);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` every `intervalMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function waitUntil<T>(
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Races `p` against a timer so no benchmark can hang the run. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * argv prefix that runs a TypeScript file with node + tsx's loader, with the V8 flags the service itself runs
 * with (package.json's start script), so that children measuring service code measure it as shipped.
 */
export function tsxArgs(file: string): string[] {
  return [...SERVICE_NODE_FLAGS, '--import', 'tsx', file];
}

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Wait for a child to exit, collecting its output (bounded); SIGKILL after `timeoutMs`. */
export function collect(child: ChildProcess, timeoutMs: number): Promise<ChildOutcome> {
  return new Promise((resolvePromise) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => {
      stdout = (stdout + b.toString()).slice(-1_000_000);
    });
    child.stderr?.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-20_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Run `node --import tsx <file> args…` in the host namespace and return its last JSON line. */
export async function runTsChild<T>(file: string, args: string[], timeoutMs: number): Promise<T> {
  const child = spawn(process.execPath, [...tsxArgs(file), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = await collect(child, timeoutMs);
  return lastJson<T>(out, file);
}

export function lastJson<T>(out: ChildOutcome, what: string): T {
  const line = out.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (out.code !== 0 || !line) {
    throw new Error(
      `${what} failed (code ${out.code}, signal ${out.signal}): ${out.stderr.trim().slice(-600) || out.stdout.slice(-600)}`,
    );
  }
  return JSON.parse(line) as T;
}

/** Fixed-width table of the results. */
export function renderTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.value === null ? 'n/a' : String(r.value),
    r.unit,
    r.target,
    r.pass === null ? '-' : r.pass ? 'yes' : 'NO',
  ]);
  const head = ['name', 'value', 'unit', 'target', 'pass'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
