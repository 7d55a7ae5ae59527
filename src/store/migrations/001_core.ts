import type { Migration } from './index.js';

/**
 * Core inventory schema. Timestamps are ISO-8601 text in UTC with a trailing Z (they sort as text).
 * Booleans are 0/1 integers. JSON columns hold plain data written by the repositories.
 */
export const m001Core: Migration = {
  version: 1,
  name: 'core',
  sql: `
CREATE TABLE devices (
  mac              TEXT PRIMARY KEY NOT NULL CHECK (length(mac) = 17),
  ip               TEXT,
  ip_num           INTEGER,
  hostname         TEXT,
  name             TEXT,
  vendor           TEXT,
  randomized       INTEGER NOT NULL DEFAULT 0,
  first_seen       TEXT NOT NULL,
  last_seen        TEXT NOT NULL,
  online           INTEGER NOT NULL DEFAULT 0,
  presence         TEXT NOT NULL DEFAULT 'home' CHECK (presence IN ('home', 'not_home')),
  missed_sweeps    INTEGER NOT NULL DEFAULT 0,
  known            INTEGER NOT NULL DEFAULT 0,
  watched          INTEGER NOT NULL DEFAULT 0,
  ignored          INTEGER NOT NULL DEFAULT 0,
  notes            TEXT,
  consider_home    INTEGER,
  ports_scanned_at TEXT,
  risk_score       INTEGER NOT NULL DEFAULT 0,
  risk             TEXT NOT NULL DEFAULT 'none' CHECK (risk IN ('none', 'low', 'medium', 'high', 'critical')),
  is_new           INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX devices_ip_num ON devices (ip_num);
CREATE INDEX devices_last_seen ON devices (last_seen);
CREATE INDEX devices_first_seen ON devices (first_seen);
CREATE INDEX devices_vendor ON devices (vendor COLLATE NOCASE);
CREATE INDEX devices_risk ON devices (risk_score);

CREATE TABLE device_ports (
  mac        TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  protocol   TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
  port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  service    TEXT,
  product    TEXT,
  version    TEXT,
  extrainfo  TEXT,
  cpe        TEXT NOT NULL DEFAULT '[]',
  first_seen TEXT NOT NULL,
  last_seen  TEXT NOT NULL,
  PRIMARY KEY (mac, protocol, port)
) WITHOUT ROWID;

CREATE TABLE scans (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL CHECK (kind IN ('sweep', 'ports')),
  status       TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed')),
  reason       TEXT NOT NULL DEFAULT '',
  targets      TEXT NOT NULL DEFAULT '[]',
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  hosts_up     INTEGER,
  hosts_total  INTEGER,
  error        TEXT,
  args         TEXT,
  nmap_version TEXT
);
CREATE INDEX scans_kind_started ON scans (kind, started_at);
CREATE INDEX scans_started ON scans (started_at);
CREATE INDEX scans_status ON scans (status, finished_at);

CREATE TABLE scan_hosts (
  scan_id  INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  mac      TEXT,
  ip       TEXT NOT NULL,
  hostname TEXT,
  ports    TEXT
);
CREATE INDEX scan_hosts_scan ON scan_hosts (scan_id);
CREATE INDEX scan_hosts_mac ON scan_hosts (mac);

CREATE TABLE changes (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  type         TEXT NOT NULL,
  mac          TEXT,
  ip           TEXT,
  name         TEXT,
  vendor       TEXT,
  severity     TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  message      TEXT NOT NULL,
  before_json  TEXT,
  after_json   TEXT,
  time         TEXT NOT NULL,
  scan_id      INTEGER REFERENCES scans (id) ON DELETE SET NULL,
  acknowledged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX changes_time ON changes (time);
CREATE INDEX changes_mac_time ON changes (mac, time);
CREATE INDEX changes_type_time ON changes (type, time);
CREATE INDEX changes_scan ON changes (scan_id);

CREATE TABLE ip_history (
  mac        TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  ip         TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen  TEXT NOT NULL,
  PRIMARY KEY (mac, ip)
) WITHOUT ROWID;
CREATE INDEX ip_history_last_seen ON ip_history (last_seen);

CREATE TABLE presence_history (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  mac      TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  presence TEXT NOT NULL CHECK (presence IN ('home', 'not_home')),
  time     TEXT NOT NULL
);
CREATE INDEX presence_history_mac_time ON presence_history (mac, time);
CREATE INDEX presence_history_time ON presence_history (time);

CREATE TABLE port_history (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  mac      TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  protocol TEXT NOT NULL,
  port     INTEGER NOT NULL,
  event    TEXT NOT NULL CHECK (event IN ('opened', 'closed', 'service_changed')),
  service  TEXT,
  product  TEXT,
  version  TEXT,
  time     TEXT NOT NULL
);
CREATE INDEX port_history_mac_time ON port_history (mac, time);
CREATE INDEX port_history_time ON port_history (time);
`,
};
