import type Database from 'better-sqlite3';
import type { PortProfile } from '../scan/nmapArgs.js';
import { type Clock, iso, systemClock } from '../util/clock.js';

/** A named scan schedule (DESIGN §9). */
export interface Schedule {
  id: number;
  name: string;
  cron: string;
  kind: 'sweep' | 'ports';
  /** null = the port_profile option */
  profile: PortProfile | null;
  /** IPs/CIDRs; empty = every online device (ports) or the configured subnets (sweep) */
  targets: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastRunAt: string | null;
}

export type ScheduleInput = Pick<Schedule, 'name' | 'cron' | 'kind' | 'profile' | 'targets' | 'enabled'>;

interface Row {
  id: number;
  name: string;
  cron: string;
  kind: 'sweep' | 'ports';
  profile: Schedule['profile'];
  targets: string;
  enabled: number;
  created_at: string;
  updated_at: string;
  last_run_at: string | null;
}

const COLUMNS = 'id, name, cron, kind, profile, targets, enabled, created_at, updated_at, last_run_at';

function toSchedule(r: Row): Schedule {
  let targets: string[] = [];
  try {
    const t = JSON.parse(r.targets) as unknown;
    if (Array.isArray(t)) targets = t.filter((x): x is string => typeof x === 'string');
  } catch {
    // a damaged list is treated as empty
  }
  return {
    id: r.id,
    name: r.name,
    cron: r.cron,
    kind: r.kind,
    profile: r.profile,
    targets,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastRunAt: r.last_run_at,
  };
}

export class ScheduleNameTaken extends Error {}

export class SchedulesRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock = systemClock,
  ) {}

  list(): Schedule[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM schedules ORDER BY id`).all() as Row[]).map(toSchedule);
  }

  get(id: number): Schedule | null {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM schedules WHERE id = ?`).get(id) as Row | undefined;
    return r ? toSchedule(r) : null;
  }

  create(input: ScheduleInput): Schedule {
    const now = iso(this.clock.now());
    try {
      const info = this.db
        .prepare(
          'INSERT INTO schedules (name, cron, kind, profile, targets, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          input.name,
          input.cron,
          input.kind,
          input.profile,
          JSON.stringify(input.targets),
          input.enabled ? 1 : 0,
          now,
          now,
        );
      return this.get(Number(info.lastInsertRowid))!;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ScheduleNameTaken(input.name);
      throw err;
    }
  }

  update(id: number, patch: Partial<ScheduleInput>): Schedule | null {
    const cur = this.get(id);
    if (!cur) return null;
    const next = { ...cur, ...patch };
    try {
      this.db
        .prepare(
          'UPDATE schedules SET name = ?, cron = ?, kind = ?, profile = ?, targets = ?, enabled = ?, updated_at = ? WHERE id = ?',
        )
        .run(
          next.name,
          next.cron,
          next.kind,
          next.profile,
          JSON.stringify(next.targets),
          next.enabled ? 1 : 0,
          iso(this.clock.now()),
          id,
        );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ScheduleNameTaken(next.name);
      throw err;
    }
    return this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
  }

  markRun(id: number, when: Date): void {
    this.db.prepare('UPDATE schedules SET last_run_at = ? WHERE id = ?').run(iso(when), id);
  }

  /** Changes whenever a schedule is added, changed or removed (also by another process on the same file). */
  fingerprint(): string {
    const r = this.db
      .prepare('SELECT count(*) AS n, max(updated_at) AS u, max(id) AS m, sum(id) AS s FROM schedules')
      .get() as {
      n: number;
      u: string | null;
      m: number | null;
      s: number | null;
    };
    return `${r.n}:${r.u ?? ''}:${r.m ?? 0}:${r.s ?? 0}`;
  }
}
