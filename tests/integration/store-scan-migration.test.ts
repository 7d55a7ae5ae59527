/** Migration 006 on an existing database: batches for old rows, change counts, quiet sweeps folded. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migration scan_requests', () => {
  it('folds runs of scheduled sweeps that changed nothing and keeps everything else', () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-mig5-'));
    const file = join(dir, 'db.sqlite');
    const old = openDatabase(file, silentLogger, { migrations: MIGRATIONS.filter((m) => m.version <= 5) });
    const t = (min: number) => new Date(Date.UTC(2026, 10, 1, 0, min)).toISOString();
    const addScan = old.prepare(
      `INSERT INTO scans (kind, status, reason, targets, started_at, finished_at, hosts_up, hosts_total)
       VALUES (?, ?, ?, '["10.213.0.0/24"]', ?, ?, ?, 256)`,
    );
    const addHost = old.prepare("INSERT INTO scan_hosts (scan_id, ip) VALUES (?, '10.213.0.' || ?)");
    const addChange = old.prepare(
      "INSERT INTO changes (type, severity, message, time, scan_id) VALUES ('new_device', 'low', 'new', ?, ?)",
    );
    // 1 startup sweep with a change, 2-6 quiet scheduled sweeps, 7 a port scan, 8-9 quiet, 10 with a change,
    // 11 a quiet manual sweep, 12-13 quiet scheduled, 14 a failed scheduled sweep
    const plan: Array<[string, string, string, boolean]> = [
      ['sweep', 'success', 'startup', true],
      ...Array.from(
        { length: 5 },
        () => ['sweep', 'success', 'schedule', false] as [string, string, string, boolean],
      ),
      ['ports', 'success', 'schedule', false],
      ['sweep', 'success', 'schedule', false],
      ['sweep', 'success', 'schedule', false],
      ['sweep', 'success', 'schedule', true],
      ['sweep', 'success', 'api:admin', false],
      ['sweep', 'success', 'schedule', false],
      ['sweep', 'success', 'schedule', false],
      ['sweep', 'failed', 'schedule', false],
    ];
    plan.forEach(([kind, status, reason, changed], i) => {
      const id = Number(
        addScan.run(kind, status, reason, t(i), t(i) + '', status === 'success' ? 3 + i : null)
          .lastInsertRowid,
      );
      for (let h = 0; h < 3; h++) addHost.run(id, `${i * 10 + h}`);
      if (changed) addChange.run(t(i), id);
    });
    closeDatabase(old);

    const store = openStore(file, silentLogger);
    try {
      const rows = store.scans.list({ limit: 100 }).items.reverse();
      expect(rows.map((r) => [r.id, r.sweeps])).toEqual([
        [1, 1],
        [2, 5],
        [7, 1],
        [8, 2],
        [10, 1],
        [11, 1],
        [12, 2],
        [14, 1],
      ]);
      const folded = store.scans.get(2);
      // spans the run, keeps the last sweep's hosts and counts
      expect(folded?.finishedAt).toBe(t(5));
      expect(folded?.hostsUp).toBe(3 + 5);
      expect(folded?.hosts.map((h) => h.ip)).toEqual(['10.213.0.50', '10.213.0.51', '10.213.0.52']);
      expect(store.scans.record(1)?.changes).toBe(1);
      expect(store.scans.record(10)?.changes).toBe(1);
      expect(store.scans.batches(2)).toEqual([
        expect.objectContaining({ seq: 0, status: 'success', finishedAt: t(5) }),
      ]);
      expect(store.scans.record(7)).toMatchObject({ batches: 1, batchesDone: 1, runStartedAt: t(6) });
      expect(store.scans.record(14)).toMatchObject({ batchesDone: 0 });
      // no orphans
      const orphans = store.db
        .prepare('SELECT count(*) AS n FROM scan_hosts WHERE scan_id NOT IN (SELECT id FROM scans)')
        .get() as { n: number };
      expect(orphans.n).toBe(0);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
