/**
 * The simulated-LAN benchmarks (root, iproute2, nmap, mosquitto; only this run's own lsn- namespaces inside
 * 10.213.0.0/16). One SimLan of light hosts (no services) serves, in order:
 *   sweep_overhead_ratio           full sweep cycle / bare nmap of the same /24, alternated in the scanner namespace
 *   idle_rss_mb, idle_cpu_pct       the built service (`node dist/cli.js run`) between sweeps, 50+ devices
 *   presence_arrival_s/_departure_s the built service with sweep_interval 15, consider_home 20: add/remove a host
 * The LAN is always destroyed (try/finally).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, SERVICE_NODE_FLAGS, ServiceProcess } from '../tests/helpers/serviceProcess.js';
import type { HostSpec } from '../tests/lan/hosts.js';
import { findMosquitto, type ScannerMosquitto, startScannerMosquitto } from '../tests/lan/mosquitto.js';
import { SimLan } from '../tests/lan/sim-lan.js';
import {
  atMost,
  BENCH_DIR,
  type BenchContext,
  type Benchmark,
  type BenchResult,
  collect,
  errorText,
  fmtList,
  lastJson,
  median,
  missing,
  ROOT,
  round,
  sleep,
  tsxArgs,
  waitUntil,
} from './lib.js';

const RATIO = { name: 'sweep_overhead_ratio', unit: 'x', target: '<= 1.1 x' };
const IDLE_RSS = { name: 'idle_rss_mb', unit: 'MB', target: '<= 70 MB' };
const IDLE_CPU = { name: 'idle_cpu_pct', unit: '%', target: '<= 0.5 %' };
const SWEEP_INTERVAL = 15;
const CONSIDER_HOME = 20;
const ARRIVAL = {
  name: 'presence_arrival_s',
  unit: 's',
  target: `<= ${SWEEP_INTERVAL + 5} s (sweep_interval + 5)`,
};
const DEPARTURE = {
  name: 'presence_departure_s',
  unit: 's',
  target: `<= ${CONSIDER_HOME + SWEEP_INTERVAL + 5} s (consider_home + sweep_interval + 5)`,
};
const ALL = [RATIO, IDLE_RSS, IDLE_CPU, ARRIVAL, DEPARTURE];

/** `count` light hosts (no listeners) at .10 upwards, MACs under real OUIs. */
export function lightHosts(count: number): HostSpec[] {
  const ouis = [
    'b8:27:eb',
    'dc:a6:32',
    '24:0a:c4',
    '00:11:32',
    'f0:18:98',
    '5c:aa:fd',
    'f4:f5:d8',
    '78:8a:20',
  ];
  return Array.from({ length: count }, (_, i) => ({
    name: `b${i}`,
    mac: `${ouis[i % ouis.length]}:50:00:${(i + 1).toString(16).padStart(2, '0')}`,
    ip: 10 + i,
  }));
}

function prerequisites(): string | null {
  if (process.platform !== 'linux') return `linux is required (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'root is required for network namespaces';
  for (const [cmd, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['nmap', ['--version'], 'nmap'],
  ] as const) {
    if (spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status !== 0)
      return `\`${cmd}\` not found: apt-get install -y ${pkg}`;
  }
  if (!findMosquitto().broker) return '`mosquitto` not found: apt-get install -y mosquitto';
  return null;
}

interface FullCycle {
  ms: number;
  nmapMs: number;
  parseMs: number;
  storeMs: number;
  publishMs: number;
  hostsUp: number;
  changed: number;
  changes: number;
}
interface CycleReport {
  argv: string[];
  firstFull: FullCycle;
  bares: number[];
  fulls: FullCycle[];
  has: number[];
}

