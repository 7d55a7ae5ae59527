/** Start-up failures and the ordered stop list shared by main.ts and the feature modules it starts. */

import type { Store } from '../store/store.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import type { ScanCoordinator } from './scanCoordinator.js';

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** A start step that fails with an ordinary error becomes a StartupError with the same message. */
export async function orStartupError<T>(step: () => T | Promise<T>, prefix = ''): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new StartupError(`${prefix}${(err as Error).message}`);
  }
}

export type Stop = () => Promise<void> | void;
export type Stops = Array<[string, Stop]>;

/** Runs the stops newest first; one failing stop is logged and does not keep the others from running. */
export async function runStops(stops: Stops, log: Logger): Promise<void> {
  for (const [name, fn] of stops.reverse()) {
    try {
      await fn();
    } catch (err) {
      log.warn(`error while stopping ${name}: ${(err as Error).message}`);
    }
  }
  stops.length = 0;
}

/**
 * Starts a feature made of several parts: `start` pushes each part's stop as it starts; when it throws
 * part-way, what started is stopped again. Returns one stop for all parts (newest first).
 */
export async function startParts<T>(
  log: Logger,
  start: (stops: Stops) => Promise<T>,
): Promise<{ value: T; stop: Stop }> {
  const stops: Stops = [];
  try {
    const value = await start(stops);
    return { value, stop: () => runStops(stops, log) };
  } catch (err) {
    await runStops(stops, log);
    throw err;
  }
}

/**
 * The running service's stop: runs once (a second call gets the same promise): `first` in order (the
 * heartbeat, the scheduler, then the scan coordinator), then the stops newest first.
 */
export function stopOnce(log: Logger, first: Stop[], stops: Stops): (reason?: string) => Promise<void> {
  let stopped: Promise<void> | null = null;
  return (reason = 'stop') => {
    stopped ??= (async () => {
      log.info(`stopping (${reason})`);
      for (const f of first) await f();
      await runStops(stops, log);
      log.info('stopped');
    })();
    return stopped;
  };
}

/** What `startService` gives back: the running service's parts that a caller (CLI, tests) may use, and its stop. */
export interface RunningService {
  stop(reason?: string): Promise<void>;
  readonly httpUrl: string | null;
  readonly coordinator: ScanCoordinator;
  readonly store: Store;
  readonly bus: EventBus;
}
