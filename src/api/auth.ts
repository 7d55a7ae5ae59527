/**
 * Who is calling, and may they? (DESIGN §9)
 *
 * - HA ingress: the socket peer is the Supervisor's ingress proxy 172.30.32.2 AND `X-Ingress-Path` is present
 *   → the HA admin (HA already authenticated the user). The peer is read from `request.socket.remoteAddress`,
 *   never from `X-Forwarded-For`; forged ingress headers from any other peer are ignored.
 * - Loopback: with `trustLoopback` (standalone default) and not `requireApiKey`, a loopback peer whose Host
 *   header also names loopback is admin. The Host check defeats DNS rebinding from a browser on the machine.
 * - Otherwise an API key is required: `Authorization: Bearer <key>` or `X-API-Key: <key>`. Scope `read`
 *   may only use GET/HEAD; routes marked admin-only (keys, audit) need scope `admin`.
 *
 * Failed authentications are limited per peer IP (default 5 per minute, then 429 with Retry-After, even
 * for a correct key, until the window ends). Cross-site writes are refused: a mutating request whose
 * `Origin` does not match its `Host` gets 403.
 *
 * Audit policy: every request authenticated by a key is counted; the first use of each key in each minute
 * writes a `key.use` audit row (method, path) and updates the key's last_used_at, so a poller cannot flood the
 * log. Every admin change (POST/PATCH/DELETE) is written by its route with the actor, action and target, and
 * every rejected credential writes `auth.fail` (bounded by the failure limiter).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ActorKind } from '../store/auditRepo.js';
import type { KeyScope } from '../store/keysRepo.js';
import type { ApiDeps } from './deps.js';
import { ApiError } from './errors.js';

export const INGRESS_PEER = '172.30.32.2';

export interface Principal {
  kind: ActorKind;
  /** ingress user name, key name, "loopback" */
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

export function isLoopbackAddress(ip: string): boolean {
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/** Host header names loopback (localhost, 127.x, [::1]), with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || isLoopbackAddress(name);
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

/** Adds the authentication/authorisation hook and the key-use audit to `app`. */
export function installAuth(app: FastifyInstance, deps: ApiDeps): void {
  const { keys, audit, config, clock } = deps;
  const failures = new FailureLimiter(config.authFailuresPerMinute ?? 5, 60_000, () => clock.now().getTime());
  const lastKeyAudit = new Map<number, number>();

  if (config.ingressOnly) {
    // add-on ingress port: only the Supervisor's ingress proxy may talk to it at all (ha-reference §2.9)
    app.addHook('onRequest', async (request) => {
      if (peerAddress(request) !== INGRESS_PEER) {
        throw new ApiError(
          403,
          'forbidden',
          `this port serves Home Assistant ingress only (peer ${INGRESS_PEER})`,
        );
      }
    });
  }

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
    if (secret === undefined && config.trustLoopback && !config.requireApiKey) {
      if (isLoopbackAddress(ip) && isLoopbackHost(header(request, 'host'))) {
        return { kind: 'loopback', actor: 'loopback', scope: 'admin', bucket: `ip:${ip}` };
      }
    }
    const blocked = failures.blockedFor(ip);
    if (blocked > 0) {
      const retry = String(Math.ceil(blocked / 1000));
      return new ApiError(
        429,
        'rate_limited',
        `too many failed authentications from ${ip}; retry in ${retry} s`,
        undefined,
        {
          'retry-after': retry,
        },
      );
    }
    if (secret === undefined) {
      failures.fail(ip);
      return new ApiError(
        401,
        'unauthorized',
        'an API key is required: send "Authorization: Bearer lsk_..." or "X-API-Key: lsk_..." (create one with `lan-sentinel keys create`)',
        undefined,
        { 'www-authenticate': 'Bearer realm="lan-sentinel"' },
      );
    }
    const key = keys.verify(secret);
    if (!key) {
      failures.fail(ip);
      audit.append({
        actor: 'anonymous',
        actorKind: 'anonymous',
        action: 'auth.fail',
        target: request.routeOptions.url ?? null,
        ip,
        detail: { method: request.method, reason: 'unknown or revoked key' },
      });
      return new ApiError(401, 'unauthorized', 'the API key is unknown or revoked', undefined, {
        'www-authenticate': 'Bearer realm="lan-sentinel", error="invalid_token"',
      });
    }
    return { kind: 'key', actor: key.name, scope: key.scope, keyId: key.id, bucket: `key:${key.id}` };
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
      throw new ApiError(
        403,
        'forbidden',
        `this API key has scope "${result.scope}"; ${request.method} ${request.routeOptions.url ?? request.url} needs scope "admin"`,
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD' && !sameOrigin(request)) {
      throw new ApiError(403, 'forbidden', 'cross-origin request refused: Origin does not match Host');
    }
    if (result.kind === 'key' && result.keyId !== undefined) {
      const t = clock.now().getTime();
      const last = lastKeyAudit.get(result.keyId) ?? 0;
      if (t - last >= 60_000) {
        lastKeyAudit.set(result.keyId, t);
        keys.touch(result.keyId, clock.now());
        audit.append({
          actor: result.actor,
          actorKind: 'key',
          action: 'key.use',
          target: `key:${result.keyId}`,
          ip: peerAddress(request),
          detail: { method: request.method, path: request.routeOptions.url ?? request.url },
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
  const p = request.principal;
  deps.audit.append({
    actor: p?.actor ?? 'anonymous',
    actorKind: p?.kind ?? 'anonymous',
    action,
    target,
    ip: peerAddress(request),
    detail: detail ?? null,
  });
}