async function sweepRatio(
  lan: SimLan,
  broker: ScannerMosquitto,
  hosts: number,
  ctx: BenchContext,
): Promise<BenchResult> {
  const pairs = ctx.quick ? 3 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'lsn-bench-sweep-'));
  try {
    const child = lan.spawnInScanner(
      process.execPath,
      [
        ...tsxArgs(join(BENCH_DIR, 'sweep-cycle.ts')),
        lan.subnet,
        broker.url,
        join(dir, 'sweep.db'),
        String(pairs),
        ...(ctx.quick ? [] : ['ha']),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const r = lastJson<CycleReport>(await collect(child, 300_000), 'sweep-cycle.ts');
    const ratios = r.fulls.map((f, i) => f.ms / (r.bares[i] ?? Number.NaN));
    const bare = median(r.bares) / 1000;
    const full = median(r.fulls.map((f) => f.ms)) / 1000;
    const part = (k: 'nmapMs' | 'parseMs' | 'storeMs' | 'publishMs') =>
      round(median(r.fulls.map((f) => f[k])), 1);
    const ratio = median(r.fulls.map((f) => f.ms)) / median(r.bares);
    const ha =
      r.has.length > 0
        ? `; HA nmap_tracker's default argv (-n -sn -PR -T4 --min-rate 10 --host-timeout 5s) on the same LAN: median ${round(median(r.has) / 1000, 2)} s (anchor: 2.83 s for a /24 with 21 hosts)`
        : '';
    ctx.log(`sweep: bare ${round(bare, 2)} s, full ${round(full, 2)} s, ratio ${round(ratio, 3)}`);
    return atMost(
      RATIO.name,
      ratio,
      'x',
      1.1,
      `median full cycle / median bare nmap over ${pairs} alternating pairs inside the scanner namespace of a simulated ` +
        `${lan.subnet} with ${hosts} hosts up (+ the scanner): bare ${round(bare, 3)} s, full ${round(full, 3)} s ` +
        `(nmap via runNmap ${part('nmapMs')} ms, parse ${part('parseMs')} ms, store+diff ${part('storeMs')} ms, MQTT publish ` +
        `${part('publishMs')} ms of ${r.fulls[0]?.changed} changed devices to mosquitto); per-pair ratios ${fmtList(ratios)}; ` +
        `both sides run nmap ${r.argv.join(' ')}; the untimed first sweep (all ${r.firstFull.changed} devices new, ` +
        `${r.firstFull.changes} changes) took ${round(r.firstFull.ms / 1000, 3)} s${ha}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ProcSample {
  ticks: number;
  rssKb: number;
  hwmKb: number;
  anonKb: number;
  fileKb: number;
}

function procStat(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the ")" of the command name: state is field 3, utime 14, stime 15
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { ticks, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), anonKb: kb('RssAnon'), fileKb: kb('RssFile') };
}

/** The service's heap as it reports it on api/metrics (used / total / external, MB), or why not. */
async function heapOf(svc: ServiceProcess): Promise<string> {
  try {
    const res = await fetch(new URL('metrics', svc.baseUrl), {
      headers: { authorization: `Bearer ${svc.cliToken}` },
    });
    const text = await res.text();
    const g = (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 1048576;
    return `used ${round(g('nodejs_heap_size_used_bytes'), 1)} / total ${round(g('nodejs_heap_size_total_bytes'), 1)} MB, external ${round(g('nodejs_external_memory_bytes'), 1)} MB`;
  } catch (err) {
    return `not read (${errorText(err)})`;
  }
}

export async function firstSweepDone(svc: ServiceProcess, hosts: number, timeoutMs: number): Promise<number> {
  return waitUntil(
    async () => {
      const r = await svc.api<{ total?: number }>('api/devices?limit=1');
      return r.status === 200 && (r.body.total ?? 0) >= hosts ? (r.body.total ?? 0) : null;
    },
    timeoutMs,
    `the first sweep to list ${hosts} devices`,
    500,
  );
}

/**
 * The idle service's options: no sweep for an hour, scheduled port scans off, and the first-start port scan
 * (which every fresh install runs) over one TCP port, so it ends within seconds and the window that follows
 * is between scans.
 */
export function idleFlags(broker: ScannerMosquitto): string[] {
  return [...serviceFlags(broker, 3600, 180), '--port-profile', 'custom', '--ports', '22'];
}

/**
 * Waits, from the service's log alone (no HTTP request: an idle add-on gets none unless its UI is open), until
 * the first sweep and the first-start port scan of its devices are done; returns the devices swept.
 */
export async function firstScansDone(svc: ServiceProcess, timeoutMs: number): Promise<number> {
  const baseline = await svc.waitForLog(/the \d+ devices of this first sweep/, timeoutMs);
  await svc.waitForLog(/port scan #\d+ \(first start(?:, batch (\d+)\/\1)?\): /, timeoutMs);
  return Number(/\d+/.exec(baseline)?.[0] ?? Number.NaN);
}

export function serviceFlags(
  broker: ScannerMosquitto,
  sweepInterval: number,
  considerHome: number,
): string[] {
  return [
    '--mqtt-url',
    broker.url,
    '--sweep-interval',
    String(sweepInterval),
    '--consider-home',
    String(considerHome),
    '--port-scan-schedule=',
    '--log-level',
    'info',
  ];
}

/** VmRSS, anonymous and file-backed RSS and CPU ticks of `pid` over `seconds` 1 s samples (medians). */
async function idleWindow(pid: number, seconds: number, bare?: number) {
  const start = procStat(pid);
  const t0 = performance.now();
  const samples: ProcSample[] = [];
  const bareSamples: ProcSample[] = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    samples.push(procStat(pid));
    if (bare !== undefined) bareSamples.push(procStat(bare));
  }
  const end = procStat(pid);
  const elapsed = (performance.now() - t0) / 1000;
  const clk = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const rss = samples.map((x) => x.rssKb / 1024);
  return {
    rss,
    rssMb: median(rss),
    anonMb: median(samples.map((x) => x.anonKb / 1024)),
    fileMb: median(samples.map((x) => x.fileKb / 1024)),
    bareMb: bareSamples.length ? median(bareSamples.map((x) => x.rssKb / 1024)) : Number.NaN,
    cpuPct: ((end.ticks - start.ticks) / clk / elapsed) * 100,
    ticks: end.ticks - start.ticks,
    clk,
    elapsed,
    hwmMb: end.hwmKb / 1024,
  };
}

async function idle(
  lan: SimLan,
  broker: ScannerMosquitto,
  _hosts: number,
  ctx: BenchContext,
): Promise<BenchResult[]> {
  const svc = await ServiceProcess.start(lan, { flags: idleFlags(broker), startTimeoutMs: 60_000 });
  try {
    const pid = svc.child.pid;
    if (pid === undefined) throw new Error('the service has no pid');
    const devices = await firstScansDone(svc, 180_000);
    await sleep(5_000); // let the last publishes and writes settle
    const seconds = ctx.quick ? 10 : 30;
    // the reference in the same window: a bare node with the same V8 flags doing nothing (node's own floor)
    const bare = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '-e', 'setInterval(() => {}, 60000)'], {
      stdio: 'ignore',
    });
    let w: Awaited<ReturnType<typeof idleWindow>>;
    try {
      await sleep(1000);
      w = await idleWindow(pid, seconds, bare.pid);
    } finally {
      bare.kill('SIGKILL');
    }
    // the first HTTP request after idle (the UI opened), then the same window again with the API loaded
    const q0 = performance.now();
    const first = await svc.api('api/devices?limit=100');
    const firstMs = performance.now() - q0;
    const q1 = performance.now();
    await svc.api('api/devices?limit=100');
    const secondMs = performance.now() - q1;
    if (first.status !== 200) throw new Error(`api/devices answered ${first.status}`);
    const heap = await heapOf(svc);
    await sleep(2_000);
    const after = await idleWindow(pid, ctx.quick ? 5 : 10);
    ctx.log(
      `idle: ${round(w.rssMb, 1)} MB (bare node ${round(w.bareMb, 1)} MB), ${round(w.cpuPct, 2)} % CPU; after the first request (${round(firstMs, 1)} ms): ${round(after.rssMb, 1)} MB`,
    );
    const common = `the built service (node ${SERVICE_NODE_FLAGS.join(' ')} dist/cli.js run, sweep_interval 3600, scheduled port scans off, MQTT to mosquitto in the scanner namespace, no HTTP request yet) after its first sweep found ${devices} devices and their first-start port scan (custom profile, TCP 22) ended, +5 s settle, sampled over ${round(w.elapsed, 1)} s`;
    return [
      atMost(
        IDLE_RSS.name,
        w.rssMb,
        'MB',
        70,
        `median VmRSS of 1 s samples (/proc/<pid>/status): ${common}; reference in the same window: a bare node with the same flags doing nothing ${round(w.bareMb, 1)} MB (the service adds ${round(w.rssMb - w.bareMb, 1)} MB); first ${round(w.rss[0] ?? 0, 1)}, last ${round(w.rss.at(-1) ?? 0, 1)}, min ${round(Math.min(...w.rss), 1)}, max ${round(Math.max(...w.rss), 1)} MB; median RssAnon (heap etc.) ${round(w.anonMb, 1)} MB, RssFile (mapped node binary, native addons) ${round(w.fileMb, 1)} MB; peak so far (VmHWM) ${round(w.hwmMb, 1)} MB. After the window: the first request GET api/devices?limit=100 took ${round(firstMs, 1)} ms (the second ${round(secondMs, 1)} ms); the service's V8 heap then (metrics) ${heap}; VmRSS over ${round(after.elapsed, 1)} s after it ${round(after.rssMb, 1)} MB (RssAnon ${round(after.anonMb, 1)} MB)`,
        1,
      ),
      atMost(
        IDLE_CPU.name,
        w.cpuPct,
        '%',
        0.5,
        `(utime+stime) ticks from /proc/<pid>/stat over the window / wall time, % of one core: ${common}; ${w.ticks} ticks at ${w.clk}/s; after the first request, over ${round(after.elapsed, 1)} s: ${round(after.cpuPct, 2)} %`,
        2,
      ),
    ];
  } finally {
    await svc.stop('SIGTERM', 15_000).catch(() => undefined);
    svc.cleanup();
  }
}

