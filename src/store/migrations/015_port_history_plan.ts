import { DATA, SUMMARY } from './012_port_facts.js';
import type { Migration } from './index.js';

/**
 * Query plans of migration 012's schema (EXPLAIN QUERY PLAN in bench/README.md):
 * - the `port_history` view again, with its `type` tests written `+c.type` so that SQLite reads a device's
 *   changes by `changes_mac` in both halves; in the first-scan half it chose `changes_type` and walked every
 *   device's `first_port_scan` summary to find the one device's;
 * - `devices_vendor` back: the device list's vendor filter (`vendor = ? COLLATE NOCASE`) searches it; without
 *   it SQLite walked the whole name index.
 */
export const m015PortHistoryPlan: Migration = {
  version: 15,
  name: 'port_history_plan',
  sql: `
DROP VIEW port_history;
CREATE VIEW port_history (id, seq, mac, protocol, port, event, service, product, version, time) AS
SELECT c.id, 0, c.mac, ${DATA} ->> '$.protocol', ${DATA} ->> '$.port',
  CASE c.type WHEN 'port_opened' THEN 'opened' WHEN 'port_closed' THEN 'closed' ELSE 'service_changed' END,
  ${DATA} ->> '$.service', ${DATA} ->> '$.product', ${DATA} ->> '$.version', c.time
FROM changes c JOIN devices d ON d.mac = c.mac
WHERE +c.type IN ('port_opened', 'port_closed', 'service_changed') AND c.time >= d.first_seen
  AND ${DATA} ->> '$.port' > 0 AND ${DATA} ->> '$.protocol' <> ''
UNION ALL
SELECT c.id, p.key, c.mac, p.value ->> '$.protocol', p.value ->> '$.port', 'opened',
  p.value ->> '$.service', p.value ->> '$.product', p.value ->> '$.version', c.time
FROM changes c JOIN devices d ON d.mac = c.mac, json_each(${SUMMARY}, '$.ports') p
WHERE +c.type = 'first_port_scan' AND c.time >= d.first_seen
  AND p.value ->> '$.port' > 0 AND p.value ->> '$.protocol' <> '';
CREATE INDEX devices_vendor ON devices (vendor COLLATE NOCASE);
`,
};
