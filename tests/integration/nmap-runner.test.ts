import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSweepArgs } from '../../src/scan/nmapArgs.js';
import { checkNmap, isPrivileged, NmapSpawnError, runNmap } from '../../src/scan/nmapRunner.js';
import { parseNmapXml } from '../../src/scan/nmapXml.js';

const FAKE = join(import.meta.dirname, '../fixtures/bin/nmap');
const FIXTURES = join(import.meta.dirname, '../fixtures/nmap');
const tmp = mkdtempSync(join(tmpdir(), 'lsn-runner-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function env(mode: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FAKE_NMAP_MODE: mode,
    FAKE_NMAP_FIXTURE: join(FIXTURES, 'sweep-arp.xml'),
    ...extra,
  };
}

/** Linux: a pid is gone when /proc has no entry, or only a zombie no one has reaped yet. */
function processState(pid: number): 'gone' | 'zombie' | 'alive' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X' ? 'zombie' : 'alive';
  } catch {
    return 'gone';
  }
}

async function waitGone(pid: number, ms = 2000): Promise<string> {
  const until = Date.now() + ms;
  let s = processState(pid);
  while (s === 'alive' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    s = processState(pid);
  }
  return s;
}

function childrenOfThisProcess(): number[] {
  const out: number[] = [];
  for (const d of readdirSafe('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) out.push(Number(d));
    } catch {
      // raced with exit
    }
  }
  return out;
}

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}