async function presence(
  lan: SimLan,
  broker: ScannerMosquitto,
  hosts: number,
  ctx: BenchContext,
): Promise<BenchResult[]> {
  const svc = await ServiceProcess.start(lan, {
    flags: serviceFlags(broker, SWEEP_INTERVAL, CONSIDER_HOME),
    startTimeoutMs: 60_000,
  });
  try {
    await firstSweepDone(svc, hosts, 120_000);
    const mac = '3c:22:fb:77:00:01';
    const state = async () => {
      const r = await svc.api<{ presence?: string }>(`api/devices/${mac}`);
      return r.status === 200 ? (r.body.presence ?? null) : null;
    };
    const t0 = performance.now();
    await lan.addHost({ name: 'arrive', mac, ip: 250 });
    await waitUntil(async () => (await state()) === 'home', 90_000, `${mac} to be home`, 250);
    const arrival = (performance.now() - t0) / 1000;
    ctx.log(`presence: arrival ${round(arrival, 1)} s`);
    const t1 = performance.now();
    await lan.removeHost('arrive');
    await waitUntil(async () => (await state()) === 'not_home', 150_000, `${mac} to be not_home`, 250);
    const departure = (performance.now() - t1) / 1000;
    ctx.log(`presence: departure ${round(departure, 1)} s`);
    const how = `the built service in the scanner namespace (sweep_interval ${SWEEP_INTERVAL}, consider_home ${CONSIDER_HOME}), polling GET api/devices/<mac> every 250 ms; one sample (a presence change cannot be repeated faster than the sweep interval)`;
    return [
      atMost(
        ARRIVAL.name,
        arrival,
        's',
        SWEEP_INTERVAL + 5,
        `host added (new namespace + veth) → presence "home": ${how}. Anchor: nmap_tracker shows arrival within one interval_seconds (default 120 s)`,
        1,
      ),
      atMost(
        DEPARTURE.name,
        departure,
        's',
        CONSIDER_HOME + SWEEP_INTERVAL + 5,
        `host removed → presence "not_home": ${how}. Anchor: nmap_tracker needs a down scan + consider_home (≈ 2-5 min with defaults); NetAlertX sweeps every 5 min`,
        1,
      ),
    ].map((r) => ({ ...r, target: r.name === ARRIVAL.name ? ARRIVAL.target : DEPARTURE.target }));
  } finally {
    await svc.stop('SIGTERM', 15_000).catch(() => undefined);
    svc.cleanup();
  }
}

