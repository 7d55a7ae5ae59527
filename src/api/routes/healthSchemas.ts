/** The wire contract of `api/health` and `api/settings` (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { HEALTH_PROBLEMS, HEALTH_STATUSES } from '../../vocabulary.js';
import { isoTime, KEY_SCOPES } from '../wirePrimitives.js';
import { scanSchema } from './scanSchemas.js';

export const scannerStatusSchema = z.object({
  running: z.boolean(),
  kind: z.string().nullable(),
  queue: z.number().int(),
});
export type ScannerStatusJson = z.infer<typeof scannerStatusSchema>;

export const healthProblemSchema = z.object({
  kind: z.enum(HEALTH_PROBLEMS),
  message: z.string(),
  since: isoTime,
});
export type HealthProblemJson = z.infer<typeof healthProblemSchema>;

export const healthSchema = z.object({
  /** `degraded` while the last sweep failed or database writes fail; `problems` says why */
  status: z.enum(HEALTH_STATUSES),
  problems: z.array(healthProblemSchema),
  version: z.string(),
  mode: z.enum(['standalone', 'addon']),
  uptime_s: z.number(),
  time: isoTime,
  scanner: scannerStatusSchema,
  devices: z.object({ total: z.number().int(), online: z.number().int(), new: z.number().int() }),
  last_scan: z.lazy(() => scanSchema).nullable(),
  /** port scans (issue 14): when the last one ran, how many devices wait for their first, first-start state */
  port_scans: z
    .object({
      last_at: isoTime.nullable(),
      pending_devices: z.number().int(),
      queued_batches: z.number().int(),
      initial: z.enum(['pending', 'done', 'none']),
      next_retry_at: isoTime.nullable(),
    })
    .optional(),
  /** the install baseline: devices of a fresh install's first sweep, and how many are not trusted yet */
  install: z
    .object({
      state: z.enum(['pending', 'applied', 'existing']),
      baseline_at: isoTime.nullable(),
      baseline_devices: z.number().int(),
      untrusted: z.number().int(),
    })
    .optional(),
  /** Who the server thinks the caller is (lets the UI hide admin controls for read keys). */
  auth: z.object({ actor: z.string(), kind: z.string(), scope: z.enum(KEY_SCOPES) }),
});
export type HealthJson = z.infer<typeof healthSchema>;

export const settingsSchema = z.object({
  version: z.string(),
  mode: z.enum(['standalone', 'addon']),
  require_api_key: z.boolean(),
  /** how a caller that is not HA ingress signs in: a browser session from the login link, or API keys only */
  sign_in: z.enum(['ingress', 'login_link', 'api_key']),
  settings: z.record(z.string(), z.unknown()),
});
export type SettingsJson = z.infer<typeof settingsSchema>;
