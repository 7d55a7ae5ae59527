/**
 * A serial job queue: one scan at a time (a sweep never overlaps anything), sweeps jump ahead of
 * port scans (also between the batches of a long port scan), duplicate requests coalesce.
 */
export type JobKind = 'sweep' | 'ports';

export interface JobHost {
  ip: string;
  /** the device's MAC when the host is a known device (its IP is re-read when its batch runs) */
  mac: string | null;
}

export interface Job {
  kind: JobKind;
  /** identity for coalescing: an identical waiting request returns the waiting one */
  key: string;
  reason: string;
  /** for port scans: the device MACs (or null = every online device) */
  macs: string[] | null;
  /** the scan record of this request */
  scanId?: number;
  /** port scans: hosts per batch, in run order */
  batches?: JobHost[][];
  /** port scans: index of the next batch to run */
  next?: number;
  /** port scans: profile of this request (default: the configured one) */
  profile?: string;
  /** sweeps: the requested targets (default: the configured ones) */
  targets?: string[];
  /** scheduled sweep: folds into the previous row when neither changed anything */
  collapsible?: boolean;
}

export class JobQueue {
  private readonly jobs: Job[] = [];

  /** Adds a job unless an identical one is already waiting. Returns false when it coalesced. */
  push(job: Job): boolean {
    if (this.find(job.kind, job.key)) return false;
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

  /** Puts a port scan with batches left back at the head of the port scans (after any waiting sweep). */
  resume(job: Job): void {
    const firstPorts = this.jobs.findIndex((j) => j.kind === 'ports');
    this.jobs.splice(firstPorts >= 0 ? firstPorts : this.jobs.length, 0, job);
  }

  /** The waiting job with this identity, if any. */
  find(kind: JobKind, key: string): Job | undefined {
    return this.jobs.find((j) => j.kind === kind && j.key === key);
  }

  /** 1-based position of the job waiting for this scan, or 0. */
  positionOf(scanId: number): number {
    return this.jobs.findIndex((j) => j.scanId === scanId) + 1;
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

  /** nmap runs still to come in the queued port scans. */
  portBatchesLeft(): number {
    let n = 0;
    for (const j of this.jobs)
      if (j.kind === 'ports') n += Math.max(0, (j.batches?.length ?? 1) - (j.next ?? 0));
    return n;
  }

  has(kind: JobKind): boolean {
    return this.jobs.some((j) => j.kind === kind);
  }

  /** Empties the queue and returns what was waiting. */
  clear(): Job[] {
    return this.jobs.splice(0, this.jobs.length);
  }
}
