/**
 * The alerts entry point the service wires to the event bus: for each change, decide which rules fire
 * (AlertEngine), log every decision in alert_log, and dispatch to HA notify, webhooks and the MQTT event
 * callback. Handles the Trust button of phone notifications.
 */
import type { HaLink } from '../ha/link.js';
import { type Change, type Device, displayName, mac12 } from '../inventory/types.js';
import { AlertsRepo } from '../store/alertsRepo.js';
import type { Db } from '../store/db.js';
import { type Webhook, WebhooksRepo } from '../store/webhooksRepo.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { type AlertEventType, CHANGE_ALERT_TITLES, type ChangeType } from '../vocabulary.js';
import { type AlertDecision, AlertEngine, DEFAULT_FLOOD, type FloodLimit } from './engine.js';
import {
  type HaNotification,
  macFromTrustAction,
  NOTIFICATION_ACTION_EVENT,
  sendHaNotification,
} from './haNotify.js';
import {
  type AlertChannel,
  type AlertRule,
  type ChangeEventFields,
  type ChannelResult,
  deliveryState,
  type WebhookPayload,
} from './types.js';
import { type DeliveryResult, deliverWebhook } from './webhook.js';
import { resolveTarget, type TargetPolicy } from './webhookTarget.js';

/** Failed deliveries in a row (each after its retries) after which a webhook gets no more alerts. */
export const WEBHOOK_GIVE_UP = 5;

export interface WebhookHealth {
  consecutiveFailures: number;
  suspended: boolean;
  warning: string | null;
}

/** What the MQTT module publishes as the event entity when a rule with the "mqtt_event" channel fires. */
export interface AlertEvent extends ChangeEventFields<AlertEventType> {
  title: string;
  rule: string;
  summary: boolean;
}

/** The change's event fields as an alert sends them: the device's display name, `alert_summary` for a summary. */
function alertFields(
  change: Change,
  device: Device | null,
  message: string,
  summary: boolean,
): ChangeEventFields<AlertEventType> {
  return {
    event_type: summary ? 'alert_summary' : change.type,
    mac: change.mac,
    ip: change.ip,
    name: device ? displayName(device) : change.name,
    vendor: change.vendor,
    severity: change.severity,
    message,
    time: change.time,
  };
}

export interface AlertsOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  ha?: HaLink | null;
  /** the `notify_on` option: seeds the default rules of a fresh install (and migrates older ones), nothing else */
  notifyOn?: readonly ChangeType[];
  /** global notify_services option; rules without their own list use it */
  notifyServices: string[];
  /** e.g. "/app/<slug>" in HA or "http://127.0.0.1:8099" standalone; adds the Open button and click URL */
  ingressBaseUrl?: string;
  trustDevice: (mac: string) => void | Promise<void>;
  getDevice: (mac: string) => Device | null;
  /** MQTT event channel (published by the MQTT module) */
  onAlert?: (e: AlertEvent) => void;
  flood?: FloodLimit;
  /** webhook retry base delay (tests use a few ms); default 1000 */
  webhookBaseDelayMs?: number;
  webhookTimeoutMs?: number;
  /** where webhooks may not go (the service's own listening ports); default: link-local refused only */
  webhookPolicy?: TargetPolicy;
  /** failed deliveries in a row before a webhook is suspended; default WEBHOOK_GIVE_UP */
  webhookGiveUp?: number;
}

