import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/store/db.js';
import { silentLogger } from '../../src/util/logger.js';

const CHILD = fileURLToPath(new URL('./store-crash.child.ts', import.meta.url));
const HOSTS = 50;
const RUNS = 8;
const dir = mkdtempSync(join(tmpdir(), 'lsn-store-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the writer until it has committed `minCommits` more sweeps, then SIGKILL it after a random delay. */
function runAndKill(
  file: string,
  offset: number,
  minCommits: number,
  delayMs: number,
): Promise<{ lastOk: number; lastS: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, String(offset)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let commits = 0;
    let lastOk = 0;
    let lastS = offset;
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    let buf = '';
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not commit ${minCommits} sweeps in time; stderr: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^ok (\d+) (\d+)$/.exec(l);
        if (!m) continue;
        commits++;
        lastOk = Number(m[1]);
        lastS = Number(m[2]);
        if (commits >= minCommits && !timer) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ lastOk, lastS });
      else reject(new Error(`writer exited on its own (code ${code}); stderr: ${stderr}`));
    });
  });
}

describe('crash consistency (SIGKILL during ingestSweep transactions)', () => {
  it(`after ${RUNS} kills the database passes integrity_check and holds whole sweeps only`, async () => {
    const file = join(dir, 'crash.db');
    closeDatabase(openDatabase(file, silentLogger));
    let offset = 0;
    for (let run = 0; run < RUNS; run++) {
      const { lastOk, lastS } = await runAndKill(file, offset, 3 + run, Math.floor(Math.random() * 40));
      offset = lastS + 10_000; // later runs continue in time
      const db = new Database(file);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        // every acknowledged commit is durable (application crash, WAL + synchronous NORMAL)
        const s = db.prepare('SELECT status FROM scans WHERE id = ?').get(lastOk) as
          | { status: string }
          | undefined;
        expect(s?.status).toBe('success');
        // whole transactions only: a successful sweep has all its hosts, a running one none, nothing else
        const bad = db
          .prepare(
            `SELECT s.id, s.status, (SELECT count(*) FROM scan_hosts h WHERE h.scan_id = s.id) AS hosts,
               (SELECT count(*) FROM changes c WHERE c.scan_id = s.id) AS changes
             FROM scans s
             WHERE NOT ((s.status = 'success' AND hosts = ${HOSTS}) OR (s.status = 'running' AND hosts = 0 AND changes = 0))`,
          )
          .all();
        expect(bad).toEqual([]);
        // the inventory matches the last committed sweep exactly
        const last = db
          .prepare("SELECT finished_at FROM scans WHERE status = 'success' ORDER BY id DESC LIMIT 1")
          .get() as {
          finished_at: string;
        };
        const seen = db
          .prepare('SELECT count(*) AS n FROM devices WHERE last_seen = ?')
          .get(last.finished_at) as { n: number };
        expect(seen.n).toBe(HOSTS);
      } finally {
        db.close();
      }
    }
    const db = new Database(file);
    const counts = db
      .prepare('SELECT status, count(*) AS n FROM scans GROUP BY status ORDER BY status')
      .all();
    db.close();
    console.log(`crash test: ${RUNS} SIGKILLs, scans by status ${JSON.stringify(counts)}`);
  }, 240_000);
});
