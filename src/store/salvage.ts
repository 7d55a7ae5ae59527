/**
 * Salvage of a damaged SQLite file into a fresh one, keeping every row that can still be read.
 *
 * 1. SQLite's own copy, `VACUUM INTO`, checked with integrity_check. It copies tables and indexes b-tree by
 *    b-tree, so it only succeeds when every page it reads is sound (e.g. damage in the freelist).
 * 2. Otherwise a row-by-row copy of the tables alone (NOT INDEXED: no damaged index is read): each table is
 *    read in key order from the start until the first unreadable page, then from the end backwards, and
 *    (rowid tables) by seeking past the damaged pages in growing steps; every row read is kept. Indexes,
 *    triggers and views are then created afresh from the old schema, so a damaged page of a secondary
 *    index costs no row at all.
 * The damaged file is only read (opened read-only); the caller moves it aside and keeps it.
 */
import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { openSqlite } from './sqliteFile.js';

export interface TableSalvage {
  table: string;
  rows: number;
  /** true when part of the table could not be read (rows may be missing) */
  damaged: boolean;
}

export interface SalvageReport {
  method: 'vacuum_into' | 'row_copy';
  tables: TableSalvage[];
  rows: number;
  /** objects (indexes, triggers) that could not be recreated, and read errors, for the log */
  errors: string[];
}

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

const MAX_PROBES_PER_GAP = 48;
const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function removeFile(file: string): void {
  for (const s of ['', '-wal', '-shm', '-journal']) rmSync(file + s, { force: true });
}

function userTables(db: Database.Database): SchemaRow[] {
  return (
    db
      .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY rootpage")
      .all() as SchemaRow[]
  ).filter((t) => !t.name.startsWith('sqlite_') && t.sql);
}

function countRows(db: Database.Database, tables: SchemaRow[]): TableSalvage[] {
  return tables.map((t) => ({
    table: t.name,
    rows: (db.prepare(`SELECT count(*) AS n FROM ${quote(t.name)}`).get() as { n: number }).n,
    damaged: false,
  }));
}

function tryVacuumInto(src: Database.Database, target: string): SalvageReport | null {
  try {
    src.prepare('VACUUM INTO ?').run(target);
  } catch {
    removeFile(target);
    return null;
  }
  const out = openSqlite(target);
  try {
    if (out.pragma('integrity_check', { simple: true }) !== 'ok') throw new Error('copy not intact');
    const tables = countRows(out, userTables(out));
    return { method: 'vacuum_into', tables, rows: tables.reduce((s, t) => s + t.rows, 0), errors: [] };
  } catch {
    out.close();
    removeFile(target);
    return null;
  } finally {
    if (out.open) out.close();
  }
}

interface TableReader {
  /** columns to copy (generated columns are left to the new table) */
  columns: string[];
  rowid: boolean;
  /** ORDER BY clause for key order, and its reverse */
  order: string;
  reverse: string;
}

function tableReader(src: Database.Database, t: SchemaRow): TableReader {
  const info = src.prepare(`PRAGMA table_xinfo(${quote(t.name)})`).all() as Array<{
    name: string;
    pk: number;
    hidden: number;
  }>;
  const columns = info.filter((c) => c.hidden === 0).map((c) => c.name);
  const withoutRowid = /\bWITHOUT\s+ROWID\b/i.test(t.sql ?? '');
  if (!withoutRowid) return { columns, rowid: true, order: 'rowid ASC', reverse: 'rowid DESC' };
  const pk = info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => quote(c.name));
  return {
    columns,
    rowid: false,
    order: pk.map((c) => `${c} ASC`).join(', '),
    reverse: pk.map((c) => `${c} DESC`).join(', '),
  };
}

/** Read rows until the first error; returns how many were read and whether it stopped on an error. */
function readUntilError(
  iterate: () => IterableIterator<unknown>,
  keep: (row: unknown[]) => boolean,
): { read: number; failed: boolean } {
  let read = 0;
  try {
    for (const row of iterate()) {
      if (!keep(row as unknown[])) return { read, failed: false };
      read++;
    }
    return { read, failed: false };
  } catch {
    return { read, failed: true };
  }
}

