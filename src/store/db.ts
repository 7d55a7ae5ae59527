/**
 * Opening the SQLite database: pragmas, migrations under PRAGMA user_version, refusal of newer
 * schemas, and recovery from a damaged file: every readable row is salvaged into a fresh file (see
 * salvage.ts); only when nothing is readable does it start empty. Either way the damaged file is kept
 * beside it as `<file>.corrupt-<ts>` and the error log says what happened.
 *
 * Durability trade-off: WAL + synchronous=NORMAL is consistent across application crashes; after a
 * power loss or OS crash the last committed scan may roll back. That costs at most one scan and
 * saves an fsync per commit on SD cards.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../util/logger.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { type SalvageReport, salvageDatabase } from './salvage.js';
import { openSqlite } from './sqliteFile.js';

export type Db = Database.Database;
export { Database };

export const BUSY_TIMEOUT_MS = 5000;

/** Thrown when the database file was written by a newer LAN Sentinel. Not recoverable by us. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `database ${file} has schema version ${found}, but this LAN Sentinel knows versions up to ${known}: ` +
        'it was written by a newer release. Upgrade LAN Sentinel, or move the file away to start with an empty inventory.',
    );
    this.name = 'SchemaTooNewError';
  }
}

export interface OpenOptions {
  /** Migrations to apply (tests); defaults to MIGRATIONS. */
  migrations?: Migration[];
  /** Clock for the corrupt-file timestamp (tests). */
  now?: () => Date;
}

function latestVersion(migrations: Migration[]): number {
  return migrations.reduce((m, x) => Math.max(m, x.version), 0);
}

/** Apply pending migrations, each in its own IMMEDIATE transaction together with the user_version bump. */
export function migrate(db: Db, migrations: Migration[] = MIGRATIONS, file = db.name): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(
        `migration list is not contiguous: expected version ${i + 1}, found ${m.version} (${m.name})`,
      );
  });
  const known = latestVersion(sorted);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > known) throw new SchemaTooNewError(file, current, known);
  for (const m of sorted) {
    if (m.version <= current) continue;
    const apply = db.transaction(() => {
      if (m.sql.trim()) db.exec(m.sql);
      m.run?.(db);
      if (m.foreignKeysOff) {
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0)
          throw new Error(`migration ${m.version} (${m.name}) broke ${broken.length} foreign key(s)`);
      }
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    });
    // PRAGMA foreign_keys is a no-op inside a transaction: switched around it
    const fk = m.foreignKeysOff ? (db.pragma('foreign_keys', { simple: true }) as number) : 0;
    if (m.foreignKeysOff) db.pragma('foreign_keys = OFF');
    try {
      apply.immediate();
    } finally {
      if (m.foreignKeysOff && fk) db.pragma('foreign_keys = ON');
    }
  }
  return db.pragma('user_version', { simple: true }) as number;
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (
    code === 'SQLITE_CORRUPT' ||
    code === 'SQLITE_NOTADB' ||
    (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))
  )
    return true;
  const msg = err instanceof Error ? err.message : '';
  return /file is not a database|database disk image is malformed|integrity check failed/i.test(msg);
}

function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

function checkIntegrity(db: Db): void {
  const result = db.pragma('quick_check', { simple: true });
  if (result !== 'ok') throw new Error(`integrity check failed: ${String(result)}`);
}

function timestampForFile(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

function moveAside(file: string, now: Date): string {
  const target = `${file}.corrupt-${timestampForFile(now)}`;
  renameSync(file, target);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix);
  }
  return target;
}

function openOnce(file: string, migrations: Migration[]): Db {
  const db = openSqlite(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // Version first: a newer schema is refused before anything (even journal_mode) touches the file.
    const found = db.pragma('user_version', { simple: true }) as number;
    const known = latestVersion(migrations);
    if (found > known) throw new SchemaTooNewError(file, found, known);
    checkIntegrity(db);
    configure(db);
    migrate(db, migrations, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** What opening had to do about a damaged file. */
export type Recovery =
  | { kind: 'salvaged'; movedTo: string; report: SalvageReport }
  | { kind: 'discarded'; movedTo: string };

export interface OpenedDatabase {
  db: Db;
  /** null when the file was intact (or new) */
  recovery: Recovery | null;
}

function recover(file: string, now: Date, logger: Logger, err: unknown): Recovery {
  const tmp = `${file}.salvage-tmp`;
  let report: SalvageReport | null = null;
  try {
    report = salvageDatabase(file, tmp);
  } catch {
    report = null;
  }
  if (report && report.rows === 0) {
    for (const s of ['', '-wal', '-shm', '-journal']) rmSync(tmp + s, { force: true });
    report = null;
  }
  const movedTo = moveAside(file, now);
  const error = err instanceof Error ? err.message : String(err);
  if (!report) {
    logger.error(
      'DATABASE DAMAGED: nothing in it could be read; moved it aside and started with an empty database',
      { file, movedTo, error },
    );
    return { kind: 'discarded', movedTo };
  }
  renameSync(tmp, file);
  const damaged = report.tables.filter((t) => t.damaged).map((t) => t.table);
  logger.error(
    `DATABASE DAMAGED: salvaged ${report.rows} rows of ${report.tables.length} tables into a fresh file ` +
      `(${report.method === 'vacuum_into' ? 'VACUUM INTO: every row kept' : `row-by-row copy${damaged.length ? `; rows may be missing from ${damaged.join(', ')}` : ': every row kept'}`}); ` +
      `the damaged file is kept as ${movedTo}`,
    { file, movedTo, error, method: report.method, damagedTables: damaged, problems: report.errors },
  );
  return { kind: 'salvaged', movedTo, report };
}

/**
 * Open (creating the directory and file when needed) and migrate the database, reporting any recovery.
 * Throws SchemaTooNewError for a newer schema. A damaged file is salvaged into a fresh one (every
 * readable row kept) or, when nothing is readable, replaced by an empty one; the damaged file is kept
 * as `<file>.corrupt-<ts>` (with its -wal/-shm).
 */
export function openDatabaseReport(file: string, logger: Logger, options: OpenOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? (() => new Date());
  if (file !== ':memory:') {
    file = resolve(file);
    mkdirSync(dirname(file), { recursive: true });
  }
  try {
    return { db: openOnce(file, migrations), recovery: null };
  } catch (err) {
    if (file === ':memory:' || !isCorruption(err)) throw err;
    const recovery = recover(file, now(), logger, err);
    try {
      return { db: openOnce(file, migrations), recovery };
    } catch (again) {
      if (recovery.kind !== 'salvaged' || !isCorruption(again)) throw again;
      // the salvaged copy does not open cleanly either: start empty (both files are kept)
      renameSync(file, `${file}.salvaged-unusable-${timestampForFile(now())}`);
      logger.error('the salvaged copy could not be opened either; started with an empty database', {
        file,
        error: again instanceof Error ? again.message : String(again),
      });
      return { db: openOnce(file, migrations), recovery: { kind: 'discarded', movedTo: recovery.movedTo } };
    }
  }
}

/** openDatabaseReport without the report. */
export function openDatabase(file: string, logger: Logger, options: OpenOptions = {}): Db {
  return openDatabaseReport(file, logger, options).db;
}

/** Checkpoint the WAL into the main file and close. Safe to call twice. */
export function closeDatabase(db: Db): void {
  if (!db.open) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
