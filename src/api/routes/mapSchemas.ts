/** The wire contract of network map (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { DEVICE_KINDS } from '../../inventory/kinds.js';
import { RISK_LEVELS } from '../../vocabulary.js';
import { isoTime } from '../wirePrimitives.js';

export const mapNodeSchema = z.object({
  id: z.string(),
  type: z.enum(['gateway', 'subnet', 'agent', 'device']),
  label: z.string(),
  /** devices: their subnet's node id; subnets: the agent that scans them */
  parent: z.string().nullable(),
  ip: z.string().nullable(),
  mac: z.string().nullable(),
  kind: z.enum(DEVICE_KINDS).nullable(),
  /** devices: risk level or `unknown` before the first port scan */
  risk: z.enum(RISK_LEVELS).nullable(),
  online: z.boolean().nullable(),
  devices: z.number().int().nullable(),
  devices_online: z.number().int().nullable(),
});

export const mapSchema = z.object({
  generated_at: isoTime,
  nodes: z.array(mapNodeSchema),
  links: z.array(z.object({ source: z.string(), target: z.string() })),
});
export type MapJson = z.infer<typeof mapSchema>;
export type MapNodeJson = z.infer<typeof mapNodeSchema>;
