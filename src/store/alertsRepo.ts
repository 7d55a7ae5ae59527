/** Alert rules (CRUD, default seeding) and the alert log used for dedup, flood limiting and the UI. */

import {
  type AlertChannel,
  type AlertLogEntry,
  type AlertRule,
  type AlertRuleInput,
  type AlertStatus,
  alertRuleInputSchema,
  type ChannelResult,
  type DeliveryState,
} from '../alerts/types.js';
import { asAlertChannel, type ChangeType, type Severity, severitiesFrom } from '../vocabulary.js';
import type { Db } from './db.js';

interface RuleRow {
  id: number;
  name: string;
  enabled: number;
  types: string;
  min_severity: string;
  channels: string;
  notify_services: string | null;
  webhook_ids: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
  watched_only: number;
  dedup_window_sec: number;
  created_at: string;
  updated_at: string;
}

interface LogRow {
  id: number;
  time: string;
  rule_id: number | null;
  mac: string | null;
  kind: string;
  dedup_key: string;
  status: string;
  severity: string;
  channels: string;
  title: string;
  message: string;
  error: string | null;
  acked_at: string | null;
  acked_by: string | null;
  change_id: number | null;
  delivery: string;
  delivery_state: string;
}

/** Stored channel lists; rows written before the names were unified say `ha`/`mqtt`. */
function channelsFromJson(json: string): AlertChannel[] {
  const out: AlertChannel[] = [];
  for (const c of JSON.parse(json) as unknown[]) {
    const ch = asAlertChannel(c);
    if (ch && !out.includes(ch)) out.push(ch);
  }
  return out;
}

