/**
 * HaLink over Home Assistant's websocket API: home-assistant-js-websocket 9 for the connection state machine
 * (command ids, auto-reconnect, resubscription) with a `ws`-based socket factory, since Node 20 has no global
 * WebSocket and the add-on URL (`ws://supervisor/core/websocket`) is not derivable from a `hassUrl`.
 */
import {
  Connection,
  type ConnectionOptions,
  ERR_CANNOT_CONNECT,
  ERR_INVALID_AUTH,
  type HaWebSocket,
  callService as haCallService,
} from 'home-assistant-js-websocket';
import WebSocket from 'ws';
import type { Logger } from '../util/logger.js';
import { HaCommandError, type HaEvent, type HaLink } from './link.js';

// the pure endpoint resolution lives apart so that start-up can decide without loading ws and the HA client
export {
  type HaEndpoint,
  haWebsocketUrl,
  resolveHaEndpoint,
  SUPERVISOR_WS_URL,
  supervisorWebsocketUrl,
} from './endpoint.js';
export { HaCommandError } from './link.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_AUTH_TIMEOUT_MS = 10_000;
/** Same ceiling as the Supervisor's ingress websocket proxy. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface ConnectHaOptions {
  url: string;
  token: string;
  logger: Logger;
  /** Name of the token in error messages; default `ha_token`. */
  tokenName?: string;
  /** Initial connection attempts beyond the first (−1 = forever, 1 s apart). Default 0. */
  setupRetry?: number;
  connectTimeoutMs?: number;
  authTimeoutMs?: number;
}

interface WsSocketOptions {
  url: string;
  token: string;
  connectTimeoutMs: number;
  authTimeoutMs: number;
  logger: Logger;
  onAuthInvalid: (message: string) => void;
}

/**
 * The auth phase of lib/socket.ts on `ws`: send `auth` on open, wait for `auth_ok` (→ resolve with `haVersion`)
 * or `auth_invalid` (→ reject ERR_INVALID_AUTH, never retried), retry other failures `setupRetry` times.
 */
function wsSocketFactory(o: WsSocketOptions): (options: ConnectionOptions) => Promise<HaWebSocket> {
  return (options) =>
    new Promise<HaWebSocket>((resolve, reject) => {
      const attempt = (triesLeft: number) => {
        const socket = new WebSocket(o.url, {
          maxPayload: MAX_FRAME_BYTES,
          handshakeTimeout: o.connectTimeoutMs,
        });
        // After auth the library only listens for message/close; an 'error' without a listener would crash Node.
        socket.on('error', (err) => o.logger.debug('Home Assistant websocket error', { error: err.message }));
        let invalidAuth = false;
        let settled = false;
        const authTimer = setTimeout(() => {
          o.logger.warn('Home Assistant did not finish the websocket auth handshake in time', { url: o.url });
          socket.terminate();
        }, o.connectTimeoutMs + o.authTimeoutMs);
        const onClose = () => {
          clearTimeout(authTimer);
          if (settled) return;
          settled = true;
          socket.removeAllListeners('message');
          if (invalidAuth) return reject(ERR_INVALID_AUTH);
          if (triesLeft === 0) return reject(ERR_CANNOT_CONNECT);
          setTimeout(() => attempt(triesLeft === -1 ? -1 : triesLeft - 1), 1000);
        };
        socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', access_token: o.token })));
        socket.on('message', (raw, isBinary) => {
          if (isBinary) return;
          let msg: { type?: unknown; ha_version?: unknown; message?: unknown };
          try {
            msg = JSON.parse(raw.toString());
          } catch {
            return;
          }
          if (msg.type === 'auth_invalid') {
            invalidAuth = true;
            o.onAuthInvalid(typeof msg.message === 'string' ? msg.message : '');
            socket.close();
          } else if (msg.type === 'auth_ok') {
            clearTimeout(authTimer);
            settled = true;
            socket.removeAllListeners('message');
            socket.off('close', onClose);
            const haSocket = socket as unknown as HaWebSocket;
            haSocket.haVersion = typeof msg.ha_version === 'string' ? msg.ha_version : '0.0.0';
            if (atLeast(haSocket.haVersion, 2022, 9)) {
              socket.send(
                JSON.stringify({ type: 'supported_features', id: 1, features: { coalesce_messages: 1 } }),
              );
            }
            resolve(haSocket);
          }
        });
        socket.on('close', onClose);
      };
      attempt(options.setupRetry ?? 0);
    });
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return a > major || (a === major && b >= minor);
}

