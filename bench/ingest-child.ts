/**
 * Child process of the ingest benchmark (its peak RSS is the ingest's own): parse a generated nmap XML, then
 * store + diff it (sweep ingest creating the devices, then the port-scan ingest) into a fresh temp-file SQLite,
 * then the same scan again (steady state, nothing changed). Prints one JSON line.
 *
 * Usage: node --import tsx bench/ingest-child.ts <scan.xml> <db file>
 */
import { readFileSync } from 'node:fs';
import { lookupVendor } from '../src/inventory/vendor.js';
import { parseNmapXml } from '../src/scan/nmapXml.js';
import { openDatabase } from '../src/store/db.js';
import { Store } from '../src/store/store.js';
import { silentLogger } from '../src/util/logger.js';

const [xmlPath, dbFile] = process.argv.slice(2);
if (!xmlPath || !dbFile) throw new Error('usage: ingest-child.ts <scan.xml> <db file>');

const xml = readFileSync(xmlPath, 'utf8');
const store = new Store(openDatabase(dbFile, silentLogger));
const beforeVendorRssKb = process.memoryUsage().rss / 1024;
lookupVendor('00:11:32:00:00:00'); // load the vendor index before timing (the service preloads it at start)
const baselineRssKb = process.resourceUsage().maxRSS;
const vendorIndexKb = process.memoryUsage().rss / 1024 - beforeVendorRssKb;

function ingest(at: Date) {
  const t0 = performance.now();
  const parsed = parseNmapXml(xml, 'ports', ['10.213.0.0/16']);
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error}`);
  const t1 = performance.now();
  const ctx = { now: at, considerHome: 180, gatewayIp: null, lookupVendor };
  const sweepId = store.scans.start('sweep', parsed.result.targets, 'bench', null, at);
  const swept = store.recordSweep(sweepId, { ...parsed.result, kind: 'sweep' }, ctx);
  const t2 = performance.now();
  const portsId = store.scans.start('ports', parsed.result.targets, 'bench', null, at);
  const ported = store.recordPortScan(portsId, parsed.result, at);
  const t3 = performance.now();
  return {
    parseMs: t1 - t0,
    sweepMs: t2 - t1,
    portsMs: t3 - t2,
    totalMs: t3 - t0,
    hosts: parsed.result.hosts.length,
    sweepChanges: swept.changes.length,
    portChanges: ported.changes.length,
  };
}

const first = ingest(new Date('2026-11-21T03:00:00Z'));
const maxRssKb = process.resourceUsage().maxRSS;
const repeat = ingest(new Date('2026-11-21T03:05:00Z'));
const devices = store.devices.counts();
store.close();
process.stdout.write(
  `${JSON.stringify({ first, repeat, baselineRssKb, vendorIndexKb, maxRssKb, repeatMaxRssKb: process.resourceUsage().maxRSS, devices })}\n`,
);