describe('runNmap with the fake nmap', () => {
  it('returns stdout that parses, with exit code 0', async () => {
    const r = await runNmap(['-n', '-sn', '--', '10.213.1.0/24'], {
      nmapPath: FAKE,
      timeoutMs: 10_000,
      env: env('fixture'),
    });
    expect(r).toMatchObject({
      exitCode: 0,
      signal: null,
      timedOut: false,
      aborted: false,
      outputTruncated: false,
    });
    expect(r.stdout).toBe(readFileSync(join(FIXTURES, 'sweep-arp.xml'), 'utf8'));
    const parsed = parseNmapXml(r.stdout, 'sweep', ['10.213.1.0/24']);
    expect(parsed.ok && parsed.result.hosts.length).toBe(5);
  });

  it('passes argv verbatim without a shell (the fake binary echoes it)', async () => {
    const argvOut = join(tmp, 'argv.json');
    const pwned = join(tmp, 'pwned');
    const argv = [
      ...buildSweepArgs({
        targets: ['10.213.1.0/24'],
        exclude: ['10.213.1.250'],
        privileged: true,
        attached: true,
      }),
    ];
    await runNmap([...argv, `$(touch ${pwned})`, `;touch ${pwned}`, `\`touch ${pwned}\``], {
      nmapPath: FAKE,
      timeoutMs: 10_000,
      env: env('echo-argv', { FAKE_NMAP_ARGV_OUT: argvOut }),
    });
    const echoed = JSON.parse(readFileSync(argvOut, 'utf8'));
    expect(echoed).toEqual([...argv, `$(touch ${pwned})`, `;touch ${pwned}`, `\`touch ${pwned}\``]);
    expect(echoed.slice(0, argv.length)).toEqual([
      '-n',
      '-sn',
      '-PR',
      '-T4',
      '--max-retries',
      '2',
      '--stats-every',
      '2s',
      '-oX',
      '-',
      '--exclude',
      '10.213.1.250',
      '--',
      '10.213.1.0/24',
    ]);
    expect(existsSync(pwned)).toBe(false);
  });

  it('captures stderr and the exit code of a failing run', async () => {
    const r = await runNmap(['-sn'], { nmapPath: FAKE, timeoutMs: 10_000, env: env('fail') });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Failed to resolve "nonsense".');
    expect(r.stdout).toBe('');
  });

  it('reports death by signal', async () => {
    const r = await runNmap(['-sn'], { nmapPath: FAKE, timeoutMs: 10_000, env: env('sigkill') });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
  });

  it('a partial output exits 0 but does not parse', async () => {
    const r = await runNmap(['-sn'], { nmapPath: FAKE, timeoutMs: 10_000, env: env('partial') });
    expect(r.exitCode).toBe(0);
    const parsed = parseNmapXml(r.stdout, 'sweep', []);
    expect(parsed.ok).toBe(false);
  });

  it('on timeout kills the whole process group, grandchild included', async () => {
    const pidFile = join(tmp, 'child-timeout.pid');
    const progress: Array<[number, string | undefined]> = [];
    const t = performance.now();
    // 1.5 s rather than 300 ms: node itself must start, spawn the grandchild and print before the kill
    const r = await runNmap(['-sn'], {
      nmapPath: FAKE,
      timeoutMs: 1500,
      env: env('sleep', { FAKE_NMAP_CHILD_PID_OUT: pidFile }),
      onProgress: (pct, task) => progress.push([pct, task]),
    });
    console.log(`timeout run resolved after ${(performance.now() - t).toFixed(0)} ms (timeout 1500 ms)`);
    expect(r).toMatchObject({ timedOut: true, aborted: false, signal: 'SIGTERM', exitCode: null });
    expect(progress).toEqual([[12.5, 'Ping Scan']]);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(0);
    expect(await waitGone(grandchild)).not.toBe('alive');
    expect(childrenOfThisProcess()).toEqual([]);
  });

  it('escalates to SIGKILL when nmap ignores SIGTERM', async () => {
    const pidFile = join(tmp, 'child-kill.pid');
    const ac = new AbortController();
    const t = performance.now();
    const r = await runNmap(['-sn'], {
      nmapPath: FAKE,
      timeoutMs: 30_000,
      killGraceMs: 300,
      signal: ac.signal,
      // the fake prints progress only once its SIGTERM handler is installed
      onProgress: () => ac.abort(),
      env: env('sleep', { FAKE_NMAP_IGNORE_TERM: '1', FAKE_NMAP_CHILD_PID_OUT: pidFile }),
    });
    console.log(
      `SIGTERM-ignoring run resolved after ${(performance.now() - t).toFixed(0)} ms (grace 300 ms)`,
    );
    expect(r).toMatchObject({ aborted: true, signal: 'SIGKILL' });
    expect(await waitGone(Number(readFileSync(pidFile, 'utf8')))).not.toBe('alive');
  });

  it('aborts through an AbortSignal, killing the group', async () => {
    const pidFile = join(tmp, 'child-abort.pid');
    const ac = new AbortController();
    const r = await runNmap(['-sn'], {
      nmapPath: FAKE,
      timeoutMs: 30_000,
      signal: ac.signal,
      env: env('sleep', { FAKE_NMAP_CHILD_PID_OUT: pidFile }),
      onProgress: () => ac.abort(),
    });
    expect(r).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGTERM' });
    expect(await waitGone(Number(readFileSync(pidFile, 'utf8')))).not.toBe('alive');
  });

  it('does not start at all when the signal is already aborted', async () => {
    const argvOut = join(tmp, 'never.json');
    const r = await runNmap(['-sn'], {
      nmapPath: FAKE,
      timeoutMs: 10_000,
      signal: AbortSignal.abort(),
      env: env('echo-argv', { FAKE_NMAP_ARGV_OUT: argvOut }),
    });
    expect(r.aborted).toBe(true);
    expect(existsSync(argvOut)).toBe(false);
  });

  it('reports progress lines as they stream', async () => {
    const seen: number[] = [];
    const r = await runNmap(['-sS'], {
      nmapPath: FAKE,
      timeoutMs: 10_000,
      env: env('progress', { FAKE_NMAP_STEP_MS: '10' }),
      onProgress: (pct) => seen.push(pct),
    });
    expect(r.exitCode).toBe(0);
    // the last value comes from the fixture's own <taskprogress> line
    expect(seen).toEqual([10, 30, 50, 70, 90, 48.63]);
  });

  it('collects large output completely', async () => {
    const bytes = 48 * 1024 * 1024 + 123;
    const t = performance.now();
    const r = await runNmap(['-sn'], {
      nmapPath: FAKE,
      timeoutMs: 60_000,
      env: env('flood', { FAKE_NMAP_FLOOD_BYTES: String(bytes) }),
    });
    console.log(`collected ${bytes} bytes of stdout in ${(performance.now() - t).toFixed(0)} ms`);
    expect(r.exitCode).toBe(0);
    expect(r.outputTruncated).toBe(false);
    expect(Buffer.byteLength(r.stdout)).toBe(bytes);
  });

  it('kills nmap when stdout goes over the cap', async () => {
    const r = await runNmap(['-sn'], {
      nmapPath: FAKE,
      timeoutMs: 60_000,
      maxOutputBytes: 1024 * 1024,
      env: env('flood', { FAKE_NMAP_FLOOD_BYTES: String(64 * 1024 * 1024) }),
    });
    expect(r.outputTruncated).toBe(true);
    expect(Buffer.byteLength(r.stdout)).toBe(1024 * 1024);
    expect(r.signal === 'SIGTERM' || r.exitCode === 0).toBe(true);
  });

  it('rejects with NmapSpawnError and the install hint when the binary is missing', async () => {
    const missing = join(tmp, 'no-such-nmap');
    await expect(runNmap(['--version'], { nmapPath: missing, timeoutMs: 1000 })).rejects.toBeInstanceOf(
      NmapSpawnError,
    );
    const check = await checkNmap(missing);
    expect(check).toEqual({
      ok: false,
      message:
        `nmap not found at ${JSON.stringify(missing)}: install it with \`apt-get install -y nmap\` (Debian/Ubuntu) ` +
        'or `apk add nmap` (Alpine), or set option nmap_path',
    });
    await expect(runNmap(['-sn'], { nmapPath: '', timeoutMs: 1000 })).rejects.toThrow(/nmap_path/);
    await expect(runNmap(['-sn\0'], { nmapPath: FAKE, timeoutMs: 1000 })).rejects.toThrow(/NUL/);
  });

  it('checkNmap reads the version, and reports a binary that is not nmap', async () => {
    expect(await checkNmap(FAKE)).toEqual({ ok: true, version: '7.93' });
    const r = await checkNmap('/bin/false');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/--version exited with 1/);
  });

  it('isPrivileged follows root and the NMAP_(UN)PRIVILEGED variables', () => {
    expect(isPrivileged({})).toBe(process.getuid?.() === 0);
    expect(isPrivileged({ NMAP_PRIVILEGED: '' })).toBe(true);
    expect(isPrivileged({ NMAP_PRIVILEGED: '1', NMAP_UNPRIVILEGED: '1' })).toBe(false);
  });
});
