/**
 * The alerts feature of the service: every change goes through the alert rules (seeded from `notify_on` on a
 * fresh install) to the HA notify services, webhooks and the HA alert event entity (the MQTT bridge's
 * `lan_sentinel/alert`); a phone notification's Trust button trusts the device through the device commands.
 * Webhooks never call one of the service's own ports.
 */
import { type AlertEvent, Alerts } from '../alerts/alerts.js';
import type { Options } from '../config/options.js';
import type { HaLink } from '../ha/link.js';
import type { DeviceCommands } from '../inventory/commands.js';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';

export interface AlertsFeatureDeps {
  options: Pick<Options, 'notify_services' | 'notify_on'>;
  db: Db;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** the websocket to Core (notify services, notification actions); null without an HA API */
  ha: HaLink | null;
  /** the HA alert event entity: null without MQTT */
  bridge: { publishAlert(e: AlertEvent): Promise<void> } | null;
  commands: Pick<DeviceCommands, 'trust'>;
  /** the UI's base for links in notifications */
  uiBaseUrl: string;
  ownPorts: Set<number>;
}

/** Seeds the rules, subscribes to notification actions and attaches to the bus; `alerts.stop()` undoes it. */
export async function startAlerts(d: AlertsFeatureDeps): Promise<Alerts> {
  const alerts = new Alerts({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    ha: d.ha,
    notifyServices: d.options.notify_services,
    notifyOn: d.options.notify_on,
    ingressBaseUrl: d.uiBaseUrl,
    trustDevice: (mac: string) => {
      d.commands.trust(mac);
    },
    onAlert: (e) => void d.bridge?.publishAlert(e),
    getDevice: (mac: string) => d.store.devices.get(mac),
    webhookPolicy: { ownPorts: () => d.ownPorts },
  });
  await alerts.start();
  alerts.attach(d.bus);
  return alerts;
}
