/**
 * `npx tsx bench/idle-heap.ts [hosts]` (or `--snapshot <file>`: only summarise a saved snapshot): what the idle service keeps resident, by module (issue 18). The built
 * service runs as in `idle_rss_mb` (bench/lan.ts: a simulated LAN of light hosts, mosquitto in the scanner
 * namespace, sweep_interval 3600, scheduled port scans off); after its first sweep and first-start port scan
 * + 10 s (past the memory release 5 s after the scans, src/service/memoryRelease.ts), `/proc/<pid>/status` gives the
 * RSS split (anonymous vs file-backed) and a V8 heap snapshot (`--heapsnapshot-signal`) is taken and summed:
 *
 * - by V8 node type (code, strings, objects, arrays, closures, …) and the largest object constructors;
 * - by module: each script's source text (V8 keeps it for `Function.prototype.toString`) plus its functions'
 *   metadata and bytecode (SharedFunctionInfo + BytecodeArray), grouped as `node_modules/<package>`,
 *   `dist/<directory>` or `node:` internals.
 *
 * Prints Markdown for bench/README.md ("Idle memory"); nothing is asserted. Needs root (network namespaces).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from '../tests/helpers/serviceProcess.js';
import { startScannerMosquitto } from '../tests/lan/mosquitto.js';
import { SimLan } from '../tests/lan/sim-lan.js';
import { firstScansDone, idleFlags, lightHosts } from './lan.js';

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => (b / 1048576).toFixed(1);

function status(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(Vm\w+|Rss\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1] as string] = Number(m[2]) / 1024;
  }
  return out;
}

/**
 * Resident memory by mapping from /proc/<pid>/smaps: file-backed by file (the node binary, native addons,
 * the database), anonymous ones by kind (`[heap]` = malloc's main arena, thread stacks, other anonymous
 * mappings = V8's heap pages, code space, malloc arenas of other threads and mmap'd blocks).
 */
function smaps(pid: number): string {
  const by = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[3] ?? '';
      const size =
        (Number.parseInt(head[2] as string, 16) - Number.parseInt(head[1] as string, 16)) / 1048576;
      // glibc's thread arenas are 64 MB reservations; V8 reserves its heap and code space in large regions
      const kind =
        size >= 60 && size <= 64
          ? 'malloc thread arenas (64 MB reservations)'
          : size >= 100
            ? 'V8 reservations (>= 100 MB: heap cage, code range)'
            : size < 1
              ? 'small (< 1 MB: V8 pages, stacks, mmap)'
              : 'other anonymous (1-60 MB)';
      name = !path
        ? `anonymous: ${kind}`
        : path.startsWith('[')
          ? path
          : path.replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/(lsn-[^/]+\/)?/, '');
      continue;
    }
    const m = /^Rss:\s+(\d+) kB/.exec(line);
    if (m) by.set(name, (by.get(name) ?? 0) + Number(m[1]) * 1024);
  }
  const rows = [...by].sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 256 * 1024);
  return ['| mapping | RSS MB |', '| --- | ---: |', ...rows.map(([k, v]) => `| ${k} | ${mb(v)} |`)].join(
    '\n',
  );
}

