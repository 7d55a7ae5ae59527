/**
 * `buildApp(deps)`: the fastify instance with every route of DESIGN §9, no listening (see server.ts).
 * Order: error handlers → security headers + rate limit → auth hook → routes → static UI.
 */
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { displayName } from '../inventory/types.js';
import { installAuth } from './auth.js';
import type { ApiDeps } from './deps.js';
import { ApiError, installErrorHandlers } from './errors.js';
import { HTTP_LIMITS } from './httpLimits.js';
import { type Mappers, noFindings } from './mappers.js';
import { HttpMetrics, installHttpMetrics, renderMetrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { RouteRegistry } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { agentRoutes } from './routes/agents.js';
import { alertRoutes } from './routes/alerts.js';
import { changeRoutes } from './routes/changes.js';
import { cveRoutes, installFeedBodyParser } from './routes/cve.js';
import { deviceRoutes } from './routes/devices.js';
import { eventRoutes } from './routes/events.js';
import { findingRoutes } from './routes/findings.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identity.js';
import { mapRoutes } from './routes/map.js';
import { scanRoutes } from './routes/scans.js';
import { scheduleRoutes } from './routes/schedules.js';
import { loginPage, sessionRoutes } from './routes/session.js';
import { statsRoutes } from './routes/stats.js';
import { installSecurity } from './security.js';
import { installStatic } from './static.js';

export const BODY_LIMIT = HTTP_LIMITS.bodyLimit;

/**
 * `serverFactory`: the app answers requests of a server that is already listening (the service's
 * lazyListener, which builds the app at its first request); without it, `listen` (server.ts) opens one.
 */
export async function buildApp(
  deps: ApiDeps,
  o: { serverFactory?: FastifyServerFactory } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    connectionTimeout: HTTP_LIMITS.connectionTimeout,
    requestTimeout: HTTP_LIMITS.requestTimeout,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeout,
    http: { headersTimeout: HTTP_LIMITS.headersTimeout },
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    trustProxy: false,
    ...(o.serverFactory ? { serverFactory: o.serverFactory } : {}),
  });
  // the service's start (the app may be built later, at the first request): health's uptime
  const startedAt = deps.startedAt ?? deps.clock.now().getTime();
  installErrorHandlers(app, deps.logger, (f) =>
    deps.bus.emit('storage:failed', { ...f, at: deps.clock.now().toISOString() }),
  );
  // a change that went through was written: a full disk has space again
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 300)
      deps.health?.writeSucceeded();
  });
  await installSecurity(app, { perMinute: deps.config.rateLimitPerMinute ?? 300 });
  installAuth(app, deps);
  const http = new HttpMetrics();
  installHttpMetrics(app, http);

  const ipv6 = deps.store.ipv6;
  const ipv6Of = ipv6
    ? (macs: string[]) => new Map([...ipv6.ofMany(macs)].map(([mac, l]) => [mac, l.map((a) => a.address)]))
    : undefined;
  const mappers: Mappers = {
    ...(deps.findings
      ? {
          findingCounts: (macs: string[]) => deps.findings?.activeCountByMac(macs) ?? new Map(),
          // the name the device is shown with everywhere ("Synology NAS .30"), as alerts have it
          deviceName: (mac: string) => {
            const d = deps.store.devices.get(mac);
            return d ? displayName(d) : null;
          },
        }
      : noFindings),
    ...(ipv6Of ? { ipv6Of } : {}),
  };

  // Open SSE streams, closed on shutdown so app.close() does not wait for clients.
  const streams = new Set<() => void>();
  app.addHook('onClose', async () => {
    for (const close of [...streams]) close();
  });

  installFeedBodyParser(app);
  const r = new RouteRegistry(app);
  healthRoutes(r, deps, startedAt);
  deviceRoutes(r, deps, mappers);
  identityRoutes(r, deps, mappers);
  scanRoutes(r, deps);
  scheduleRoutes(r, deps);
  agentRoutes(r, deps);
  changeRoutes(r, deps);
  findingRoutes(r, deps, mappers);
  cveRoutes(r, deps);
  alertRoutes(r, deps);
  adminRoutes(r, deps);
  sessionRoutes(r, deps);
  statsRoutes(r, deps);
  mapRoutes(r, deps);
  loginPage(app, deps);
  eventRoutes(r, deps, mappers, streams);
  r.add({
    method: 'GET',
    url: '/metrics',
    tag: 'meta',
    summary: 'Prometheus metrics (text exposition format)',
    produces: 'text/plain; version=0.0.4',
    responses: { 200: null },
    handler: (_input, _request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderMetrics(deps, http)),
  });
  let openapi: Record<string, unknown> | null = null;
  r.add({
    method: 'GET',
    url: '/api/openapi.json',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: null },
    handler: () => {
      openapi ??= buildOpenApi(r.routes, { version: deps.version });
      return openapi;
    },
  });

  await installStatic(app, deps.uiDir);

  app.setNotFoundHandler((request) => {
    throw new ApiError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });
  return app;
}
