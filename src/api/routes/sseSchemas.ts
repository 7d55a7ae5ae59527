/** The wire contract of `api/events` (Server-Sent Events: event name → JSON data); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { isoTime, SCAN_KINDS } from '../wirePrimitives.js';
import { deviceSchema } from './deviceSchemas.js';

export const sseScanSchema = z.object({
  phase: z.enum(['started', 'progress', 'finished', 'failed']),
  scan_id: z.number().int(),
  kind: z.enum(SCAN_KINDS),
  percent: z.number().nullable(),
  message: z.string().nullable(),
  hosts_done: z.number().int().nullable(),
  hosts_total: z.number().int().nullable(),
  eta_seconds: z.number().int().nullable(),
  hosts_up: z.number().int().nullable(),
  changes: z.number().int().nullable(),
  /** a quiet scheduled sweep folded into this earlier scan record */
  collapsed_into: z.number().int().nullable(),
  error: z.string().nullable(),
  time: isoTime,
});
export type SseScanJson = z.infer<typeof sseScanSchema>;
export const sseDeviceSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('updated'), mac: z.string(), device: deviceSchema }),
  z.object({
    action: z.literal('removed'),
    mac: z.string(),
    reason: z.enum(['forgotten', 'ignored', 'merged']),
    into: z.string().optional().describe('reason merged: the device this one became part of'),
  }),
]);
export type SseDeviceJson = z.infer<typeof sseDeviceSchema>;
/** `event: change` → ChangeJson, `event: scan` → SseScanJson, `event: device` → SseDeviceJson,
 *  `event: finding` → FindingJson, `event: scanning` → {running}. Comments (`: ping`) every 15 s. */