function toError(command: string, err: unknown): Error {
  if (err instanceof Error) return err;
  if (err === 3) return new Error(`Home Assistant connection lost during ${command}`);
  if (err && typeof err === 'object' && 'code' in err) {
    const e = err as { code: unknown; message?: unknown };
    if (e.code === 3) return new Error(`Home Assistant connection lost during ${command}`);
    return new HaCommandError(command, String(e.code), typeof e.message === 'string' ? e.message : '');
  }
  return new Error(`Home Assistant ${command} failed: ${String(err)}`);
}

/**
 * Connect and authenticate. Rejects with a clear error when the token is refused or HA is unreachable; once
 * connected, the library reconnects forever (backoff up to 5 s) and re-establishes every subscription.
 */
export async function connectHa(opts: ConnectHaOptions): Promise<HaLink> {
  const log = opts.logger;
  const tokenName = opts.tokenName ?? 'ha_token';
  let lastAuthMessage = '';
  const createSocket = wsSocketFactory({
    url: opts.url,
    token: opts.token,
    connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    authTimeoutMs: opts.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
    logger: log,
    onAuthInvalid: (m) => {
      lastAuthMessage = m;
    },
  });
  const connOptions: ConnectionOptions = { setupRetry: opts.setupRetry ?? 0, createSocket };
  let socket: HaWebSocket;
  try {
    socket = await createSocket(connOptions);
  } catch (err) {
    if (err === ERR_INVALID_AUTH) {
      throw new Error(
        `${tokenName} was rejected by Home Assistant${lastAuthMessage ? ` (${lastAuthMessage})` : ''}; check the token`,
      );
    }
    throw new Error(`cannot connect to Home Assistant at ${opts.url}`);
  }
  const conn = new Connection(socket, connOptions);
  log.info('connected to Home Assistant', { url: opts.url, ha_version: conn.haVersion });
  conn.addEventListener('disconnected', () =>
    log.warn('Home Assistant websocket disconnected; reconnecting'),
  );
  conn.addEventListener('ready', () => {
    if (conn.connected) log.info('Home Assistant websocket (re)connected', { ha_version: conn.haVersion });
  });
  conn.addEventListener('reconnect-error', () =>
    log.error(`${tokenName} was rejected by Home Assistant on reconnect; giving up until restart`),
  );

  return {
    async callService(domain, service, data, target) {
      try {
        return await haCallService(conn, domain, service, data, target);
      } catch (err) {
        throw toError(`${domain}.${service}`, err);
      }
    },
    async sendMessage<T>(msg: Record<string, unknown> & { type: string }): Promise<T> {
      try {
        // The library writes `id` into the message: pass a copy.
        return await conn.sendMessagePromise<T>({ ...msg });
      } catch (err) {
        throw toError(msg.type, err);
      }
    },
    async subscribeEvents(eventType, cb) {
      const unsub = await conn.subscribeEvents<HaEvent>((ev) => {
        try {
          cb(ev);
        } catch (err) {
          log.error('Home Assistant event handler failed', { event_type: eventType, error: String(err) });
        }
      }, eventType);
      return async () => {
        try {
          await unsub();
        } catch (err) {
          log.debug('unsubscribe failed (connection gone?)', {
            error: String(toError('unsubscribe_events', err)),
          });
        }
      };
    },
    get connected() {
      return conn.connected;
    },
    close() {
      conn.close();
    },
  };
}
