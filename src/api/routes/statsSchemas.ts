/** The wire contract of stats (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { TREND_METRICS } from '../../vocabulary.js';
import { isoTime, nullableIso } from '../wirePrimitives.js';

const severityCounts = z.object({
  low: z.number().int(),
  medium: z.number().int(),
  high: z.number().int(),
  critical: z.number().int(),
});

export const statsSummarySchema = z.object({
  generated_at: isoTime,
  devices_known: z.number().int(),
  devices_online: z.number().int(),
  /** not yet acknowledged */
  devices_new: z.number().int(),
  /** first seen in the last 24 h / 7 days (from the rollups) */
  new_devices_24h: z.number().int(),
  new_devices_7d: z.number().int(),
  /** online over the last 24 h: lowest, highest, average of the samples */
  online_24h: z.object({ min: z.number().int(), max: z.number().int(), avg: z.number() }).nullable(),
  open_ports: z.number().int(),
  /** active findings by severity */
  findings: severityCounts,
  /** devices by risk; `unknown` = never port-scanned */
  risk: z.object({
    unknown: z.number().int(),
    none: z.number().int(),
    low: z.number().int(),
    medium: z.number().int(),
    high: z.number().int(),
    critical: z.number().int(),
  }),
  kinds: z.array(z.object({ kind: z.string(), count: z.number().int() })),
  last_scan_at: nullableIso,
});
export type StatsSummaryJson = z.infer<typeof statsSummarySchema>;

export const trendsQuery = z
  .object({
    metric: z.enum(TREND_METRICS),
    days: z.coerce
      .number()
      .int()
      .min(1, { message: 'must be 1 to 400 days' })
      .max(400, { message: 'must be 1 to 400 days' })
      .default(7),
    /** default: hour for windows up to 7 days, day beyond */
    granularity: z.enum(['hour', 'day']).optional(),
  })
  .strict();
export type TrendsQuery = z.infer<typeof trendsQuery>;

export const trendsSchema = z.object({
  metric: z.enum(TREND_METRICS),
  days: z.number().int(),
  granularity: z.enum(['hour', 'day']),
  /** the value keys of every point, e.g. avg/min/max or low/medium/high/critical */
  keys: z.array(z.string()),
  points: z.array(z.object({ t: isoTime, values: z.record(z.string(), z.number()) })),
});
export type TrendsJson = z.infer<typeof trendsSchema>;
