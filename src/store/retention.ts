/**
 * History retention: deletes scans (with their host observations), changes (which include the port
 * history), the audit log, the webhook delivery log and history rows older
 * than the cut-off. Devices are never deleted here. Work runs in batches (each its own short
 * transaction) so the write lock is never held long; a running scan is never deleted.
 */
import type { Db } from './db.js';

export interface RetentionOptions {
  olderThanDays: number;
  now: Date;
  /** Rows per transaction (default 5,000). */
  batchSize?: number;
}

export interface RetentionResult {
  scans: number;
  scanHosts: number;
  changes: number;
  ipHistory: number;
  presenceHistory: number;
  /** audit rows (key uses, changes, refusals) */
  audit: number;
  /** webhook delivery log rows */
  deliveries: number;
  /** Batches (transactions) executed. */
  batches: number;
  ms: number;
}

export function pruneHistory(db: Db, opts: RetentionOptions): RetentionResult {
  if (!Number.isFinite(opts.olderThanDays) || opts.olderThanDays < 0)
    throw new RangeError(`olderThanDays must be a number ≥ 0, got ${String(opts.olderThanDays)}`);
  const batch = Math.max(1, Math.trunc(opts.batchSize ?? 5000));
  const cutoff = new Date(opts.now.getTime() - opts.olderThanDays * 86_400_000).toISOString();
  const t0 = performance.now();
  const res: RetentionResult = {
    scans: 0,
    scanHosts: 0,
    changes: 0,
    ipHistory: 0,
    presenceHistory: 0,
    audit: 0,
    deliveries: 0,
    batches: 0,
    ms: 0,
  };
  const old = "status <> 'running' AND coalesce(finished_at, started_at) < @cutoff";
  const steps: Array<[keyof RetentionResult, string]> = [
    [
      'scanHosts',
      `DELETE FROM scan_hosts WHERE rowid IN (SELECT sh.rowid FROM scan_hosts sh
         WHERE sh.scan_id IN (SELECT id FROM scans WHERE ${old}) LIMIT @batch)`,
    ],
    ['changes', 'DELETE FROM changes WHERE id IN (SELECT id FROM changes WHERE time < @cutoff LIMIT @batch)'],
    ['scans', `DELETE FROM scans WHERE id IN (SELECT id FROM scans WHERE ${old} LIMIT @batch)`],
    [
      'presenceHistory',
      'DELETE FROM presence_history WHERE id IN (SELECT id FROM presence_history WHERE time < @cutoff LIMIT @batch)',
    ],
    [
      'audit',
      'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE time < @cutoff LIMIT @batch)',
    ],
    [
      'deliveries',
      'DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE time < @cutoff LIMIT @batch)',
    ],
    [
      'ipHistory',
      `DELETE FROM ip_history WHERE (mac, ip) IN (SELECT mac, ip FROM ip_history WHERE last_seen < @cutoff LIMIT @batch)`,
    ],
  ];
  for (const [key, sql] of steps) {
    const stmt = db.prepare(sql);
    for (;;) {
      const n = stmt.run({ cutoff, batch }).changes;
      res.batches++;
      (res[key] as number) += n;
      if (n < batch) break;
    }
  }
  res.ms = performance.now() - t0;
  return res;
}

/** Reclaim free pages after a large prune (optional; rewrites the file, so run rarely). */
export function vacuum(db: Db): void {
  db.exec('VACUUM');
}
