/**
 * `npx tsx bench/query-plans.ts`: EXPLAIN QUERY PLAN of each hot query, on a migrated database with 5,000 seeded
 * devices (10 ports each), their change rows and a port scan, after ANALYZE-free defaults (as the service runs).
 * Prints Markdown for bench/README.md ("Query plans"); nothing is asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/db.js';
import { CLEAR_SEEN_MANY_SQL } from '../src/store/devicePortRows.js';
import { BY_MACS_SQL, PORTS_OF_SQL } from '../src/store/deviceRows.js';
import { silentLogger } from '../src/util/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'lsn-plans-'));
try {
  const db = openDatabase(join(dir, 'plans.db'), silentLogger);
  const at = '2026-11-21T03:00:00.000Z';
  db.transaction(() => {
    const dev = db.prepare(
      'INSERT INTO devices (mac, ip, ip_num, vendor, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const port = db.prepare(
      "INSERT INTO device_ports (mac, protocol, port, first_seen, last_seen) VALUES (?, 'tcp', ?, ?, ?)",
    );
    const change = db.prepare(
      "INSERT INTO changes (type, mac, severity, message, after_json, time) VALUES (?, ?, 'low', 'x', ?, ?)",
    );
    for (let i = 0; i < 5000; i++) {
      const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      dev.run(mac, `10.213.${i >> 8}.${i & 255}`, i, `Vendor ${i % 40}`, at, at);
      for (let p = 1; p <= 10; p++) port.run(mac, p * 100, at, at);
      change.run('new_device', mac, null, at);
      change.run(
        'first_port_scan',
        mac,
        JSON.stringify({ open: 1, ports: [{ protocol: 'tcp', port: 100 }] }),
        at,
      );
    }
  })();
  const macs = JSON.stringify(['02:00:00:00:00:01', '02:00:00:00:00:02']);
  /** [what, SQL, parameters]: the repositories' own statements where they export them */
  const queries: Array<[string, string, ...unknown[]]> = [
    [
      'device page (sort by name)',
      `SELECT mac FROM devices ORDER BY COALESCE(name, hostname, vendor, mac) COLLATE NOCASE ASC, mac ASC LIMIT 100 OFFSET 0`,
    ],
    [
      'device page (sort by IP, desc)',
      `SELECT mac FROM devices ORDER BY ip_num IS NULL, ip_num DESC, mac ASC LIMIT 100 OFFSET 0`,
    ],
    [
      'device page (last seen, desc)',
      `SELECT mac FROM devices ORDER BY last_seen DESC, mac ASC LIMIT 100 OFFSET 0`,
    ],
    [
      'device page (risk, desc)',
      `SELECT mac FROM devices ORDER BY risk_score DESC, mac ASC LIMIT 100 OFFSET 0`,
    ],
    [
      'device page (vendor filter)',
      `SELECT mac FROM devices WHERE vendor = 'Vendor 3' COLLATE NOCASE ORDER BY COALESCE(name, hostname, vendor, mac) COLLATE NOCASE ASC, mac ASC LIMIT 100`,
    ],
    [
      'device page (kind filter)',
      `SELECT mac FROM devices WHERE coalesce(kind_override, kind) = 'phone' ORDER BY COALESCE(name, hostname, vendor, mac) COLLATE NOCASE ASC, mac ASC LIMIT 100`,
    ],
    [
      'a page of devices with their ports (devicesRepo BY_MACS_SQL, ? = JSON array of MACs)',
      BY_MACS_SQL,
      macs,
    ],
    ['change list (newest first)', 'SELECT * FROM changes ORDER BY id DESC LIMIT 100 OFFSET 0'],
    [
      'change list of a device',
      `SELECT * FROM changes WHERE mac = '02:00:00:00:00:01' ORDER BY id DESC LIMIT 100 OFFSET 0`,
    ],
    [
      'change list of a type',
      `SELECT * FROM changes WHERE type = 'new_device' ORDER BY id DESC LIMIT 100 OFFSET 0`,
    ],
    [
      'change list since',
      `SELECT * FROM changes WHERE time >= '2026-11-20' ORDER BY id DESC LIMIT 100 OFFSET 0`,
    ],
    [
      'port history of a device (view)',
      `SELECT protocol, port, event, service, product, version, time FROM port_history WHERE mac = '02:00:00:00:00:01' ORDER BY time DESC, id DESC, seq DESC LIMIT 500`,
    ],
    ['port scan: current ports of the scanned devices (devicesRepo PORTS_OF_SQL)', PORTS_OF_SQL, macs],
    [
      'port scan: ports_scanned_at of the scanned devices',
      `UPDATE devices SET ports_scanned_at = '${at}' WHERE mac IN (SELECT value FROM json_each(?))`,
      macs,
    ],
    [
      'port scan: port rows with a time of their own read as the scan again (CLEAR_SEEN_MANY_SQL, migration 019)',
      CLEAR_SEEN_MANY_SQL,
      macs,
    ],
    [
      'port scan: a closed port',
      `DELETE FROM device_ports WHERE mac = '02:00:00:00:00:01' AND protocol = 'tcp' AND port = 100`,
    ],
    [
      'sweep: last_seen of a device seen again',
      `UPDATE devices SET last_seen = '${at}' WHERE mac = '02:00:00:00:00:01'`,
    ],
    [
      'retention: old changes',
      `DELETE FROM changes WHERE id IN (SELECT id FROM changes WHERE time < '2026-01-01' LIMIT 500)`,
    ],
    [
      "retention: a deleted scan's changes (FK ON DELETE SET NULL)",
      `UPDATE changes SET scan_id = NULL WHERE scan_id = 1`,
    ],
  ];
  const out: string[] = [];
  for (const [what, sql, ...params] of queries) {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{
      id: number;
      parent: number;
      detail: string;
    }>;
    const depth = new Map<number, number>([[0, -1]]);
    const lines = plan.map((r) => {
      const d = (depth.get(r.parent) ?? -1) + 1;
      depth.set(r.id, d);
      return `${'  '.repeat(d)}${r.detail}`;
    });
    out.push(
      `- ${what}: \`${sql.replace(/\s+/g, ' ')}\`\n\n  \`\`\`text\n${lines.map((l) => `  ${l}`).join('\n')}\n  \`\`\``,
    );
  }
  const indexes = db
    .prepare(
      "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY tbl_name, name",
    )
    .all() as Array<{ tbl_name: string; name: string }>;
  console.log(out.join('\n'));
  console.log(`\nIndexes (${indexes.length}): ${indexes.map((i) => `${i.tbl_name}.${i.name}`).join(', ')}`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
