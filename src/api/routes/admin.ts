import { auditChange } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { auditJson, keyJson } from '../mappers.js';
import type { RouteRegistry } from '../route.js';
import {
  apiKeyCreatedSchema,
  apiKeyCreateSchema,
  apiKeyListQuery,
  apiKeyListSchema,
  apiKeySchema,
  auditListQuery,
  auditListSchema,
  errorSchema,
  idParams,
} from '../schemas.js';

/** API keys and the audit log: admin scope only, also for reading. */
export function adminRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const { keys, audit } = deps;

  r.add({
    method: 'GET',
    url: '/api/keys',
    tag: 'keys',
    summary: 'API keys (never the secrets)',
    scope: 'admin',
    query: apiKeyListQuery,
    responses: { 200: apiKeyListSchema, 400: errorSchema },
    handler: ({ query }) => {
      const page = keys.list({
        includeRevoked: query.include_revoked,
        limit: query.limit,
        offset: query.offset,
      });
      return { items: page.items.map(keyJson), total: page.total, limit: query.limit, offset: query.offset };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/keys',
    tag: 'keys',
    summary: 'Create an API key; the secret is in this response only',
    body: apiKeyCreateSchema,
    responses: { 201: apiKeyCreatedSchema, 400: errorSchema },
    handler: ({ body }, request, reply) => {
      const { key, secret } = keys.create(body.name, body.scope);
      auditChange(deps, request, 'key.create', `key:${key.id}`, { name: key.name, scope: key.scope });
      reply.code(201).header('cache-control', 'no-store');
      return { ...keyJson(key), secret };
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/keys/:id',
    tag: 'keys',
    summary: 'Revoke an API key',
    params: idParams,
    responses: { 200: apiKeySchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }, request) => {
      const key = keys.revoke(params.id);
      if (!key) throw notFound(`API key ${params.id}`);
      auditChange(deps, request, 'key.revoke', `key:${key.id}`, { name: key.name });
      return keyJson(key);
    },
  });
  r.add({
    method: 'GET',
    url: '/api/audit',
    tag: 'audit',
    summary: 'Audit log, newest first (filter by actor, action or prefix such as "device.", target, time)',
    scope: 'admin',
    query: auditListQuery,
    responses: { 200: auditListSchema, 400: errorSchema },
    handler: ({ query }) => {
      const page = audit.list(query);
      return {
        items: page.items.map(auditJson),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });
}
