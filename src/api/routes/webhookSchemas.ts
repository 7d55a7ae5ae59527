/** The wire contract of webhooks and deliveries (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { withoutControl } from '../../util/textSchema.js';
import { ALERT_RULE_EVENTS } from '../../vocabulary.js';
import { isoTime, listOf, nullableIso } from '../wirePrimitives.js';

export const webhookSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  events: z.array(z.string()),
  /** a signing secret is configured (the secret itself is never returned) */
  has_secret: z.boolean(),
  created_at: isoTime,
  updated_at: isoTime,
  last_delivery_at: nullableIso,
  last_status: z.string().nullable(),
  /** latest deliveries that failed in a row (each after all its retries) */
  consecutive_failures: z.number().int(),
  /** true after WEBHOOK_GIVE_UP failed deliveries in a row: alerts are no longer sent until a test succeeds */
  suspended: z.boolean(),
  /** what the UI shows, e.g. "gave up after 5 failed deliveries in a row (last: HTTP 500) …" */
  warning: z.string().nullable(),
});
export type WebhookJson = z.infer<typeof webhookSchema>;

const webhookUrl = z
  .string()
  .max(2048)
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL without credentials, such as https://example.org/hook' },
  );
const webhookSecret = z
  .string()
  .min(16, { message: 'must be 16 to 256 characters' })
  .max(256, { message: 'must be 16 to 256 characters' });
const webhookEvents = z.array(z.enum(ALERT_RULE_EVENTS)).max(64);

export const webhookCreateSchema = z
  .object({
    name: withoutControl(z.string().trim().min(1, { message: 'must not be empty' }).max(100)),
    url: webhookUrl,
    enabled: z.boolean().default(true),
    /** empty = every event */
    events: webhookEvents.default([]),
    secret: webhookSecret.nullable().optional(),
  })
  .strict();
export type WebhookCreate = z.infer<typeof webhookCreateSchema>;
export const webhookPatchSchema = z
  .object({
    name: withoutControl(z.string().trim().min(1, { message: 'must not be empty' }).max(100)).optional(),
    url: webhookUrl.optional(),
    enabled: z.boolean().optional(),
    events: webhookEvents.optional(),
    /** null removes the secret */
    secret: webhookSecret.nullable().optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).length > 0, { message: 'give at least one field to change' });
export type WebhookPatch = z.infer<typeof webhookPatchSchema>;
export const webhookListSchema = listOf(webhookSchema);

export const deliverySchema = z.object({
  id: z.number().int(),
  webhook_id: z.number().int(),
  event: z.string(),
  status: z.enum(['pending', 'ok', 'failed']),
  http_status: z.number().int().nullable(),
  attempts: z.number().int(),
  error: z.string().nullable(),
  created_at: isoTime,
  finished_at: nullableIso,
});
export type DeliveryJson = z.infer<typeof deliverySchema>;
export const deliveryListSchema = listOf(deliverySchema);
