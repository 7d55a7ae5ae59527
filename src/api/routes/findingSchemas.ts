/** The wire contract of findings (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { withoutControl } from '../../util/textSchema.js';
import { FINDING_KINDS, SEVERITIES } from '../../vocabulary.js';
import {
  deviceKeySchema,
  isoTime,
  limitSchema,
  listOf,
  nullableIso,
  offsetSchema,
} from '../wirePrimitives.js';

export const findingSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  mac: z.string(),
  device_name: z.string().nullable(),
  kind: z.enum(FINDING_KINDS),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  detail: z.string(),
  remediation: z.string(),
  port: z.number().int().nullable(),
  protocol: z.enum(['tcp', 'udp']).nullable(),
  cve: z.string().nullable(),
  cvss: z.number().nullable(),
  known_exploited: z.boolean(),
  confidence: z.number(),
  first_seen: isoTime,
  last_seen: isoTime,
  resolved_at: nullableIso,
  active: z.boolean(),
  /** remediation group within the device ("cve:apache_httpd@2.4.49", or the finding's own key) */
  group: z.string(),
  /** CVE findings: server part, or an optional module ("only if <part> is enabled", lower confidence) */
  component: z.enum(['server', 'client', 'module']).nullable(),
  part: z.string().nullable(),
  product: z.string().nullable(),
  version: z.string().nullable(),
  fixed: z.string().nullable(),
  /** the accept (mute) in force, or null */
  accepted: z
    .object({
      id: z.number().int(),
      reason: z.string(),
      expires_at: nullableIso,
      by: z.string(),
      at: z.string(),
    })
    .nullable(),
});
export type FindingJson = z.infer<typeof findingSchema>;

export const findingGroupSchema = z.object({
  key: z.string(),
  mac: z.string(),
  device_name: z.string().nullable(),
  kind: z.enum(FINDING_KINDS),
  title: z.string(),
  remediation: z.string(),
  severity: z.enum(SEVERITIES),
  cvss_max: z.number().nullable(),
  cve_count: z.number().int(),
  known_exploited_count: z.number().int(),
  product: z.string().nullable(),
  product_name: z.string().nullable(),
  version: z.string().nullable(),
  fix_version: z.string().nullable(),
  /** every finding of the group is accepted (muted) */
  accepted: z.boolean(),
  accepted_count: z.number().int(),
  findings: z.array(findingSchema),
});
export type FindingGroupJson = z.infer<typeof findingGroupSchema>;
export const findingGroupListQuery = z
  .object({
    mac: deviceKeySchema.optional(),
    min_severity: z.enum(SEVERITIES).optional(),
    /** include accepted groups (listed after the open ones) */
    accepted: z.enum(['include', 'exclude', 'only']).default('include'),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type FindingGroupListQuery = z.infer<typeof findingGroupListQuery>;
export const findingGroupListSchema = listOf(findingGroupSchema);

export const ACCEPT_REASON_MAX = 500;
export const acceptCreateSchema = z
  .object({
    mac: deviceKeySchema,
    scope: z.enum(['finding', 'group']),
    /** the finding key ("cve:CVE-2021-41773:tcp/80") or group key ("cve:apache_httpd@2.4.49") */
    target: z.string().min(1).max(200),
    reason: withoutControl(
      z.string().trim().min(1, { message: 'say why (1 to 500 characters)' }).max(ACCEPT_REASON_MAX),
      true,
    ),
    /** ISO time in the future; absent = until the product version changes */
    expires_at: isoTime.optional(),
  })
  .strict();
export type AcceptCreate = z.infer<typeof acceptCreateSchema>;
export const acceptSchema = z.object({
  id: z.number().int(),
  mac: z.string(),
  scope: z.enum(['finding', 'group']),
  target: z.string(),
  version: z.string().nullable(),
  reason: z.string(),
  expires_at: nullableIso,
  created_at: isoTime,
  created_by: z.string(),
  revoked_at: nullableIso,
});
export type AcceptJson = z.infer<typeof acceptSchema>;
export const acceptListSchema = listOf(acceptSchema);
export const acceptListQuery = z.object({ mac: deviceKeySchema.optional() }).strict();
export const PORT_KEY = /^(tcp|udp)\/([1-9]\d{0,4})$/;
const portKeySchema = z
  .string()
  .regex(PORT_KEY, { message: 'expected "tcp/<port>" or "udp/<port>", e.g. "tcp/22"' })
  .refine((k) => Number(k.split('/')[1]) <= 65535, { message: 'port must be 1 to 65535' });
export const expectedPortsPutSchema = z
  .union([
    z.object({ ports: z.array(portKeySchema).max(1000, { message: 'at most 1000 ports' }) }).strict(),
    /** "accept what is open now" */
    z.object({ from_current: z.literal(true) }).strict(),
  ])
  .describe('either {"ports": ["tcp/22", …]} or {"from_current": true}');
export type ExpectedPortsPut = z.infer<typeof expectedPortsPutSchema>;
export const expectedPortsSchema = z.object({
  mac: z.string(),
  /** null = not set: no port counts as unexpected */
  ports: z.array(z.string()).nullable(),
  updated_at: nullableIso,
});
/** What ssl-cert / ssl-enum-ciphers saw on one TLS port of a device (its last port scan). */
export const tlsFactSchema = z.object({
  protocol: z.enum(['tcp', 'udp']),
  port: z.number().int(),
  subject: z.string().nullable(),
  issuer: z.string().nullable(),
  not_before: nullableIso,
  not_after: nullableIso,
  self_signed: z.boolean(),
  san: z.string().nullable(),
  protocols: z.array(z.string()),
  /** weak protocols and cipher suites offered */
  weak: z.array(z.string()),
  scanned_at: isoTime,
});
export type TlsFactJson = z.infer<typeof tlsFactSchema>;
export const tlsFactListSchema = z.object({ mac: z.string(), items: z.array(tlsFactSchema) });
export const acceptIdParams = z.object({ id: z.coerce.number().int().min(1) }).strict();
export const findingListQuery = z
  .object({
    mac: deviceKeySchema.optional(),
    min_severity: z.enum(SEVERITIES).optional(),
    kind: z.enum(FINDING_KINDS).optional(),
    status: z.enum(['active', 'resolved', 'all']).default('active'),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type FindingListQuery = z.infer<typeof findingListQuery>;
export const findingListSchema = listOf(findingSchema);
