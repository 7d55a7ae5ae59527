/**
 * Child process of the ingest benchmark, run with plain `node` on the BUILT service (dist/, as `npm start` runs
 * it: no TypeScript loader in the process, so its peak RSS is the service code's own). One mode per process:
 *
 * - `ingest <scan.xml> <db>`: parse the nmap XML, then store + diff it (the sweep ingest creating the devices,
 *   then the port-scan ingest) into a fresh SQLite file opened as the service opens it, then the same scan again
 *   (nothing changed). Prints one JSON line with the phases, the row counts and the peak RSS.
 * - `floor <scan.xml> <db>`: SQLite's floor for the same facts: the same XML through the same parser, then
 *   every host (mac, ip, hostname, vendor, times) and every open port (mac, protocol, port, service, product,
 *   version, extrainfo, cpe, times) inserted bare — one prepared INSERT per row, one transaction — into two
 *   minimal tables (no key, no index, no constraint) of a fresh file with the service's pragmas (WAL,
 *   synchronous=NORMAL).
 *
 * Usage: node [V8 flags] bench/ingest-child.mjs ingest|floor <scan.xml> <db file>
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [mode, xmlPath, dbFile] = process.argv.slice(2);
if ((mode !== 'ingest' && mode !== 'floor') || !xmlPath || !dbFile)
  throw new Error('usage: ingest-child.mjs ingest|floor <scan.xml> <db file>');

const dist = new URL('../dist/', import.meta.url);
const { lookupVendor } = await import(new URL('inventory/vendor.js', dist).href);
const { normalizeMac } = await import(new URL('inventory/mac.js', dist).href);
const { parseNmapXml } = await import(new URL('scan/nmapXml.js', dist).href);

const xml = readFileSync(xmlPath, 'utf8');
const beforeVendorRssKb = process.memoryUsage().rss / 1024;
lookupVendor('00:11:32:00:00:00'); // the vendor index is loaded before timing (the service preloads it at start)
const vendorIndexKb = process.memoryUsage().rss / 1024 - beforeVendorRssKb;

/** CPU time (user + system) of this process in ms: unlike wall time, barely moved by other processes' load. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function parse() {
  const parsed = parseNmapXml(xml, 'ports', ['10.213.0.0/16']);
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error}`);
  return parsed.result;
}

if (mode === 'floor') {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE hosts (mac TEXT, ip TEXT, hostname TEXT, vendor TEXT, first_seen TEXT, last_seen TEXT);
    CREATE TABLE ports (mac TEXT, protocol TEXT, port INTEGER, service TEXT, product TEXT, version TEXT,
      extrainfo TEXT, cpe TEXT, first_seen TEXT, last_seen TEXT);`);
  const host = db.prepare('INSERT INTO hosts VALUES (?, ?, ?, ?, ?, ?)');
  const port = db.prepare('INSERT INTO ports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const baselineRssKb = process.resourceUsage().maxRSS;
  const c0 = cpuMs();
  const t0 = performance.now();
  const result = parse();
  const t1 = performance.now();
  const t = new Date('2026-11-21T03:00:00Z').toISOString();
  let hosts = 0;
  let ports = 0;
  db.transaction(() => {
    for (const h of result.hosts) {
      if (h.status !== 'up') continue;
      const mac = normalizeMac(h.mac ?? '') ?? null;
      host.run(mac, h.ip, h.hostnames[0] ?? null, mac ? lookupVendor(mac) : null, t, t);
      hosts++;
      for (const p of h.ports) {
        if (p.state !== 'open') continue;
        const s = p.service;
        port.run(
          mac,
          p.protocol,
          p.port,
          s?.name ?? null,
          s?.product ?? null,
          s?.version ?? null,
          s?.extrainfo ?? null,
          JSON.stringify(s?.cpe ?? []),
          t,
          t,
        );
        ports++;
      }
    }
  })();
  const t2 = performance.now();
  const c2 = cpuMs();
  db.close();
  process.stdout.write(
    `${JSON.stringify({
      parseMs: t1 - t0,
      insertMs: t2 - t1,
      totalMs: t2 - t0,
      cpuMs: c2 - c0,
      hosts,
      ports,
      baselineRssKb,
      vendorIndexKb,
      maxRssKb: process.resourceUsage().maxRSS,
    })}\n`,
  );
} else {
  const { openDatabase } = await import(new URL('store/db.js', dist).href);
  const { Store } = await import(new URL('store/store.js', dist).href);
  const { ingestSweep } = await import(new URL('inventory/ingestSweep.js', dist).href);
  const { ingestPortScan } = await import(new URL('inventory/ingestPortScan.js', dist).href);
  const { silentLogger } = await import(new URL('util/logger.js', dist).href);
  const store = new Store(openDatabase(dbFile, silentLogger));
  const baselineRssKb = process.resourceUsage().maxRSS;

  const ingest = (at) => {
    const c0 = cpuMs();
    const t0 = performance.now();
    const result = parse();
    const t1 = performance.now();
    const c1 = cpuMs();
    const ctx = { now: at, considerHome: 180, gatewayIp: null, lookupVendor };
    const sweepId = store.scans.start('sweep', result.targets, 'bench', null, at);
    const swept = ingestSweep(store, sweepId, { ...result, kind: 'sweep' }, ctx);
    const t2 = performance.now();
    const c2 = cpuMs();
    const portsId = store.scans.start('ports', result.targets, 'bench', null, at);
    const ported = ingestPortScan(store, portsId, result, at);
    const t3 = performance.now();
    const c3 = cpuMs();
    return {
      parseMs: t1 - t0,
      sweepMs: t2 - t1,
      portsMs: t3 - t2,
      totalMs: t3 - t0,
      cpuMs: c3 - c0,
      parseCpuMs: c1 - c0,
      sweepCpuMs: c2 - c1,
      portsCpuMs: c3 - c2,
      hosts: result.hosts.length,
      sweepChanges: swept.changes.length,
      portChanges: ported.changes.length,
    };
  };

  const first = ingest(new Date('2026-11-21T03:00:00Z'));
  const maxRssKb = process.resourceUsage().maxRSS;
  const repeat = ingest(new Date('2026-11-21T03:05:00Z'));
  const devices = store.devices.counts();
  const count = (table) => store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n;
  const rows = Object.fromEntries(
    ['devices', 'device_ports', 'changes', 'scan_hosts', 'ip_history', 'presence_history'].map((t) => [
      t,
      count(t),
    ]),
  );
  store.close();
  process.stdout.write(
    `${JSON.stringify({ first, repeat, baselineRssKb, vendorIndexKb, maxRssKb, repeatMaxRssKb: process.resourceUsage().maxRSS, devices, rows })}\n`,
  );
}
