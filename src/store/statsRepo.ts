/**
 * Trend rollups (migration 009): the inventory's current figures in one query, folded into the hour bucket at
 * each sweep/port scan; hours older than 7 days fold into days; days older than ~13 months go. Trend reads
 * touch at most a few hundred rows whatever the number of devices.
 */
import type { Db } from './db.js';

export const HOUR_S = 3600;
export const DAY_S = 86_400;
/** hour rows are kept this long, then folded into day rows */
export const HOURLY_KEEP_S = 7 * DAY_S;
/** day rows are kept this long */
export const DAILY_KEEP_S = 400 * DAY_S;

export interface StatsSnapshot {
  online: number;
  known: number;
  openPorts: number;
  findings: { low: number; medium: number; high: number; critical: number };
  /** devices by risk; `unknown` = never port-scanned */
  risk: { unknown: number; none: number; low: number; medium: number; high: number; critical: number };
}

export interface RollupRow {
  granularity: 'hour' | 'day';
  /** Unix seconds, bucket start (UTC) */
  start: number;
  samples: number;
  onlineMin: number;
  onlineMax: number;
  onlineSum: number;
  onlineLast: number;
  known: number;
  newDevices: number;
  openPorts: number;
  findingsLow: number;
  findingsMedium: number;
  findingsHigh: number;
  findingsCritical: number;
  riskUnknown: number;
  riskNone: number;
  riskLow: number;
  riskMedium: number;
  riskHigh: number;
  riskCritical: number;
}

/** How a rollup row takes in another sample or rollup of its period (every column but `samples`). */
const ROLLUP_MERGE = `online_min = min(online_min, excluded.online_min), online_max = max(online_max, excluded.online_max),
  online_sum = online_sum + excluded.online_sum, online_last = excluded.online_last, known = excluded.known,
  new_devices = new_devices + excluded.new_devices, open_ports = excluded.open_ports,
  findings_low = excluded.findings_low, findings_medium = excluded.findings_medium,
  findings_high = excluded.findings_high, findings_critical = excluded.findings_critical,
  risk_unknown = excluded.risk_unknown, risk_none = excluded.risk_none, risk_low = excluded.risk_low,
  risk_medium = excluded.risk_medium, risk_high = excluded.risk_high, risk_critical = excluded.risk_critical`;

const ROW_COLS = `granularity, start, samples, online_min, online_max, online_sum, online_last, known, new_devices,
  open_ports, findings_low, findings_medium, findings_high, findings_critical, risk_unknown, risk_none, risk_low,
  risk_medium, risk_high, risk_critical`;

function rowFromRaw(r: unknown[]): RollupRow {
  const n = (i: number) => r[i] as number;
  return {
    granularity: r[0] === 'day' ? 'day' : 'hour',
    start: n(1),
    samples: n(2),
    onlineMin: n(3),
    onlineMax: n(4),
    onlineSum: n(5),
    onlineLast: n(6),
    known: n(7),
    newDevices: n(8),
    openPorts: n(9),
    findingsLow: n(10),
    findingsMedium: n(11),
    findingsHigh: n(12),
    findingsCritical: n(13),
    riskUnknown: n(14),
    riskNone: n(15),
    riskLow: n(16),
    riskMedium: n(17),
    riskHigh: n(18),
    riskCritical: n(19),
  };
}

/** Combine rows (oldest first) into one per UTC day: extremes and sums combine, gauges keep the last value. */
export function foldIntoDays(rows: readonly RollupRow[]): RollupRow[] {
  const days = new Map<number, RollupRow>();
  for (const r of rows) {
    const start = r.start - (r.start % DAY_S);
    const d = days.get(start);
    if (!d) {
      days.set(start, { ...r, granularity: 'day', start });
      continue;
    }
    days.set(start, {
      ...r,
      granularity: 'day',
      start,
      samples: d.samples + r.samples,
      onlineMin: Math.min(d.onlineMin, r.onlineMin),
      onlineMax: Math.max(d.onlineMax, r.onlineMax),
      onlineSum: d.onlineSum + r.onlineSum,
      newDevices: d.newDevices + r.newDevices,
    });
  }
  return [...days.values()];
}

