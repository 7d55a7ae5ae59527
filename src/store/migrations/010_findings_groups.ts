import type { Migration } from './index.js';

/**
 * Findings a person can act on (issue 15):
 * - findings gain their remediation group, the product/version/fix they are about and the CVE component;
 *   the kind list grows (unexpected_port, cert_expired, cert_expiring, weak_tls), so the table is rebuilt
 *   (SQLite cannot change a CHECK constraint in place);
 * - finding_accepts: a user's accept (mute) of one finding or a whole group, with reason, optional expiry and
 *   the product version it was given for (a new version brings the findings back);
 * - device_expected_ports: the ports a device is allowed to have open;
 * - port_tls: what nmap's ssl-cert / ssl-enum-ciphers saw on a TLS port (bounded strings from the network).
 */
export const m010FindingsGroups: Migration = {
  version: 10,
  name: 'findings_groups',
  sql: `
CREATE TABLE findings_v10 (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  mac             TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  key             TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('risky_port', 'vulnerable_version', 'custom', 'unexpected_port',
                    'cert_expired', 'cert_expiring', 'weak_tls')),
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
  group_key       TEXT NOT NULL DEFAULT '',
  product         TEXT,
  product_name    TEXT,
  version         TEXT,
  fixed           TEXT,
  component       TEXT CHECK (component IS NULL OR component IN ('server', 'client', 'module')),
  part            TEXT,
  UNIQUE (mac, key)
);
INSERT INTO findings_v10 (id, mac, key, kind, severity, severity_rank, title, detail, remediation, port, protocol, cve,
  cvss, known_exploited, confidence, first_seen, last_seen, resolved_at, group_key)
  SELECT id, mac, key, kind, severity, severity_rank, title, detail, remediation, port, protocol, cve, cvss,
    known_exploited, confidence, first_seen, last_seen, resolved_at, key FROM findings;
DROP TABLE findings;
ALTER TABLE findings_v10 RENAME TO findings;
CREATE INDEX findings_active ON findings (resolved_at, severity_rank);
CREATE INDEX findings_mac ON findings (mac);

CREATE TABLE finding_accepts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  mac         TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  scope       TEXT NOT NULL CHECK (scope IN ('finding', 'group')),
  target      TEXT NOT NULL,
  version     TEXT,
  reason      TEXT NOT NULL,
  expires_at  TEXT,
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  revoked_at  TEXT
);
CREATE INDEX finding_accepts_mac ON finding_accepts (mac, revoked_at);

CREATE TABLE device_expected_ports (
  mac         TEXT PRIMARY KEY REFERENCES devices (mac) ON DELETE CASCADE,
  ports       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE port_tls (
  mac          TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  protocol     TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
  port         INTEGER NOT NULL,
  subject      TEXT,
  issuer       TEXT,
  not_before   TEXT,
  not_after    TEXT,
  self_signed  INTEGER NOT NULL DEFAULT 0,
  san          TEXT,
  protocols    TEXT NOT NULL DEFAULT '[]',
  weak         TEXT NOT NULL DEFAULT '[]',
  scanned_at   TEXT NOT NULL,
  PRIMARY KEY (mac, protocol, port)
) WITHOUT ROWID;
`,
};
