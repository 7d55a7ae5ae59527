/** The change log (every detected change, in order). */

import type { Statement } from 'better-sqlite3';
import type { Change } from '../inventory/types.js';
import { CHANGE_TYPES, type ChangeType, SEVERITIES, SEVERITY_RANK, type Severity } from '../vocabulary.js';
import type { Db } from './db.js';
import { bool, jsonOrNull, paging, parseJson } from './rows.js';

export interface StoredChange extends Change {
  id: number;
  acknowledged: boolean;
}

export interface ChangeQuery {
  type?: ChangeType;
  mac?: string;
  /** ISO time; changes at or after it. */
  since?: string;
  /** Minimum severity. */
  severity?: Severity;
  limit?: number;
  offset?: number;
}

interface ChangeRow {
  id: number;
  type: string;
  mac: string | null;
  ip: string | null;
  name: string | null;
  vendor: string | null;
  severity: string;
  message: string;
  before_json: string | null;
  after_json: string | null;
  time: string;
  scan_id: number | null;
  acknowledged: number;
}

function toChange(r: ChangeRow): StoredChange {
  const c: StoredChange = {
    id: r.id,
    type: r.type as ChangeType,
    mac: r.mac,
    ip: r.ip,
    name: r.name,
    vendor: r.vendor,
    severity: r.severity as Severity,
    message: r.message,
    time: r.time,
    scanId: r.scan_id,
    acknowledged: bool(r.acknowledged),
  };
  if (r.before_json !== null) c.before = parseJson<unknown>(r.before_json, null);
  if (r.after_json !== null) c.after = parseJson<unknown>(r.after_json, null);
  return c;
}

const SEVERITY_RANK_SQL = `(CASE severity WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2
  WHEN 'high' THEN 3 ELSE 4 END)`;

type ChangeFilterKey = 'type' | 'mac' | 'since' | 'minsev';
const FILTER_SQL: Record<ChangeFilterKey, string> = {
  type: 'type = @type',
  mac: 'mac = @mac',
  since: 'time >= @since',
  minsev: `${SEVERITY_RANK_SQL} >= @minsev`,
};

export class ChangesRepo {
  private readonly stmts;
  /** One statement pair per combination of filters, so each can use its index (see migration 005). */
  private readonly listCache = new Map<string, { list: Statement; count: Statement }>();

  constructor(private readonly db: Db) {
    this.stmts = {
      /**
       * Positional parameters, one prepared statement run per change inside the caller's transaction: measured
       * faster under better-sqlite3 than one INSERT … SELECT over json_each of the whole list (bench/README.md).
       */
      insert:
        db.prepare(`INSERT INTO changes (type, mac, ip, name, vendor, severity, message, before_json, after_json,
        time, scan_id, acknowledged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`),
      get: db.prepare('SELECT * FROM changes WHERE id = ?'),
      ack: db.prepare('UPDATE changes SET acknowledged = 1 WHERE id = ?'),
    };
  }

  /** Insert in order (one transaction); returns the changes with their ids. */
  insertMany(changes: Change[]): StoredChange[] {
    if (changes.length === 0) return [];
    const insert = this.stmts.insert;
    const run = this.db.transaction((list: Change[]) =>
      list.map((c): StoredChange => {
        const scanId = c.scanId ?? null;
        const info = insert.run(
          c.type,
          c.mac,
          c.ip,
          c.name,
          c.vendor,
          c.severity,
          c.message,
          jsonOrNull(c.before),
          jsonOrNull(c.after),
          c.time,
          scanId,
        );
        return { ...c, scanId, id: Number(info.lastInsertRowid), acknowledged: false };
      }),
    );
    return run(changes);
  }

  private listStatements(f: Record<ChangeFilterKey, unknown>): { list: Statement; count: Statement } {
    const keys = (Object.keys(FILTER_SQL) as ChangeFilterKey[]).filter((k) => f[k] !== null);
    const key = keys.join(',');
    let cached = this.listCache.get(key);
    if (!cached) {
      const where = keys.length ? `WHERE ${keys.map((k) => FILTER_SQL[k]).join(' AND ')}` : '';
      cached = {
        list: this.db.prepare(`SELECT * FROM changes ${where} ORDER BY id DESC LIMIT @limit OFFSET @offset`),
        count: this.db.prepare(`SELECT count(*) AS n FROM changes ${where}`),
      };
      this.listCache.set(key, cached);
    }
    return cached;
  }

  /** Newest first. */
  list(q: ChangeQuery = {}): { items: StoredChange[]; total: number } {
    if (q.type !== undefined && !CHANGE_TYPES.includes(q.type))
      throw new RangeError(`unknown change type "${String(q.type)}"; allowed: ${CHANGE_TYPES.join(', ')}`);
    if (q.severity !== undefined && !SEVERITIES.includes(q.severity))
      throw new RangeError(`unknown severity "${String(q.severity)}"; allowed: ${SEVERITIES.join(', ')}`);
    const { limit, offset } = paging(q.limit, q.offset, 1000, 100);
    const f: Record<ChangeFilterKey, unknown> = {
      type: q.type ?? null,
      mac: q.mac ?? null,
      since: q.since ?? null,
      minsev: q.severity ? SEVERITY_RANK[q.severity] : null,
    };
    const params = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null));
    const stmts = this.listStatements(f);
    const items = (stmts.list.all({ ...params, limit, offset }) as ChangeRow[]).map(toChange);
    // a page that is not full ends the result (unless it is empty past the start)
    const total =
      items.length < limit && (items.length > 0 || offset === 0)
        ? offset + items.length
        : (stmts.count.get(params) as { n: number }).n;
    return { items, total };
  }

  get(id: number): StoredChange | null {
    const r = this.stmts.get.get(id) as ChangeRow | undefined;
    return r ? toChange(r) : null;
  }

  /**
   * The changes of these types in [since, until] (ISO times), oldest first, at most `max` (the newest ones when
   * there are more). Rule previews replay them.
   */
  inWindow(
    types: readonly ChangeType[],
    since: string,
    until: string,
    max = 50_000,
  ): { items: StoredChange[]; truncated: boolean } {
    if (types.length === 0) return { items: [], truncated: false };
    const marks = types.map(() => '?').join(', ');
    const rows = this.db
      .prepare(
        `SELECT * FROM changes WHERE type IN (${marks}) AND time >= ? AND time <= ? ORDER BY time DESC, id DESC LIMIT ?`,
      )
      .all(...types, since, until, max + 1) as ChangeRow[];
    const truncated = rows.length > max;
    return { items: rows.slice(0, max).reverse().map(toChange), truncated };
  }

  /** Returns false when no change has this id. */
  acknowledge(id: number): boolean {
    return this.stmts.ack.run(id).changes > 0;
  }
}
