/**
 * The service's event bus: a listener that throws is logged; one that failed because of the storage (full
 * disk, I/O error, read-only file) also becomes a `storage:failed` event, so health reports the service
 * degraded.
 */
import { storageFailure } from '../store/storageFailure.js';
import type { Clock } from '../util/clock.js';
import { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';

export function serviceBus(log: Logger, clock: Clock): EventBus {
  const bus = new EventBus((event, err) => {
    log.error(`listener for ${event} failed: ${(err as Error).message}`);
    const failure = storageFailure(err);
    if (failure && event !== 'storage:failed')
      bus.emit('storage:failed', { ...failure, at: clock.now().toISOString() });
  });
  return bus;
}
