/** OpenAPI 3.1 document built from the route registry's zod schemas (`z.toJSONSchema`, JSON Schema 2020-12). */
import { z } from 'zod';
import type { AnyRouteDef } from './route.js';

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const j = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete j.$schema;
  return j;
}

function parametersOf(s: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!s) return [];
  const j = schemaOf(s, 'input');
  const props = (j.properties ?? {}) as Record<string, Json>;
  const required = new Set((j.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(schema.description ? { description: schema.description } : {}),
    schema,
  }));
}

export function buildOpenApi(routes: AnyRouteDef[], info: { version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')],
      responses: Object.fromEntries(
        Object.entries(r.responses).map(([status, s]) => [
          status,
          {
            description: Number(status) < 400 ? 'success' : 'error',
            ...(s
              ? { content: { 'application/json': { schema: schemaOf(s, 'output') } } }
              : r.produces
                ? { content: { [r.produces]: { schema: { type: 'string' } } } }
                : {}),
          },
        ]),
      ),
      ...(r.scope === 'admin' || r.method !== 'GET'
        ? { 'x-required-scope': 'admin' }
        : { 'x-required-scope': 'read' }),
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(r.body, 'input') } },
      };
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'LAN Sentinel API',
      version: info.version,
      description:
        'Paths are relative to the app root (under HA ingress: /api/hassio_ingress/<token>/). Ingress requests are the HA admin; ' +
        'otherwise send an API key as "Authorization: Bearer lsk_..." or "X-API-Key". Scope "read" may only GET.',
    },
    servers: [{ url: '.' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
  };
}
