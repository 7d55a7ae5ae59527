/**
 * The Home Assistant websocket (notifications, the card's Lovelace resource): a link that exists at once and
 * connects in the background, retrying, and the card installer that runs once it is up (add-on only).
 */
import { installCard } from '../card/install.js';
import type { Logger } from '../util/logger.js';
import { DeferredHaLink } from './deferredLink.js';
import { resolveHaEndpoint } from './endpoint.js';

export interface HaConnectionOptions {
  haUrl: string | undefined;
  haToken: string | undefined;
  /** add-on mode: the Supervisor token (the websocket goes through the Supervisor) */
  supervisorToken: string | undefined;
  supervisorUrl: string;
  /** install the card when connected (add-on with install_card) */
  card: { bundlePath: string; wwwDir: string; version: string } | null;
  logger: Logger;
}

/** null when no Home Assistant API is configured (notifications then use webhooks and MQTT only). */
export function connectHomeAssistant(o: HaConnectionOptions): DeferredHaLink | null {
  const log = o.logger;
  const endpoint = resolveHaEndpoint({
    haUrl: o.haUrl,
    haToken: o.haToken,
    supervisorToken: o.supervisorToken,
    supervisorUrl: o.supervisorUrl,
  });
  if (!endpoint) {
    log.info(
      'no Home Assistant API configured (ha_url + ha_token); notifications use webhooks and MQTT only',
    );
    return null;
  }
  const ha = new DeferredHaLink();
  // ws and the HA client are loaded only when Home Assistant is configured
  import('./websocket.js')
    .then(({ connectHa }) => connectHa({ ...endpoint, logger: log.child('ha-ws'), setupRetry: -1 }))
    .then(async (link) => {
      await ha.attach(link);
      if (o.card) {
        const r = await installCard({ link, ...o.card, logger: log.child('card') });
        log.info(`dashboard card: ${r.resource}${r.message ? ` (${r.message})` : ''}`);
      }
    })
    .catch((err: unknown) =>
      log.warn(
        `Home Assistant API unavailable; notifications use webhooks and MQTT: ${(err as Error).message}`,
      ),
    );
  return ha;
}
