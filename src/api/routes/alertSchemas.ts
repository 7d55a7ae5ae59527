/** The wire contract of alerts and alert rules (schemas and inferred types); src/api/schemas.ts re-exports it. */

import { z } from 'zod';
import { withoutControl } from '../../util/textSchema.js';
import {
  ALERT_CHANNELS,
  ALERT_RULE_EVENTS,
  CHANGE_TYPES,
  DELIVERY_STATES,
  SEVERITIES,
} from '../../vocabulary.js';
import {
  deviceKeySchema,
  isoTime,
  limitSchema,
  listOf,
  nullableIso,
  offsetSchema,
} from '../wirePrimitives.js';

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
  delivery: z.enum(DELIVERY_STATES),
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
  mac: deviceKeySchema.optional(),
  min_severity: z.enum(SEVERITIES).optional(),
  rule_id: z.coerce.number().int().positive().optional(),
  channel: z.enum(ALERT_CHANNELS).optional(),
  kind: z.enum(CHANGE_TYPES).optional(),
  delivery: z.enum(DELIVERY_STATES).optional(),
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
  macs: z.array(deviceKeySchema).max(256),
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
