/**
 * The agent's bounded queue of results not yet acknowledged by the hub (pure). A result stays until the
 * hub acks it (ingested, duplicate or refused for good), so a broker or hub outage loses nothing; when the
 * queue is full the OLDEST result is dropped and counted (a newer sweep supersedes an older one).
 */
import type { EncodedResult } from './protocol.js';

export interface OutboxEntry {
  result: EncodedResult;
  queuedAt: number;
  /** last time all its chunks were handed to the broker (0 = never) */
  sentAt: number;
  attempts: number;
}

export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  dropped = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error('outbox size must be a positive integer');
  }

  /** Adds a result; returns the entries dropped to make room (oldest first). */
  push(result: EncodedResult, now: number): OutboxEntry[] {
    const dropped: OutboxEntry[] = [];
    while (this.entries.length >= this.max) {
      dropped.push(this.entries.shift()!);
      this.dropped++;
    }
    this.entries.push({ result, queuedAt: now, sentAt: 0, attempts: 0 });
    return dropped;
  }

  /** Removes an acknowledged result; false when it was not (or no longer) queued. */
  ack(rid: string): boolean {
    const i = this.entries.findIndex((e) => e.result.rid === rid);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }

  /** Still queued, i.e. not acknowledged (nor dropped) yet. */
  has(rid: string): boolean {
    return this.entries.some((e) => e.result.rid === rid);
  }

  /** Entries to (re)send now, oldest first: never sent, or sent longer than `resendMs` ago without an ack. */
  due(now: number, resendMs: number): OutboxEntry[] {
    return this.entries.filter((e) => e.sentAt === 0 || now - e.sentAt >= resendMs);
  }

  /** After a reconnect everything unacknowledged is due again. */
  markAllUnsent(): void {
    for (const e of this.entries) e.sentAt = 0;
  }

  get length(): number {
    return this.entries.length;
  }

  list(): readonly OutboxEntry[] {
    return this.entries;
  }
}
