/**
 * The HTTP API's wire contract (DESIGN §9): zod schemas for every path parameter, query, request body and
 * response body, plus the TypeScript types inferred from them. The UI (frontend-card/src/app) codes against
 * these types; the OpenAPI document (`api/openapi.json`) is generated from these schemas.
 *
 * Conventions: JSON keys are snake_case (mirroring the MQTT device state where they overlap), times are
 * ISO-8601 strings with a timezone, absent values are `null` (never missing), lists use the envelope
 * `{ items, total, limit, offset }`, errors are `{ error, message, issues? }`.
 */
import { z } from 'zod';
import {
  ALERT_CHANNELS,
  ALERT_RULE_EVENTS,
  CHANGE_TYPES,
  DEVICE_FILTERS,
  DEVICE_SORTS,
  FINDING_KINDS,
  RISK_LEVELS,
  SEVERITIES,
} from '../vocabulary.js';

// ---------------------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------------------

export const KEY_SCOPES = ['read', 'admin'] as const;
export const SCAN_KINDS = ['sweep', 'ports'] as const;
export const SCAN_STATUSES = ['running', 'finished', 'failed'] as const;

const isoTime = z.string().describe('ISO-8601 time with timezone');
const nullableIso = isoTime.nullable();

/**
 * A MAC address in any common spelling (`AA:BB:CC:DD:EE:FF`, `aa-bb-cc-dd-ee-ff`, `aabbccddeeff`,
 * `aabb.ccdd.eeff`), normalised to lowercase `aa:bb:cc:dd:ee:ff`.
 */
export const macSchema = z
  .string()
  .trim()
  .regex(
    /^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$|^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/,
    {
      message: 'must be a MAC address such as aa:bb:cc:dd:ee:ff or aabbccddeeff',
    },
  )
  .transform((s) =>
    s
      .replace(/[^0-9A-Fa-f]/g, '')
      .toLowerCase()
      .replace(/(..)(?!$)/g, '$1:'),
  );

/** A positive integer id from a path segment. */
export const idSchema = z.coerce
  .number({ message: 'must be a positive integer id such as 42' })
  .int({ message: 'must be a positive integer id such as 42' })
  .positive({ message: 'must be a positive integer id such as 42' });

export const macParams = z.object({ mac: macSchema }).strict();
export const idParams = z.object({ id: idSchema }).strict();
export const compareParams = z.object({ a: idSchema, b: idSchema }).strict();

const limitSchema = z.coerce
  .number()
  .int()
  .min(1, { message: 'must be between 1 and 500' })
  .max(500, { message: 'must be between 1 and 500' })
  .default(100);
const offsetSchema = z.coerce.number().int().min(0, { message: 'must be 0 or more' }).default(0);
const orderSchema = z.enum(['asc', 'desc']);
const boolQuery = z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1');

export const pageQuery = z.object({ limit: limitSchema, offset: offsetSchema });

/** The list envelope used by every growing list. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}
export interface List<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

export const errorIssueSchema = z.object({ path: z.string(), message: z.string() });
export const errorSchema = z.object({
  error: z
    .string()
    .describe(
      'machine code: bad_request, unauthorized, forbidden, not_found, conflict, payload_too_large, rate_limited, unavailable, internal',
    ),
  message: z.string(),
  issues: z.array(errorIssueSchema).optional(),
});
export type ApiErrorBody = z.infer<typeof errorSchema>;
export type ApiErrorIssue = z.infer<typeof errorIssueSchema>;

// ---------------------------------------------------------------------------------------------------------
// Health and settings
// ---------------------------------------------------------------------------------------------------------

export const scannerStatusSchema = z.object({
  running: z.boolean(),
  kind: z.string().nullable(),
  queue: z.number().int(),
});
export type ScannerStatusJson = z.infer<typeof scannerStatusSchema>;

export const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  mode: z.enum(['standalone', 'addon']),
  uptime_s: z.number(),
  time: isoTime,
  scanner: scannerStatusSchema,
  devices: z.object({ total: z.number().int(), online: z.number().int(), new: z.number().int() }),
  last_scan: z.lazy(() => scanSchema).nullable(),
  /** Who the server thinks the caller is (lets the UI hide admin controls for read keys). */
  auth: z.object({ actor: z.string(), kind: z.string(), scope: z.enum(KEY_SCOPES) }),
});
export type HealthJson = z.infer<typeof healthSchema>;

