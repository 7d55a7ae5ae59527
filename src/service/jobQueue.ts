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
  /** port profile for this job (a schedule's); default the port_profile option */
  profile?: 'top100' | 'top1000' | 'custom';
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

  has(kind: JobKind): boolean {
    return this.jobs.some((j) => j.kind === kind);
  }

  clear(): void {
    this.jobs.length = 0;
  }
}