/** "node_modules/fastify", "dist/store", "node:internal" … for a script URL. */
function moduleOf(url: string): string {
  if (!url) return '(no script)';
  if (url.startsWith('node:')) return 'node: (built-in modules)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return `node_modules/${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const d = url.indexOf('/dist/');
  if (d >= 0) {
    const rest = url.slice(d + 6).split('/');
    return rest.length > 1 ? `dist/${rest[0]}` : `dist/${rest[0]}`;
  }
  return url.includes('internal') ? 'node: (built-in modules)' : url.replace(/.*\//, '');
}

function summarise(file: string): string {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nTypes = s.snapshot.meta.node_types[0];
  const eTypes = s.snapshot.meta.edge_types[0];
  const NW = nf.length;
  const EW = ef.length;
  const iType = nf.indexOf('type');
  const iName = nf.indexOf('name');
  const iSize = nf.indexOf('self_size');
  const iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type');
  const eName = ef.indexOf('name_or_index');
  const eTo = ef.indexOf('to_node');
  const count = s.nodes.length / NW;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += (s.nodes[i * NW + iEdges] as number) * EW;
    firstEdge[i + 1] = e;
  }
  const type = (n: number) => nTypes[s.nodes[n * NW + iType] as number] as string;
  const name = (n: number) => s.strings[s.nodes[n * NW + iName] as number] as string;
  const size = (n: number) => s.nodes[n * NW + iSize] as number;
  /** the node an edge of `n` named `edge` points to, or -1 */
  const child = (n: number, edge: string): number => {
    for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += EW) {
      const t = eTypes[s.edges[e + eType] as number];
      if (t === 'element' || t === 'hidden') continue;
      if (s.strings[s.edges[e + eName] as number] === edge) return (s.edges[e + eTo] as number) / NW;
    }
    return -1;
  };
  const byType = new Map<string, number>();
  const byCtor = new Map<string, number>();
  let total = 0;
  for (let n = 0; n < count; n++) {
    const t = type(n);
    const sz = size(n);
    total += sz;
    byType.set(t, (byType.get(t) ?? 0) + sz);
    if (t === 'object') byCtor.set(name(n), (byCtor.get(name(n)) ?? 0) + sz);
  }
  // scripts: URL, source text; functions: SharedFunctionInfo (+ its bytecode) → their script
  const scriptModule = new Map<number, string>();
  const byModule = new Map<string, { source: number; code: number; functions: number }>();
  const entry = (m: string) => {
    let e = byModule.get(m);
    if (!e) {
      e = { source: 0, code: 0, functions: 0 };
      byModule.set(m, e);
    }
    return e;
  };
  // a Script is a `code` node with a `source` string; its name is the URL
  for (let n = 0; n < count; n++) {
    if (type(n) !== 'code') continue;
    const src = child(n, 'source');
    if (src < 0 || type(src) !== 'string') continue;
    const m = moduleOf(name(n));
    scriptModule.set(n, m);
    entry(m).source += size(src);
  }
  // a SharedFunctionInfo points to its Script; its scope info, feedback metadata and bytecode count with it
  for (let n = 0; n < count; n++) {
    if (type(n) !== 'code') continue;
    let script = child(n, 'script_or_debug_info');
    if (script < 0) script = child(n, 'script');
    if (script < 0 || !scriptModule.has(script)) continue;
    const e = entry(scriptModule.get(script) as string);
    e.functions++;
    e.code += size(n);
    for (const part of ['function_data', 'name_or_scope_info', 'raw_outer_scope_info_or_feedback_metadata']) {
      const c = child(n, part);
      if (c >= 0 && type(c) === 'code') e.code += size(c);
    }
  }
  const top = <T>(m: Map<string, T>, key: (v: T) => number, k: number) =>
    [...m].sort((a, b) => key(b[1]) - key(a[1])).slice(0, k);
  const lines: string[] = [];
  lines.push(`V8 heap snapshot: ${mb(total)} MB in ${count} nodes (self sizes).`, '');
  lines.push('| V8 node type | MB |', '| --- | ---: |');
  for (const [t, v] of top(byType, (x) => x, 12)) lines.push(`| ${t} | ${mb(v)} |`);
  lines.push('', '| object constructor | MB |', '| --- | ---: |');
  for (const [t, v] of top(byCtor, (x) => x, 12)) lines.push(`| ${t.slice(0, 60)} | ${mb(v)} |`);
  lines.push(
    '',
    '| module | source text MB | functions | function metadata + bytecode MB |',
    '| --- | ---: | ---: | ---: |',
  );
  for (const [m, v] of top(byModule, (x) => x.source + x.code, 25))
    lines.push(`| ${m} | ${mb(v.source)} | ${v.functions} | ${mb(v.code)} |`);
  const sum = [...byModule.values()].reduce((a, v) => a + v.source + v.code, 0);
  lines.push('', `Source text + function metadata + bytecode of all modules: ${mb(sum)} MB.`);
  return lines.join('\n');
}

if (process.argv[2] === '--snapshot') {
  console.log(summarise(process.argv[3] as string));
  process.exit(0);
}
const hosts = Number(process.argv[2] ?? 60);
const diag = mkdtempSync(join(tmpdir(), 'lsn-idle-heap-'));
let lan: SimLan | null = null;
let broker: Awaited<ReturnType<typeof startScannerMosquitto>> | null = null;
try {
  lan = await SimLan.create({ hosts: lightHosts(hosts) });
  broker = await startScannerMosquitto(lan);
  const svc = await ServiceProcess.start(lan, {
    flags: idleFlags(broker),
    env: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${diag}` },
    startTimeoutMs: 60_000,
  });
  try {
    const pid = svc.child.pid as number;
    const devices = await firstScansDone(svc, 180_000);
    await sleep(10_000);
    const st = status(pid);
    const maps = smaps(pid);
    process.kill(pid, 'SIGUSR2');
    let file: string | undefined;
    for (let i = 0; i < 120 && !file; i++) {
      await sleep(1000);
      const f = readdirSync(diag).find((x) => x.endsWith('.heapsnapshot'));
      // written when the size stops growing
      if (f && existsSync(join(diag, f))) {
        const a = readFileSync(join(diag, f)).length;
        await sleep(1000);
        if (readFileSync(join(diag, f)).length === a && a > 0) file = join(diag, f);
      }
    }
    if (!file) throw new Error('no heap snapshot was written');
    if (process.env.LSN_KEEP_SNAPSHOT) writeFileSync(process.env.LSN_KEEP_SNAPSHOT, readFileSync(file));
    console.log(
      `Idle service after its first sweep (${devices} devices) and first-start port scan + 10 s: VmRSS ${mb((st.VmRSS ?? 0) * 1048576)} MB = ` +
        `RssAnon ${mb((st.RssAnon ?? 0) * 1048576)} MB (heap, code, malloc) + RssFile ${mb((st.RssFile ?? 0) * 1048576)} MB ` +
        `(the node binary and native addons, mapped from their files) + RssShmem ${mb((st.RssShmem ?? 0) * 1048576)} MB.\n`,
    );
    console.log(`${maps}\n`);
    console.log(summarise(file));
  } finally {
    await svc.stop('SIGTERM', 15_000).catch(() => undefined);
    svc.cleanup();
  }
} finally {
  await broker?.stop().catch(() => undefined);
  await lan?.destroy();
  rmSync(diag, { recursive: true, force: true });
}
