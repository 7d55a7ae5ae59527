/**
 * Trend rollups: at the end of every sweep and port scan, the inventory's figures are folded into the
 * current hour (DESIGN §9); new devices are counted from the `new_device` changes since the last record.
 * Attaches its own bus subscriptions; `stop()` detaches them.
 */
import type { StatsRepo } from '../store/statsRepo.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';

export interface StatsRecorderDeps {
  bus: EventBus;
  stats: StatsRepo;
  clock: Clock;
  logger: Logger;
}

export function attachStatsRecorder(deps: StatsRecorderDeps): { stop(): void } {
  let pendingNew = 0;
  const record = () => {
    try {
      deps.stats.record(deps.clock.now(), pendingNew);
      pendingNew = 0;
    } catch (err) {
      deps.logger.warn(`trend rollup not written: ${(err as Error).message}`);
    }
  };
  const offs = [
    deps.bus.on('change', (c) => {
      if (c.type === 'new_device') pendingNew++;
    }),
    deps.bus.on('scan:finished', record),
  ];
  return {
    stop() {
      for (const off of offs) off();
    },
  };
}
