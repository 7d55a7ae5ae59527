/**
 * Ingest figures (DESIGN §14): parse + store + diff of a generated 5,000-host, 10-ports-per-host nmap XML, beside
 * SQLite's floor for the same facts, the unchanged repeat, the peak RSS, and what the service's V8 flags cost.
 *
 * Every sample is a fresh child process (`ingest-child.mjs`, plain node on the built dist/) on a fresh temp-file
 * SQLite, so its peak RSS is the ingest's own. The sides alternate within each round, the order swapped every
 * round (ingest/floor/unflagged, then the reverse), so machine load falls on all of them alike.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNmapScan } from '../tests/helpers/nmapXmlGen.js';
import { SERVICE_NODE_FLAGS } from '../tests/helpers/serviceProcess.js';
import {
  atMost,
  BENCH_DIR,
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
} from './lib.js';

interface IngestPass {
  parseMs: number;
  sweepMs: number;
  portsMs: number;
  totalMs: number;
  /** CPU time (user + system) of the child over the same span */
  cpuMs: number;
  /** CPU time per phase (user + system) */
  parseCpuMs: number;
  sweepCpuMs: number;
  portsCpuMs: number;
  hosts: number;
  sweepChanges: number;
  portChanges: number;
}
interface IngestReport {
  first: IngestPass;
  repeat: IngestPass;
  baselineRssKb: number;
  vendorIndexKb: number;
  maxRssKb: number;
  repeatMaxRssKb: number;
  devices: { total: number };
  rows: Record<string, number>;
}
interface FloorReport {
  parseMs: number;
  insertMs: number;
  totalMs: number;
  cpuMs: number;
  hosts: number;
  ports: number;
  maxRssKb: number;
}

const SECONDS = { name: 'ingest_5000_hosts_s', unit: 's', target: '<= 0.6 s' };
const FLOOR = { name: 'ingest_5000_hosts_floor_ratio', unit: 'x', target: '<= 2 x' };
const REPEAT = { name: 'ingest_5000_hosts_repeat_s', unit: 's', target: '<= 0.3 s' };
const RSS = { name: 'ingest_5000_hosts_rss_mb', unit: 'MB', target: '<= 160 MB' };
const FLAGS = { name: 'ingest_v8_flags_cost_pct', unit: '%', target: '<= 5 %' };

const CHILD = join(BENCH_DIR, 'ingest-child.mjs');

