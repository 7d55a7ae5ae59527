import type Database from 'better-sqlite3';
import { type Clock, iso, systemClock } from '../util/clock.js';

/**
 * Who did something: the HA user behind ingress, an API key, a standalone browser session, the local CLI
 * (token file), or the service itself. `loopback` appears only in rows written before peer trust was removed.
 */
export type ActorKind = 'ingress' | 'key' | 'session' | 'cli' | 'loopback' | 'anonymous' | 'system';

export interface AuditEntry {
  id: number;
  time: string;
  actor: string;
  actorKind: ActorKind;
  /** dotted verb such as key.use, device.update, device.forget, webhook.create, auth.fail */
  action: string;
  target: string | null;
  ip: string | null;
  detail: unknown;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'time' | 'target' | 'ip' | 'detail'> & {
  time?: string;
  target?: string | null;
  ip?: string | null;
  detail?: unknown;
};

export interface AuditFilter {
  actor?: string;
  /** exact action, or a prefix ending in `.` or `*` (e.g. `device.` or `device*`) */
  action?: string;
  target?: string;
  /** ISO time: entries at or after it */
  since?: string;
  limit?: number;
  offset?: number;
}

interface AuditRow {
  id: number;
  time: string;
  actor: string;
  actor_kind: ActorKind;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string | null;
}

/** Longest stored actor/target/detail: the log must not become a way to fill the disk. */
const MAX_TEXT = 256;
const MAX_DETAIL = 4096;

function clip(s: string | null | undefined, max = MAX_TEXT): string | null {
  if (s === null || s === undefined) return null;
  return s.length > max ? s.slice(0, max) : s;
}

function toEntry(r: AuditRow): AuditEntry {
  let detail: unknown = null;
  if (r.detail !== null) {
    try {
      detail = JSON.parse(r.detail);
    } catch {
      detail = r.detail;
    }
  }
  return {
    id: r.id,
    time: r.time,
    actor: r.actor,
    actorKind: r.actor_kind,
    action: r.action,
    target: r.target,
    ip: r.ip,
    detail,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class AuditRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock = systemClock,
  ) {}

  append(e: AuditInput): number {
    let detail: string | null = null;
    if (e.detail !== undefined && e.detail !== null) {
      detail = JSON.stringify(e.detail);
      if (detail.length > MAX_DETAIL) detail = JSON.stringify({ truncated: detail.slice(0, MAX_DETAIL) });
    }
    const info = this.db
      .prepare(
        'INSERT INTO audit_log (time, actor, actor_kind, action, target, ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        e.time ?? iso(this.clock.now()),
        clip(e.actor) ?? '',
        e.actorKind,
        clip(e.action, 64) ?? '',
        clip(e.target),
        clip(e.ip, 64),
        detail,
      );
    return Number(info.lastInsertRowid);
  }

  /** Newest first. */
  list(f: AuditFilter = {}): { items: AuditEntry[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.actor !== undefined) {
      where.push('actor = ?');
      args.push(f.actor);
    }
    if (f.action !== undefined) {
      if (f.action.endsWith('*') || f.action.endsWith('.')) {
        where.push("action LIKE ? ESCAPE '\\'");
        args.push(`${escapeLike(f.action.replace(/\*$/, ''))}%`);
      } else {
        where.push('action = ?');
        args.push(f.action);
      }
    }
    if (f.target !== undefined) {
      where.push('target = ?');
      args.push(f.target);
    }
    if (f.since !== undefined) {
      where.push('time >= ?');
      args.push(new Date(f.since).toISOString());
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit_log ${w}`).get(...args) as { n: number })
      .n;
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${w} ORDER BY time DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...args, f.limit ?? 100, f.offset ?? 0) as AuditRow[];
    return { items: rows.map(toEntry), total };
  }

  /** Deletes entries older than `before` (ISO time); returns how many. */
  prune(before: string): number {
    return this.db.prepare('DELETE FROM audit_log WHERE time < ?').run(new Date(before).toISOString())
      .changes;
  }
}
