import type { Migration } from './index.js';

/**
 * Satellite agents (DESIGN §16): the agents the hub has heard from (health), which agent last saw each
 * device (presence per agent), and the result ids already ingested (nothing ingested twice).
 */
export const m007Agents: Migration = {
  version: 7,
  name: 'agents',
  sql: `
CREATE TABLE agents (
  id              TEXT PRIMARY KEY NOT NULL,
  first_seen      TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('online', 'offline', 'unknown')),
  status_at       TEXT,
  last_heartbeat  TEXT,
  heartbeat       TEXT,
  last_result_at  TEXT,
  results         INTEGER NOT NULL DEFAULT 0,
  refused         INTEGER NOT NULL DEFAULT 0,
  last_refusal    TEXT
) WITHOUT ROWID;
CREATE TABLE agent_devices (
  mac      TEXT PRIMARY KEY NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  agent_id TEXT NOT NULL,
  seen_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX agent_devices_agent ON agent_devices (agent_id);
CREATE TABLE agent_results (
  agent_id    TEXT NOT NULL,
  rid         TEXT NOT NULL,
  kind        TEXT NOT NULL,
  scan_id     INTEGER,
  received_at TEXT NOT NULL,
  PRIMARY KEY (agent_id, rid)
) WITHOUT ROWID;
CREATE INDEX agent_results_time ON agent_results (received_at);
`,
};
