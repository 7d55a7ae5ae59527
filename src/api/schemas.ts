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
import { PORT_PROFILES } from '../scan/nmapArgs.js';
import { withoutControl } from '../util/textSchema.js';
import {
  ALERT_CHANNELS,
  ALERT_RULE_EVENTS,
  CHANGE_TYPES,
  DEVICE_FILTERS,
  DEVICE_SORTS,
  FINDING_KINDS,
  HEALTH_PROBLEMS,
  HEALTH_STATUSES,
  RISK_LEVELS,
  SEVERITIES,
} from '../vocabulary.js';

export { FINDING_KINDS };

// ---------------------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------------------

export const KEY_SCOPES = ['read', 'admin'] as const;
export const SCAN_KINDS = ['sweep', 'ports'] as const;
export const SCAN_STATUSES = ['queued', 'running', 'finished', 'failed'] as const;

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
  mac: z.string().describe('lowercase aa:bb:cc:dd:ee:ff'),
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
  /** the configured subnet whose broadcast address was used */
  subnet: z.string(),
  /** the magic packet in hex: 6 × ff then the MAC 16 times */
  packet: z.string(),
  /** one entry per target (subnet broadcast, 255.255.255.255); at least one is ok */
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
// Scans
// ---------------------------------------------------------------------------------------------------------

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
    mac: macSchema.optional(),
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
    mac: macSchema,
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
export const acceptListQuery = z.object({ mac: macSchema.optional() }).strict();
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

export const ALERT_DELIVERY_STATES = [
  'pending',
  'delivered',
  'partial',
  'failed',
  'not_sent',
  'held_back',
] as const;

export const alertSchema = z.object({
  id: z.number().int(),
  rule_id: z.number().int().nullable(),
  rule_name: z.string().nullable(),
  /** change type or finding kind that fired */
  kind: z.string(),
  mac: z.string().nullable(),
  /** the device's display name now (null when unknown or forgotten) */
  device_name: z.string().nullable(),
  /** the stored change that fired it (null for alerts from before this was recorded) */
  change_id: z.number().int().nullable(),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  message: z.string(),
  channels: z.array(z.string()),
  /**
   * delivered (every channel that had somewhere to send did), partial, failed, not_sent (no channel had anywhere
   * to deliver: no notify service, webhook or MQTT), held_back (quiet hours, flood limit), pending (in flight)
   */
  delivery: z.enum(ALERT_DELIVERY_STATES),
  channel_results: z.array(
    z.object({
      channel: z.string(),
      outcome: z.enum(['delivered', 'failed', 'skipped']),
      detail: z.string().nullable(),
    }),
  ),
  /** why it was held back (quiet_hours, flood_limit), else null */
  held_back: z.enum(['quiet_hours', 'flood_limit']).nullable(),
  error: z.string().nullable(),
  time: isoTime,
  acked: z.boolean(),
  acked_at: nullableIso,
  acked_by: z.string().nullable(),
});
export type AlertJson = z.infer<typeof alertSchema>;
const alertFilterFields = {
  status: z.enum(['open', 'acked', 'all']).default('all'),
  mac: macSchema.optional(),
  min_severity: z.enum(SEVERITIES).optional(),
  rule_id: z.coerce.number().int().positive().optional(),
  channel: z.enum(ALERT_CHANNELS).optional(),
  kind: z.enum(CHANGE_TYPES).optional(),
  delivery: z.enum(ALERT_DELIVERY_STATES).optional(),
  since: z.iso
    .datetime({ offset: true, message: 'must be an ISO time such as 2026-03-01T00:00:00Z' })
    .optional(),
  until: z.iso
    .datetime({ offset: true, message: 'must be an ISO time such as 2026-03-08T00:00:00Z' })
    .optional(),
};
export const alertListQuery = z
  .object({ ...alertFilterFields, limit: limitSchema, offset: offsetSchema })
  .strict();
export type AlertListQuery = z.infer<typeof alertListQuery>;
/** `GET api/alerts.csv`: the same filters, no paging (at most 10 000 rows, newest first). */
export const alertExportQuery = z.object(alertFilterFields).strict();
export type AlertExportQuery = z.infer<typeof alertExportQuery>;
/** `POST api/alerts/ack`: acknowledge every open alert matching the filters. */
export const alertAckManyBody = z.object(alertFilterFields).omit({ status: true }).strict();
export type AlertAckManyBody = z.infer<typeof alertAckManyBody>;
export const alertAckManySchema = z.object({ acked: z.number().int() });
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
  name: withoutControl(z.string().trim().min(1, { message: 'must not be empty' }).max(100)),
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

/** `POST api/alert-rules/preview`: a rule as the editor has it (name optional), not saved. */
export const alertRulePreviewBody = alertRuleCreateSchema.extend({
  name: alertRuleFields.name.default('Preview'),
});
export type AlertRulePreviewBody = z.infer<typeof alertRulePreviewBody>;
export const alertRulePreviewQuery = z
  .object({
    days: z.coerce
      .number()
      .int()
      .min(1, { message: 'must be between 1 and 30 days' })
      .max(30, { message: 'must be between 1 and 30 days' })
      .default(7),
  })
  .strict();
