import type { Migration } from './index.js';

/**
 * Each port fact is written once (issue 18).
 *
 * - `port_history` is dropped: every row of it was a copy of a `port_opened` / `port_closed` /
 *   `service_changed` change written in the same transaction (same device, time, protocol, port, service
 *   fields). The device history's port list is now read from those change rows (historyRepo.portHistory).
 *   A `port_history` row without its change (e.g. a change deleted by hand) becomes a change row first,
 *   acknowledged, so nothing it said is lost; a `service_changed` row knew only the new service, so its
 *   `before_json` stays NULL.
 * - `device_ports.last_seen` is dropped: a port scan replaces a device's open ports as a whole, so every
 *   current port was seen at the device's `ports_scanned_at` and the column repeated it on every port of
 *   every scan (50,000 row writes for an unchanged 5,000-host scan). Reads derive it from
 *   `ports_scanned_at`; a device whose ports were stored without a scan time gets its newest port
 *   `last_seen` as `ports_scanned_at` first, so the derived value equals what was stored.
 * - Indexes follow the queries (EXPLAIN QUERY PLAN of each hot query in bench/README.md): the change list
 *   reads `ORDER BY id DESC`, so its device and type filters need (mac) and (type) — the rowid ends each
 *   index, so those entries are in id order — not (mac, time) / (type, time), which forced a sort.
 *   `scan_hosts_mac` served no query.
 */
export const m005PortFacts: Migration = {
  version: 5,
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
  CASE h.event
    WHEN 'opened' THEN json_object('protocol', h.protocol, 'port', h.port, 'service', h.service, 'product', h.product, 'version', h.version)
    WHEN 'service_changed' THEN json_object('protocol', h.protocol, 'port', h.port, 'product', h.product, 'version', h.version)
  END,
  h.time,
  NULL,
  1
FROM port_history h LEFT JOIN devices d ON d.mac = h.mac
WHERE NOT EXISTS (
  SELECT 1 FROM changes c
  WHERE c.mac = h.mac AND c.time = h.time
    AND c.type = CASE h.event WHEN 'opened' THEN 'port_opened' WHEN 'closed' THEN 'port_closed' ELSE 'service_changed' END
    AND json_extract(CASE h.event WHEN 'closed' THEN c.before_json ELSE c.after_json END, '$.port') = h.port
    AND json_extract(CASE h.event WHEN 'closed' THEN c.before_json ELSE c.after_json END, '$.protocol') = h.protocol
)
ORDER BY h.time, h.id;
DROP TABLE port_history;

UPDATE devices SET ports_scanned_at = (SELECT max(p.last_seen) FROM device_ports p WHERE p.mac = devices.mac)
WHERE ports_scanned_at IS NULL AND EXISTS (SELECT 1 FROM device_ports p WHERE p.mac = devices.mac);
ALTER TABLE device_ports DROP COLUMN last_seen;

DROP INDEX changes_mac_time;
DROP INDEX changes_type_time;
CREATE INDEX changes_mac ON changes (mac);
CREATE INDEX changes_type ON changes (type);
DROP INDEX scan_hosts_mac;
`,
};