function toRule(r: RuleRow): AlertRule {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled === 1,
    types: JSON.parse(r.types) as ChangeType[],
    minSeverity: r.min_severity as Severity,
    channels: channelsFromJson(r.channels),
    ...(r.notify_services !== null ? { notifyServices: JSON.parse(r.notify_services) as string[] } : {}),
    ...(r.webhook_ids !== null ? { webhookIds: JSON.parse(r.webhook_ids) as number[] } : {}),
    ...(r.quiet_start && r.quiet_end ? { quietHours: { start: r.quiet_start, end: r.quiet_end } } : {}),
    ...(r.watched_only === 1 ? { watchedOnly: true } : {}),
    dedupWindowSec: r.dedup_window_sec,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toLog(r: LogRow): AlertLogEntry {
  return {
    id: r.id,
    time: r.time,
    ruleId: r.rule_id,
    mac: r.mac,
    kind: r.kind,
    dedupKey: r.dedup_key,
    status: r.status as AlertStatus,
    severity: r.severity as Severity,
    channels: channelsFromJson(r.channels),
    title: r.title,
    message: r.message,
    error: r.error,
    ackedAt: r.acked_at,
    ackedBy: r.acked_by,
    changeId: r.change_id,
    delivery: JSON.parse(r.delivery) as ChannelResult[],
    deliveryState: r.delivery_state as DeliveryState,
  };
}

/** The defaults of a fresh install before `notify_on` shapes them (see defaultAlertRules). */
export const DEFAULT_ALERT_RULES: AlertRuleInput[] = [
  {
    name: 'New devices',
    types: ['new_device'],
    minSeverity: 'info',
    channels: ['ha_notify', 'webhook', 'mqtt_event'],
    dedupWindowSec: 3600,
  },
  {
    name: 'Watched devices going offline',
    types: ['device_offline'],
    minSeverity: 'info',
    channels: ['ha_notify', 'webhook', 'mqtt_event'],
    watchedOnly: true,
    dedupWindowSec: 1800,
  },
  {
    name: 'Security findings (high and critical)',
    types: ['threat_detected'],
    minSeverity: 'high',
    channels: ['ha_notify', 'webhook', 'mqtt_event'],
    dedupWindowSec: 3600,
  },
];

/** Always part of the defaults (DESIGN §8): a changed router identity (possible ARP spoofing). */
export const GATEWAY_RULE: AlertRuleInput = {
  name: 'Router identity changed (possible ARP spoofing)',
  types: ['gateway_mac_changed'],
  minSeverity: 'info',
  channels: ['ha_notify', 'webhook', 'mqtt_event'],
  dedupWindowSec: 3600,
};

/** Always part of the defaults (DESIGN §8): critical security findings. */
export const CRITICAL_THREAT_RULE: AlertRuleInput = {
  name: 'Critical security findings',
  types: ['threat_detected'],
  minSeverity: 'critical',
  channels: ['ha_notify', 'webhook', 'mqtt_event'],
  dedupWindowSec: 3600,
};

/**
 * The default rules of a fresh install, seeded from `notify_on` (its only use): the stock rule of each listed
 * type, one rule for any other listed types, and always the router-identity and critical-finding rules.
 */
export function defaultAlertRules(notifyOn: readonly ChangeType[]): AlertRuleInput[] {
  const on = new Set(notifyOn);
  const rules = DEFAULT_ALERT_RULES.filter((r) => r.types.some((t) => on.has(t)));
  const covered = new Set(rules.flatMap((r) => r.types));
  const rest = [...on].filter((t) => !covered.has(t) && t !== 'gateway_mac_changed');
  if (rest.length > 0)
    rules.push({
      name: 'Other changes (from notify_on)',
      types: rest,
      minSeverity: 'info',
      channels: ['ha_notify', 'webhook', 'mqtt_event'],
      dedupWindowSec: 3600,
    });
  rules.push(GATEWAY_RULE);
  if (!on.has('threat_detected')) rules.push(CRITICAL_THREAT_RULE);
  return rules;
}

export interface NewLogEntry {
  time: Date;
  ruleId: number | null;
  mac: string | null;
  kind: string;
  dedupKey: string;
  status: AlertStatus;
  severity: Severity;
  channels: AlertChannel[];
  title: string;
  message: string;
  error?: string | null;
  changeId?: number | null;
}

/** Filters of the alert log (newest first). */
export interface AlertLogQuery {
  limit?: number;
  offset?: number;
  mac?: string;
  unackedOnly?: boolean;
  ackedOnly?: boolean;
  minSeverity?: Severity;
  /** only entries with one of these statuses */
  statuses?: AlertStatus[];
  ruleId?: number;
  /** the rule had this channel */
  channel?: AlertChannel;
  /** change type */
  kind?: string;
  /** ISO times, inclusive */
  since?: string;
  until?: string;
  deliveryStates?: DeliveryState[];
}

function logWhere(q: AlertLogQuery): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.mac) {
    where.push('mac = ?');
    params.push(q.mac);
  }
  if (q.unackedOnly) where.push('acked_at IS NULL');
  if (q.ackedOnly) where.push('acked_at IS NOT NULL');
  if (q.minSeverity) {
    const names = severitiesFrom(q.minSeverity);
    where.push(`severity IN (${names.map(() => '?').join(', ')})`);
    params.push(...names);
  }
  if (q.statuses) {
    if (q.statuses.length === 0) where.push('0');
    else {
      where.push(`status IN (${q.statuses.map(() => '?').join(', ')})`);
      params.push(...q.statuses);
    }
  }
  if (q.deliveryStates) {
    if (q.deliveryStates.length === 0) where.push('0');
    else {
      where.push(`delivery_state IN (${q.deliveryStates.map(() => '?').join(', ')})`);
      params.push(...q.deliveryStates);
    }
  }
  if (q.ruleId !== undefined) {
    where.push('rule_id = ?');
    params.push(q.ruleId);
  }
  if (q.channel) {
    where.push('EXISTS (SELECT 1 FROM json_each(alert_log.channels) WHERE value = ?)');
    params.push(q.channel);
  }
  if (q.kind) {
    where.push('kind = ?');
    params.push(q.kind);
  }
  if (q.since) {
    where.push('time >= ?');
    params.push(q.since);
  }
  if (q.until) {
    where.push('time <= ?');
    params.push(q.until);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export class AlertsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Rules are the only truth of who gets told what. A fresh database gets the default rules seeded from
   * `notify_on` (once: never re-adds rules the user deleted). A database from before that (rules seeded while
   * `notify_on` still gated every notification) is migrated once so that exactly what notified before still
   * does: each rule keeps only the types `notify_on` let through (a rule left with none is disabled), and the
   * router-identity and critical-finding defaults are added. Returns what it did.
   */
  seedDefaults(
    now: Date,
    notifyOn: readonly ChangeType[] = ['new_device', 'device_offline', 'threat_detected'],
  ): 'seeded' | 'migrated' | 'none' {
    return this.db
      .transaction(() => {
        const meta = (k: string) => this.db.prepare('SELECT value FROM meta WHERE key = ?').get(k);
        const mark = (k: string) =>
          this.db
            .prepare(
              'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
            )
            .run(k, now.toISOString());
        if (meta('alert_rules_are_truth')) return 'none';
        mark('alert_rules_are_truth');
        if (!meta('alert_rules_seeded')) {
          for (const r of defaultAlertRules(notifyOn)) this.createRule(r, now);
          mark('alert_rules_seeded');
          return 'seeded';
        }
        const on = new Set(notifyOn);
        for (const r of this.listRules()) {
          const kept = r.types.filter((t) => on.has(t));
          if (kept.length === r.types.length) continue;
          this.db
            .prepare('UPDATE alert_rules SET types = ?, enabled = ?, updated_at = ? WHERE id = ?')
            .run(
              JSON.stringify(kept.length ? kept : r.types),
              kept.length && r.enabled ? 1 : 0,
              now.toISOString(),
              r.id,
            );
        }
        this.createRule(GATEWAY_RULE, now);
        const critical = this.listRules().some(
          (r) => r.enabled && !r.watchedOnly && r.types.includes('threat_detected'),
        );
        if (!critical) this.createRule(CRITICAL_THREAT_RULE, now);
        return 'migrated';
      })
      .immediate();
  }

  listRules(): AlertRule[] {
    return (this.db.prepare('SELECT * FROM alert_rules ORDER BY id').all() as RuleRow[]).map(toRule);
  }

  getRule(id: number): AlertRule | null {
    const r = this.db.prepare('SELECT * FROM alert_rules WHERE id = ?').get(id) as RuleRow | undefined;
    return r ? toRule(r) : null;
  }

  /** Validates with alertRuleInputSchema; throws a ZodError naming the bad field. */
  createRule(input: AlertRuleInput, now: Date): AlertRule {
    const v = alertRuleInputSchema.parse(input);
    const t = now.toISOString();
    const info = this.db
      .prepare(
        `INSERT INTO alert_rules (name, enabled, types, min_severity, channels, notify_services, webhook_ids, quiet_start,
           quiet_end, watched_only, dedup_window_sec, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        v.name,
        v.enabled ? 1 : 0,
        JSON.stringify(v.types),
        v.minSeverity,
        JSON.stringify([...new Set(v.channels)]),
        v.notifyServices ? JSON.stringify(v.notifyServices) : null,
        v.webhookIds ? JSON.stringify(v.webhookIds) : null,
        v.quietHours?.start ?? null,
        v.quietHours?.end ?? null,
        v.watchedOnly ? 1 : 0,
        v.dedupWindowSec,
        t,
        t,
      );
    return this.getRule(Number(info.lastInsertRowid)) as AlertRule;
  }

  /** Replace a rule's settings (full input, validated). Returns null when the id does not exist. */
  updateRule(id: number, input: AlertRuleInput, now: Date): AlertRule | null {
    const v = alertRuleInputSchema.parse(input);
    const info = this.db
      .prepare(
        `UPDATE alert_rules SET name = ?, enabled = ?, types = ?, min_severity = ?, channels = ?, notify_services = ?,
           webhook_ids = ?, quiet_start = ?, quiet_end = ?, watched_only = ?, dedup_window_sec = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(
        v.name,
        v.enabled ? 1 : 0,
        JSON.stringify(v.types),
        v.minSeverity,
        JSON.stringify([...new Set(v.channels)]),
        v.notifyServices ? JSON.stringify(v.notifyServices) : null,
        v.webhookIds ? JSON.stringify(v.webhookIds) : null,
        v.quietHours?.start ?? null,
        v.quietHours?.end ?? null,
        v.watchedOnly ? 1 : 0,
        v.dedupWindowSec,
        now.toISOString(),
        id,
      );
    return info.changes ? this.getRule(id) : null;
  }

  deleteRule(id: number): boolean {
    return this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
  }

  log(e: NewLogEntry): AlertLogEntry {
    const info = this.db
      .prepare(
        `INSERT INTO alert_log (time, rule_id, mac, kind, dedup_key, status, severity, channels, title, message, error,
           change_id, delivery_state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.time.toISOString(),
        e.ruleId,
        e.mac,
        e.kind,
        e.dedupKey,
        e.status,
        e.severity,
        JSON.stringify(e.channels),
        e.title,
        e.message,
        e.error ?? null,
        e.changeId ?? null,
        e.status === 'sent' || e.status === 'summary'
          ? 'pending'
          : e.status === 'failed'
            ? 'failed'
            : 'held_back',
      );
    return toLog(
      this.db.prepare('SELECT * FROM alert_log WHERE id = ?').get(Number(info.lastInsertRowid)) as LogRow,
    );
  }

  setStatus(id: number, status: AlertStatus, error: string | null): void {
    this.db.prepare('UPDATE alert_log SET status = ?, error = ? WHERE id = ?').run(status, error, id);
  }

  /** Record how each channel did (and the status/error that follow from it). */
  setDelivery(
    id: number,
    status: AlertStatus,
    error: string | null,
    results: ChannelResult[],
    state: DeliveryState,
  ): void {
    this.db
      .prepare('UPDATE alert_log SET status = ?, error = ?, delivery = ?, delivery_state = ? WHERE id = ?')
      .run(status, error, JSON.stringify(results), state, id);
  }

  /** Time of the most recent notification actually sent for a dedup key, or null. */
  lastSentAt(dedupKey: string): Date | null {
    const r = this.db
      .prepare("SELECT max(time) AS t FROM alert_log WHERE dedup_key = ? AND status IN ('sent', 'failed')")
      .get(dedupKey) as { t: string | null };
    return r.t ? new Date(r.t) : null;
  }

  /** Notifications sent (not suppressed) since a time, and whether a flood summary was sent since then. */
  sentSince(since: Date): { sent: number; summary: boolean } {
    const r = this.db
      .prepare(
        `SELECT sum(status IN ('sent', 'failed')) AS sent, sum(status = 'summary') AS summary
         FROM alert_log WHERE time >= ?`,
      )
      .get(since.toISOString()) as { sent: number | null; summary: number | null };
    return { sent: r.sent ?? 0, summary: (r.summary ?? 0) > 0 };
  }

  list(q: AlertLogQuery = {}): AlertLogEntry[] {
    const w = logWhere(q);
    const limit = Math.max(1, Math.min(q.limit ?? 100, 10_000));
    const offset = Math.max(0, q.offset ?? 0);
    const rows = this.db
      .prepare(`SELECT * FROM alert_log ${w.sql} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...w.params, limit, offset) as LogRow[];
    return rows.map(toLog);
  }

  /** Number of log entries matching the same filters as list() (limit/offset ignored). */
  count(q: Omit<AlertLogQuery, 'limit' | 'offset'> = {}): number {
    const w = logWhere(q);
    return (this.db.prepare(`SELECT count(*) AS n FROM alert_log ${w.sql}`).get(...w.params) as { n: number })
      .n;
  }

  /** One log entry, or null. */
  entry(id: number): AlertLogEntry | null {
    const r = this.db.prepare('SELECT * FROM alert_log WHERE id = ?').get(id) as LogRow | undefined;
    return r ? toLog(r) : null;
  }

  ack(id: number, now: Date, by: string | null = null): boolean {
    return (
      this.db
        .prepare('UPDATE alert_log SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL')
        .run(now.toISOString(), by, id).changes > 0
    );
  }

  /** Acknowledge every unacknowledged entry matching the filters; returns how many. */
  ackMatching(q: Omit<AlertLogQuery, 'limit' | 'offset'>, now: Date, by: string | null = null): number {
    const w = logWhere({ ...q, unackedOnly: true });
    return this.db
      .prepare(`UPDATE alert_log SET acked_at = ?, acked_by = ? ${w.sql}`)
      .run(now.toISOString(), by, ...w.params).changes;
  }
}
