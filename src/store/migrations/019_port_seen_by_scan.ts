import type { Migration } from './index.js';

/**
 * A port row's `last_seen` is written only when it differs from its device's last port scan (issue 18).
 *
 * Every port scan that reaches a device rewrites the device's set of open ports: a port it did not see is
 * deleted, every port it saw is stored as seen at that scan, and the device's `ports_scanned_at` becomes the
 * scan's time. So the `last_seen` of a current port row is, with the ingest since migration 001, a copy of
 * `devices.ports_scanned_at`, and an unchanged daily port scan of 5,000 hosts rewrote ~42,000 rows (and their
 * pages) to move that copy.
 *
 * - `device_ports.last_seen` becomes nullable; NULL means "seen in the device's last port scan" and reads as
 *   `devices.ports_scanned_at` (`coalesce(p.last_seen, d.ports_scanned_at)`, devicesRepo's PORTS_JSON). A port
 *   scan then writes only the ports that appeared, changed or closed.
 * - Existing rows keep their meaning: a row whose `last_seen` equals its device's `ports_scanned_at` becomes
 *   NULL (it reads back as the same time); any other row keeps its own time (a port set by hand through
 *   `setPorts` without a scan time, or written by an older version), as does a row of a device never scanned.
 * - `device_ports_seen_apart`: the rows that keep a time of their own, which the next port scan of the device
 *   resets to NULL in one indexed statement. A partial index: a NULL row (nearly all of them) is not in it, so
 *   inserting one costs no index write.
 * - SQLite cannot drop NOT NULL in place, so the table is rebuilt (same columns, key, checks and foreign key;
 *   WITHOUT ROWID as before). Nothing else refers to it (no view, trigger or foreign key).
 */
export const m019PortSeenByScan: Migration = {
  version: 19,
  name: 'port_seen_by_scan',
  sql: `
CREATE TABLE device_ports_v19 (
  mac         TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  protocol    TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
  port        INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  service     TEXT,
  product     TEXT,
  version     TEXT,
  extrainfo   TEXT,
  cpe         TEXT NOT NULL DEFAULT '[]',
  first_seen  TEXT NOT NULL,
  last_seen   TEXT,
  devicetype  TEXT,
  http_title  TEXT,
  http_server TEXT,
  PRIMARY KEY (mac, protocol, port)
) WITHOUT ROWID;
INSERT INTO device_ports_v19 (mac, protocol, port, service, product, version, extrainfo, cpe, first_seen, last_seen,
  devicetype, http_title, http_server)
SELECT p.mac, p.protocol, p.port, p.service, p.product, p.version, p.extrainfo, p.cpe, p.first_seen,
  CASE WHEN p.last_seen = d.ports_scanned_at THEN NULL ELSE p.last_seen END,
  p.devicetype, p.http_title, p.http_server
FROM device_ports p LEFT JOIN devices d ON d.mac = p.mac;
DROP TABLE device_ports;
ALTER TABLE device_ports_v19 RENAME TO device_ports;
CREATE INDEX device_ports_seen_apart ON device_ports (mac) WHERE last_seen IS NOT NULL;
`,
};
