import type { Migration } from './index.js';

/**
 * Named scan schedules (DESIGN §9 `api/schedules`): a cron expression, a kind (sweep | ports), an optional
 * port profile (NULL = the port_profile option) and targets (JSON list of IPs/CIDRs; empty = every online
 * device for port scans, the configured subnets for sweeps). The `port_scan_schedule` option is the default
 * schedule and is not stored here.
 */
export const m014Schedules: Migration = {
  version: 14,
  name: 'schedules',
  sql: `
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  cron TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('sweep', 'ports')),
  profile TEXT CHECK (profile IS NULL OR profile IN ('home', 'top100', 'top1000', 'custom')),
  targets TEXT NOT NULL DEFAULT '[]',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_run_at TEXT
);
`,
};
