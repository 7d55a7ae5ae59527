/** The events of devices identified by IP that a learned MAC upgraded (store/ipUpgrade.ts): their HA entities go. */
import type { IpUpgrade } from '../inventory/ipUpgrade.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';

export function announceIpUpgrades(
  upgraded: readonly IpUpgrade[] | undefined,
  bus: EventBus,
  logger: Pick<Logger, 'info'>,
): void {
  for (const u of upgraded ?? []) {
    logger.info(
      `${u.from} (identified by IP) is ${u.into}: its MAC was learned; ${u.how === 'rekeyed' ? 'the device keeps its history under the MAC' : 'merged into the device of that MAC'}`,
    );
    bus.emit('device:removed', { mac: u.from, reason: 'forgotten' });
  }
}
