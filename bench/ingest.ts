/**
 * ingest_5000_hosts_s / ingest_5000_hosts_rss_mb: parse + store + diff of a generated 5,000-host, 10-ports-per-host
 * nmap XML. Each run is a fresh child process (so its peak RSS is the ingest's own) on a fresh temp-file SQLite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNmapScan } from '../tests/helpers/nmapXmlGen.js';
import {
  atMost,
  BENCH_DIR,
  type Benchmark,
  type BenchResult,
  errorText,
  fmtList,
  median,
  missing,
  round,
  runTsChild,
} from './lib.js';

interface IngestPass {
  parseMs: number;
  sweepMs: number;
  portsMs: number;
  totalMs: number;
  hosts: number;
  sweepChanges: number;
  portChanges: number;
}
interface ChildReport {
  first: IngestPass;
  repeat: IngestPass;
  baselineRssKb: number;
  vendorIndexKb: number;
  maxRssKb: number;
  repeatMaxRssKb: number;
  devices: { known: number };
}

const SECONDS = { name: 'ingest_5000_hosts_s', unit: 's', target: '<= 1 s' };
const RSS = { name: 'ingest_5000_hosts_rss_mb', unit: 'MB', target: '<= 200 MB' };

export const ingestBenchmark: Benchmark = {
  names: [SECONDS, RSS],
  async run(ctx) {
    const runs = ctx.quick ? 2 : 5;
    const dir = mkdtempSync(join(tmpdir(), 'lsn-bench-ingest-'));
    try {
      const { xml } = generateNmapScan({ hosts: 5000, portsPerHost: 10, kind: 'ports', seed: 5000 });
      const xmlPath = join(dir, 'scan.xml');
      writeFileSync(xmlPath, xml);
      const reports: ChildReport[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await runTsChild<ChildReport>(
          join(BENCH_DIR, 'ingest-child.ts'),
          [xmlPath, join(dir, `run-${i}.db`)],
          120_000,
        );
        if (r.first.hosts !== 5000 || r.devices.known !== 5000)
          throw new Error(`expected 5000 hosts and devices, got ${r.first.hosts} / ${r.devices.known}`);
        reports.push(r);
        ctx.log(
          `ingest run ${i + 1}/${runs}: ${round(r.first.totalMs, 0)} ms, peak ${round(r.maxRssKb / 1024, 0)} MB`,
        );
      }
      const mb = (kb: number) => kb / 1024;
      const totals = reports.map((r) => r.first.totalMs / 1000);
      const rss = reports.map((r) => mb(r.maxRssKb));
      const part = (k: keyof Pick<IngestPass, 'parseMs' | 'sweepMs' | 'portsMs'>) =>
        round(median(reports.map((r) => r.first[k])), 0);
      const f = reports[0]?.first;
      const detail =
        `median of ${runs} child processes, first ingest into an empty DB (${round(xml.length / 1048576, 1)} MiB XML, ` +
        `${f?.sweepChanges} sweep changes, ${f?.portChanges} port changes): parse ${part('parseMs')} ms, ` +
        `sweep store+diff ${part('sweepMs')} ms, port store+diff ${part('portsMs')} ms; runs ${fmtList(totals)} s; ` +
        `same scan again (nothing changed) ${round(median(reports.map((r) => r.repeat.totalMs)), 0)} ms`;
      const rssDetail =
        `peak RSS (process.resourceUsage().maxRSS) of the child after the first ingest, median of ${runs}; ` +
        `the child's RSS before parsing (node + tsx + modules + the XML string read) was ` +
        `${round(median(reports.map((r) => mb(r.baselineRssKb))), 0)} MB, of which loading the OUI vendor index (reading oui-data's 5.6 MB text; the index itself is ~5 MB of heap) ` +
        `${round(median(reports.map((r) => mb(r.vendorIndexKb))), 0)} MB; after the repeat ingest ` +
        `${round(median(reports.map((r) => mb(r.repeatMaxRssKb))), 0)} MB; runs ${fmtList(rss, 0)} MB`;
      return [
        atMost(SECONDS.name, median(totals), 's', 1, detail),
        atMost(RSS.name, median(rss), 'MB', 200, rssDetail, 1),
      ] satisfies BenchResult[];
    } catch (err) {
      return [missing(SECONDS, `failed: ${errorText(err)}`), missing(RSS, `failed: ${errorText(err)}`)];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
