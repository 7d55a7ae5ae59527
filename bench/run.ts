/**
 * `npm run bench [-- --quick] [-- --only <module>[,<module>]]`: runs every benchmark module in turn, prints a
 * table and writes bench/results.json (an array of {name, value, unit, target, pass, detail}).
 * A benchmark that cannot run records value null with the reason; nothing here is asserted.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { agentsBenchmark } from './agents.js';
import { apiBenchmark } from './api.js';
import { cardBenchmark } from './card.js';
import { ingestBenchmark } from './ingest.js';
import { lanBenchmark } from './lan.js';
import {
  BENCH_DIR,
  type Benchmark,
  type BenchResult,
  errorText,
  missing,
  renderTable,
  withTimeout,
} from './lib.js';
import { mqttBenchmark } from './mqtt.js';
import { passiveBenchmark } from './passive.js';
import { portscanBenchmark } from './portscan.js';
import { tlsBenchmark } from './tls.js';
import { visualsBenchmark } from './visuals.js';

const MODULES: Record<string, Benchmark> = {
  ingest: ingestBenchmark,
  mqtt: mqttBenchmark,
  api: apiBenchmark,
  card: cardBenchmark,
  lan: lanBenchmark,
  agents: agentsBenchmark,
  visuals: visualsBenchmark,
  tls: tlsBenchmark,
  passive: passiveBenchmark,
  portscan: portscanBenchmark,
};

function parseArgs(argv: string[]): { quick: boolean; only: string[] | null; out: string } {
  let quick = false;
  let only: string[] | null = null;
  let out = join(BENCH_DIR, 'results.json');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') out = argv[++i] ?? out;
    else
      throw new Error(
        `unknown argument ${JSON.stringify(a)}: allowed are --quick, --only <modules>, --out <file>`,
      );
  }
  for (const m of only ?? [])
    if (!(m in MODULES))
      throw new Error(
        `--only: unknown module ${JSON.stringify(m)} (have ${Object.keys(MODULES).join(', ')})`,
      );
  return { quick, only, out };
}

async function main(): Promise<void> {
  const { quick, only, out } = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const results: BenchResult[] = [];
  for (const [key, bench] of Object.entries(MODULES)) {
    if (only && !only.includes(key)) continue;
    const started = performance.now();
    const log = (msg: string) =>
      console.error(`[bench ${key} +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
    const loadBefore = loadavg()[0] ?? 0;
    log(`start (1-min load average ${loadBefore.toFixed(2)})`);
    let rows: BenchResult[];
    try {
      // a hard bound per module: nothing may hang the run
      rows = await withTimeout(bench.run({ quick, log }), quick ? 150_000 : 600_000, `benchmark ${key}`);
    } catch (err) {
      rows = bench.names.map((n) => missing(n, `failed: ${errorText(err)}`));
    }
    for (const n of bench.names)
      if (!rows.some((r) => r.name === n.name)) rows.push(missing(n, 'the benchmark returned no figure'));
    // the machine's load is part of every figure's context (these machines are shared and noisy)
    const load = `[1-min load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after]`;
    results.push(...rows.map((r) => ({ ...r, detail: `${r.detail} ${load}` })));
    log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderTable(results));
  console.log('');
  for (const r of results) console.log(`${r.name}: ${r.detail}`);
  console.log(
    `\n${results.length} figures in ${((performance.now() - t0) / 1000).toFixed(1)} s${quick ? ' (--quick)' : ''}; written to ${out}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