export class Alerts {
  readonly rules: AlertsRepo;
  readonly webhooks: WebhooksRepo;
  private readonly engine: AlertEngine;
  private readonly log: Logger;
  private unsubscribe: (() => Promise<void>) | null = null;
  private offBus: Array<() => void> = [];
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly o: AlertsOptions) {
    this.rules = new AlertsRepo(o.db);
    this.webhooks = new WebhooksRepo(o.db);
    this.engine = new AlertEngine(this.rules, o.flood ?? DEFAULT_FLOOD);
    this.log = o.logger.child('alerts');
  }

  /** Seed default rules (first run) and subscribe to phone notification actions. */
  async start(): Promise<void> {
    const seeded = this.rules.seedDefaults(this.o.clock.now(), this.o.notifyOn);
    if (seeded === 'seeded')
      this.log.info(
        `default alert rules created from notify_on (${(this.o.notifyOn ?? []).join(', ') || 'nothing'}) plus router identity changes and critical findings; from now on the alert rules decide who gets told what`,
      );
    else if (seeded === 'migrated')
      this.log.info(
        'alert rules migrated: they now decide alone (notify_on no longer filters); each rule kept the change types notify_on let through, and rules for router identity changes and critical findings were added',
      );
    if (this.o.ha) {
      try {
        this.unsubscribe = await this.o.ha.subscribeEvents(NOTIFICATION_ACTION_EVENT, (ev) => {
          const mac = macFromTrustAction(ev.data.action);
          if (!mac) return;
          this.log.info('trust requested from a phone notification', { mac });
          Promise.resolve(this.o.trustDevice(mac)).catch((err: unknown) =>
            this.log.error('marking the device trusted failed', { mac, error: String(err) }),
          );
        });
      } catch (err) {
        this.log.warn('could not subscribe to notification actions; the Trust button will not work', {
          error: String(err),
        });
      }
    }
  }

  /** Every change goes through the alert rules (they alone decide; notify_on only seeded the defaults). */
  attach(bus: EventBus): void {
    this.offBus.push(bus.on('change', (c) => this.handleChange(c)));
  }

  async stop(): Promise<void> {
    for (const off of this.offBus.splice(0)) off();
    const u = this.unsubscribe;
    this.unsubscribe = null;
    if (u) await u().catch(() => {});
    await Promise.allSettled([...this.inflight]);
  }

  private deviceUrl(mac: string | null): string | undefined {
    if (!this.o.ingressBaseUrl) return undefined;
    const base = this.o.ingressBaseUrl.replace(/\/+$/, '');
    return mac ? `${base}/#/devices/${encodeURIComponent(mac)}` : base;
  }

  /** Decide, log and dispatch one change. Never throws (channel errors are logged). */
  async handleChange(change: Change): Promise<void> {
    const p = this.process(change);
    this.inflight.add(p);
    try {
      await p;
    } finally {
      this.inflight.delete(p);
    }
  }

  private async process(change: Change): Promise<void> {
    const now = this.o.clock.now();
    const device = change.mac ? this.o.getDevice(change.mac) : null;
    const decisions = this.engine.decide(change, device, this.rules.listRules(), now);
    const sends: Promise<void>[] = [];
    for (const d of decisions) {
      const summary = d.status === 'summary';
      const title = summary ? 'LAN Sentinel: many alerts' : this.title(change, device);
      const message = summary
        ? `More than ${(this.o.flood ?? DEFAULT_FLOOD).max} alerts in ${Math.round((this.o.flood ?? DEFAULT_FLOOD).windowSec / 60)} minutes; further alerts are paused for a few minutes and kept in the LAN Sentinel alert log.`
        : change.message;
      const entry = this.rules.log({
        time: now,
        ruleId: d.rule.id,
        mac: change.mac,
        kind: change.type,
        dedupKey: d.dedupKey,
        status: d.status,
        severity: change.severity,
        channels: d.rule.channels,
        title,
        message,
        changeId: (change as { id?: number }).id ?? null,
      });
      if (d.status !== 'sent' && d.status !== 'summary') {
        this.log.debug('alert suppressed', { rule: d.rule.name, status: d.status, type: change.type });
        continue;
      }
      sends.push(
        this.dispatch(d, change, device, title, message, summary).then((results) => {
          const state = deliveryState(results);
          const errors = results
            .filter((r) => r.outcome === 'failed')
            .map((r) => `${r.channel}: ${r.detail ?? 'failed'}`);
          const status = state === 'failed' && !summary ? 'failed' : entry.status;
          this.rules.setDelivery(entry.id, status, errors.length ? errors.join('; ') : null, results, state);
        }),
      );
    }
    await Promise.all(sends);
  }

  private title(change: Change, device: Device | null): string {
    const who = device ? displayName(device) : (change.name ?? change.ip ?? change.mac ?? 'network');
    return `${CHANGE_ALERT_TITLES[change.type] ?? 'LAN Sentinel'}: ${who}`;
  }

  /** One result per channel of the rule: delivered, failed (with the reason) or skipped (nowhere to send). */
  private async dispatch(
    d: AlertDecision,
    change: Change,
    device: Device | null,
    title: string,
    message: string,
    summary: boolean,
  ): Promise<ChannelResult[]> {
    const failed = (channel: AlertChannel, err: unknown): ChannelResult => ({
      channel,
      outcome: 'failed',
      detail: String((err as Error).message ?? err),
    });
    const tasks: Promise<ChannelResult>[] = [];
    const channels = new Set<AlertChannel>(d.rule.channels);
    if (channels.has('ha_notify')) {
      tasks.push(
        this.sendHa(d.rule, change, title, message, summary).catch((err: unknown) =>
          failed('ha_notify', err),
        ),
      );
    }
    if (channels.has('webhook')) {
      tasks.push(
        this.sendWebhooks(d.rule, change, device, message, summary).catch((err: unknown) =>
          failed('webhook', err),
        ),
      );
    }
    if (channels.has('mqtt_event')) {
      if (!this.o.onAlert) {
        tasks.push(Promise.resolve({ channel: 'mqtt_event', outcome: 'skipped', detail: 'MQTT is off' }));
      } else {
        try {
          this.o.onAlert({
            ...alertFields(change, device, message, summary),
            title,
            rule: d.rule.name,
            summary,
          });
          tasks.push(Promise.resolve({ channel: 'mqtt_event', outcome: 'delivered' }));
        } catch (err) {
          tasks.push(Promise.resolve(failed('mqtt_event', err)));
        }
      }
    }
    return Promise.all(tasks);
  }

  private async sendHa(
    rule: AlertRule,
    change: Change,
    title: string,
    message: string,
    summary: boolean,
  ): Promise<ChannelResult> {
    const ha = this.o.ha;
    const targets = [...new Set(rule.notifyServices ?? this.o.notifyServices)];
    if (!ha) return { channel: 'ha_notify', outcome: 'skipped', detail: 'not connected to Home Assistant' };
    if (targets.length === 0)
      return {
        channel: 'ha_notify',
        outcome: 'skipped',
        detail: 'no notify service (option notify_services)',
      };
    const n: HaNotification = {
      title,
      message,
      tag: summary
        ? 'lan-sentinel-summary'
        : `lan-sentinel-${change.type}-${change.mac ? mac12(change.mac) : 'network'}`,
      mac: change.mac,
      trustAction: !summary && change.type === 'new_device' && change.mac !== null,
      ...(this.deviceUrl(summary ? null : change.mac)
        ? { url: this.deviceUrl(summary ? null : change.mac) as string }
        : {}),
    };
    const failures: string[] = [];
    await Promise.all(
      targets.map((t) =>
        sendHaNotification(ha, t, n).catch((err: unknown) => {
          failures.push(`${t}: ${String((err as Error).message ?? err)}`);
        }),
      ),
    );
    if (failures.length) {
      this.log.warn('HA notification failed', { failures });
      if (failures.length === targets.length) throw new Error(failures.join('; '));
      return {
        channel: 'ha_notify',
        outcome: 'delivered',
        detail: `not delivered to ${failures.join('; ')}`,
      };
    }
    return { channel: 'ha_notify', outcome: 'delivered', detail: targets.join(', ') };
  }

  private async sendWebhooks(
    rule: AlertRule,
    change: Change,
    device: Device | null,
    message: string,
    summary: boolean,
  ): Promise<ChannelResult> {
    const wanted = this.webhooks
      .list()
      .filter((h) => h.enabled && (rule.webhookIds === undefined || rule.webhookIds.includes(h.id)));
    const hooks = wanted.filter((h) => !this.webhookHealth(h.id).suspended);
    for (const h of wanted)
      if (!hooks.includes(h))
        this.log.warn(`webhook "${h.name}" is suspended: ${this.webhookHealth(h.id).warning ?? ''}`);
    if (hooks.length === 0) {
      if (wanted.length > 0)
        throw new Error('every webhook of this rule is suspended after repeated failures');
      return { channel: 'webhook', outcome: 'skipped', detail: 'no enabled webhook' };
    }
    const payload: WebhookPayload = alertFields(change, device, message, summary);
    const results = await Promise.all(hooks.map((h) => this.deliver(h, payload)));
    const failed = results.filter((r) => !r.ok);
    if (failed.length) {
      this.log.warn('webhook delivery failed', { failed: failed.map((f) => f.error) });
      if (failed.length === hooks.length) throw new Error(failed.map((f) => f.error).join('; '));
      return {
        channel: 'webhook',
        outcome: 'delivered',
        detail: `${hooks.length - failed.length} of ${hooks.length} webhooks; failed: ${failed.map((f) => f.error).join('; ')}`,
      };
    }
    return {
      channel: 'webhook',
      outcome: 'delivered',
      detail: `${hooks.length} webhook${hooks.length === 1 ? '' : 's'}`,
    };
  }

  private deliver(hook: Webhook, payload: WebhookPayload): Promise<DeliveryResult> {
    return deliverWebhook(hook, payload, {
      clock: this.o.clock,
      log: (d) => this.webhooks.logDelivery(d),
      ...(this.o.webhookPolicy ? { policy: this.o.webhookPolicy } : {}),
      ...(this.o.webhookBaseDelayMs !== undefined ? { baseDelayMs: this.o.webhookBaseDelayMs } : {}),
      ...(this.o.webhookTimeoutMs !== undefined ? { timeoutMs: this.o.webhookTimeoutMs } : {}),
    });
  }

  /** Whether a webhook gave up (its latest deliveries all failed), with the warning the API and UI show. */
  webhookHealth(id: number): WebhookHealth {
    const limit = this.o.webhookGiveUp ?? WEBHOOK_GIVE_UP;
    const streak = this.webhooks.failureStreak(id, limit);
    const suspended = streak.count >= limit;
    const warning = suspended
      ? `gave up after ${limit} failed deliveries in a row (last: ${streak.lastError ?? 'unknown error'}); no alerts are sent to it until "Send test" succeeds`
      : streak.count > 0
        ? `the last ${streak.count === 1 ? 'delivery' : `${streak.count} deliveries`} failed (${streak.lastError ?? 'unknown error'}); it is suspended after ${limit} in a row`
        : null;
    return { consecutiveFailures: streak.count, suspended, warning };
  }

  /** Throws RefusedTargetError when the URL's host (after DNS) is one a webhook may not call. */
  async checkWebhookUrl(url: string): Promise<void> {
    const policy = this.o.webhookPolicy ?? { ownPorts: () => new Set<number>() };
    try {
      await resolveTarget(new URL(url), policy);
    } catch (err) {
      if ((err as Error).name === 'RefusedTargetError') throw err;
      // an unresolvable name is not refused here: it may resolve later and is checked at each delivery
    }
  }

  /** Send a test event to one webhook (API `POST api/webhooks/:id/test`). */
  async testWebhook(id: number): Promise<DeliveryResult> {
    const hook = this.webhooks.get(id);
    if (!hook) throw new Error(`webhook ${id} does not exist`);
    return this.deliver(hook, {
      event_type: 'test',
      mac: null,
      ip: null,
      name: null,
      vendor: null,
      severity: 'info',
      message: 'Test message from LAN Sentinel: your webhook works.',
      time: this.o.clock.now().toISOString(),
    });
  }
}
