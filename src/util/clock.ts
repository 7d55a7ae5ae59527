/** Injected clock so cores and tests never read the wall clock directly. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A controllable clock for tests. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(date: Date | string): void {
    this.t = typeof date === 'string' ? Date.parse(date) : date.getTime();
  }
}

/** ISO-8601 with an explicit offset (UTC "Z"); HA timestamps require a timezone. */
export function iso(d: Date): string {
  return d.toISOString();
}
