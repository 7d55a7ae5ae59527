/**
 * What `api/health` reports beyond "the process answers": `degraded` while the last sweep failed (it was
 * recorded as failed and marked no device absent) or while writes to the database fail (a full disk). Each
 * problem clears by itself: the next successful sweep, the next successful write. Every change of the
 * problems is told on the bus (`health:changed`), so the hub's problem binary sensor in HA follows.
 */
import type { BusEvents, EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import type { HealthProblemKind, HealthStatus } from '../vocabulary.js';

export interface HealthProblem {
  kind: HealthProblemKind;
  message: string;
  /** when the problem began (ISO time); a repeat keeps the first time */
  since: string;
}

export class ServiceHealth {
  private sweep: HealthProblem | null = null;
  private storage: HealthProblem | null = null;
  private bus: EventBus | null = null;

  constructor(private readonly log: Logger) {}

  /** Follows sweeps and storage failures on the bus; returns the function that stops following. */
  attach(bus: EventBus): () => void {
    this.bus = bus;
    const offs = [
      bus.on('scan:failed', (e) => {
        if (e.kind !== 'sweep') return;
        this.change(() => {
          this.sweep = {
            kind: 'sweep_failed',
            message: `sweep #${e.scanId} failed: ${e.error}; no device was marked absent`,
            since: this.sweep?.since ?? e.finishedAt,
          };
        });
      }),
      bus.on('scan:finished', (e) => {
        if (e.kind === 'sweep' && this.sweep) this.change(() => (this.sweep = null));
        // its results were written
        this.writeSucceeded();
      }),
      bus.on('storage:failed', (e) => this.storageFailed(e)),
    ];
    return () => {
      for (const off of offs) off();
      this.bus = null;
    };
  }

  storageFailed(e: BusEvents['storage:failed']): void {
    if (!this.storage) this.log.error(`database writes fail: ${e.message} (${e.code})`);
    if (this.storage?.message === e.message) return;
    this.change(() => {
      this.storage = { kind: 'storage', message: e.message, since: this.storage?.since ?? e.at };
    });
  }

  writeSucceeded(): void {
    if (!this.storage) return;
    this.log.info('database writes succeed again');
    this.change(() => (this.storage = null));
  }

  status(): HealthStatus {
    return this.sweep || this.storage ? 'degraded' : 'ok';
  }

  problems(): HealthProblem[] {
    return [this.storage, this.sweep].filter((p): p is HealthProblem => p !== null);
  }

  private change(apply: () => void): void {
    const before = this.signature();
    apply();
    if (this.signature() !== before)
      this.bus?.emit('health:changed', { status: this.status(), problems: this.problems().length });
  }

  private signature(): string {
    return this.problems()
      .map((p) => `${p.kind}:${p.message}`)
      .join('\n');
  }
}
