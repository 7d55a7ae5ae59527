/**
 * Trend series from rollup rows (pure): which rows a window needs, hour or day points, and the values each
 * metric shows. The API validates `metric`/`days` at the edge and hands typed values here.
 */
import { DAY_S, foldIntoDays, HOUR_S, HOURLY_KEEP_S, type RollupRow } from '../store/statsRepo.js';
import type { TrendMetric } from '../vocabulary.js';

export type { TrendMetric } from '../vocabulary.js';
export type Granularity = 'hour' | 'day';

export const TREND_MAX_DAYS = 400;

/** The value keys of each metric, in stacking order. */
export const TREND_KEYS: Record<TrendMetric, readonly string[]> = {
  devices_online: ['avg', 'min', 'max'],
  devices_known: ['value'],
  new_devices: ['value'],
  open_ports: ['value'],
  findings: ['low', 'medium', 'high', 'critical'],
  risk: ['unknown', 'none', 'low', 'medium', 'high', 'critical'],
};

export interface TrendPoint {
  /** bucket start, Unix seconds */
  t: number;
  values: Record<string, number>;
}

export interface TrendSeries {
  metric: TrendMetric;
  days: number;
  granularity: Granularity;
  keys: readonly string[];
  points: TrendPoint[];
}

/** Hours for windows up to 7 days (hour rows are kept that long), days beyond. */
export function defaultGranularity(days: number): Granularity {
  return days * DAY_S <= HOURLY_KEEP_S ? 'hour' : 'day';
}

function values(metric: TrendMetric, r: RollupRow): Record<string, number> {
  switch (metric) {
    case 'devices_online':
      return {
        avg: r.samples > 0 ? Math.round((r.onlineSum / r.samples) * 10) / 10 : r.onlineLast,
        min: r.onlineMin,
        max: r.onlineMax,
      };
    case 'devices_known':
      return { value: r.known };
    case 'new_devices':
      return { value: r.newDevices };
    case 'open_ports':
      return { value: r.openPorts };
    case 'findings':
      return {
        low: r.findingsLow,
        medium: r.findingsMedium,
        high: r.findingsHigh,
        critical: r.findingsCritical,
      };
    case 'risk':
      return {
        unknown: r.riskUnknown,
        none: r.riskNone,
        low: r.riskLow,
        medium: r.riskMedium,
        high: r.riskHigh,
        critical: r.riskCritical,
      };
  }
}

/** Where the window starts (Unix seconds), aligned to its granularity. */
export function windowStart(nowS: number, days: number, granularity: Granularity): number {
  const step = granularity === 'hour' ? HOUR_S : DAY_S;
  const from = nowS - days * DAY_S + step;
  return from - (from % step);
}

/**
 * A metric's points over the last `days`: hour rows as they are, or day rows with the recent hour rows folded
 * into days (the newest week lives in hour rows until it is compacted). Buckets without a row (the service was
 * not running) are absent, not zero.
 */
export function trendSeries(
  metric: TrendMetric,
  days: number,
  granularity: Granularity,
  rows: { hours: readonly RollupRow[]; days: readonly RollupRow[] },
  nowS: number,
): TrendSeries {
  const from = windowStart(nowS, days, granularity);
  let list: RollupRow[];
  if (granularity === 'hour') list = rows.hours.filter((r) => r.start >= from);
  else {
    const byDay = new Map<number, RollupRow>();
    for (const r of rows.days) if (r.start >= from) byDay.set(r.start, r);
    for (const d of foldIntoDays(rows.hours.filter((r) => r.start >= from))) {
      const old = byDay.get(d.start);
      // a day split between a compacted part and recent hours: combine like the compaction would
      byDay.set(d.start, old ? (foldIntoDays([{ ...old, granularity: 'hour' }, d])[0] ?? d) : d);
    }
    list = [...byDay.values()].sort((a, b) => a.start - b.start);
  }
  return {
    metric,
    days,
    granularity,
    keys: TREND_KEYS[metric],
    points: list.map((r) => ({ t: r.start, values: values(metric, r) })),
  };
}
