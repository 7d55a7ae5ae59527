import type { Migration } from './index.js';

/**
 * Audit actors `session` (a standalone browser signed in with the login link) and `cli` (the local CLI's
 * token file): nothing is trusted for its peer address any more, so new rows never say `loopback`.
 * SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows and indexes.
 */
export const m005AuditActorKinds: Migration = {
  version: 5,
  name: 'audit_actor_kinds',
  sql: `
CREATE TABLE audit_log_new (
  id         INTEGER PRIMARY KEY,
  time       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('ingress', 'key', 'session', 'cli', 'loopback', 'anonymous', 'system')),
  action     TEXT NOT NULL,
  target     TEXT,
  ip         TEXT,
  detail     TEXT
);
INSERT INTO audit_log_new (id, time, actor, actor_kind, action, target, ip, detail)
  SELECT id, time, actor, actor_kind, action, target, ip, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_time ON audit_log (time);
CREATE INDEX audit_log_action ON audit_log (action, time);
CREATE INDEX audit_log_actor ON audit_log (actor, time);
`,
};
