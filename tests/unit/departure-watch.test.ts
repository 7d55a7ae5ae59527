import { describe, expect, it } from 'vitest';
import { dueAtNextSweep, nextPresence, type PresenceState } from '../../src/inventory/presence.js';
import type { Candidate, ConfirmOutcome } from '../../src/service/awayConfirmer.js';
import { DepartureWatch } from '../../src/service/departureWatch.js';

const T0 = Date.parse('2026-12-04T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const home: PresenceState = {
  presence: 'home',
  online: true,
  missedSweeps: 0,
  lastSeen: at(2).toISOString(),
};

describe('dueAtNextSweep (pure presence core)', () => {
  it('sweep every 15 s, consider_home 20: last seen at 2 s, missed at 15 s → due at the sweep of 30 s', () => {
    const missed = nextPresence(home, false, at(15), 20);
    expect(missed).toMatchObject({ presence: 'home', online: false, missedSweeps: 1 });
    expect(dueAtNextSweep(missed, at(30), 20)).toBe(true);
    // and that sweep would indeed make it away: the prediction is the state machine's own rule
    expect(nextPresence(missed, false, at(30), 20).presence).toBe('not_home');
  });

  it('consider_home 180: not due until the interval before lastSeen + 180 s', () => {
    let s: PresenceState = home;
    const due: number[] = [];
    for (let t = 15; t <= 195; t += 15) {
      const step = nextPresence(s, false, at(t), 180);
      s = step;
      if (step.presence === 'not_home') break;
      if (dueAtNextSweep(s, at(t + 15), 180)) due.push(t);
    }
    expect(due).toEqual([180]); // at 180 s: 178 s elapsed; the sweep at 195 s is the one that marks it away
    expect(s.presence).toBe('not_home');
  });

  it('a device seen by this sweep, or already away, is never due; two missed sweeps are needed', () => {
    expect(dueAtNextSweep(home, at(30), 20)).toBe(false);
    expect(
      dueAtNextSweep({ ...home, presence: 'not_home', online: false, missedSweeps: 2 }, at(60), 20),
    ).toBe(false);
    // consider_home 1 s but only the first miss so far: due (the second miss makes it away), not earlier
    const missed = nextPresence(home, false, at(15), 1);
    expect(missed.presence).toBe('home');
    expect(dueAtNextSweep(missed, at(30), 1)).toBe(true);
  });
});

describe('DepartureWatch', () => {
  const phone: Candidate = { mac: 'f0:18:98:00:00:30', ip: '10.0.0.30' };
  const laptop: Candidate = { mac: '00:11:32:00:00:20', ip: '10.0.0.20' };
  const outcome = (present: Array<[string, string]> = []): ConfirmOutcome => ({
    present: new Map(present),
    awayReason: 'no answer to the sweep nor to 3 probe rounds',
  });

  it('uses a result once: silent → away, answered → present, none → probe now', async () => {
    let now = T0 + 20_000;
    const w = new DepartureWatch(() => now);
    const runs: Candidate[][] = [];
    expect(
      w.ahead([phone, laptop], async (c) => {
        runs.push(c);
        return outcome([[phone.mac, 'probe: syn-ack']]);
      }),
    ).toBe(2);
    // already being probed: not started again
    expect(w.ahead([phone], async () => outcome())).toBe(0);
    expect(runs).toHaveLength(1);
    now += 15_000;
    const seen = at(2).toISOString();
    const r = await w.settle([
      { ...phone, lastSeen: seen },
      { ...laptop, lastSeen: seen },
      { mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.40', lastSeen: seen },
    ]);
    expect([...r.present]).toEqual([[phone.mac, 'probe: syn-ack']]);
    expect(r.silent.map((c) => c.mac)).toEqual([laptop.mac]);
    expect(r.awayReason).toMatch(/no answer/);
    expect(r.rest.map((c) => c.mac)).toEqual(['aa:bb:cc:00:00:01']);
    // used up
    const again = await w.settle([{ ...laptop, lastSeen: seen }]);
    expect(again.rest).toEqual([{ ...laptop, lastSeen: seen }]);
  });

  it('a result from probes started before the device was last seen, or at another address, is not used', async () => {
    const w = new DepartureWatch(() => T0 + 10_000);
    w.ahead([phone, laptop], async () => outcome());
    const r = await w.settle([
      { ...phone, lastSeen: at(12).toISOString() }, // seen after the probes started
      { ...laptop, ip: '10.0.0.21', lastSeen: at(2).toISOString() }, // moved
    ]);
    expect(r.silent).toEqual([]);
    expect(r.rest.map((c) => c.mac)).toEqual([phone.mac, laptop.mac]);
  });

  it('probes that failed or were stopped decide nothing', async () => {
    const w = new DepartureWatch(() => T0 + 20_000);
    w.ahead([phone], async () => {
      throw new Error('nmap died');
    });
    const r = await w.settle([{ ...phone, lastSeen: at(2).toISOString() }]);
    expect(r.rest).toHaveLength(1);
    let release: (o: ConfirmOutcome) => void = () => {};
    w.ahead([laptop], () => new Promise((res) => (release = res)));
    const pending = w.settle([{ ...laptop, lastSeen: at(2).toISOString() }]);
    w.stop();
    release(outcome());
    expect((await pending).rest).toHaveLength(1);
    expect(w.ahead([phone], async () => outcome())).toBe(0);
  });
});
