/**
 * Security headers and request rate limits.
 *
 * Framing: the ingress page is proxied by HA Core under HA's own origin (`/api/hassio_ingress/<token>/`), so
 * the ancestor frame (the HA frontend) has the same origin as our page: `frame-ancestors 'self'` and
 * `X-Frame-Options: SAMEORIGIN` allow the ingress iframe and still refuse framing by any other site on a
 * direct port (clickjacking). `frame-ancestors *` is not needed and would remove that protection.
 * `upgrade-insecure-requests` and HSTS are off: most HA installs and the LAN port speak plain HTTP, and
 * TLS is HA's or the user's reverse proxy's business.
 *
 * Rate limit: per ingress user (`X-Remote-User-Id` behind the ingress peer), per API key, else per peer IP;
 * it runs after authentication (preHandler) so the bucket is the authenticated caller, never the shared
 * proxy address.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { peerAddress } from './auth.js';
import type { ApiErrorBody } from './schemas.js';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
  scriptSrcAttr: ["'none'"],
  upgradeInsecureRequests: null,
};

export async function installSecurity(app: FastifyInstance, opts: { perMinute: number }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: 'sameorigin' },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(rateLimit, {
    global: true,
    max: opts.perMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (request: FastifyRequest) => request.principal?.bucket ?? `ip:${peerAddress(request)}`,
    errorResponseBuilder: (_request, context) => {
      const body: ApiErrorBody & { statusCode: number } = {
        statusCode: context.statusCode,
        error: 'rate_limited',
        message: `rate limit exceeded: at most ${context.max} requests per minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
      };
      return body;
    },
  });
}
