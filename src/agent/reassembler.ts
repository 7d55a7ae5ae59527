/**
 * Collects the chunks of agent results into whole bodies (pure; the clock is passed in).
 * Duplicate and reordered chunks are expected (QoS 1 redelivery, resends after a broker outage, bridges):
 * a chunk already held is ignored, the body is complete when every seq is present, and its sha256 must
 * match the header. Bounded: pending results per agent, bytes overall, and an age limit.
 */
import { type ChunkHeader, sha256Hex } from './protocol.js';

export type ChunkOutcome =
  | { status: 'partial'; have: number; total: number }
  | { status: 'duplicate_chunk' }
  | { status: 'complete'; body: Buffer; header: ChunkHeader }
  | { status: 'refused'; reason: string };

interface Pending {
  header: ChunkHeader;
  parts: Array<Buffer | undefined>;
  have: number;
  bytes: number;
  firstAt: number;
}

export interface ReassemblerLimits {
  maxPendingPerAgent: number;
  maxBytes: number;
  maxAgeMs: number;
}

const DEFAULT_LIMITS: ReassemblerLimits = {
  maxPendingPerAgent: 8,
  maxBytes: 64 * 1024 * 1024,
  maxAgeMs: 15 * 60_000,
};

export class Reassembler {
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;
  private readonly limits: ReassemblerLimits;

  constructor(limits: Partial<ReassemblerLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  accept(header: ChunkHeader, body: Buffer, now: number): ChunkOutcome {
    this.expire(now);
    const key = `${header.agent}/${header.rid}`;
    let p = this.pending.get(key);
    if (p) {
      const h = p.header;
      if (
        h.total !== header.total ||
        h.sha256 !== header.sha256 ||
        h.size !== header.size ||
        h.kind !== header.kind
      )
        return {
          status: 'refused',
          reason: `chunk ${header.seq} of ${header.rid} disagrees with earlier chunks`,
        };
      if (p.parts[header.seq]) return { status: 'duplicate_chunk' };
    } else {
      const mine = [...this.pending.values()].filter((x) => x.header.agent === header.agent);
      if (mine.length >= this.limits.maxPendingPerAgent) {
        // the oldest incomplete one of this agent goes: the agent resends it when unacknowledged
        const oldest = mine.reduce((a, b) => (a.firstAt <= b.firstAt ? a : b));
        this.drop(`${oldest.header.agent}/${oldest.header.rid}`);
      }
      p = { header, parts: new Array(header.total), have: 0, bytes: 0, firstAt: now };
      this.pending.set(key, p);
    }
    if (this.bytes + body.length > this.limits.maxBytes) {
      this.drop(key);
      return { status: 'refused', reason: 'reassembly buffer full' };
    }
    p.parts[header.seq] = body;
    p.have++;
    p.bytes += body.length;
    this.bytes += body.length;
    if (p.bytes > header.size) {
      this.drop(key);
      return { status: 'refused', reason: `chunks of ${header.rid} exceed the declared size ${header.size}` };
    }
    if (p.have < header.total) return { status: 'partial', have: p.have, total: header.total };
    this.drop(key);
    const whole = Buffer.concat(p.parts as Buffer[]);
    if (whole.length !== header.size)
      return {
        status: 'refused',
        reason: `body of ${header.rid} is ${whole.length} bytes, header says ${header.size}`,
      };
    if (sha256Hex(whole) !== header.sha256)
      return { status: 'refused', reason: `body of ${header.rid} does not match its sha256` };
    return { status: 'complete', body: whole, header };
  }

  /** Number of incomplete results held. */
  get size(): number {
    return this.pending.size;
  }

  private drop(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.bytes -= p.bytes;
    this.pending.delete(key);
  }

  private expire(now: number): void {
    for (const [k, p] of this.pending) if (now - p.firstAt > this.limits.maxAgeMs) this.drop(k);
  }
}
