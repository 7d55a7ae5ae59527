/**
 * Home Assistant around the service: in add-on mode the Supervisor tells the add-on's slug and ingress port
 * (start-up fails without them) and Core's version (device tracker keys; a warning without it); the websocket
 * to Core (notifications, the card's Lovelace resource, the card installer in add-on mode) connects in the
 * background, retrying. Standalone, URLs point at the service's own HTTP address.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../config/load.js';
import { DEFAULT_SUPERVISOR_URL, type SelfInfo, SupervisorClient } from '../config/supervisor.js';
import type { DeferredHaLink } from '../ha/deferredLink.js';
import { connectHomeAssistant } from '../ha/haConnection.js';
import type { Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import { orStartupError } from './lifecycle.js';

const here = dirname(fileURLToPath(import.meta.url));
/** the built card, from src/service/ or dist/service/ */
const CARD_BUNDLE = resolve(here, '..', '..', 'frontend-card', 'dist', 'lan-sentinel-card.js');

export interface HomeAssistantContext {
  /** add-on mode only */
  readonly supervisor: SupervisorClient | null;
  readonly supervisorUrl: string;
  /** the add-on's own info (slug, ingress port); null standalone */
  readonly selfInfo: SelfInfo | null;
  /** Core's version; null standalone or when the Supervisor did not tell */
  readonly coreVersion: string | null;
  /** the UI's address for HA device pages (configuration_url) */
  readonly ingressUrl: string;
  /** the UI's base for links in notifications (the Open button, click URL) */
  readonly uiBaseUrl: string;
}

export async function readHomeAssistantContext(
  cfg: LoadedConfig,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<HomeAssistantContext> {
  const o = cfg.options;
  const supervisorUrl = env.LAN_SENTINEL_SUPERVISOR_URL ?? DEFAULT_SUPERVISOR_URL;
  const supervisor = cfg.addon ? new SupervisorClient(env.SUPERVISOR_TOKEN ?? '', supervisorUrl) : null;
  const selfInfo = supervisor
    ? await orStartupError(
        () => supervisor.selfInfo(),
        "cannot read the add-on's ingress port from the Supervisor: ",
      )
    : null;
  const slug = selfInfo?.slug ?? 'lan_sentinel';
  // the device tracker's keys depend on Core's version; the websocket's auth_ok may come later, so ask now
  let coreVersion: string | null = null;
  if (supervisor) {
    try {
      coreVersion = await supervisor.coreVersion();
    } catch (err) {
      log.warn(`Core version unknown (${(err as Error).message}); device trackers get the legacy keys too`);
    }
  }
  const standalone = `http://${o.http_host}:${o.http_port}`;
  return {
    supervisor,
    supervisorUrl,
    selfInfo,
    coreVersion,
    ingressUrl: cfg.addon ? `homeassistant://app/${slug}` : standalone,
    uiBaseUrl: cfg.addon ? `/app/${slug}` : standalone,
  };
}

/** The websocket to Core (null when no HA API is configured); installs the card once connected (add-on). */
export function connectCore(
  cfg: LoadedConfig,
  env: NodeJS.ProcessEnv,
  hass: HomeAssistantContext,
  log: Logger,
): DeferredHaLink | null {
  const o = cfg.options;
  return connectHomeAssistant({
    haUrl: o.ha_url,
    haToken: o.ha_token,
    supervisorToken: cfg.addon ? env.SUPERVISOR_TOKEN : undefined,
    supervisorUrl: hass.supervisorUrl,
    card:
      cfg.addon && o.install_card
        ? {
            bundlePath: CARD_BUNDLE,
            wwwDir: env.LAN_SENTINEL_WWW_DIR ?? '/homeassistant/www',
            version: VERSION,
          }
        : null,
    logger: log,
  });
}
