import { z } from 'zod';
import { withoutControl } from '../util/textSchema.js';
import {
  ALERT_CHANNELS,
  type AlertChannel,
  asAlertChannel,
  CHANGE_TYPES,
  type ChangeType,
  type DeliveryState,
  LEGACY_ALERT_CHANNELS,
  SEVERITIES,
  type Severity,
} from '../vocabulary.js';

export type { AlertChannel } from '../vocabulary.js';

/** A channel name; the old spellings `ha` and `mqtt` are still accepted and read as `ha_notify`/`mqtt_event`. */
const channelSchema = z
  .enum([...ALERT_CHANNELS, ...(Object.keys(LEGACY_ALERT_CHANNELS) as Array<'ha' | 'mqtt'>)], {
    message: `expected one of ${ALERT_CHANNELS.join(', ')}`,
  })
  .transform((c): AlertChannel => asAlertChannel(c) ?? 'webhook');

export interface QuietHours {
  /** "HH:MM", local time */
  start: string;
  end: string;
}

export interface AlertRule {
  id: number;
  name: string;
  enabled: boolean;
  types: ChangeType[];
  minSeverity: Severity;
  channels: AlertChannel[];
  /** HA notify services/entities for this rule; absent = the global notify_services option */
  notifyServices?: string[];
  /** webhook ids for this rule; absent = every enabled webhook */
  webhookIds?: number[];
  quietHours?: QuietHours;
  /** only devices marked "watched" */
  watchedOnly?: boolean;
  dedupWindowSec: number;
  /** set on rules read from the store */
  createdAt?: string;
  updatedAt?: string;
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a 24-hour time "HH:MM" such as "22:00"');

/** Input for creating/updating a rule (API edge validation). */
export const alertRuleInputSchema = z
  .object({
    name: withoutControl(z.string().trim().min(1).max(100)),
    enabled: z.boolean().default(true),
    types: z.array(z.enum(CHANGE_TYPES)).min(1, 'choose at least one change type').max(CHANGE_TYPES.length),
    minSeverity: z.enum(SEVERITIES).default('info'),
    channels: z.array(channelSchema).min(1, `choose at least one channel (${ALERT_CHANNELS.join(', ')})`),
    notifyServices: z
      .array(
        z
          .string()
          .regex(/^(notify\.)?[a-z0-9_]+$/, 'expected a notify service such as notify.mobile_app_pixel_8'),
      )
      .max(32)
      .optional(),
    webhookIds: z.array(z.number().int().positive()).max(100).optional(),
    quietHours: z.object({ start: hhmm, end: hhmm }).strict().optional(),
    watchedOnly: z.boolean().optional(),
    dedupWindowSec: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(3600),
  })
  .strict();
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;

export type AlertStatus =
  | 'sent'
  | 'failed'
  | 'suppressed_quiet'
  | 'suppressed_dedup'
  | 'suppressed_flood'
  | 'summary';

/** How one channel did with one alert. `skipped`: the channel had nowhere to deliver (no notify service, no
 *  enabled webhook, no MQTT). */
export interface ChannelResult {
  channel: AlertChannel;
  outcome: 'delivered' | 'failed' | 'skipped';
  detail?: string;
}

export type { DeliveryState } from '../vocabulary.js';

/** Summary of the channel results of a sent alert. */
export function deliveryState(results: readonly ChannelResult[]): DeliveryState {
  const ok = results.some((r) => r.outcome === 'delivered');
  const failed = results.some((r) => r.outcome === 'failed');
  if (ok && failed) return 'partial';
  if (failed) return 'failed';
  return ok ? 'delivered' : 'not_sent';
}

export interface AlertLogEntry {
  id: number;
  time: string;
  ruleId: number | null;
  mac: string | null;
  kind: string;
  dedupKey: string;
  status: AlertStatus;
  severity: Severity;
  channels: AlertChannel[];
  title: string;
  message: string;
  error: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
  /** the stored change that fired it (null for older rows) */
  changeId: number | null;
  delivery: ChannelResult[];
  deliveryState: DeliveryState;
}

/**
 * What every outgoing event about a change carries: a webhook delivery's body, the `lan_sentinel/event`
 * payload and the alert event entity's (which add their own fields).
 */
export interface ChangeEventFields<T extends string = string> {
  event_type: T;
  mac: string | null;
  ip: string | null;
  name: string | null;
  vendor: string | null;
  severity: Severity;
  message: string;
  time: string;
}

/** The JSON body of a webhook delivery (DESIGN §8). */
export type WebhookPayload = ChangeEventFields;
