/** The change log (every detected change, in order). */
import { CHANGE_TYPES, type Change, type ChangeType, type Severity } from '../inventory/types.js';
import type { Db } from './db.js';
import { bool, int, jsonOrNull, paging, parseJson } from './rows.js';

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

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

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

export class ChangesRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    const where = `WHERE (@type IS NULL OR type = @type) AND (@mac IS NULL OR mac = @mac)
      AND (@since IS NULL OR time >= @since)
      AND (@minsev IS NULL OR (CASE severity WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2
        WHEN 'high' THEN 3 ELSE 4 END) >= @minsev)`;
    this.stmts = {
      insert:
        db.prepare(`INSERT INTO changes (type, mac, ip, name, vendor, severity, message, before_json, after_json,
        time, scan_id, acknowledged) VALUES (@type, @mac, @ip, @name, @vendor, @severity, @message, @before_json,
        @after_json, @time, @scan_id, @acknowledged)`),
      list: db.prepare(`SELECT * FROM changes ${where} ORDER BY id DESC LIMIT @limit OFFSET @offset`),
      count: db.prepare(`SELECT count(*) AS n FROM changes ${where}`),
      get: db.prepare('SELECT * FROM changes WHERE id = ?'),
      ack: db.prepare('UPDATE changes SET acknowledged = 1 WHERE id = ?'),
    };
  }

  /** Insert in order; returns the changes with their ids. */
  insertMany(changes: Change[]): StoredChange[] {
    const run = this.db.transaction((list: Change[]) =>
      list.map((c) => {
        const info = this.stmts.insert.run({
          type: c.type,
          mac: c.mac,
          ip: c.ip,
          name: c.name,
          vendor: c.vendor,
          severity: c.severity,
          message: c.message,
          before_json: jsonOrNull(c.before),
          after_json: jsonOrNull(c.after),
          time: c.time,
          scan_id: c.scanId ?? null,
          acknowledged: int(false),
        });
        return { ...c, scanId: c.scanId ?? null, id: Number(info.lastInsertRowid), acknowledged: false };
      }),
    );
    return run(changes);
  }

  /** Newest first. */
  list(q: ChangeQuery = {}): { items: StoredChange[]; total: number } {
    if (q.type !== undefined && !CHANGE_TYPES.includes(q.type))
      throw new RangeError(`unknown change type "${String(q.type)}"; allowed: ${CHANGE_TYPES.join(', ')}`);
    if (q.severity !== undefined && !SEVERITIES.includes(q.severity))
      throw new RangeError(`unknown severity "${String(q.severity)}"; allowed: ${SEVERITIES.join(', ')}`);
    const { limit, offset } = paging(q.limit, q.offset, 1000, 100);
    const f = {
      type: q.type ?? null,
      mac: q.mac ?? null,
      since: q.since ?? null,
      minsev: q.severity ? SEVERITIES.indexOf(q.severity) : null,
    };
    const items = (this.stmts.list.all({ ...f, limit, offset }) as ChangeRow[]).map(toChange);
    const total = (this.stmts.count.get(f) as { n: number }).n;
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
