/**
 * Which write errors are the storage's (issue 13 finding 7), on a real SQLite file: a full database (its page
 * limit reached) is `full` (HTTP 507), a read-only file is a storage failure too (503), a constraint violation
 * is the data's fault and not a storage failure at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { storageFailure } from '../../src/store/storageFailure.js';

const dir = mkdtempSync(join(tmpdir(), 'lsn-storage-'));
const file = join(dir, 'x.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected the write to throw');
};

describe('storageFailure', () => {
  const db = new Database(file);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  db.prepare('INSERT INTO t (v) VALUES (?)').run('one');

  it('a database at its page limit is full', () => {
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const err = thrown(() => {
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      for (let i = 0; i < 10_000; i++) insert.run(`${i} ${'x'.repeat(500)}`);
    });
    expect((err as { code: string }).code).toBe('SQLITE_FULL');
    expect(storageFailure(err)).toMatchObject({ code: 'SQLITE_FULL', full: true });
    db.pragma('max_page_count = 1073741823');
  });

  it('a read-only file is a storage failure, not a full disk', () => {
    const ro = new Database(file, { readonly: true });
    try {
      const err = thrown(() => ro.prepare('INSERT INTO t (v) VALUES (?)').run('two'));
      expect(storageFailure(err)).toMatchObject({ code: 'SQLITE_READONLY', full: false });
      expect(storageFailure(err)?.message).toContain('read-only');
    } finally {
      ro.close();
    }
  });

  it('a constraint violation or any other error is not a storage failure', () => {
    const err = thrown(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('one'));
    expect((err as { code: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(storageFailure(err)).toBeNull();
    expect(storageFailure(new Error('boom'))).toBeNull();
    expect(storageFailure(null)).toBeNull();
    db.close();
  });
});
