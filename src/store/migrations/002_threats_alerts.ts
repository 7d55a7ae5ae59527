import type { Migration } from './index.js';

/**
 * Threats and alerts. Timestamps are ISO-8601 UTC text; booleans 0/1; JSON columns hold plain data written
 * by findingsRepo / alertsRepo / webhooksRepo / feedImport.
 */
export const m002Threats: Migration = {
  version: 2,
  name: 'threats_alerts',
  sql: `
CREATE TABLE findings (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  mac             TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  key             TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('risky_port', 'vulnerable_version', 'custom')),
  severity        TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  severity_rank   INTEGER NOT NULL,
  title           TEXT NOT NULL,
  detail          TEXT NOT NULL,
  remediation     TEXT NOT NULL,
  port            INTEGER,
  protocol        TEXT CHECK (protocol IS NULL OR protocol IN ('tcp', 'udp')),
  cve             TEXT,
  cvss            REAL,
  known_exploited INTEGER NOT NULL DEFAULT 0,
  confidence      REAL NOT NULL DEFAULT 1,
  first_seen      TEXT NOT NULL,
  last_seen       TEXT NOT NULL,
  resolved_at     TEXT,
  UNIQUE (mac, key)
);
CREATE INDEX findings_active ON findings (resolved_at, severity_rank);
CREATE INDEX findings_mac ON findings (mac);

CREATE TABLE alert_rules (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  name             TEXT NOT NULL,
  enabled          INTEGER NOT NULL DEFAULT 1,
  types            TEXT NOT NULL DEFAULT '[]',
  min_severity     TEXT NOT NULL DEFAULT 'info' CHECK (min_severity IN ('info', 'low', 'medium', 'high', 'critical')),
  channels         TEXT NOT NULL DEFAULT '[]',
  notify_services  TEXT,
  webhook_ids      TEXT,
  quiet_start      TEXT,
  quiet_end        TEXT,
  watched_only     INTEGER NOT NULL DEFAULT 0,
  dedup_window_sec INTEGER NOT NULL DEFAULT 3600 CHECK (dedup_window_sec >= 0),
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);

CREATE TABLE alert_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  time       TEXT NOT NULL,
  rule_id    INTEGER REFERENCES alert_rules (id) ON DELETE SET NULL,
  mac        TEXT,
  kind       TEXT NOT NULL,
  dedup_key  TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'suppressed_quiet', 'suppressed_dedup', 'suppressed_flood', 'summary')),
  severity   TEXT NOT NULL,
  channels   TEXT NOT NULL DEFAULT '[]',
  title      TEXT NOT NULL,
  message    TEXT NOT NULL,
  error      TEXT,
  acked_at   TEXT
);
CREATE INDEX alert_log_dedup ON alert_log (dedup_key, time);
CREATE INDEX alert_log_time ON alert_log (time);

CREATE TABLE webhooks (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL,
  url          TEXT NOT NULL,
  secret       TEXT NOT NULL,
  enabled      INTEGER NOT NULL DEFAULT 1,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id  INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  event_type  TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  time        TEXT NOT NULL,
  ok          INTEGER NOT NULL,
  status_code INTEGER,
  error       TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

CREATE TABLE cve_rules (
  cve_id     TEXT NOT NULL,
  source     TEXT NOT NULL CHECK (source IN ('nvd', 'kev', 'user')),
  data       TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (cve_id, source)
) WITHOUT ROWID;

CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;
`,
};