function copyTable(src: Database.Database, out: Database.Database, t: SchemaRow): TableSalvage {
  const r = tableReader(src, t);
  const cols = r.columns.map(quote);
  const selectCols = r.rowid ? ['rowid', ...cols] : cols;
  const insertCols = r.rowid ? ['rowid', ...cols] : cols;
  const insert = out.prepare(
    `INSERT OR IGNORE INTO ${quote(t.name)} (${insertCols.join(', ')}) VALUES (${insertCols.map(() => '?').join(', ')})`,
  );
  const from = `SELECT ${selectCols.join(', ')} FROM ${quote(t.name)} NOT INDEXED`;
  let rows = 0;
  let damaged = false;
  let lastRowid: number | null = null;
  let firstBackRowid: number | null = null;
  const put = (row: unknown[]): void => {
    rows += insert.run(...row).changes;
  };
  // forward from the start
  const fwd = src.prepare(`${from} ORDER BY ${r.order}`).raw(true);
  const a = readUntilError(
    () => fwd.iterate(),
    (row) => {
      put(row);
      if (r.rowid) lastRowid = Number(row[0]);
      return true;
    },
  );
  if (!a.failed) return { table: t.name, rows, damaged };
  damaged = true;
  // backward from the end, until we meet what the forward pass read
  const back = src.prepare(`${from} ORDER BY ${r.reverse}`).raw(true);
  readUntilError(
    () => back.iterate(),
    (row) => {
      if (r.rowid) {
        const id = Number(row[0]);
        if (lastRowid !== null && id <= lastRowid) return false;
        firstBackRowid = id;
      }
      put(row);
      return true;
    },
  );
  // rowid tables: seek past the damaged pages between the two passes in growing steps
  if (r.rowid) {
    let lo: number = lastRowid ?? 0;
    const hi: number = firstBackRowid ?? Number.MAX_SAFE_INTEGER;
    const seek = src.prepare(`${from} WHERE rowid >= ? AND rowid < ? ORDER BY rowid ASC`).raw(true);
    let step = 1;
    let probes = 0;
    while (lo + step < hi && probes < MAX_PROBES_PER_GAP) {
      probes++;
      const start = lo + step;
      let last: number | null = null;
      const got = readUntilError(
        () => seek.iterate(start, hi),
        (row) => {
          put(row);
          last = Number(row[0]);
          return true;
        },
      );
      if (last !== null) {
        lo = last;
        step = 1;
        if (!got.failed) break;
      } else {
        if (!got.failed) break;
        step *= 2;
      }
    }
  }
  return { table: t.name, rows, damaged };
}

function rowCopy(src: Database.Database, target: string): SalvageReport | null {
  const out = openSqlite(target);
  const errors: string[] = [];
  try {
    out.pragma('foreign_keys = OFF');
    out.pragma('journal_mode = DELETE');
    const schema = src
      .prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rootpage')
      .all() as SchemaRow[];
    const tables = schema.filter((s) => s.type === 'table' && !s.name.startsWith('sqlite_') && s.sql);
    const results: TableSalvage[] = [];
    for (const t of tables) {
      out.exec(t.sql as string);
      const copy = out.transaction(() => copyTable(src, out, t));
      results.push(copy());
    }
    // AUTOINCREMENT counters
    if (
      schema.some((s) => s.name === 'sqlite_sequence') &&
      out.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").get()
    ) {
      try {
        const seq = src.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{
          name: string;
          seq: number;
        }>;
        const put = out.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)');
        out.prepare('DELETE FROM sqlite_sequence').run();
        for (const s of seq) put.run(s.name, s.seq);
      } catch (err) {
        errors.push(`sqlite_sequence: ${(err as Error).message}`);
      }
    }
    for (const s of schema) {
      if (s.type === 'table' || !s.sql) continue; // automatic indexes have no sql
      try {
        out.exec(s.sql);
      } catch (err) {
        errors.push(`${s.type} ${s.name}: ${(err as Error).message}`);
      }
    }
    out.pragma(`user_version = ${Math.trunc(Number(src.pragma('user_version', { simple: true })) || 0)}`);
    const rows = results.reduce((n, t) => n + t.rows, 0);
    for (const t of results) if (t.damaged) errors.push(`table ${t.table}: part of it could not be read`);
    if (rows === 0) return null;
    if (out.pragma('integrity_check', { simple: true }) !== 'ok') return null;
    return { method: 'row_copy', tables: results, rows, errors };
  } finally {
    out.close();
  }
}

/**
 * Copy what can be read of `damaged` into a new file `target` (replaced if present). Returns null when
 * nothing is readable (no schema, or no row in any table); `target` is removed then.
 */
export function salvageDatabase(damaged: string, target: string): SalvageReport | null {
  removeFile(target);
  let src: Database.Database;
  try {
    src = openSqlite(damaged, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    let tables: SchemaRow[];
    try {
      tables = userTables(src);
    } catch {
      return null;
    }
    if (tables.length === 0) return null;
    const viaVacuum = tryVacuumInto(src, target);
    if (viaVacuum) return viaVacuum;
    let report: SalvageReport | null = null;
    try {
      report = rowCopy(src, target);
    } catch {
      report = null;
    }
    if (!report) removeFile(target);
    return report;
  } finally {
    src.close();
  }
}
