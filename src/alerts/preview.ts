/**
 * Rule preview: "would have fired N times in the last 7 days". Replays the stored changes of the window, oldest
 * first, through the real AlertEngine with only the rule under test and an in-memory alert history, so the
 * rule's type/severity/device filters, its dedup window and its quiet hours count exactly as they would have
 * live. The network-wide flood limit is left out: it depends on every other rule. Pure.
 */
import type { Change, ChangeType, Device } from '../inventory/types.js';
import { AlertEngine, type AlertHistory } from './engine.js';
import type { AlertRule } from './types.js';

export type PreviewOutcome = 'fired' | 'suppressed_dedup' | 'suppressed_quiet';

export interface PreviewHit {
  change: Change & { id?: number };
  outcome: PreviewOutcome;
}

export interface RulePreview {
  since: Date;
  until: Date;
  /** stored changes of the window that were looked at */
  examined: number;
  /** changes the rule matches (type, severity, ignored/watched devices) */
  matched: number;
  /** notifications it would have sent */
  fired: number;
  suppressedDedup: number;
  suppressedQuiet: number;
  firedByType: Partial<Record<ChangeType, number>>;
  /** distinct devices it would have notified about */
  devices: number;
  /** the newest matches, newest first */
  recent: PreviewHit[];
}

/** Alert history of one simulated rule: when each dedup key last "sent". */
class ReplayHistory implements AlertHistory {
  private readonly last = new Map<string, Date>();
  lastSentAt(key: string): Date | null {
    return this.last.get(key) ?? null;
  }
  sentSince(): { sent: number; summary: boolean } {
    return { sent: 0, summary: false };
  }
  record(key: string, at: Date): void {
    this.last.set(key, at);
  }
}

/**
 * @param changes the stored changes of [since, until], in any order
 * @param deviceOf today's device flags (ignored, watched) — a device forgotten since counts as not ignored
 */
export function previewRule(
  rule: AlertRule,
  changes: ReadonlyArray<Change & { id?: number }>,
  deviceOf: (mac: string) => Pick<Device, 'ignored' | 'watched'> | null,
  window: { since: Date; until: Date },
  recentMax = 10,
): RulePreview {
  const history = new ReplayHistory();
  const engine = new AlertEngine(history, { max: Number.POSITIVE_INFINITY, windowSec: 1 });
  const ordered = [...changes].sort((a, b) => a.time.localeCompare(b.time) || (a.id ?? 0) - (b.id ?? 0));
  const out: RulePreview = {
    since: window.since,
    until: window.until,
    examined: ordered.length,
    matched: 0,
    fired: 0,
    suppressedDedup: 0,
    suppressedQuiet: 0,
    firedByType: {},
    devices: 0,
    recent: [],
  };
  const macs = new Set<string>();
  const hits: PreviewHit[] = [];
  for (const c of ordered) {
    const at = new Date(c.time);
    const device = c.mac ? deviceOf(c.mac) : null;
    const [d] = engine.decide(c, device, [rule], at);
    if (!d) continue;
    out.matched++;
    let outcome: PreviewOutcome;
    if (d.status === 'suppressed_dedup') {
      outcome = 'suppressed_dedup';
      out.suppressedDedup++;
    } else if (d.status === 'suppressed_quiet') {
      outcome = 'suppressed_quiet';
      out.suppressedQuiet++;
    } else {
      outcome = 'fired';
      out.fired++;
      out.firedByType[c.type] = (out.firedByType[c.type] ?? 0) + 1;
      if (c.mac) macs.add(c.mac);
      history.record(d.dedupKey, at);
    }
    hits.push({ change: c, outcome });
  }
  out.devices = macs.size;
  out.recent = hits.slice(-recentMax).reverse();
  return out;
}
