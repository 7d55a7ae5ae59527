/**
 * The alerts feature of the service: every change goes through the alert rules (seeded from `notify_on` on a
 * fresh install) to the HA notify services, webhooks and the HA alert event entity (the MQTT bridge's
 * `lan_sentinel/alert`); a phone notification's Trust button trusts the device through the device commands.
 * Webhooks never call one of the service's own ports.
 */
import { type AlertEvent, Alerts } from '../alerts/alerts.js';
import type { HaLink } from '../ha/link.js';
import type { DeviceCommands } from '../inventory/commands.js';
import type { ServiceCore } from './core.js';

export interface AlertsFeatureDeps {
  /** the websocket to Core (notify services, notification actions); null without an HA API */
  ha: HaLink | null;
  /** the HA alert event entity: null without MQTT */
  bridge: { publishAlert(e: AlertEvent): Promise<void> } | null;
  commands: Pick<DeviceCommands, 'trust'>;
  /** the UI's base for links in notifications */
  uiBaseUrl: string;
  ownPorts: Set<number>;
}

/** Options `notify_services`, `notify_on`; logs as "alerts". Seeds the rules, subscribes to notification actions and attaches to the bus; `alerts.stop()` undoes it. */
export async function startAlerts(core: ServiceCore, d: AlertsFeatureDeps): Promise<Alerts> {
  const alerts = new Alerts({
    db: core.db,
    clock: core.clock,
    logger: core.log.child('alerts'),
    ha: d.ha,
    notifyServices: core.options.notify_services,
    notifyOn: core.options.notify_on,
    ingressBaseUrl: d.uiBaseUrl,
    trustDevice: (mac: string) => {
      d.commands.trust(mac);
    },
    onAlert: (e) => void d.bridge?.publishAlert(e),
    getDevice: (mac: string) => core.store.devices.get(mac),
    webhookPolicy: { ownPorts: () => d.ownPorts },
  });
  await alerts.start();
  alerts.attach(core.bus);
  return alerts;
}
