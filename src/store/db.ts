/**
 * Opening the SQLite database: pragmas, migrations under PRAGMA user_version, refusal of newer
 * schemas, and recovery from a corrupt file (moved aside, fresh start, loud error log).
 *
 * Durability trade-off: WAL + synchronous=NORMAL is consistent across application crashes; after a
 * power loss or OS crash the last committed scan may roll back. That costs at most one scan and
 * saves an fsync per commit on SD cards.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../util/logger.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

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
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    });
    apply.immediate();
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

function moveAside(file: string, now: Date, logger: Logger, err: unknown): string {
  const target = `${file}.corrupt-${timestampForFile(now)}`;
  renameSync(file, target);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix);
  }
  logger.error('database file is corrupt: moved it aside and started with an empty database', {
    file,
    movedTo: target,
    error: err instanceof Error ? err.message : String(err),
  });
  return target;
}

function openOnce(file: string, migrations: Migration[]): Db {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
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

/**
 * Open (creating the directory and file when needed) and migrate the database.
 * Throws SchemaTooNewError for a newer schema. A corrupt file is moved to `<file>.corrupt-<ts>`
 * (with its -wal/-shm) and a fresh database is created.
 */
export function openDatabase(file: string, logger: Logger, options: OpenOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? (() => new Date());
  if (file !== ':memory:') {
    file = resolve(file);
    mkdirSync(dirname(file), { recursive: true });
  }
  try {
    return openOnce(file, migrations);
  } catch (err) {
    if (file === ':memory:' || !isCorruption(err)) throw err;
    moveAside(file, now(), logger, err);
    return openOnce(file, migrations);
  }
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