function rowParams(r: RollupRow) {
  return {
    start: r.start,
    samples: r.samples,
    online_min: r.onlineMin,
    online_max: r.onlineMax,
    online_sum: r.onlineSum,
    online_last: r.onlineLast,
    known: r.known,
    new_devices: r.newDevices,
    open_ports: r.openPorts,
    f_low: r.findingsLow,
    f_medium: r.findingsMedium,
    f_high: r.findingsHigh,
    f_critical: r.findingsCritical,
    r_unknown: r.riskUnknown,
    r_none: r.riskNone,
    r_low: r.riskLow,
    r_medium: r.riskMedium,
    r_high: r.riskHigh,
    r_critical: r.riskCritical,
  };
}

export class StatsRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    const visible = 'ignored = 0';
    this.stmts = {
      snapshot: db.prepare(`SELECT
        (SELECT count(*) FROM devices WHERE ${visible} AND online = 1) AS online,
        (SELECT count(*) FROM devices WHERE ${visible}) AS known,
        (SELECT count(*) FROM device_ports p JOIN devices d ON d.mac = p.mac WHERE d.${visible} AND p.protocol = 'tcp') AS open_ports,
        (SELECT count(*) FROM findings f JOIN devices d ON d.mac = f.mac WHERE d.${visible} AND f.resolved_at IS NULL AND f.severity = 'low') AS f_low,
        (SELECT count(*) FROM findings f JOIN devices d ON d.mac = f.mac WHERE d.${visible} AND f.resolved_at IS NULL AND f.severity = 'medium') AS f_medium,
        (SELECT count(*) FROM findings f JOIN devices d ON d.mac = f.mac WHERE d.${visible} AND f.resolved_at IS NULL AND f.severity = 'high') AS f_high,
        (SELECT count(*) FROM findings f JOIN devices d ON d.mac = f.mac WHERE d.${visible} AND f.resolved_at IS NULL AND f.severity = 'critical') AS f_critical,
        (SELECT count(*) FROM devices WHERE ${visible} AND ports_scanned_at IS NULL) AS r_unknown,
        (SELECT count(*) FROM devices WHERE ${visible} AND ports_scanned_at IS NOT NULL AND risk = 'none') AS r_none,
        (SELECT count(*) FROM devices WHERE ${visible} AND ports_scanned_at IS NOT NULL AND risk = 'low') AS r_low,
        (SELECT count(*) FROM devices WHERE ${visible} AND ports_scanned_at IS NOT NULL AND risk = 'medium') AS r_medium,
        (SELECT count(*) FROM devices WHERE ${visible} AND ports_scanned_at IS NOT NULL AND risk = 'high') AS r_high,
        (SELECT count(*) FROM devices WHERE ${visible} AND ports_scanned_at IS NOT NULL AND risk = 'critical') AS r_critical`),
      upsertHour: db.prepare(`INSERT INTO stats_rollups (${ROW_COLS})
        VALUES ('hour', @start, 1, @online, @online, @online, @online, @known, @new_devices, @open_ports, @f_low,
          @f_medium, @f_high, @f_critical, @r_unknown, @r_none, @r_low, @r_medium, @r_high, @r_critical)
        ON CONFLICT (granularity, start) DO UPDATE SET samples = samples + 1, ${ROLLUP_MERGE}`),
      upsertDay: db.prepare(`INSERT INTO stats_rollups (${ROW_COLS})
        VALUES ('day', @start, @samples, @online_min, @online_max, @online_sum, @online_last, @known, @new_devices,
          @open_ports, @f_low, @f_medium, @f_high, @f_critical, @r_unknown, @r_none, @r_low, @r_medium, @r_high,
          @r_critical)
        ON CONFLICT (granularity, start) DO UPDATE SET samples = samples + excluded.samples, ${ROLLUP_MERGE}`),
      oldHours: db
        .prepare(
          `SELECT ${ROW_COLS} FROM stats_rollups WHERE granularity = 'hour' AND start < ? ORDER BY start`,
        )
        .raw(true),
      deleteHours: db.prepare("DELETE FROM stats_rollups WHERE granularity = 'hour' AND start < ?"),
      deleteDays: db.prepare("DELETE FROM stats_rollups WHERE granularity = 'day' AND start < ?"),
      range: db
        .prepare(`SELECT ${ROW_COLS} FROM stats_rollups WHERE granularity = ? AND start >= ? ORDER BY start`)
        .raw(true),
      at: db
        .prepare(
          `SELECT ${ROW_COLS} FROM stats_rollups WHERE granularity = ? AND start <= ? ORDER BY start DESC LIMIT 1`,
        )
        .raw(true),
      count: db.prepare('SELECT granularity, count(*) AS n FROM stats_rollups GROUP BY granularity'),
    };
  }

  /** The inventory's figures now (ignored devices left out), one query. */
  snapshot(): StatsSnapshot {
    const r = this.stmts.snapshot.get() as Record<string, number>;
    return {
      online: r.online ?? 0,
      known: r.known ?? 0,
      openPorts: r.open_ports ?? 0,
      findings: {
        low: r.f_low ?? 0,
        medium: r.f_medium ?? 0,
        high: r.f_high ?? 0,
        critical: r.f_critical ?? 0,
      },
      risk: {
        unknown: r.r_unknown ?? 0,
        none: r.r_none ?? 0,
        low: r.r_low ?? 0,
        medium: r.r_medium ?? 0,
        high: r.r_high ?? 0,
        critical: r.r_critical ?? 0,
      },
    };
  }

  /**
   * Fold the figures now into the current hour (one snapshot query and one upsert), adding `newDevices`; when
   * the hour has rolled over, compact: hours past 7 days into days, days past ~13 months dropped.
   */
  record(now: Date, newDevices = 0, snapshot: StatsSnapshot = this.snapshot()): void {
    const t = Math.floor(now.getTime() / 1000);
    const start = t - (t % HOUR_S);
    const s = snapshot;
    this.stmts.upsertHour.run({
      start,
      online: s.online,
      known: s.known,
      new_devices: Math.max(0, Math.floor(newDevices)),
      open_ports: s.openPorts,
      f_low: s.findings.low,
      f_medium: s.findings.medium,
      f_high: s.findings.high,
      f_critical: s.findings.critical,
      r_unknown: s.risk.unknown,
      r_none: s.risk.none,
      r_low: s.risk.low,
      r_medium: s.risk.medium,
      r_high: s.risk.high,
      r_critical: s.risk.critical,
    });
    if (start !== this.lastCompactedHour) {
      this.lastCompactedHour = start;
      this.compact(now);
    }
  }

  private lastCompactedHour = -1;

  /** Hours older than 7 days become day rows; days older than DAILY_KEEP_S go. */
  compact(now: Date): void {
    const t = Math.floor(now.getTime() / 1000);
    // only whole days fold, so a day is never split between an hour tail and a day row being written
    const cutoff = Math.floor((t - HOURLY_KEEP_S) / DAY_S) * DAY_S;
    this.db.transaction(() => {
      const hours = (this.stmts.oldHours.all(cutoff) as unknown[][]).map(rowFromRaw);
      for (const day of foldIntoDays(hours)) this.stmts.upsertDay.run(rowParams(day));
      this.stmts.deleteHours.run(cutoff);
      this.stmts.deleteDays.run(t - DAILY_KEEP_S);
    })();
  }

  /** Rows of one granularity from `since` (Unix seconds) on, oldest first. */
  rows(granularity: 'hour' | 'day', since: number): RollupRow[] {
    return (this.stmts.range.all(granularity, since) as unknown[][]).map(rowFromRaw);
  }

  /** The latest row of a granularity at or before `t` (Unix seconds), or null. */
  rowAt(granularity: 'hour' | 'day', t: number): RollupRow | null {
    const r = this.stmts.at.get(granularity, t) as unknown[] | undefined;
    return r ? rowFromRaw(r) : null;
  }

  /** Write day rows as given (imports and benchmarks that lay down history). */
  putDays(rows: readonly RollupRow[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.stmts.upsertDay.run(rowParams(r));
    })();
  }

  /** Stored rows per granularity (for the storage figure and tests). */
  counts(): { hour: number; day: number } {
    const out = { hour: 0, day: 0 };
    for (const r of this.stmts.count.all() as Array<{ granularity: 'hour' | 'day'; n: number }>)
      out[r.granularity] = r.n;
    return out;
  }
}
