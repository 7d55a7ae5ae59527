import { describe, expect, it } from 'vitest';
import { effectiveConsiderHome, nextPresence, type PresenceState } from '../../src/inventory/presence.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const home = (missed = 0): PresenceState => ({
  presence: 'home',
  online: missed === 0,
  missedSweeps: missed,
  lastSeen: at(0).toISOString(),
});

describe('nextPresence', () => {
  it('seen → home, online, counter reset, lastSeen = now', () => {
    const s = nextPresence(home(3), true, at(500), 180);
    expect(s).toEqual({
      presence: 'home',
      online: true,
      missedSweeps: 0,
      lastSeen: at(500).toISOString(),
      transition: null,
    });
  });

  it('seen after not_home → arrived', () => {
    const s = nextPresence({ ...home(5), presence: 'not_home', online: false }, true, at(900), 180);
    expect(s.transition).toBe('arrived');
    expect(s.presence).toBe('home');
  });

  it('one missed sweep is never enough, even long after consider_home', () => {
    const s = nextPresence(home(0), false, at(10_000), 180);
    expect(s).toMatchObject({ presence: 'home', online: false, missedSweeps: 1, transition: null });
    expect(s.lastSeen).toBe(at(0).toISOString());
  });

  it('two missed sweeps but within consider_home → still home', () => {
    expect(nextPresence(home(1), false, at(179), 180)).toMatchObject({ presence: 'home', missedSweeps: 2 });
  });

  it('exactly at the consider_home boundary with two missed sweeps → not_home (elapsed ≥ consider_home)', () => {
    expect(nextPresence(home(1), false, at(180), 180)).toMatchObject({
      presence: 'not_home',
      missedSweeps: 2,
      transition: 'departed',
    });
    expect(nextPresence(home(1), false, new Date(T0 + 179_999), 180).presence).toBe('home');
  });

  it('once not_home the counter saturates and nothing transitions again', () => {
    const away: PresenceState = {
      presence: 'not_home',
      online: false,
      missedSweeps: 2,
      lastSeen: at(0).toISOString(),
    };
    const s = nextPresence(away, false, at(5000), 180);
    expect(s).toEqual({
      presence: 'not_home',
      online: false,
      missedSweeps: 2,
      lastSeen: away.lastSeen,
      transition: null,
    });
  });

  it('a per-device override replaces the global value', () => {
    expect(effectiveConsiderHome(600, 180)).toBe(600);
    expect(effectiveConsiderHome(null, 180)).toBe(180);
    expect(effectiveConsiderHome(0, 180)).toBe(0);
    expect(nextPresence(home(1), false, at(300), effectiveConsiderHome(600, 180)).presence).toBe('home');
    expect(nextPresence(home(1), false, at(600), effectiveConsiderHome(600, 180)).presence).toBe('not_home');
    // override 0: leaves after exactly two missed sweeps
    expect(nextPresence(home(1), false, at(1), effectiveConsiderHome(0, 180)).presence).toBe('not_home');
  });
});
