/**
 * Which alert rules fire for a change, and what happens to each: sent, or suppressed by quiet hours, dedup
 * or the flood limit. Pure apart from the injected history (alert log) and the time passed in.
 *
 * - Ignored devices never alert; `watchedOnly` rules need a watched device.
 * - Dedup: one notification per (rule, device, change type) within the rule's window.
 * - Quiet hours ("22:00"–"07:00", local time, may cross midnight): suppressed but logged; critical changes
 *   still go out.
 * - Flood limit: at most `floodMax` notifications per `floodWindowSec`; the first one over the limit is turned
 *   into a single summary notification, the rest are suppressed (and logged) until the window frees up.
 */
import type { Change, Device } from '../inventory/types.js';
import { severityAtLeast } from '../vocabulary.js';
import type { AlertRule, AlertStatus, QuietHours } from './types.js';

export interface AlertHistory {
  lastSentAt(dedupKey: string): Date | null;
  sentSince(since: Date): { sent: number; summary: boolean };
}

export interface FloodLimit {
  max: number;
  windowSec: number;
}

export const DEFAULT_FLOOD: FloodLimit = { max: 20, windowSec: 600 };

export interface AlertDecision {
  rule: AlertRule;
  status: Extract<
    AlertStatus,
    'sent' | 'suppressed_quiet' | 'suppressed_dedup' | 'suppressed_flood' | 'summary'
  >;
  dedupKey: string;
}

export function dedupKey(rule: AlertRule, change: Change): string {
  return `${rule.id}|${change.mac ?? '-'}|${change.type}`;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Is local time `now` inside the quiet window? start == end means no quiet time. */
export function inQuietHours(q: QuietHours, now: Date): boolean {
  const s = minutes(q.start);
  const e = minutes(q.end);
  const t = now.getHours() * 60 + now.getMinutes();
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/** Does the rule apply to this change and device at all (type, severity, device flags)? */
export function ruleMatches(
  rule: AlertRule,
  change: Change,
  device: Pick<Device, 'ignored' | 'watched'> | null,
): boolean {
  if (!rule.enabled) return false;
  if (device?.ignored) return false;
  if (!rule.types.includes(change.type)) return false;
  if (!severityAtLeast(change.severity, rule.minSeverity)) return false;
  if (rule.watchedOnly && !device?.watched) return false;
  return true;
}

export class AlertEngine {
  constructor(
    private readonly history: AlertHistory,
    private readonly flood: FloodLimit = DEFAULT_FLOOD,
  ) {}

  /**
   * Decide for every matching rule. `pendingSent` counts decisions already made in this call so several
   * rules firing at once respect the flood limit too.
   */
  decide(
    change: Change,
    device: Pick<Device, 'ignored' | 'watched'> | null,
    rules: AlertRule[],
    now: Date,
  ): AlertDecision[] {
    const out: AlertDecision[] = [];
    let pendingSent = 0;
    let pendingSummary = false;
    for (const rule of rules) {
      if (!ruleMatches(rule, change, device)) continue;
      const key = dedupKey(rule, change);
      const last = this.history.lastSentAt(key);
      if (last && now.getTime() - last.getTime() < rule.dedupWindowSec * 1000) {
        out.push({ rule, status: 'suppressed_dedup', dedupKey: key });
        continue;
      }
      if (rule.quietHours && change.severity !== 'critical' && inQuietHours(rule.quietHours, now)) {
        out.push({ rule, status: 'suppressed_quiet', dedupKey: key });
        continue;
      }
      const recent = this.history.sentSince(new Date(now.getTime() - this.flood.windowSec * 1000));
      if (recent.sent + pendingSent >= this.flood.max) {
        const summaryDone = recent.summary || pendingSummary;
        out.push({ rule, status: summaryDone ? 'suppressed_flood' : 'summary', dedupKey: key });
        pendingSummary = true;
        continue;
      }
      pendingSent++;
      out.push({ rule, status: 'sent', dedupKey: key });
    }
    return out;
  }
}