export const settingsSchema = z.object({
  version: z.string(),
  mode: z.enum(['standalone', 'addon']),
  require_api_key: z.boolean(),
  trust_loopback: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
});
export type SettingsJson = z.infer<typeof settingsSchema>;

// ---------------------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------------------

export const devicePortSchema = z.object({
  protocol: z.enum(['tcp', 'udp']),
  port: z.number().int(),
  service: z.string().nullable(),
  product: z.string().nullable(),
  version: z.string().nullable(),
  extrainfo: z.string().nullable(),
  cpe: z.array(z.string()),
  first_seen: nullableIso,
  last_seen: nullableIso,
});
export type DevicePortJson = z.infer<typeof devicePortSchema>;

export const deviceSchema = z.object({
  mac: z.string().describe('lowercase aa:bb:cc:dd:ee:ff'),
  ip: z.string().nullable(),
  hostname: z.string().nullable(),
  /** user-given name */
  name: z.string().nullable(),
  /** name > hostname > vendor + MAC tail > MAC */
  display_name: z.string(),
  vendor: z.string().nullable(),
  randomized: z.boolean(),
  online: z.boolean(),
  presence: z.enum(['home', 'not_home']),
  first_seen: isoTime,
  last_seen: isoTime,
  known: z.boolean(),
  watched: z.boolean(),
  ignored: z.boolean(),
  is_new: z.boolean(),
  notes: z.string().nullable(),
  /** per-device consider_home override in seconds; null = global option */
  consider_home: z.number().int().nullable(),
  open_ports: z.number().int(),
  ports: z.array(devicePortSchema),
  ports_scanned_at: nullableIso,
  risk: z.enum(RISK_LEVELS),
  risk_score: z.number(),
  /** active findings on this device */
  findings: z.number().int(),
});
export type DeviceJson = z.infer<typeof deviceSchema>;


