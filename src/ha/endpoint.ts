/**
 * Where Home Assistant's websocket API is: pure functions over the options, kept apart from the websocket
 * client so that the service loads `ws` and home-assistant-js-websocket only when an endpoint is configured.
 */
import { DEFAULT_SUPERVISOR_URL } from '../config/supervisor.js';

/** The Supervisor's Core websocket proxy under a Supervisor base URL (add-on mode, with SUPERVISOR_TOKEN). */
export function supervisorWebsocketUrl(supervisorUrl: string): string {
  return `${supervisorUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/core/websocket`;
}

/** ws://supervisor/core/websocket */
export const SUPERVISOR_WS_URL = supervisorWebsocketUrl(DEFAULT_SUPERVISOR_URL);

/** `http://ha.local:8123/` → `ws://ha.local:8123/api/websocket` (https → wss). Throws on anything else. */
export function haWebsocketUrl(haUrl: string): string {
  let u: URL;
  try {
    u = new URL(haUrl.trim());
  } catch {
    throw new Error(
      `ha_url must be an http:// or https:// URL such as http://homeassistant.local:8123, got "${haUrl}"`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`ha_url must start with http:// or https://, got "${haUrl}"`);
  }
  if (u.username || u.password) {
    throw new Error('ha_url must not contain credentials; use ha_token for the long-lived access token');
  }
  const scheme = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const path = u.pathname.replace(/\/+$/, '');
  return `${scheme}//${u.host}${path}/api/websocket`;
}

export interface HaEndpoint {
  url: string;
  token: string;
  /** What to call the token in error messages (`SUPERVISOR_TOKEN` or `ha_token`). */
  tokenName: string;
}

/**
 * Where to reach Home Assistant: inside the add-on the Supervisor proxy with SUPERVISOR_TOKEN wins; standalone
 * `ha_url` + `ha_token`. Returns null when neither is configured (notifications then degrade to webhooks).
 */
export function resolveHaEndpoint(opts: {
  haUrl?: string | undefined;
  haToken?: string | undefined;
  supervisorToken?: string | undefined;
  /** Supervisor base URL (default http://supervisor) */
  supervisorUrl?: string | undefined;
}): HaEndpoint | null {
  if (opts.supervisorToken)
    return {
      url: supervisorWebsocketUrl(opts.supervisorUrl ?? DEFAULT_SUPERVISOR_URL),
      token: opts.supervisorToken,
      tokenName: 'SUPERVISOR_TOKEN',
    };
  if (opts.haUrl && opts.haToken)
    return { url: haWebsocketUrl(opts.haUrl), token: opts.haToken, tokenName: 'ha_token' };
  if (opts.haUrl && !opts.haToken) {
    throw new Error(
      'ha_url is set but ha_token is empty: create a long-lived access token in your HA profile',
    );
  }
  return null;
}
