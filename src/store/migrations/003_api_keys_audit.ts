import type { Migration } from './index.js';

/**
 * API keys (only the SHA-256 of the secret is stored) and the audit log of key use and admin changes.
 * Owned by the API module (src/store/keysRepo.ts, src/store/auditRepo.ts).
 */
export const m003Api: Migration = {
  version: 3,
  name: 'api_keys_audit',
  sql: `
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  scope        TEXT    NOT NULL CHECK (scope IN ('read', 'admin')),
  prefix       TEXT    NOT NULL,
  hash         BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
  created_at   TEXT    NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
);
CREATE INDEX api_keys_active ON api_keys (revoked_at);

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  time       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('ingress', 'key', 'loopback', 'anonymous', 'system')),
  action     TEXT NOT NULL,
  target     TEXT,
  ip         TEXT,
  detail     TEXT
);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE INDEX audit_log_action ON audit_log (action, time);
CREATE INDEX audit_log_actor ON audit_log (actor, time);
`,
};
