/**
 * Who is calling, and may they? (DESIGN §9)
 *
 * - HA ingress: the socket peer is the Supervisor's ingress proxy 172.30.32.2 AND `X-Ingress-Path` is present
 *   → the HA admin (HA already authenticated the user). The peer is read from `request.socket.remoteAddress`,
 *   never from `X-Forwarded-For`; forged ingress headers from any other peer are ignored.
 * - No other request is trusted for its peer address: loopback, a reverse proxy on the same machine and a
 *   LAN client are treated alike (a proxy such as nginx's default `proxy_pass http://127.0.0.1:8099` makes
 *   every client look like loopback with a loopback Host).
 * - Standalone browser: a session cookie (`lsn_session`, HttpOnly, SameSite=Strict) obtained by opening the
 *   one-time login URL the service prints at start (session.ts). Admin.
 * - Local CLI: `Authorization: Bearer lst_…` with the token from `<data_dir>/cli-token` (mode 0600). Admin.
 * - Otherwise an API key: `Authorization: Bearer <key>` or `X-API-Key: <key>`. Scope `read` may only use
 *   GET/HEAD; routes marked admin-only (keys, audit) need scope `admin`. With `requireApiKey` (the add-on's
 *   LAN port) only API keys count.
 *
 * A valid credential is never locked out. Failed authentications are limited per peer IP (default 5 per
 * minute, then 429 with Retry-After). Cross-site writes are refused: a mutating request whose `Origin`
 * does not match its `Host` gets 403.
 *
 * Audit policy: the first use of each key in each minute writes a `key.use` row (method, path) and updates
 * the key's last_used_at, so a poller cannot flood the log. Every admin change is written by its route.
 * Refusals (`auth.fail` 401 with a bad credential, `auth.forbidden` 403, `auth.lockout` 429) are written
 * through RefusalAudit: at most a few rows per source and per minute, the rest counted, so no caller can
 * grow the log without bound.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ActorKind } from '../store/auditRepo.js';
import type { KeyScope } from '../store/keysRepo.js';
import { storageFailure } from '../store/storageFailure.js';
import type { ApiDeps } from './deps.js';
import { ApiError } from './errors.js';
import { RefusalAudit } from './refusalAudit.js';
import { cliTokenMatches, sessionFromCookie } from './session.js';

export const INGRESS_PEER = '172.30.32.2';

export interface Principal {
  kind: ActorKind;
  /** ingress user name, key name, "browser" (session), "cli" */
  actor: string;
  scope: KeyScope;
  keyId?: number;
  /** rate-limit bucket: ingress user, key or peer IP */
  bucket: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** required scope; default: read for GET/HEAD, admin otherwise */
    scope?: KeyScope;
    /** no authentication (static UI, hint page) */
    public?: boolean;
  }
}

/** The socket peer with IPv4-mapped IPv6 unwrapped. */
export function peerAddress(request: FastifyRequest): string {
  const raw = request.socket?.remoteAddress ?? request.raw.socket?.remoteAddress ?? '';
  return raw.startsWith('::ffff:') ? raw.slice(7) : raw;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isIngressRequest(request: FastifyRequest): boolean {
  return peerAddress(request) === INGRESS_PEER && header(request, 'x-ingress-path') !== undefined;
}

/** The presented API key, or undefined. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const auth = header(request, 'authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : auth;
  }
  return header(request, 'x-api-key')?.trim();
}

/** Fixed-window counter of failed authentications per IP, bounded in size. */
export class FailureLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Milliseconds until the IP may try again, or 0 when it is not blocked. */
  blockedFor(ip: string): number {
    const w = this.windows.get(ip);
    const t = this.now();
    if (!w || w.resetAt <= t) return 0;
    return w.count >= this.max ? w.resetAt - t : 0;
  }

  fail(ip: string): void {
    const t = this.now();
    let w = this.windows.get(ip);
    if (!w || w.resetAt <= t) {
      if (this.windows.size >= this.maxEntries) this.sweep(t);
      w = { count: 0, resetAt: t + this.windowMs };
      this.windows.set(ip, w);
    }
    w.count++;
  }

  private sweep(t: number): void {
    for (const [ip, w] of this.windows) if (w.resetAt <= t) this.windows.delete(ip);
    // still full: drop the oldest entries rather than grow without bound
    while (this.windows.size >= this.maxEntries) {
      const first = this.windows.keys().next().value;
      if (first === undefined) break;
      this.windows.delete(first);
    }
  }
}

function requiredScope(request: FastifyRequest): KeyScope {
  const configured = request.routeOptions.config?.scope;
  if (configured) return configured;
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'admin';
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = header(request, 'origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === header(request, 'host');
  } catch {
    return false;
  }
}

