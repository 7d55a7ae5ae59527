/** The wire contract of `api/devices`, `api/vendors` and `api/kinds` (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { DEVICE_KINDS } from '../../inventory/kinds.js';
import { withoutControl } from '../../util/textSchema.js';
import { DEVICE_FILTERS, DEVICE_IDENTITIES, DEVICE_SORTS, RISK_LEVELS } from '../../vocabulary.js';
import {
  isoTime,
  isoTimeQuery,
  type List,
  limitSchema,
  listOf,
  nullableIso,
  offsetSchema,
  orderSchema,
} from '../wirePrimitives.js';
import { changeSchema } from './changeSchemas.js';

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
    since: isoTimeQuery.optional(),
    limit: limitSchema,
  })
  .strict();