export const deviceListQuery = z
  .object({
    filter: z.enum(DEVICE_FILTERS).default('all'),
    /** free-text search over name, hostname, ip, mac, vendor, notes (case-insensitive substring) */
    q: z.string().max(200).optional(),
    vendor: z.string().max(200).optional(),
    sort: z.enum(DEVICE_SORTS).default('name'),
    order: orderSchema.default('asc'),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type DeviceListQuery = z.infer<typeof deviceListQuery>;
export const deviceListSchema = listOf(deviceSchema);
export type DeviceListJson = List<DeviceJson>;

export const devicePatchSchema = z
  .object({
    name: z.string().trim().max(64, { message: 'must be at most 64 characters' }).nullable().optional(),
    known: z.boolean().optional(),
    watched: z.boolean().optional(),
    ignored: z.boolean().optional(),
    notes: z.string().max(2000, { message: 'must be at most 2000 characters' }).nullable().optional(),
    consider_home: z
      .number()
      .int()
      .min(1, { message: 'must be between 1 and 86400 seconds, or null for the global value' })
      .max(86400, { message: 'must be between 1 and 86400 seconds, or null for the global value' })
      .nullable()
      .optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).length > 0, {
    message: 'give at least one of name, known, watched, ignored, notes, consider_home',
  });
export type DevicePatch = z.infer<typeof devicePatchSchema>;

export const deviceDeletedSchema = z.object({ mac: z.string(), forgotten: z.literal(true) });

// ---------------------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------------------

export const changeSchema = z.object({
  id: z.number().int().nullable(),
  type: z.enum(CHANGE_TYPES),
  mac: z.string().nullable(),
  ip: z.string().nullable(),
  name: z.string().nullable(),
  vendor: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  message: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  time: isoTime,
  scan_id: z.number().int().nullable(),
  acknowledged: z.boolean(),
});
export type ChangeJson = z.infer<typeof changeSchema>;

export const changeListQuery = z
  .object({
    type: z.enum(CHANGE_TYPES).optional(),
    mac: macSchema.optional(),
    min_severity: z.enum(SEVERITIES).optional(),
    since: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time with timezone' }).optional(),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type ChangeListQuery = z.infer<typeof changeListQuery>;
export const changeListSchema = listOf(changeSchema);

// ---------------------------------------------------------------------------------------------------------
// Device history
// ---------------------------------------------------------------------------------------------------------

export const ipHistoryEntrySchema = z.object({ ip: z.string(), first_seen: isoTime, last_seen: isoTime });
export const presenceEntrySchema = z.object({ time: isoTime, online: z.boolean() });
export const portHistoryEntrySchema = z.object({
  time: isoTime,
  protocol: z.enum(['tcp', 'udp']),
  port: z.number().int(),
  event: z.enum(['opened', 'closed', 'service_changed']),
  service: z.string().nullable(),
  product: z.string().nullable(),
  version: z.string().nullable(),
});
export const deviceHistorySchema = z.object({
  mac: z.string(),
  ip_history: z.array(ipHistoryEntrySchema),
  presence: z.array(presenceEntrySchema),
  ports: z.array(portHistoryEntrySchema),
  changes: z.array(changeSchema),
});
export type DeviceHistoryJson = z.infer<typeof deviceHistorySchema>;

export const vendorListSchema = z.object({
  items: z.array(z.object({ vendor: z.string(), count: z.number().int() })),
});
export type VendorListJson = z.infer<typeof vendorListSchema>;
export const deviceHistoryQuery = z
  .object({
    since: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time with timezone' }).optional(),
    limit: limitSchema,
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// Scans
// ---------------------------------------------------------------------------------------------------------

export const scanSchema = z.object({
  id: z.number().int(),
  kind: z.enum(SCAN_KINDS),
  status: z.enum(SCAN_STATUSES),
  reason: z.string().nullable(),
  targets: z.array(z.string()),
  started_at: isoTime,
  finished_at: nullableIso,
  duration_ms: z.number().nullable(),
  hosts_up: z.number().int().nullable(),
  hosts_total: z.number().int().nullable(),
  changes: z.number().int().nullable(),
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
export const scanDetailSchema = scanSchema.extend({ hosts: z.array(scanHostSchema) });
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
    reason: z.string().max(200).optional(),
  })
  .strict();
export type ScanRequest = z.infer<typeof scanRequestSchema>;
export const scanAcceptedSchema = z.object({
  queued: z.boolean(),
  scan_id: z.number().int().nullable(),
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

// ---------------------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------------------

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
});
export type FindingJson = z.infer<typeof findingSchema>;
export const findingListQuery = z
  .object({
    mac: macSchema.optional(),
    min_severity: z.enum(SEVERITIES).optional(),
    kind: z.enum(FINDING_KINDS).optional(),
    status: z.enum(['active', 'resolved', 'all']).default('active'),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type FindingListQuery = z.infer<typeof findingListQuery>;
export const findingListSchema = listOf(findingSchema);

// ---------------------------------------------------------------------------------------------------------
// Alerts and alert rules
// ---------------------------------------------------------------------------------------------------------

export const alertSchema = z.object({
  id: z.number().int(),
  rule_id: z.number().int().nullable(),
  rule_name: z.string().nullable(),
  /** change type or finding kind that fired */
  kind: z.string(),
  mac: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  message: z.string(),
  channels: z.array(z.string()),
  time: isoTime,
  acked: z.boolean(),
  acked_at: nullableIso,
  acked_by: z.string().nullable(),
});
export type AlertJson = z.infer<typeof alertSchema>;
export const alertListQuery = z
  .object({
    status: z.enum(['open', 'acked', 'all']).default('all'),
    mac: macSchema.optional(),
    min_severity: z.enum(SEVERITIES).optional(),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type AlertListQuery = z.infer<typeof alertListQuery>;
export const alertListSchema = listOf(alertSchema);

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time HH:MM such as 22:30' });
export const quietHoursSchema = z.object({ start: hhmm, end: hhmm }).strict();

/** What a rule matches: change types (DESIGN §5) or finding kinds (DESIGN §6). */

export const alertRuleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  enabled: z.boolean(),
  events: z.array(z.string()),
  min_severity: z.enum(SEVERITIES),
  channels: z.array(z.enum(ALERT_CHANNELS)),
  /** restrict to these devices (empty = every device) */
  macs: z.array(z.string()),
  quiet_hours: quietHoursSchema.nullable(),
  dedup_window_s: z.number().int(),
  created_at: isoTime,
  updated_at: isoTime,
});
export type AlertRuleJson = z.infer<typeof alertRuleSchema>;

const alertRuleFields = {
  name: z.string().trim().min(1, { message: 'must not be empty' }).max(100),
  enabled: z.boolean(),
  events: z
    .array(z.enum(ALERT_RULE_EVENTS))
    .min(1, { message: 'must list at least one change type or finding kind' })
    .max(64),
  min_severity: z.enum(SEVERITIES),
  channels: z.array(z.enum(ALERT_CHANNELS)).min(1, { message: 'must list at least one channel' }).max(8),
  macs: z.array(macSchema).max(256),
  quiet_hours: quietHoursSchema.nullable(),
  dedup_window_s: z
    .number()
    .int()
    .min(0, { message: 'must be between 0 and 604800 seconds' })
    .max(604800, { message: 'must be between 0 and 604800 seconds' }),
};
export const alertRuleCreateSchema = z
  .object({
    name: alertRuleFields.name,
    enabled: alertRuleFields.enabled.default(true),
    events: alertRuleFields.events,
    min_severity: alertRuleFields.min_severity.default('info'),
    channels: alertRuleFields.channels,
    macs: alertRuleFields.macs.default([]),
    quiet_hours: alertRuleFields.quiet_hours.default(null),
    dedup_window_s: alertRuleFields.dedup_window_s.default(3600),
  })
  .strict();
export type AlertRuleCreate = z.infer<typeof alertRuleCreateSchema>;
export const alertRulePatchSchema = z
  .object({
    name: alertRuleFields.name.optional(),
    enabled: alertRuleFields.enabled.optional(),
    events: alertRuleFields.events.optional(),
    min_severity: alertRuleFields.min_severity.optional(),
    channels: alertRuleFields.channels.optional(),
    macs: alertRuleFields.macs.optional(),
    quiet_hours: alertRuleFields.quiet_hours.optional(),
    dedup_window_s: alertRuleFields.dedup_window_s.optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).length > 0, { message: 'give at least one field to change' });
export type AlertRulePatch = z.infer<typeof alertRulePatchSchema>;
export const alertRuleListSchema = listOf(alertRuleSchema);

// ---------------------------------------------------------------------------------------------------------
// Webhooks and deliveries
// ---------------------------------------------------------------------------------------------------------

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
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(100),
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
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(100).optional(),
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

// ---------------------------------------------------------------------------------------------------------
// API keys and audit
// ---------------------------------------------------------------------------------------------------------

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
    name: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(64, { message: 'must be at most 64 characters' }),
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

export const ACTOR_KINDS = ['ingress', 'key', 'loopback', 'anonymous', 'system'] as const;
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
    since: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time with timezone' }).optional(),
    limit: limitSchema,
    offset: offsetSchema,
  })
  .strict();
export type AuditListQuery = z.infer<typeof auditListQuery>;
export const auditListSchema = listOf(auditEntrySchema);

// ---------------------------------------------------------------------------------------------------------
// Server-Sent Events (`api/events`): event name → JSON data
// ---------------------------------------------------------------------------------------------------------

export const sseScanSchema = z.object({
  phase: z.enum(['started', 'progress', 'finished', 'failed']),
  scan_id: z.number().int(),
  kind: z.enum(SCAN_KINDS),
  percent: z.number().nullable(),
  message: z.string().nullable(),
  hosts_up: z.number().int().nullable(),
  changes: z.number().int().nullable(),
  error: z.string().nullable(),
  time: isoTime,
});
export type SseScanJson = z.infer<typeof sseScanSchema>;
export const sseDeviceSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('updated'), mac: z.string(), device: deviceSchema }),
  z.object({ action: z.literal('removed'), mac: z.string(), reason: z.enum(['forgotten', 'ignored']) }),
]);
export type SseDeviceJson = z.infer<typeof sseDeviceSchema>;
/** `event: change` → ChangeJson, `event: scan` → SseScanJson, `event: device` → SseDeviceJson,
 *  `event: finding` → FindingJson, `event: scanning` → {running}. Comments (`: ping`) every 15 s. */
