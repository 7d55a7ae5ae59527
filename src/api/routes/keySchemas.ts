/** The wire contract of api keys and audit (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { withoutControl } from '../../util/textSchema.js';
import {
  boolQuery,
  isoTime,
  isoTimeQuery,
  KEY_SCOPES,
  limitSchema,
  listOf,
  nullableIso,
  offsetSchema,
} from '../wirePrimitives.js';

export const apiKeySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  scope: z.enum(KEY_SCOPES),
  /** the first characters of the key (`lsk_` + 6), enough to recognise it, useless to an attacker */
  prefix: z.string(),
  created_at: isoTime,
  last_used_at: nullableIso,
  revoked_at: nullableIso,
});
export type ApiKeyJson = z.infer<typeof apiKeySchema>;
export const apiKeyCreateSchema = z
  .object({
    name: withoutControl(
      z
        .string()
        .trim()
        .min(1, { message: 'must not be empty' })
        .max(64, { message: 'must be at most 64 characters' }),
    ),
    scope: z.enum(KEY_SCOPES),
  })
  .strict();
export type ApiKeyCreate = z.infer<typeof apiKeyCreateSchema>;
/** Returned once by POST /api/keys: the secret is never shown again (only its SHA-256 is stored). */
export const apiKeyCreatedSchema = apiKeySchema.extend({ secret: z.string() });
export type ApiKeyCreatedJson = z.infer<typeof apiKeyCreatedSchema>;
export const apiKeyListQuery = z
  .object({ include_revoked: boolQuery.default(false), limit: limitSchema, offset: offsetSchema })
  .strict();
export const apiKeyListSchema = listOf(apiKeySchema);

export const ACTOR_KINDS = ['ingress', 'key', 'session', 'cli', 'loopback', 'anonymous', 'system'] as const;
export const auditEntrySchema = z.object({
  id: z.number().int(),
  time: isoTime,
  /** ingress user name, key name, "loopback" or "system" */
  actor: z.string(),
  actor_kind: z.enum(ACTOR_KINDS),
  /** e.g. key.use, device.update, device.forget, alert_rule.create, webhook.delete, key.revoke, auth.fail */
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z.unknown().nullable(),
});
export type AuditEntryJson = z.infer<typeof auditEntrySchema>;
export const auditListQuery = z
  .object({
    actor: z.string().max(200).optional(),
    action: z.string().max(100).optional(),
    target: z.string().max(200).optional(),
    since: isoTimeQuery.optional(),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type AuditListQuery = z.infer<typeof auditListQuery>;
export const auditListSchema = listOf(auditEntrySchema);