export type AlertRulePreviewQuery = z.infer<typeof alertRulePreviewQuery>;
export const alertRulePreviewSchema = z.object({
  days: z.number().int(),
  since: isoTime,
  until: isoTime,
  /** stored changes of the window with one of the rule's types */
  examined: z.number().int(),
  /** true when the window held more changes than a preview replays (the newest were replayed) */
  truncated: z.boolean(),
  /** changes the rule matches (type, minimum severity, ignored/watched devices) */
  matched: z.number().int(),
  /** notifications the rule would have sent */
  fired: z.number().int(),
  suppressed_dedup: z.number().int(),
  suppressed_quiet: z.number().int(),
  fired_by_type: z.record(z.string(), z.number().int()),
  /** distinct devices it would have notified about */
  devices: z.number().int(),
  /** the newest matches, newest first */
  recent: z.array(
    z.object({
      change_id: z.number().int().nullable(),
      time: isoTime,
      type: z.string(),
      mac: z.string().nullable(),
      ip: z.string().nullable(),
      name: z.string().nullable(),
      severity: z.enum(SEVERITIES),
      message: z.string(),
      outcome: z.enum(['fired', 'suppressed_dedup', 'suppressed_quiet']),
    }),
  ),
});
export type AlertRulePreviewJson = z.infer<typeof alertRulePreviewSchema>;

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

// ---------------------------------------------------------------------------------------------------------
// Stats: summary and trends (rollups written at each sweep/port scan)
// ---------------------------------------------------------------------------------------------------------

export const TREND_METRIC_NAMES = [
  'devices_online',
  'devices_known',
  'new_devices',
  'open_ports',
  'findings',
  'risk',
] as const;

const severityCounts = z.object({
  low: z.number().int(),
  medium: z.number().int(),
  high: z.number().int(),
  critical: z.number().int(),
});

export const statsSummarySchema = z.object({
  generated_at: isoTime,
  devices_known: z.number().int(),
  devices_online: z.number().int(),
  /** not yet acknowledged */
  devices_new: z.number().int(),
  /** first seen in the last 24 h / 7 days (from the rollups) */
  new_devices_24h: z.number().int(),
  new_devices_7d: z.number().int(),
  /** online over the last 24 h: lowest, highest, average of the samples */
  online_24h: z.object({ min: z.number().int(), max: z.number().int(), avg: z.number() }).nullable(),
  open_ports: z.number().int(),
  /** active findings by severity */
  findings: severityCounts,
  /** devices by risk; `unknown` = never port-scanned */
  risk: z.object({
    unknown: z.number().int(),
    none: z.number().int(),
    low: z.number().int(),
    medium: z.number().int(),
    high: z.number().int(),
    critical: z.number().int(),
  }),
  kinds: z.array(z.object({ kind: z.string(), count: z.number().int() })),
  last_scan_at: nullableIso,
});
export type StatsSummaryJson = z.infer<typeof statsSummarySchema>;

export const trendsQuery = z
  .object({
    metric: z.enum(TREND_METRIC_NAMES),
    days: z.coerce
      .number()
      .int()
      .min(1, { message: 'must be 1 to 400 days' })
      .max(400, { message: 'must be 1 to 400 days' })
      .default(7),
    /** default: hour for windows up to 7 days, day beyond */
    granularity: z.enum(['hour', 'day']).optional(),
  })
  .strict();
export type TrendsQuery = z.infer<typeof trendsQuery>;

export const trendsSchema = z.object({
  metric: z.enum(TREND_METRIC_NAMES),
  days: z.number().int(),
  granularity: z.enum(['hour', 'day']),
  /** the value keys of every point, e.g. avg/min/max or low/medium/high/critical */
  keys: z.array(z.string()),
  points: z.array(z.object({ t: isoTime, values: z.record(z.string(), z.number()) })),
});
export type TrendsJson = z.infer<typeof trendsSchema>;

// ---------------------------------------------------------------------------------------------------------
// Network map
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// CVE feeds
// ---------------------------------------------------------------------------------------------------------

export const cveStatusSchema = z.object({
  /** CVE rules in force (shipped + imported) */
  rules_active: z.number().int(),
  last_import: z
    .object({
      time: isoTime,
      format: z.string(),
      added: z.number().int(),
      updated: z.number().int(),
      skipped: z.number().int(),
    })
    .nullable(),
});
export type CveStatusJson = z.infer<typeof cveStatusSchema>;

export const cveImportSchema = z.object({
  format: z.enum(['nvd', 'kev', 'rules']),
  added: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  /** a few reasons for skipped records */
  notes: z.array(z.string()),
  /** now: in force in the running service; at_start: no service runs, it loads them when it starts; pending: not confirmed yet */
  applied: z.enum(['now', 'at_start', 'pending']),
  rules_active: z.number().int(),
  /** port-scanned devices re-assessed against the new rules */
  reassessed: z.number().int(),
  service_pid: z.number().int().nullable(),
  imported_at: isoTime,
});
export type CveImportJson = z.infer<typeof cveImportSchema>;