/** Adds the authentication/authorisation hook, the refusal audit and the key-use audit to `app`. */
export function installAuth(app: FastifyInstance, deps: ApiDeps): void {
  const { keys, audit, config, clock } = deps;
  const now = () => clock.now().getTime();
  const failures = new FailureLimiter(config.authFailuresPerMinute ?? 5, 60_000, now);
  // audit rows of reads and refusals are best effort: a full disk must not turn a read into an error
  const bestEffort = (write: () => void): void => {
    try {
      write();
    } catch (err) {
      const f = storageFailure(err);
      if (!f) throw err;
      deps.bus.emit('storage:failed', { ...f, at: clock.now().toISOString() });
    }
  };
  const refusals = new RefusalAudit({ append: (e) => bestEffort(() => audit.append(e)), now });
  const lastKeyAudit = new Map<number, number>();
  const refuse = (request: FastifyRequest, err: ApiError, actor?: Principal): ApiError => {
    const ip = peerAddress(request);
    const action =
      err.statusCode === 429 ? 'auth.lockout' : err.statusCode === 403 ? 'auth.forbidden' : 'auth.fail';
    refusals.record(`${actor?.bucket ?? `ip:${ip}`}|${action}`, {
      actor: actor?.actor ?? 'anonymous',
      actorKind: actor?.kind ?? 'anonymous',
      action,
      target: request.routeOptions.url ?? null,
      ip,
      detail: { method: request.method, status: err.statusCode, reason: err.message.slice(0, 200) },
    });
    return err;
  };

  if (config.ingressOnly) {
    // add-on ingress port: only the Supervisor's ingress proxy may talk to it at all (ha-reference §2.9)
    app.addHook('onRequest', async (request) => {
      if (peerAddress(request) !== INGRESS_PEER) {
        throw refuse(
          request,
          new ApiError(
            403,
            'forbidden',
            `this port serves Home Assistant ingress only (peer ${INGRESS_PEER})`,
          ),
        );
      }
    });
  }

  const signIn =
    config.mode === 'standalone' && deps.sessions && !config.requireApiKey
      ? 'Sign in: open the login link LAN Sentinel printed when it started (`lan-sentinel login` prints a new one), or send an API key: "Authorization: Bearer lsk_..." (create one with `lan-sentinel keys create`)'
      : 'an API key is required: send "Authorization: Bearer lsk_..." or "X-API-Key: lsk_..." (create one with `lan-sentinel keys create`)';

  const authenticate = (request: FastifyRequest): Principal | ApiError => {
    const ip = peerAddress(request);
    if (isIngressRequest(request)) {
      const userId = header(request, 'x-remote-user-id');
      const userName =
        header(request, 'x-remote-user-display-name') ?? header(request, 'x-remote-user-name') ?? userId;
      return {
        kind: 'ingress',
        actor: userName ? `ha:${userName}` : 'ha:admin',
        scope: 'admin',
        bucket: `ingress:${userId ?? 'unknown'}`,
      };
    }
    const secret = presentedKey(request);
    // valid credentials first: a valid session, CLI token or key is never locked out by others' failures
    if (!config.requireApiKey) {
      const session = sessionFromCookie(header(request, 'cookie'));
      if (secret === undefined && session && deps.sessions?.valid(session)) {
        return {
          kind: 'session',
          actor: 'browser',
          scope: 'admin',
          bucket: `session:${session.slice(0, 12)}`,
        };
      }
      if (secret !== undefined && cliTokenMatches(secret, deps.cliToken)) {
        return { kind: 'cli', actor: 'cli', scope: 'admin', bucket: 'cli' };
      }
    }
    const key = secret === undefined ? null : keys.verify(secret);
    if (key)
      return { kind: 'key', actor: key.name, scope: key.scope, keyId: key.id, bucket: `key:${key.id}` };
    const blocked = failures.blockedFor(ip);
    if (blocked > 0) {
      const retry = String(Math.ceil(blocked / 1000));
      return refuse(
        request,
        new ApiError(
          429,
          'rate_limited',
          `too many failed authentications from ${ip}; retry in ${retry} s`,
          undefined,
          {
            'retry-after': retry,
          },
        ),
      );
    }
    failures.fail(ip);
    if (secret === undefined) {
      return new ApiError(401, 'unauthorized', signIn, undefined, {
        'www-authenticate': 'Bearer realm="lan-sentinel"',
      });
    }
    return refuse(
      request,
      new ApiError(401, 'unauthorized', 'the API key is unknown or revoked', undefined, {
        'www-authenticate': 'Bearer realm="lan-sentinel", error="invalid_token"',
      }),
    );
  };

  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    // Only the API and metrics need a caller; the static UI and unmatched paths (404) do not.
    const url = request.routeOptions.url;
    if (request.routeOptions.config?.public || !url || !(url.startsWith('/api/') || url === '/metrics'))
      return;
    const result = authenticate(request);
    if (result instanceof ApiError) throw result;
    request.principal = result;
    const need = requiredScope(request);
    if (need === 'admin' && result.scope !== 'admin') {
      throw refuse(
        request,
        new ApiError(
          403,
          'forbidden',
          `this API key has scope "${result.scope}"; ${request.method} ${request.routeOptions.url ?? request.url} needs scope "admin"`,
        ),
        result,
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD' && !sameOrigin(request)) {
      throw refuse(
        request,
        new ApiError(403, 'forbidden', 'cross-origin request refused: Origin does not match Host'),
        result,
      );
    }
    if (result.kind === 'key' && result.keyId !== undefined) {
      const t = now();
      const last = lastKeyAudit.get(result.keyId) ?? 0;
      if (t - last >= 60_000) {
        lastKeyAudit.set(result.keyId, t);
        bestEffort(() => {
          keys.touch(result.keyId as number, clock.now());
          audit.append({
            actor: result.actor,
            actorKind: 'key',
            action: 'key.use',
            target: `key:${result.keyId}`,
            ip: peerAddress(request),
            detail: { method: request.method, path: request.routeOptions.url ?? request.url },
          });
        });
      }
    }
  });
}

/** Writes an admin-change audit row for the authenticated caller. */
export function auditChange(
  deps: Pick<ApiDeps, 'audit'>,
  request: FastifyRequest,
  action: string,
  target: string | null,
  detail?: unknown,
): void {
  deps.audit.append({ ...requestActor(request), action, target, detail: detail ?? null });
}

/** Who made a request, as the audit log names them. */
export function requestActor(request: FastifyRequest): {
  actor: string;
  actorKind: ActorKind;
  ip: string | null;
} {
  const p = request.principal;
  return { actor: p?.actor ?? 'anonymous', actorKind: p?.kind ?? 'anonymous', ip: peerAddress(request) };
}
