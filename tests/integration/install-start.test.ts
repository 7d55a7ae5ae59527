/**
 * Start-up decides once per database whether it is a fresh install, and the log says which (issue 14): a new
 * file, a wiped one (deleted while stopped) and a corrupt one (moved aside by openDatabase) are fresh installs
 * that take an install baseline (a salvaged one keeps its inventory and never does: tests/integration/store-salvage); a database with an inventory from before baselines never takes one; a
 * restart during the first port scan says it resumes. Real SQLite files.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startInstall } from '../../src/service/installStart.js';
import { openDatabaseReport } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';
import type { Logger } from '../../src/util/logger.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    trace() {},
    debug() {},
    info: (m: string) => void lines.push(`info ${m}`),
    warn: (m: string) => void lines.push(`warn ${m}`),
    error: (m: string) => void lines.push(`error ${m}`),
    child: () => logger,
  };
  return { logger, lines };
}

function start(file: string) {
  const { logger, lines } = capture();
  const { db, recovery } = openDatabaseReport(file, logger);
  const store = new Store(db);
  const info = startInstall(store, logger, recovery);
  return { store, info, lines, recovery };
}

const FRESH =
  /^info fresh database \(new, wiped or replaced after damage[^)]*\): the devices of the first sweep become the install baseline/;

function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'lsn-install-'));
  dirs.push(d);
  return join(d, 'lan-sentinel.db');
}

describe('install at start-up', () => {
  it('a new database is a fresh install and says so; the next start does not say it again', () => {
    const file = tempFile();
    const a = start(file);
    expect(a.info.state).toBe('pending');
    expect(a.lines.filter((l) => FRESH.test(l))).toHaveLength(1);
    a.store.install.applyBaseline(['00:11:32:00:00:01'], new Date());
    a.store.db.close();
    const b = start(file);
    expect(b.info).toMatchObject({ state: 'applied', initialPortScanPending: true });
    expect(b.lines.some((l) => FRESH.test(l))).toBe(false);
    // the first port scan did not finish before this restart: the log says it resumes
    expect(b.lines).toContain(
      'info the first port scan after install did not finish before the last stop; it resumes after the first sweep',
    );
    b.store.install.finishInitialPortScan(new Date());
    b.store.db.close();
    const c = start(file);
    expect(c.lines).toEqual([]);
    c.store.db.close();
  });

  it('a wiped database (deleted while stopped) is a fresh install again and says so', () => {
    const file = tempFile();
    const a = start(file);
    a.store.install.applyBaseline(['00:11:32:00:00:01'], new Date());
    a.store.install.finishInitialPortScan(new Date());
    a.store.db.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    const b = start(file);
    expect(b.info).toMatchObject({ state: 'pending', baselineAt: null });
    expect(b.lines.filter((l) => FRESH.test(l))).toHaveLength(1);
    b.store.db.close();
  });

  it('a corrupt database is moved aside with a loud error and the new one is a fresh install, said in the log', () => {
    const file = tempFile();
    const a = start(file);
    a.store.install.applyBaseline(['00:11:32:00:00:01'], new Date());
    a.store.db.close();
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    writeFileSync(file, Buffer.alloc(8192, 0x5a)); // not a database any more
    const b = start(file);
    // nothing readable to salvage: moved aside (kept), a new database, and the log says both
    expect(b.recovery?.kind).toBe('discarded');
    expect(b.lines[0]).toMatch(/^error DATABASE DAMAGED/);
    expect(b.lines.filter((l) => FRESH.test(l))).toHaveLength(1);
    expect(b.lines.find((l) => FRESH.test(l))).toContain(
      `the damaged file is kept at ${b.recovery?.movedTo}`,
    );
    expect(b.info.state).toBe('pending');
    // nothing is lost: the damaged file is kept beside the new one
    const aside = readdirSync(join(file, '..')).filter((f) => f.startsWith('lan-sentinel.db.corrupt-'));
    expect(aside.length).toBeGreaterThanOrEqual(1);
    expect(existsSync(file)).toBe(true);
    b.store.db.close();
  });

  it('a database with an inventory from before install baselines is never baselined, and says so', () => {
    const file = tempFile();
    const a = start(file);
    a.store.db
      .prepare(
        `INSERT INTO devices (mac, ip, first_seen, last_seen, online) VALUES ('00:11:32:00:00:09', '10.0.0.9', ?, ?, 1)`,
      )
      .run(new Date().toISOString(), new Date().toISOString());
    a.store.db.prepare("DELETE FROM meta WHERE key LIKE 'install%'").run();
    a.store.db.close();
    const b = start(file);
    expect(b.info.state).toBe('existing');
    expect(b.lines).toEqual([
      'info this database already holds an inventory from before install baselines: no baseline is taken, devices that join are new',
    ]);
    b.store.db.close();
  });
});
