import type { Migration } from './index.js';

/**
 * Trend rollups (DESIGN §9, §14): one compact row per hour (kept 7 days) and per day (kept ~13 months),
 * written at each sweep and port scan, so trend charts never scan devices or history. Row count does not
 * depend on the number of devices: a year is ~168 hour rows + ~400 day rows.
 * `start` is the bucket's start in Unix seconds (UTC). Gauges keep the bucket's last value, `online_*`
 * keep min/max/sum over `samples`, `new_devices` is summed.
 */
export const m009StatsRollups: Migration = {
  version: 9,
  name: 'stats_rollups',
  sql: `
CREATE TABLE stats_rollups (
  granularity       TEXT NOT NULL CHECK (granularity IN ('hour', 'day')),
  start             INTEGER NOT NULL,
  samples           INTEGER NOT NULL DEFAULT 0,
  online_min        INTEGER NOT NULL DEFAULT 0,
  online_max        INTEGER NOT NULL DEFAULT 0,
  online_sum        INTEGER NOT NULL DEFAULT 0,
  online_last       INTEGER NOT NULL DEFAULT 0,
  known             INTEGER NOT NULL DEFAULT 0,
  new_devices       INTEGER NOT NULL DEFAULT 0,
  open_ports        INTEGER NOT NULL DEFAULT 0,
  findings_low      INTEGER NOT NULL DEFAULT 0,
  findings_medium   INTEGER NOT NULL DEFAULT 0,
  findings_high     INTEGER NOT NULL DEFAULT 0,
  findings_critical INTEGER NOT NULL DEFAULT 0,
  risk_unknown      INTEGER NOT NULL DEFAULT 0,
  risk_none         INTEGER NOT NULL DEFAULT 0,
  risk_low          INTEGER NOT NULL DEFAULT 0,
  risk_medium       INTEGER NOT NULL DEFAULT 0,
  risk_high         INTEGER NOT NULL DEFAULT 0,
  risk_critical     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (granularity, start)
) WITHOUT ROWID;
`,
};
