/**
 * Confirmation probes ahead of the sweep that decides (DESIGN §15 and §14's departure bound). A device that
 * missed a sweep and will be away if it also misses the next one (`dueAtNextSweep`) is probed right after
 * the sweep that missed it, in the background, in the same rounds as before. The next sweep then finds the
 * answer ready instead of starting the rounds (3 rounds 4 s apart, ~15 s for an absent device, which came on
 * top of the two missed sweeps):
 * - silent to every probe since it was last seen, and missed by that sweep too: away at once;
 * - answered a probe: it was there after the missed sweep, so this sweep counts it as seen (as an answer to
 *   the sweep's own probes would), with the probe as its presence reason;
 * - no probe of it ran, or only one started before it was last seen: probed now, as before.
 * Each result is used by at most one sweep.
 */
import { dueAtNextSweep, effectiveConsiderHome } from '../inventory/presence.js';
import type { Device } from '../inventory/types.js';
import type { Candidate, ConfirmOutcome } from './awayConfirmer.js';

export type ConfirmRun = (candidates: Candidate[], signal: AbortSignal) => Promise<ConfirmOutcome>;

interface Watched {
  ip: string;
  startedAt: number;
  /** null: the probes did not complete (aborted or failed) */
  outcome: Promise<ConfirmOutcome | null>;
  done: boolean;
}

export interface Settled {
  /** silent to the sweeps and to every probe round since last seen: away now */
  silent: Candidate[];
  /** answered a probe after the missed sweep: MAC → the answering probe */
  present: Map<string, string>;
  /** the reason the silent ones are away */
  awayReason: string | null;
  /** no usable probe result: probe them now */
  rest: Candidate[];
}

export class DepartureWatch {
  private readonly watched = new Map<string, Watched>();
  private abort = new AbortController();

  constructor(private readonly nowMs: () => number) {}

  /** After a sweep: start the probes of the devices due at the next one (those not being probed already). */
  ahead(due: readonly Candidate[], confirm: ConfirmRun): number {
    for (const [mac, w] of this.watched) if (w.done) this.watched.delete(mac);
    const fresh = due.filter((c) => !this.watched.has(c.mac));
    if (fresh.length === 0 || this.abort.signal.aborted) return 0;
    const startedAt = this.nowMs();
    const outcome = confirm(fresh, this.abort.signal).then(
      (o) => (this.abort.signal.aborted ? null : o),
      () => null,
    );
    for (const c of fresh) {
      const w: Watched = { ip: c.ip, startedAt, outcome, done: false };
      void outcome.then(() => {
        w.done = true;
      });
      this.watched.set(c.mac, w);
    }
    return fresh.length;
  }

  /**
   * At a sweep that would mark `candidates` away: what the probes started since each was last seen say
   * (waiting for rounds still running). Every result looked at here is used up.
   */
  async settle(candidates: ReadonlyArray<Candidate & { lastSeen: string }>): Promise<Settled> {
    const out: Settled = { silent: [], present: new Map(), awayReason: null, rest: [] };
    for (const c of candidates) {
      const w = this.watched.get(c.mac);
      this.watched.delete(c.mac);
      const seen = Date.parse(c.lastSeen);
      if (!w || w.ip !== c.ip || !(w.startedAt >= seen)) {
        out.rest.push(c);
        continue;
      }
      const o = await w.outcome;
      const answer = o?.present.get(c.mac);
      if (!o) out.rest.push(c);
      else if (answer !== undefined) out.present.set(c.mac, answer);
      else {
        out.silent.push(c);
        out.awayReason = o.awayReason;
      }
    }
    return out;
  }

  /** Cuts the probes short (service stopping); their results are never used. */
  stop(): void {
    this.abort.abort();
    this.watched.clear();
  }
}

/**
 * Of the devices a sweep updated, those it missed that will be away if the sweep expected at `nextSweepAt`
 * misses them too (each with its own consider_home), with an address to probe.
 */
export function dueCandidates(
  devices: readonly Device[],
  nextSweepAt: Date,
  considerHome: number,
): Candidate[] {
  return devices.flatMap((d) =>
    d.ip && !d.ignored && dueAtNextSweep(d, nextSweepAt, effectiveConsiderHome(d.considerHome, considerHome))
      ? [{ mac: d.mac, ip: d.ip }]
      : [],
  );
}
