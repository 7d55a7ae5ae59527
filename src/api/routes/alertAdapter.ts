/**
 * The alert log and rules onto the HTTP API's alerts port: camelCase records → snake_case wire JSON. Where the
 * wire contract offers more than the alert engine can honour, it refuses with a 400 naming the field: rules
 * for finding-kind events (risky_port, vulnerable_version, custom) and rules limited to devices (`macs`).
 */
import type { Alerts } from '../../alerts/alerts.js';
import { previewRule, type RulePreview } from '../../alerts/preview.js';
import {
  type AlertLogEntry,
  type AlertRule,
  type AlertRuleInput,
  type AlertStatus,
  alertRuleInputSchema,
  type DeliveryState,
} from '../../alerts/types.js';
import { type Device, displayName } from '../../inventory/types.js';
import type { AlertLogQuery, AlertsRepo } from '../../store/alertsRepo.js';
import type { ChangesRepo } from '../../store/changesRepo.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { CHANGE_TYPES, type ChangeType } from '../../vocabulary.js';
import { ApiError, asBadRequest } from '../errors.js';
import type { AlertsPort } from '../ports.js';
import type {
  AlertExportQuery,
  AlertJson,
  AlertRuleCreate,
  AlertRuleJson,
  AlertRulePatch,
  AlertRulePreviewJson,
} from '../schemas.js';

/**
 * What `GET api/alerts` lists: every decision but repeats swallowed by the dedup window (those are the same
 * alert again). Quiet-hours and flood-limited alerts are listed: they were not pushed, so the log is where
 * the user finds them.
 */
const LISTED_STATUSES: AlertStatus[] = ['sent', 'failed', 'summary', 'suppressed_quiet', 'suppressed_flood'];

function alertJson(
  e: AlertLogEntry,
  ruleNames: Map<number, string>,
  device: (mac: string) => Device | null,
): AlertJson {
  const d = e.mac ? device(e.mac) : null;
  return {
    id: e.id,
    rule_id: e.ruleId,
    rule_name: e.ruleId === null ? null : (ruleNames.get(e.ruleId) ?? null),
    kind: e.kind,
    mac: e.mac,
    device_name: d ? displayName(d) : null,
    change_id: e.changeId,
    severity: e.severity,
    title: e.title,
    message: e.message,
    channels: [...e.channels],
    delivery: e.deliveryState,
    channel_results: e.delivery.map((r) => ({
      channel: r.channel,
      outcome: r.outcome,
      detail: r.detail ?? null,
    })),
    held_back:
      e.status === 'suppressed_quiet'
        ? 'quiet_hours'
        : e.status === 'suppressed_flood'
          ? 'flood_limit'
          : null,
    error: e.error,
    time: e.time,
    acked: e.ackedAt !== null,
    acked_at: e.ackedAt,
    acked_by: e.ackedBy,
  };
}

/** The alert-log filter of an API query (times normalised to UTC so they compare with the stored ones). */
function logFilter(
  q: Omit<AlertExportQuery, 'status'> & { status?: AlertExportQuery['status'] },
): AlertLogQuery {
  const utc = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  const since = utc(q.since);
  const until = utc(q.until);
  return {
    statuses: LISTED_STATUSES,
    ...(q.status === 'open' ? { unackedOnly: true } : {}),
    ...(q.status === 'acked' ? { ackedOnly: true } : {}),
    ...(q.mac ? { mac: q.mac } : {}),
    ...(q.min_severity ? { minSeverity: q.min_severity } : {}),
    ...(q.rule_id !== undefined ? { ruleId: q.rule_id } : {}),
    ...(q.channel ? { channel: q.channel } : {}),
    ...(q.kind ? { kind: q.kind } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(q.delivery ? { deliveryStates: [q.delivery as DeliveryState] } : {}),
  };
}

/** At most this many rows in one CSV export. */
export const ALERT_EXPORT_MAX = 10_000;

function ruleJson(r: AlertRule, clock: Clock): AlertRuleJson {
  const fallback = clock.now().toISOString();
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    events: [...r.types],
    min_severity: r.minSeverity,
    channels: [...r.channels],
    macs: [],
    quiet_hours: r.quietHours ? { start: r.quietHours.start, end: r.quietHours.end } : null,
    dedup_window_s: r.dedupWindowSec,
    created_at: r.createdAt ?? fallback,
    updated_at: r.updatedAt ?? fallback,
  };
}

const CHANGE_TYPE_SET: ReadonlySet<string> = new Set(CHANGE_TYPES);

function ruleEvents(events: readonly string[]): ChangeType[] {
  const unsupported = events.filter((e) => !CHANGE_TYPE_SET.has(e));
  if (unsupported.length > 0) {
    throw new ApiError(
      400,
      'bad_request',
      `invalid body: body.events: ${unsupported.join(', ')} cannot trigger an alert rule yet; use the change type ` +
        'threat_detected (with min_severity) for findings',
      [
        {
          path: 'body.events',
          message: `unsupported: ${unsupported.join(', ')}; allowed: ${CHANGE_TYPES.join(', ')}`,
        },
      ],
    );
  }
  return [...new Set(events as ChangeType[])];
}

function ruleMacs(macs: readonly string[] | undefined): void {
  if (macs && macs.length > 0) {
    throw new ApiError(
      400,
      'bad_request',
      'invalid body: body.macs: restricting a rule to devices is not supported yet; leave macs empty ' +
        '(rules apply to every device that is not ignored)',
      [{ path: 'body.macs', message: 'must be empty' }],
    );
  }
}

