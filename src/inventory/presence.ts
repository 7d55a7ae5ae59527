/**
 * Presence state machine (pure).
 *
 * - Seen in a (successful) sweep: `home`, online, missedSweeps reset to 0.
 * - Not seen: offline; missedSweeps + 1; flips to `not_home` only when BOTH
 *   (now - lastSeen) >= considerHome seconds (at exactly the boundary the device is away) AND
 *   missedSweeps >= MIN_MISSED_SWEEPS.
 * - Once `not_home`, the counter stops growing (it saturates), so absent devices do not
 *   change (and are not rewritten) on every sweep.
 * - A failed sweep is never passed here: the caller records the failure and marks nothing absent.
 */
import type { Device, Presence } from './types.js';

export const MIN_MISSED_SWEEPS = 2;

export type PresenceState = Pick<Device, 'presence' | 'online' | 'missedSweeps' | 'lastSeen'>;

export interface PresenceStep {
  presence: Presence;
  online: boolean;
  missedSweeps: number;
  lastSeen: string;
  /** 'arrived' when it went not_home → home, 'departed' when home → not_home. */
  transition: 'arrived' | 'departed' | null;
}

/** The effective consider_home in seconds: the device's override when set, else the global value. */
export function effectiveConsiderHome(
  deviceOverride: number | null | undefined,
  globalSeconds: number,
): number {
  return typeof deviceOverride === 'number' && Number.isFinite(deviceOverride) && deviceOverride >= 0
    ? deviceOverride
    : globalSeconds;
}

export function nextPresence(
  prev: PresenceState,
  seen: boolean,
  now: Date,
  considerHomeSeconds: number,
): PresenceStep {
  if (seen) {
    return {
      presence: 'home',
      online: true,
      missedSweeps: 0,
      lastSeen: now.toISOString(),
      transition: prev.presence === 'not_home' ? 'arrived' : null,
    };
  }
  if (prev.presence === 'not_home') {
    return {
      presence: 'not_home',
      online: false,
      missedSweeps: Math.max(prev.missedSweeps, MIN_MISSED_SWEEPS),
      lastSeen: prev.lastSeen,
      transition: null,
    };
  }
  const missed = prev.missedSweeps + 1;
  const away = awayAfterMiss(prev, now, considerHomeSeconds);
  return {
    presence: away ? 'not_home' : 'home',
    online: false,
    missedSweeps: missed,
    lastSeen: prev.lastSeen,
    transition: away ? 'departed' : null,
  };
}

/** Whether one more missed sweep at `at` makes a device that is home now away (both conditions above). */
function awayAfterMiss(prev: PresenceState, at: Date, considerHomeSeconds: number): boolean {
  const lastSeenMs = Date.parse(prev.lastSeen);
  const elapsedMs = Number.isNaN(lastSeenMs) ? Number.POSITIVE_INFINITY : at.getTime() - lastSeenMs;
  return prev.missedSweeps + 1 >= MIN_MISSED_SWEEPS && elapsedMs >= considerHomeSeconds * 1000;
}

/**
 * A device that just missed a sweep and will be away if it also misses the one expected at `nextSweepAt`:
 * its confirmation probes (DESIGN §15) can run in the interval between, instead of after that sweep (which
 * put departure at two sweep intervals + the probe rounds). Online or away devices are never due.
 */
export function dueAtNextSweep(
  state: PresenceState,
  nextSweepAt: Date,
  considerHomeSeconds: number,
): boolean {
  if (state.presence !== 'home' || state.online) return false;
  return awayAfterMiss(state, nextSweepAt, considerHomeSeconds);
}
