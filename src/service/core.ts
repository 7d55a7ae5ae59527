/**
 * What every feature of the running service shares: the options, the database and its main repositories, the
 * event bus, the clock and the root logger (each feature takes its own child). main.ts builds it once.
 */
import type { Options } from '../config/options.js';
import type { Db } from '../store/db.js';
import type { FindingsRepo } from '../store/findingsRepo.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { serviceBus } from './serviceBus.js';

export interface ServiceCore {
  readonly options: Options;
  readonly db: Db;
  readonly store: Store;
  readonly findings: FindingsRepo;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The core of a service on this storage, with the service's bus (see serviceBus). */
export function serviceCore(
  options: Options,
  storage: Pick<ServiceCore, 'db' | 'store' | 'findings'>,
  clock: Clock,
  log: Logger,
): ServiceCore {
  const { db, store, findings } = storage;
  return { options, db, store, findings, bus: serviceBus(log, clock), clock, log };
}