async function child<T>(flags: string[], mode: 'ingest' | 'floor', xml: string, db: string): Promise<T> {
  const proc = spawn(process.execPath, [...flags, CHILD, mode, xml, db], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return lastJson<T>(await collect(proc, 180_000), `ingest-child ${mode}`);
}

export const ingestBenchmark: Benchmark = {
  names: [SECONDS, FLOOR, REPEAT, RSS, FLAGS],
  async run(ctx) {
    const all = [SECONDS, FLOOR, REPEAT, RSS, FLAGS];
    if (!existsSync(join(ROOT, 'dist', 'store', 'store.js')))
      return all.map((n) => missing(n, 'dist/ is missing: run `npm run build` first'));
    const runs = ctx.quick ? 2 : 5;
    const dir = mkdtempSync(join(tmpdir(), 'lsn-bench-ingest-'));
    try {
      const { xml } = generateNmapScan({ hosts: 5000, portsPerHost: 10, kind: 'ports', seed: 5000 });
      const xmlPath = join(dir, 'scan.xml');
      writeFileSync(xmlPath, xml);
      const ingests: IngestReport[] = [];
      const bare: IngestReport[] = [];
      const floors: FloorReport[] = [];
      let n = 0;
      const db = () => join(dir, `run-${n++}.db`);
      for (let i = 0; i < runs; i++) {
        const sides: Array<() => Promise<void>> = [
          async () => {
            const r = await child<IngestReport>(SERVICE_NODE_FLAGS, 'ingest', xmlPath, db());
            if (r.first.hosts !== 5000 || r.devices.total !== 5000)
              throw new Error(`expected 5000 hosts and devices, got ${r.first.hosts} / ${r.devices.total}`);
            ingests.push(r);
          },
          async () => {
            floors.push(await child<FloorReport>(SERVICE_NODE_FLAGS, 'floor', xmlPath, db()));
          },
          async () => {
            bare.push(await child<IngestReport>([], 'ingest', xmlPath, db()));
          },
        ];
        for (const side of i % 2 ? sides.reverse() : sides) await side();
        const r = ingests[ingests.length - 1]!;
        const f = floors[floors.length - 1]!;
        ctx.log(
          `round ${i + 1}/${runs}: ingest ${round(r.first.totalMs, 0)} ms (repeat ${round(r.repeat.totalMs, 0)} ms, ` +
            `peak ${round(r.maxRssKb / 1024, 0)} MB), floor ${round(f.totalMs, 0)} ms, without V8 flags ` +
            `${round(bare[bare.length - 1]!.first.totalMs, 0)} ms`,
        );
      }
      const mb = (kb: number) => kb / 1024;
      const total = median(ingests.map((r) => r.first.totalMs));
      const floor = median(floors.map((r) => r.totalMs));
      const floorInsert = median(floors.map((r) => r.insertMs));
      const parse = median(ingests.map((r) => r.first.parseMs));
      const part = (k: 'parseMs' | 'sweepMs' | 'portsMs', pass: 'first' | 'repeat' = 'first') =>
        round(median(ingests.map((r) => r[pass][k])), 0);
      const f0 = ingests[0]!;
      const rows = Object.entries(f0.rows)
        .map(([t, c]) => `${t} ${c}`)
        .join(', ');
      const ratios = ingests.map((r, i) => r.first.totalMs / floors[i]!.totalMs);
      const cpuIngest = median(ingests.map((r) => r.first.cpuMs));
      const cpuFloor = median(floors.map((r) => r.cpuMs));
      const cpuRepeat = median(ingests.map((r) => r.repeat.cpuMs));
      const cpuPart = (pass: 'first' | 'repeat') =>
        (['parseCpuMs', 'sweepCpuMs', 'portsCpuMs'] as const)
          .map((k) => round(median(ingests.map((r) => r[pass][k])), 0))
          .join(' / ');
      const cpuText =
        `CPU time of the same spans (user + system of the child, which other processes' load moves far less than ` +
        `wall time): ingest ${round(cpuIngest, 0)} ms (parse / sweep / ports ${cpuPart('first')} ms), floor ` +
        `${round(cpuFloor, 0)} ms (${round(cpuIngest / cpuFloor, 2)}x), unchanged repeat ${round(cpuRepeat, 0)} ms ` +
        `(${cpuPart('repeat')} ms)`;
      const detail =
        `median of ${runs} child processes (plain node on dist/ with the service's V8 flags ${SERVICE_NODE_FLAGS.join(' ') || '(none)'}), ` +
        `first ingest into an empty DB (${round(xml.length / 1048576, 1)} MiB XML, ${f0.first.sweepChanges} sweep changes, ` +
        `${f0.first.portChanges} port changes): parse ${part('parseMs')} ms, sweep store+diff ${part('sweepMs')} ms, ` +
        `port store+diff ${part('portsMs')} ms; runs ${fmtList(ingests.map((r) => r.first.totalMs / 1000))} s; ` +
        `rows after both ingests: ${rows}. ${cpuText}`;
      const floorDetail =
        `ingest ${round(total, 0)} ms / SQLite floor ${round(floor, 0)} ms, median of the ${runs} per-round ratios ` +
        `${fmtList(ratios, 2)}. The floor (same run, alternating): the same XML through the same parser ` +
        `(${round(median(floors.map((r) => r.parseMs)), 0)} ms) + its ${floors[0]?.hosts} hosts and ${floors[0]?.ports} ` +
        `open ports inserted bare into two minimal tables (${round(floorInsert, 0)} ms). Store + diff alone against ` +
        `the bare inserts alone: ${round((total - parse) / floorInsert, 2)}x. ${cpuText}`;
      const repeatDetail =
        `the same scan ingested again into the same DB (nothing changed: ${f0.repeat.sweepChanges} + ` +
        `${f0.repeat.portChanges} changes): parse ${part('parseMs', 'repeat')} ms, sweep ${part('sweepMs', 'repeat')} ms, ` +
        `ports ${part('portsMs', 'repeat')} ms; median of ${runs}; reference: the first ingest ${round(total, 0)} ms and ` +
        `the floor ${round(floor, 0)} ms of the same rounds. ${cpuText}`;
      const rssDetail =
        `peak RSS (process.resourceUsage().maxRSS) of the child after the first ingest, median of ${runs}; before ` +
        `parsing (node + modules + the XML string + the vendor index) ${round(median(ingests.map((r) => mb(r.baselineRssKb))), 0)} MB, ` +
        `of which loading the vendor index ${round(median(ingests.map((r) => mb(r.vendorIndexKb))), 0)} MB; after the ` +
        `repeat ${round(median(ingests.map((r) => mb(r.repeatMaxRssKb))), 0)} MB; reference: the floor's peak ` +
        `${round(median(floors.map((r) => mb(r.maxRssKb))), 0)} MB (same XML, parser and vendor index); without the ` +
        `V8 flags ${round(median(bare.map((r) => mb(r.maxRssKb))), 0)} MB`;
      const flagged = ingests.map((r) => r.first.totalMs + r.repeat.totalMs);
      const unflagged = bare.map((r) => r.first.totalMs + r.repeat.totalMs);
      const cost = (median(flagged) / median(unflagged) - 1) * 100;
      const flagsDetail =
        `first + repeat ingest with the service's V8 flags (${SERVICE_NODE_FLAGS.join(' ') || 'none'}) ` +
        `${round(median(flagged), 0)} ms against the same without flags ${round(median(unflagged), 0)} ms (same rounds, ` +
        `alternating); negative = the flags are faster. Runs with ${fmtList(flagged, 0)}, without ${fmtList(unflagged, 0)} ms`;
      return [
        atMost(SECONDS.name, total / 1000, 's', 0.6, detail),
        atMost(FLOOR.name, median(ratios), 'x', 2, floorDetail, 2),
        atMost(REPEAT.name, median(ingests.map((r) => r.repeat.totalMs)) / 1000, 's', 0.3, repeatDetail),
        atMost(RSS.name, median(ingests.map((r) => mb(r.maxRssKb))), 'MB', 160, rssDetail, 1),
        atMost(FLAGS.name, cost, '%', 5, flagsDetail, 1),
      ] satisfies BenchResult[];
    } catch (err) {
      return all.map((n) => missing(n, `failed: ${errorText(err)}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
