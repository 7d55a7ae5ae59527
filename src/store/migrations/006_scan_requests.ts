import type { Migration } from './index.js';

/**
 * One scan record per request (DESIGN §4): a port scan's nmap runs are batches inside one `scans` row,
 * with progress (hosts done of total), the port profile, and when its first batch began (`run_started_at`
 * NULL = still queued). `changes` is the count of changes the scan recorded; `sweeps` counts scheduled
 * sweeps that changed nothing and were folded into this row (`collapsible` marks rows that may fold).
 *
 * Existing rows: every scan becomes one finished (or failed) batch of itself, its change count is
 * computed, and runs of consecutive scheduled sweeps that changed nothing are folded into the first row
 * of the run (keeping the hosts the last one saw), so an old database does not list 1,440 rows a day.
 */
export const m006ScanRequests: Migration = {
  version: 6,
  name: 'scan_requests',
  sql: `
ALTER TABLE scans ADD COLUMN profile TEXT;
ALTER TABLE scans ADD COLUMN run_started_at TEXT;
ALTER TABLE scans ADD COLUMN hosts_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN batches INTEGER NOT NULL DEFAULT 1;
ALTER TABLE scans ADD COLUMN batches_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN sweeps INTEGER NOT NULL DEFAULT 1;
ALTER TABLE scans ADD COLUMN collapsible INTEGER NOT NULL DEFAULT 0;

CREATE TABLE scan_batches (
  scan_id     INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  targets     TEXT NOT NULL DEFAULT '[]',
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'success', 'failed')),
  started_at  TEXT,
  finished_at TEXT,
  hosts_up    INTEGER,
  error       TEXT,
  args        TEXT,
  PRIMARY KEY (scan_id, seq)
) WITHOUT ROWID;

UPDATE scans SET
  run_started_at = started_at,
  batches_done = CASE WHEN status = 'success' THEN 1 ELSE 0 END,
  hosts_done = CASE WHEN status = 'success' THEN coalesce(hosts_total, 0) ELSE 0 END,
  changes = (SELECT count(*) FROM changes c WHERE c.scan_id = scans.id),
  collapsible = CASE WHEN kind = 'sweep' AND reason LIKE 'schedule%' THEN 1 ELSE 0 END;

INSERT INTO scan_batches (scan_id, seq, targets, status, started_at, finished_at, hosts_up, error, args)
  SELECT id, 0, targets, status, started_at, finished_at, hosts_up, error, args FROM scans;

CREATE TEMP TABLE scan_fold AS
  WITH o AS (
    SELECT id, (kind = 'sweep' AND status = 'success' AND changes = 0 AND collapsible = 1) AS quiet FROM scans
  ), g AS (
    SELECT id, quiet, sum(NOT quiet) OVER (ORDER BY id) AS grp FROM o
  )
  SELECT id,
    min(id) OVER (PARTITION BY grp) AS head,
    max(id) OVER (PARTITION BY grp) AS last,
    count(*) OVER (PARTITION BY grp) AS n
  FROM g WHERE quiet;
DELETE FROM scan_fold WHERE n < 2;

DELETE FROM scan_hosts WHERE scan_id IN (SELECT id FROM scan_fold WHERE id <> last);
UPDATE scans SET
  finished_at = (SELECT s.finished_at FROM scan_fold f JOIN scans s ON s.id = f.last WHERE f.id = scans.id),
  hosts_up = (SELECT s.hosts_up FROM scan_fold f JOIN scans s ON s.id = f.last WHERE f.id = scans.id),
  hosts_total = (SELECT s.hosts_total FROM scan_fold f JOIN scans s ON s.id = f.last WHERE f.id = scans.id),
  sweeps = (SELECT f.n FROM scan_fold f WHERE f.id = scans.id)
  WHERE id IN (SELECT head FROM scan_fold WHERE id = head);
UPDATE scan_batches SET
  finished_at = (SELECT s.finished_at FROM scans s WHERE s.id = scan_batches.scan_id)
  WHERE scan_id IN (SELECT head FROM scan_fold WHERE id = head);
UPDATE scan_hosts SET scan_id = (SELECT f.head FROM scan_fold f WHERE f.id = scan_hosts.scan_id)
  WHERE scan_id IN (SELECT last FROM scan_fold WHERE id = last);
DELETE FROM scans WHERE id IN (SELECT id FROM scan_fold WHERE id <> head);
DROP TABLE scan_fold;

CREATE INDEX scans_kind_id ON scans (kind, id);
`,
};
