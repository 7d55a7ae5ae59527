/** The wire contract of scans (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { PORT_PROFILES } from '../../scan/nmapArgs.js';
import { withoutControl } from '../../util/textSchema.js';
import {
  idSchema,
  isoTime,
  limitSchema,
  listOf,
  nullableIso,
  offsetSchema,
  SCAN_KINDS,
  SCAN_STATUSES,
} from '../wirePrimitives.js';

export const scanProgressSchema = z.object({
  /** hosts whose batch has finished (plus nmap's share of the running batch) */
  hosts_done: z.number().int(),
  hosts_total: z.number().int(),
  percent: z.number(),
  /** seconds left at the pace so far; null when not running or no pace yet */
  eta_seconds: z.number().int().nullable(),
  batches: z.number().int(),
  batches_done: z.number().int(),
  /** 1-based place in the queue while queued */
  queue_position: z.number().int().nullable(),
  message: z.string().nullable(),
});
export type ScanProgressJson = z.infer<typeof scanProgressSchema>;

export const scanSchema = z.object({
  id: z.number().int(),
  kind: z.enum(SCAN_KINDS),
  status: z.enum(SCAN_STATUSES),
  reason: z.string().nullable(),
  targets: z.array(z.string()),
  /** port profile of a port scan */
  profile: z.string().nullable(),
  /** when the request was made */
  started_at: isoTime,
  /** when its first nmap run began (null while queued) */
  run_started_at: nullableIso,
  finished_at: nullableIso,
  duration_ms: z.number().nullable(),
  hosts_up: z.number().int().nullable(),
  hosts_total: z.number().int().nullable(),
  changes: z.number().int().nullable(),
  /** scheduled sweeps that changed nothing, folded into this row (1 = this sweep alone) */
  sweeps: z.number().int(),
  progress: scanProgressSchema,
  error: z.string().nullable(),
});
export type ScanJson = z.infer<typeof scanSchema>;

export const scanHostSchema = z.object({
  mac: z.string().nullable(),
  ip: z.string(),
  hostname: z.string().nullable(),
  vendor: z.string().nullable(),
  ports: z.array(
    z.object({
      protocol: z.enum(['tcp', 'udp']),
      port: z.number().int(),
      state: z.string(),
      service: z.string().nullable(),
      product: z.string().nullable(),
      version: z.string().nullable(),
    }),
  ),
});
export type ScanHostJson = z.infer<typeof scanHostSchema>;
export const scanBatchSchema = z.object({
  seq: z.number().int(),
  targets: z.array(z.string()),
  status: z.enum(['queued', 'running', 'finished', 'failed']),
  started_at: nullableIso,
  finished_at: nullableIso,
  hosts_up: z.number().int().nullable(),
  error: z.string().nullable(),
});
export const scanDetailSchema = scanSchema.extend({
  batches: z.array(scanBatchSchema),
  /** the earlier scan this one compares with: same kind, same (or covering) targets */
  previous_id: z.number().int().nullable(),
  hosts: z.array(scanHostSchema),
});
export const scanHostResultSchema = z.object({
  scan_id: z.number().int(),
  ip: z.string(),
  /** queued/scanning: its batch has not finished; up/down: the result; failed: its batch failed */
  state: z.enum(['queued', 'scanning', 'up', 'down', 'failed']),
  batch: scanBatchSchema,
  host: scanHostSchema.nullable(),
});
export const scanHostParams = z
  .object({ id: idSchema, ip: z.ipv4({ message: 'must be an IPv4 address such as 192.168.1.20' }) })
  .strict();
export type ScanDetailJson = z.infer<typeof scanDetailSchema>;

export const scanListQuery = z
  .object({
    kind: z.enum(SCAN_KINDS).optional(),
    status: z.enum(SCAN_STATUSES).optional(),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export const scanListSchema = listOf(scanSchema);

export const scanRequestSchema = z
  .object({
    kind: z.enum(SCAN_KINDS).default('sweep'),
    /** IPv4 addresses / CIDRs inside the configured subnets (default: all of them / every online device) */
    targets: z.array(z.string().max(43)).min(1).max(256).optional(),
    /** port profile of a port scan (default: the configured one) */
    profile: z.enum(PORT_PROFILES).optional(),
    reason: withoutControl(z.string().max(200)).optional(),
  })
  .strict();
export type ScanRequest = z.infer<typeof scanRequestSchema>;
export const scanAcceptedSchema = z.object({
  queued: z.boolean(),
  /** an identical request was already waiting: this is its scan */
  coalesced: z.boolean(),
  scan_id: z.number().int(),
  /** relative URL of the scan (also in the Location header) */
  location: z.string(),
  queue_position: z.number().int().nullable(),
  message: z.string(),
});
export type ScanAcceptedJson = z.infer<typeof scanAcceptedSchema>;

const hostRef = z.object({
  mac: z.string().nullable(),
  ip: z.string().nullable(),
  hostname: z.string().nullable(),
  vendor: z.string().nullable(),
});
const portRef = hostRef.extend({
  protocol: z.enum(['tcp', 'udp']),
  port: z.number().int(),
  service: z.string().nullable(),
  product: z.string().nullable(),
  version: z.string().nullable(),
});
const serviceVersion = z.object({
  service: z.string().nullable(),
  product: z.string().nullable(),
  version: z.string().nullable(),
});
export const compareSchema = z.object({
  a: scanSchema,
  b: scanSchema,
  new_hosts: z.array(hostRef),
  removed_hosts: z.array(hostRef),
  new_ports: z.array(portRef),
  removed_ports: z.array(portRef),
  service_changes: z.array(
    hostRef.extend({
      protocol: z.enum(['tcp', 'udp']),
      port: z.number().int(),
      before: serviceVersion,
      after: serviceVersion,
    }),
  ),
});
export type CompareJson = z.infer<typeof compareSchema>;
