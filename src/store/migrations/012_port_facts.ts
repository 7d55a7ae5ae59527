import type { Migration } from './index.js';

/** The port a port change is about: `before` of a closed port, `after` of the others. */
const RAW = `(CASE c.type WHEN 'port_closed' THEN c.before_json ELSE c.after_json END)`;
/** …as JSON when it is valid JSON, else NULL (a damaged row reads as nothing, not as an error). */
export const DATA = `(CASE WHEN json_valid(${RAW}) THEN ${RAW} END)`;
/** A first-scan summary's JSON when valid, else an empty object (no ports). */
export const SUMMARY = `(CASE WHEN json_valid(c.after_json) THEN c.after_json ELSE '{}' END)`;

/**
 * Each port fact is written once (issue 18).
 *
 * - The `port_history` TABLE becomes a VIEW of the same name and columns over the change rows: every row of
 *   the table was a copy of a `port_opened` / `port_closed` / `service_changed` change (or of one port of a
 *   `first_port_scan` summary) written in the same transaction, for the same device, time, protocol, port and
 *   service fields. The view has one more column, `seq` (the port's place in a first-scan summary), so
 *   `ORDER BY time DESC, id DESC, seq DESC` gives the table's old order. Only the changes of the device's
 *   current life show: the table's rows went with a forgotten device (ON DELETE CASCADE), the change log
 *   keeps them, so the view joins the device and starts at its `first_seen`.
 * - A table row without its change (a change pruned by hand, or written by an older version) first becomes
 *   a change row of its own, acknowledged (it is history, not news), with the message the ingest writes, so
 *   nothing the table said is lost.
 * - Indexes follow the queries (EXPLAIN QUERY PLAN of each in bench/README.md): the change list reads
 *   `ORDER BY id DESC`, so its device and type filters use (mac) and (type) — the rowid ends each index entry,
 *   so those entries are in id order and no sort is needed — instead of (mac, time) / (type, time), which made
 *   SQLite sort every matching row; `scan_hosts_mac` and the devices' single-column indexes of 001 served no
 *   query (004's sort indexes and 008's kind index replaced them).
 */
export const m012PortFacts: Migration = {
  version: 12,
  name: 'port_facts',
  sql: `
INSERT INTO changes (type, mac, ip, name, vendor, severity, message, before_json, after_json, time, scan_id, acknowledged)
SELECT
  CASE h.event WHEN 'opened' THEN 'port_opened' WHEN 'closed' THEN 'port_closed' ELSE 'service_changed' END,
  h.mac,
  d.ip,
  coalesce(d.name, d.hostname, d.vendor || ' ' || substr(h.mac, 10), h.mac),
  d.vendor,
  CASE WHEN h.event = 'closed' OR coalesce(d.ignored, 0) = 1 THEN 'info' ELSE 'low' END,
  CASE WHEN d.name IS NULL AND d.hostname IS NULL AND d.vendor IS NULL THEN h.mac
    ELSE coalesce(d.name, d.hostname, d.vendor || ' ' || substr(h.mac, 10)) || ' (' || h.mac || ')' END
    || CASE h.event WHEN 'service_changed' THEN ': service on port ' ELSE ': port ' END || h.protocol || '/' || h.port
    || CASE h.event WHEN 'service_changed' THEN ' changed to ' ELSE ' (' END
    || coalesce(nullif(trim(coalesce(h.product, '') || ' ' || coalesce(h.version, '')), ''), h.service, 'unknown service')
    || CASE h.event WHEN 'opened' THEN ') is now open' WHEN 'closed' THEN ') is no longer open' ELSE '' END,
  CASE WHEN h.event = 'closed'
    THEN json_object('protocol', h.protocol, 'port', h.port, 'service', h.service, 'product', h.product, 'version', h.version)
  END,
  CASE WHEN h.event <> 'closed'
    THEN json_object('protocol', h.protocol, 'port', h.port, 'service', h.service, 'product', h.product, 'version', h.version)
  END,
  h.time,
  NULL,
  1
FROM port_history h LEFT JOIN devices d ON d.mac = h.mac
WHERE NOT EXISTS (
  SELECT 1 FROM changes c
  WHERE c.mac = h.mac AND c.time = h.time
    AND c.type = CASE h.event WHEN 'opened' THEN 'port_opened' WHEN 'closed' THEN 'port_closed' ELSE 'service_changed' END
    AND ${DATA} ->> '$.port' = h.port AND ${DATA} ->> '$.protocol' = h.protocol
) AND NOT EXISTS (
  SELECT 1 FROM changes c, json_each(${SUMMARY}, '$.ports') p
  WHERE h.event = 'opened' AND c.mac = h.mac AND c.time = h.time AND c.type = 'first_port_scan'
    AND p.value ->> '$.port' = h.port AND p.value ->> '$.protocol' = h.protocol
)
ORDER BY h.time, h.id;
DROP TABLE port_history;

CREATE VIEW port_history (id, seq, mac, protocol, port, event, service, product, version, time) AS
SELECT c.id, 0, c.mac, ${DATA} ->> '$.protocol', ${DATA} ->> '$.port',
  CASE c.type WHEN 'port_opened' THEN 'opened' WHEN 'port_closed' THEN 'closed' ELSE 'service_changed' END,
  ${DATA} ->> '$.service', ${DATA} ->> '$.product', ${DATA} ->> '$.version', c.time
FROM changes c JOIN devices d ON d.mac = c.mac
WHERE c.type IN ('port_opened', 'port_closed', 'service_changed') AND c.time >= d.first_seen
  AND ${DATA} ->> '$.port' > 0 AND ${DATA} ->> '$.protocol' <> ''
UNION ALL
SELECT c.id, p.key, c.mac, p.value ->> '$.protocol', p.value ->> '$.port', 'opened',
  p.value ->> '$.service', p.value ->> '$.product', p.value ->> '$.version', c.time
FROM changes c JOIN devices d ON d.mac = c.mac, json_each(${SUMMARY}, '$.ports') p
WHERE c.type = 'first_port_scan' AND c.time >= d.first_seen
  AND p.value ->> '$.port' > 0 AND p.value ->> '$.protocol' <> '';

DROP INDEX changes_mac_time;
DROP INDEX changes_type_time;
CREATE INDEX changes_mac ON changes (mac);
CREATE INDEX changes_type ON changes (type);
DROP INDEX scan_hosts_mac;
DROP INDEX devices_last_seen;
DROP INDEX devices_first_seen;
DROP INDEX devices_vendor;
DROP INDEX devices_risk;
`,
};
