import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, migrate, openDatabase, SchemaTooNewError } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { createLogger, type Logger } from '../../src/util/logger.js';

let dir: string;
let lines: string[];
let logger: Logger;
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-store-db-'));
  lines = [];
  logger = createLogger('debug', 'test', (l) => lines.push(l));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Database.Database) =>
  (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
      .all() as Array<{
      name: string;
    }>
  ).map((r) => r.name);

describe('openDatabase', () => {
  it('creates the directory and file, sets the pragmas and migrates from empty', () => {
    const file = join(dir, 'nested', 'deeper', 'lan.db');
    const db = openDatabase(file, logger);
    try {
      expect(existsSync(file)).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
      expect(tables(db)).toEqual(
        expect.arrayContaining([
          'devices',
          'device_ports',
          'scans',
          'scan_hosts',
          'changes',
          'ip_history',
          'presence_history',
          'port_history',
        ]),
      );
    } finally {
      closeDatabase(db);
    }
    // clean close: WAL checkpointed and truncated
    expect(existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`).length : 0).toBe(0);
  });

  it('reopening is idempotent and keeps data', () => {
    const file = join(dir, 'lan.db');
    let db = openDatabase(file, logger);
    db.prepare(
      "INSERT INTO devices (mac, first_seen, last_seen) VALUES ('b8:27:eb:00:00:01', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
    ).run();
    closeDatabase(db);
    db = openDatabase(file, logger);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect((db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n).toBe(1);
    closeDatabase(db);
    closeDatabase(db); // twice is harmless
  });

  it('refuses a database written by a newer schema, naming both versions, and leaves it untouched', () => {
    const file = join(dir, 'lan.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST + 7}`);
    raw.close();
    const before = readFileSync(file);
    let err: unknown;
    try {
      openDatabase(file, logger);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect((err as Error).message).toContain(`schema version ${LATEST + 7}`);
    expect((err as Error).message).toContain(`up to ${LATEST}`);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
  });

  it('a migration that fails halfway leaves user_version and schema unchanged', () => {
    const file = join(dir, 'lan.db');
    const db = openDatabase(file, logger, { migrations: MIGRATIONS.filter((m) => m.version === 1) });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const broken = [
      MIGRATIONS[0]!,
      { version: 2, name: 'broken', sql: 'CREATE TABLE half_done (x INTEGER); CREATE TABLE oops (;' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(db)).not.toContain('half_done');
    closeDatabase(db);
  });

  it.each([
    ['garbage file', (file: string) => writeFileSync(file, 'this is not a database at all '.repeat(200))],
    [
      'bytes 100..4196 overwritten',
      (file: string) => {
        const seed = new Database(file);
        seed.exec('CREATE TABLE t (x TEXT); INSERT INTO t VALUES (hex(randomblob(3000)));');
        for (let i = 0; i < 50; i++) seed.exec('INSERT INTO t VALUES (hex(randomblob(3000)))');
        seed.close();
        const fd = openSync(file, 'r+');
        const junk = Buffer.alloc(4096);
        for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
        writeSync(fd, junk, 0, junk.length, 100);
        closeSync(fd);
      },
    ],
  ])('a corrupt database (%s) is moved aside with a loud error, and a fresh one works', (_name, corrupt) => {
    const file = join(dir, 'lan.db');
    corrupt(file);
    const db = openDatabase(file, logger, { now: () => new Date('2026-05-04T03:02:01.000Z') });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.prepare(
        "INSERT INTO devices (mac, first_seen, last_seen) VALUES ('b8:27:eb:00:00:01', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
      ).run();
    } finally {
      closeDatabase(db);
    }
    const aside = `${file}.corrupt-2026-05-04T03-02-01-000Z`;
    expect(existsSync(aside)).toBe(true);
    const err = lines.find((l) => l.includes('ERROR'));
    expect(err).toContain('corrupt');
    expect(err).toContain('corrupt-2026-05-04');
  });

  it('does not treat a missing permission or a non-corruption error as corruption', () => {
    const file = join(dir, 'lan.db');
    const db = openDatabase(file, logger);
    closeDatabase(db);
    // schema too new is not corruption: covered above; a directory in place of the file is not either
    const asDir = join(dir, 'adir.db');
    rmSync(asDir, { force: true, recursive: true });
    mkdirSync(asDir);
    expect(() => openDatabase(asDir, logger)).toThrow();
    expect(existsSync(asDir)).toBe(true);
    expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
  });
});