export const lanBenchmark: Benchmark = {
  names: ALL,
  async run(ctx) {
    const why = prerequisites();
    if (why) return ALL.map((n) => missing(n, `simulated LAN unavailable: ${why}`));
    const hosts = ctx.quick ? 50 : 60;
    const results: BenchResult[] = [];
    let lan: SimLan | null = null;
    let broker: ScannerMosquitto | null = null;
    try {
      lan = await SimLan.create({ hosts: lightHosts(hosts) });
      ctx.log(`simulated LAN ${lan.subnet} with ${hosts} hosts in ${round(lan.setupMs / 1000, 1)} s`);
      broker = await startScannerMosquitto(lan);
      try {
        results.push(await sweepRatio(lan, broker, hosts, ctx));
      } catch (err) {
        results.push(missing(RATIO, `failed: ${errorText(err)}`));
      }
      const service = existsSync(CLI) ? null : `${CLI} is missing: run "npm run build" first`;
      if (ctx.quick) {
        for (const n of [IDLE_RSS, IDLE_CPU, ARRIVAL, DEPARTURE])
          results.push(missing(n, 'skipped in --quick'));
      } else if (service) {
        for (const n of [IDLE_RSS, IDLE_CPU, ARRIVAL, DEPARTURE]) results.push(missing(n, service));
      } else {
        try {
          results.push(...(await idle(lan, broker, hosts, ctx)));
        } catch (err) {
          results.push(
            missing(IDLE_RSS, `failed: ${errorText(err)}`),
            missing(IDLE_CPU, `failed: ${errorText(err)}`),
          );
        }
        try {
          results.push(...(await presence(lan, broker, hosts, ctx)));
        } catch (err) {
          results.push(
            missing(ARRIVAL, `failed: ${errorText(err)}`),
            missing(DEPARTURE, `failed: ${errorText(err)}`),
          );
        }
      }
      return results;
    } finally {
      await broker?.stop().catch(() => undefined);
      await lan?.destroy();
    }
  },
};
