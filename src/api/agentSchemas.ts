/** Wire shapes of the satellite-agent API (DESIGN §16); zod only, so the UI can import the types. */
import { z } from 'zod';

export const agentSchema = z.object({
  id: z.string(),
  configured: z.boolean().describe('listed in option agents (results from other ids are refused)'),
  online: z.boolean(),
  health: z.enum(['online', 'offline', 'stale', 'unknown']),
  first_seen: z.string().nullable(),
  last_heartbeat: z.string().nullable(),
  last_sweep: z.string().nullable(),
  last_result: z.string().nullable(),
  last_error: z.string().nullable(),
  last_refusal: z.string().nullable(),
  version: z.string().nullable(),
  subnets: z.array(z.string()),
  devices: z.number().int(),
  devices_online: z.number().int(),
  queue_pending: z.number().int(),
  queue_dropped: z.number().int(),
  results: z.number().int(),
  refused: z.number().int(),
});
export const agentListSchema = z.object({ items: z.array(agentSchema) });
export type AgentJson = z.infer<typeof agentSchema>;
export const agentParams = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'an agent id') });
export const acceptedSchema = z.object({ accepted: z.boolean(), agent: z.string() });
