/** Presence timeline maths (pure): turns state-change points into segments inside a window. */

export interface PresencePoint {
  time: string;
  online: boolean;
}

export interface Segment {
  start: number;
  end: number;
  online: boolean;
  /** share of the window, 0..1 */
  left: number;
  width: number;
}

/**
 * Segments of online/offline over [now - windowMs, now]. The state before the first point inside the window
 * is the state of the last point before it (unknown → treated as offline only when a point exists).
 */
export function presenceSegments(points: PresencePoint[], now: number, windowMs: number): Segment[] {
  const start = now - windowMs;
  const sorted = points
    .map((p) => ({ t: Date.parse(p.time), online: p.online }))
    .filter((p) => !Number.isNaN(p.t) && p.t <= now)
    .sort((a, b) => a.t - b.t);
  if (sorted.length === 0) return [];
  const segs: Segment[] = [];
  let curState: boolean | null = null;
  let curStart = start;
  for (const p of sorted) {
    if (p.t <= start) {
      curState = p.online;
      continue;
    }
    if (curState === null) {
      curState = p.online;
      curStart = p.t;
      continue;
    }
    if (p.online !== curState) {
      segs.push(seg(curStart, p.t, curState, start, windowMs));
      curState = p.online;
      curStart = p.t;
    }
  }
  if (curState !== null) segs.push(seg(curStart, now, curState, start, windowMs));
  return segs.filter((s) => s.end > s.start);
}

function seg(a: number, b: number, online: boolean, windowStart: number, windowMs: number): Segment {
  return {
    start: a,
    end: b,
    online,
    left: (a - windowStart) / windowMs,
    width: (b - a) / windowMs,
  };
}

/** Share of the covered time the device was online, 0..1, or null without data. */
export function uptimeShare(segs: Segment[]): number | null {
  let on = 0;
  let all = 0;
  for (const s of segs) {
    all += s.end - s.start;
    if (s.online) on += s.end - s.start;
  }
  return all > 0 ? on / all : null;
}