function createInput(c: AlertRuleCreate): AlertRuleInput {
  ruleMacs(c.macs);
  return {
    name: c.name,
    enabled: c.enabled,
    types: ruleEvents(c.events),
    minSeverity: c.min_severity,
    channels: [...c.channels],
    ...(c.quiet_hours ? { quietHours: { ...c.quiet_hours } } : {}),
    dedupWindowSec: c.dedup_window_s,
  };
}

/** Patch over the stored rule; settings the API does not show (notify services, webhooks, watched only) stay. */
function patchedInput(cur: AlertRule, p: AlertRulePatch): AlertRuleInput {
  ruleMacs(p.macs);
  const quiet = p.quiet_hours === undefined ? cur.quietHours : (p.quiet_hours ?? undefined);
  return {
    name: p.name ?? cur.name,
    enabled: p.enabled ?? cur.enabled,
    types: p.events ? ruleEvents(p.events) : cur.types,
    minSeverity: p.min_severity ?? cur.minSeverity,
    channels: p.channels ? [...p.channels] : cur.channels,
    ...(cur.notifyServices ? { notifyServices: cur.notifyServices } : {}),
    ...(cur.webhookIds ? { webhookIds: cur.webhookIds } : {}),
    ...(quiet ? { quietHours: { start: quiet.start, end: quiet.end } } : {}),
    ...(cur.watchedOnly ? { watchedOnly: true } : {}),
    dedupWindowSec: p.dedup_window_s ?? cur.dedupWindowSec,
  };
}

/** What alerts are read with: the stored changes (rule previews replay them) and today's devices. */
export interface AlertSources {
  changes: Pick<ChangesRepo, 'inWindow'>;
  device: (mac: string) => Device | null;
}

function previewJson(p: RulePreview, days: number, truncated: boolean): AlertRulePreviewJson {
  return {
    days,
    since: p.since.toISOString(),
    until: p.until.toISOString(),
    examined: p.examined,
    truncated,
    matched: p.matched,
    fired: p.fired,
    suppressed_dedup: p.suppressedDedup,
    suppressed_quiet: p.suppressedQuiet,
    fired_by_type: { ...p.firedByType } as Record<string, number>,
    devices: p.devices,
    recent: p.recent.map((h) => ({
      change_id: h.change.id ?? null,
      time: h.change.time,
      type: h.change.type,
      mac: h.change.mac,
      ip: h.change.ip,
      name: h.change.name,
      severity: h.change.severity,
      message: h.change.message,
      outcome: h.outcome,
    })),
  };
}

/** `alerts` is the running Alerts service; its repositories share the database with `repo`. */
export function alertsPort(
  repo: AlertsRepo,
  _alerts: Alerts,
  sources: AlertSources,
  clock: Clock = systemClock,
): AlertsPort {
  const ruleNames = () => new Map(repo.listRules().map((r) => [r.id, r.name]));
  const preview = (rule: AlertRule, days: number): AlertRulePreviewJson => {
    const until = clock.now();
    const since = new Date(until.getTime() - days * 86_400_000);
    // a preview answers "if this rule were on": a disabled rule is replayed as enabled
    rule = { ...rule, enabled: true };
    const w = sources.changes.inWindow(rule.types, since.toISOString(), until.toISOString());
    return previewJson(previewRule(rule, w.items, sources.device, { since, until }), days, w.truncated);
  };
  return {
    list(q) {
      const filter = logFilter(q);
      const names = ruleNames();
      return {
        items: repo
          .list({ ...filter, limit: q.limit, offset: q.offset })
          .map((e) => alertJson(e, names, sources.device)),
        total: repo.count(filter),
        limit: q.limit,
        offset: q.offset,
      };
    },
    export(q) {
      const names = ruleNames();
      return repo
        .list({ ...logFilter(q), limit: ALERT_EXPORT_MAX })
        .map((e) => alertJson(e, names, sources.device));
    },
    ack(id, by) {
      // acking twice is fine: the first acknowledgement (time, who) stays
      repo.ack(id, clock.now(), by);
      const e = repo.entry(id);
      return e ? alertJson(e, ruleNames(), sources.device) : null;
    },
    ackMany(q, by) {
      return repo.ackMatching(logFilter(q), clock.now(), by);
    },
    rules: {
      list: () => repo.listRules().map((r) => ruleJson(r, clock)),
      get(id) {
        const r = repo.getRule(id);
        return r ? ruleJson(r, clock) : null;
      },
      create(input) {
        const v = createInput(input);
        return ruleJson(
          asBadRequest(() => repo.createRule(v, clock.now())),
          clock,
        );
      },
      update(id, patch) {
        const cur = repo.getRule(id);
        if (!cur) return null;
        const v = patchedInput(cur, patch);
        const r = asBadRequest(() => repo.updateRule(id, v, clock.now()));
        return r ? ruleJson(r, clock) : null;
      },
      delete: (id) => repo.deleteRule(id),
      preview(input, days) {
        const v = asBadRequest(() => alertRuleInputSchema.parse(createInput(input)));
        return preview({ ...v, id: 0 }, days);
      },
      previewSaved(id, days) {
        const r = repo.getRule(id);
        return r ? preview(r, days) : null;
      },
    },
  };
}
