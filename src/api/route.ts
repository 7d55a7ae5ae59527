/**
 * One way to declare a route: zod schemas for params/query/body/responses, parsed once at the edge, and the
 * same declaration feeds the OpenAPI document. Handlers receive already-validated, typed input.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { z } from 'zod';
import type { KeyScope } from '../store/keysRepo.js';
import { badRequest } from './errors.js';

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** fastify path, e.g. /api/devices/:mac */
  url: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** status → schema (or null for "no JSON body"/non-JSON) */
  responses: Record<number, z.ZodType | null>;
  /** required scope, default read for GET and admin otherwise */
  scope?: KeyScope;
  /** response is not JSON (SSE, Prometheus text) */
  produces?: string;
  /** request body limit in bytes (default: the app's 64 KiB) */
  bodyLimit?: number;
  handler: (
    input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> },
    request: FastifyRequest,
    reply: FastifyReply,
  ) => unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every input type
export type AnyRouteDef = RouteDef<any, any, any>;

export class RouteRegistry {
  readonly routes: AnyRouteDef[] = [];

  constructor(private readonly app: FastifyInstance) {}

  add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(def: RouteDef<P, Q, B>): void {
    this.routes.push(def as AnyRouteDef);
    this.app.route({
      method: def.method as HTTPMethods,
      url: def.url,
      config: def.scope ? { scope: def.scope } : {},
      ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
      handler: async (request, reply) => {
        const params = parse(def.params, request.params, 'params');
        const query = parse(def.query, request.query ?? {}, 'query');
        const body = parse(def.body, request.body ?? {}, 'body');
        return def.handler({ params, query, body } as never, request, reply);
      },
    });
  }
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(where, r.error);
  return r.data;
}
