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
import { DEVICE_KINDS } from '../inventory/kinds.js';
import { withoutControl } from '../util/textSchema.js';
import {
  CHANGE_TYPES,
  DEVICE_FILTERS,
  DEVICE_IDENTITIES,
  DEVICE_SORTS,
  FINDING_KINDS,
  HEALTH_PROBLEMS,
  HEALTH_STATUSES,
  RISK_LEVELS,
  SEVERITIES,
} from '../vocabulary.js';
import { scanSchema } from './routes/scanSchemas.js';
import {
  deviceKeySchema,
  isoTime,
  KEY_SCOPES,
  type List,
  limitSchema,
  listOf,
  nullableIso,
  offsetSchema,
  orderSchema,
  SCAN_KINDS,
} from './wirePrimitives.js';

export * from './routes/alertSchemas.js';
export * from './routes/cveSchemas.js';
export * from './routes/findingSchemas.js';
export * from './routes/keySchemas.js';
export * from './routes/mapSchemas.js';
export * from './routes/scanSchemas.js';
export * from './routes/statsSchemas.js';
export * from './routes/webhookSchemas.js';
export * from './wirePrimitives.js';
export { FINDING_KINDS };

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

export const errorIssueSchema = z.object({ path: z.string(), message: z.string() });
export const errorSchema = z.object({
  error: z
    .string()
    .describe(
      'machine code: bad_request, unauthorized, forbidden, not_found, conflict, payload_too_large, rate_limited, unavailable, insufficient_storage, internal; POST api/devices/:mac/wake adds no_ipv4, no_subnet, send_failed (503)',
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
  /** nmap's device type for the service ("webcam", "printer", …) */
  devicetype: z.string().nullable(),
  /** web page title (nmap http-title) */
  http_title: z.string().nullable(),
  /** HTTP Server header (nmap http-server-header) */
  http_server: z.string().nullable(),
});
export type DevicePortJson = z.infer<typeof devicePortSchema>;

export const deviceSchema = z.object({
  mac: z
    .string()
    .describe(
      "the device's key: its MAC (lowercase aa:bb:cc:dd:ee:ff), or ip_<a>_<b>_<c>_<d> for a device identified by IP",
    ),
  identified_by: z
    .enum(DEVICE_IDENTITIES)
    .describe(
      '"mac", or "ip": a host on a routed subnet whose MAC cannot be learned, known only by its address (it becomes the MAC\'s device once the MAC is learned)',
    ),
  ip: z.string().nullable(),
  ipv6_addresses: z
    .array(z.string())
    .describe('IPv6 addresses found by NDP discovery: global, unique-local, then link-local; [] when none'),
  hostname: z.string().nullable(),
  /** user-given name */
  name: z.string().nullable(),
  /** name > hostname > short vendor + kind + IP tail ("Hikvision camera .30") > short vendor + MAC tail > MAC */
  display_name: z.string(),
  vendor: z.string().nullable(),
  /** kind as shown: the user's override, else the pattern table's guess; null = unknown */
  kind: z.enum(DEVICE_KINDS).nullable(),
  /** "Camera" */
  kind_label: z.string().nullable(),
  /** Material Design icon name, e.g. "mdi:cctv" */
  kind_icon: z.string(),
  /** confidence of the guess 0-100 (100 when the user set the kind) */
  kind_confidence: z.number().int(),
  /** "user" when the user set it, "guess" from the pattern table, null when unknown */
  kind_source: z.enum(['user', 'guess']).nullable(),
  /** what the guess rests on */
  kind_reasons: z.array(z.string()),
  /** the pattern table's own guess, even when the user overrode it */
  kind_guess: z.enum(DEVICE_KINDS).nullable(),
  randomized: z.boolean(),
  online: z.boolean(),
  presence: z.enum(['home', 'not_home']),
  /** the evidence of the last presence decision (sweep answer, confirmation probe, passive sighting, unanswered probes) */
  presence_reason: z.string().nullable(),
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
    /** kind as shown; `unknown` = devices without one */
    kind: z.enum([...DEVICE_KINDS, 'unknown']).optional(),
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
    name: withoutControl(z.string().trim().max(64, { message: 'must be at most 64 characters' }))
      .nullable()
      .optional(),
    known: z.boolean().optional(),
    watched: z.boolean().optional(),
    ignored: z.boolean().optional(),
    notes: withoutControl(z.string().max(2000, { message: 'must be at most 2000 characters' }), true)
      .nullable()
      .optional(),
    consider_home: z
      .number()
      .int()
      .min(1, { message: 'must be between 1 and 86400 seconds, or null for the global value' })
      .max(86400, { message: 'must be between 1 and 86400 seconds, or null for the global value' })
      .nullable()
      .optional(),
    /** set the device's kind (wins over the guess); null = back to the guess */
    kind: z.enum(DEVICE_KINDS).nullable().optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).length > 0, {
    message: 'give at least one of name, known, watched, ignored, notes, consider_home, kind',
  });
export type DevicePatch = z.infer<typeof devicePatchSchema>;

export const deviceDeletedSchema = z.object({ mac: z.string(), forgotten: z.literal(true) });
/** POST api/devices/:mac/wake: the magic packet and where it went */
export const wakeSentSchema = z.object({
  address: z.string(),
  port: z.number().int(),
  ok: z.boolean(),
  error: z.string().optional(),
});
export const wakeResultSchema = z.object({
  mac: z.string(),
  ip: z.string(),
  /** the configured subnet whose broadcast address was used (null: the agent's, which it has not reported yet) */
  subnet: z.string().nullable(),
  /** the satellite agent that sends the packet on its own LAN (a device only it sees, DESIGN §16) */
  agent: z.string().optional(),
  /** the magic packet in hex: 6 × ff then the MAC 16 times */
  packet: z.string(),
  /** one entry per target (subnet broadcast, 255.255.255.255), at least one ok; empty when an agent sends it */
  sent: z.array(wakeSentSchema),
  message: z.string(),
});
export type WakeResultJson = z.infer<typeof wakeResultSchema>;
/** POST api/devices/trust-install: the install-baseline devices just marked known */
export const trustInstallSchema = z.object({ trusted: z.number().int(), macs: z.array(z.string()) });

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
    mac: deviceKeySchema.optional(),
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

export const kindListSchema = z.object({
  items: z.array(
    z.object({
      kind: z.enum([...DEVICE_KINDS, 'unknown']),
      label: z.string(),
      icon: z.string(),
      count: z.number().int(),
    }),
  ),
});
export type KindListJson = z.infer<typeof kindListSchema>;
export const deviceHistoryQuery = z
  .object({
    since: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time with timezone' }).optional(),
    limit: limitSchema,
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// Server-Sent Events (`api/events`): event name → JSON data
// ---------------------------------------------------------------------------------------------------------

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
  z.object({ action: z.literal('removed'), mac: z.string(), reason: z.enum(['forgotten', 'ignored']) }),
]);
export type SseDeviceJson = z.infer<typeof sseDeviceSchema>;
/** `event: change` → ChangeJson, `event: scan` → SseScanJson, `event: device` → SseDeviceJson,
 *  `event: finding` → FindingJson, `event: scanning` → {running}. Comments (`: ping`) every 15 s. */
