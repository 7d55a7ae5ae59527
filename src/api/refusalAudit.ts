/**
 * Audit of refused requests (401 with a bad credential, 403, 429) without letting anyone flood the log:
 * at most `perSource` rows per source (peer IP or caller) and `total` rows overall per window. Refusals
 * beyond that are counted, and the count is written with the source's next audited refusal
 * (`detail.suppressed`), so the log says how much was left out.
 */
import type { AuditInput } from '../store/auditRepo.js';

export interface RefusalAuditOptions {
  append: (e: AuditInput) => void;
  now: () => number;
  perSource?: number;
  total?: number;
  windowMs?: number;
  maxSources?: number;
}

export class RefusalAudit {
  private windowStart = 0;
  private totalInWindow = 0;
  private readonly bySource = new Map<string, { n: number; suppressed: number }>();
  private readonly perSource: number;
  private readonly total: number;
  private readonly windowMs: number;
  private readonly maxSources: number;

  constructor(private readonly o: RefusalAuditOptions) {
    this.perSource = o.perSource ?? 5;
    this.total = o.total ?? 60;
    this.windowMs = o.windowMs ?? 60_000;
    this.maxSources = o.maxSources ?? 10_000;
  }

  /** Records a refusal from `source`; returns true when a row was written. */
  record(source: string, e: AuditInput): boolean {
    const t = this.o.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.totalInWindow = 0;
      // keep suppressed counts of the last window so they are reported with the next row
      for (const [k, s] of this.bySource) {
        if (s.suppressed === 0) this.bySource.delete(k);
        else s.n = 0;
      }
    }
    let s = this.bySource.get(source);
    if (!s) {
      if (this.bySource.size >= this.maxSources) {
        const first = this.bySource.keys().next().value;
        if (first !== undefined) this.bySource.delete(first);
      }
      s = { n: 0, suppressed: 0 };
      this.bySource.set(source, s);
    }
    if (s.n >= this.perSource || this.totalInWindow >= this.total) {
      s.suppressed++;
      return false;
    }
    s.n++;
    this.totalInWindow++;
    const detail = { ...((e.detail as Record<string, unknown> | null | undefined) ?? {}) };
    if (s.suppressed > 0) detail.suppressed = s.suppressed;
    s.suppressed = 0;
    this.o.append({ ...e, detail });
    return true;
  }
}
