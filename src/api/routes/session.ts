/**
 * Standalone sign-in (DESIGN §9): `GET /login?token=…` exchanges the one-time token printed at start for a
 * session cookie and redirects to the UI; `POST api/login-links` (admin, e.g. the CLI's `login` command)
 * issues a new one-time link; `POST api/logout` ends the browser's session.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditChange } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { unavailable } from '../errors.js';
import type { RouteRegistry } from '../route.js';
import { CLEAR_SESSION_COOKIE, sessionCookie, sessionFromCookie } from '../session.js';

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${title}</h1><p>${text}</p></body>`;

export function loginPage(app: FastifyInstance, deps: ApiDeps): void {
  const sessions = deps.sessions;
  if (!sessions) return;
  app.get('/login', { config: { public: true } }, async (request, reply) => {
    const token = (request.query as Record<string, unknown>)?.token;
    const session = typeof token === 'string' ? sessions.redeem(token) : null;
    if (!session) {
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(
          PAGE(
            'This login link is used or expired',
            'Each login link works once. Run <code>lan-sentinel login</code> on the machine running LAN Sentinel for a new one, or restart the service and open the link it prints.',
          ),
        );
    }
    deps.audit.append({
      actor: 'browser',
      actorKind: 'session',
      action: 'session.login',
      target: null,
      ip: request.socket.remoteAddress ?? null,
    });
    return reply
      .code(303)
      .header('set-cookie', sessionCookie(session, request.protocol === 'https'))
      .header('cache-control', 'no-store')
      .header('location', './')
      .send();
  });
}

export function sessionRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add({
    method: 'POST',
    url: '/api/login-links',
    tag: 'meta',
    summary: 'A new one-time login link for a browser (standalone)',
    responses: { 201: z.object({ path: z.string(), expires_in_s: z.number() }) },
    handler: (_input, request, reply) => {
      if (!deps.sessions) throw unavailable('browser sign-in');
      const token = deps.sessions.issueLoginToken();
      auditChange(deps, request, 'session.link', null);
      reply.code(201);
      return { path: `login?token=${token}`, expires_in_s: 86_400 };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/logout',
    tag: 'meta',
    summary: "End this browser's session",
    responses: { 204: null },
    handler: (_input, request, reply) => {
      deps.sessions?.end(sessionFromCookie(request.headers.cookie));
      return reply.code(204).header('set-cookie', CLEAR_SESSION_COOKIE).send();
    },
  });
}
