/**
 * A serial job queue: one scan at a time (a sweep never overlaps anything), sweeps jump ahead of
 * device scans, duplicate requests coalesce.
 */
export type JobKind = 'sweep' | 'ports';

export interface Job {
  kind: JobKind;
  /** for port scans: the device MACs (or null = every online device) */
  key: string;
  reason: string;
  macs: string[] | null;
  /** batch position within one port-scan request (for the log) */
  batch?: { index: number; total: number };
}

export class JobQueue {
  private readonly jobs: Job[] = [];

  /** Adds a job unless an identical one is already waiting. Returns false when it coalesced. */
  push(job: Job): boolean {
    if (this.jobs.some((j) => j.kind === job.kind && j.key === job.key)) return false;
    if (job.kind === 'sweep') {
      // sweeps go before any queued port scan
      const firstPorts = this.jobs.findIndex((j) => j.kind === 'ports');
      if (firstPorts >= 0) this.jobs.splice(firstPorts, 0, job);
      else this.jobs.push(job);
    } else {
      this.jobs.push(job);
    }
    return true;
  }

  shift(): Job | undefined {
    return this.jobs.shift();
  }

  get length(): number {
    return this.jobs.length;
  }

  /** MACs of every queued port-scan job. */
  queuedMacs(): Set<string> {
    const s = new Set<string>();
    for (const j of this.jobs) if (j.kind === 'ports') for (const m of j.macs ?? []) s.add(m);
    return s;
  }

  count(kind: JobKind): number {
    return this.jobs.filter((j) => j.kind === kind).length;
  }

  has(kind: JobKind): boolean {
    return this.jobs.some((j) => j.kind === kind);
  }

  clear(): void {
    this.jobs.length = 0;
  }
}
