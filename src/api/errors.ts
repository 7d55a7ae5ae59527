import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type StorageFailure, storageFailure } from '../store/storageFailure.js';
import type { Logger } from '../util/logger.js';
import type { ApiErrorBody, ApiErrorIssue } from './schemas.js';

/** An error with an HTTP status and a machine code, rendered as `{ error, message, issues? }`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: ApiErrorIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const unavailable = (what: string) =>
  new ApiError(503, 'unavailable', `${what} is not available in this build or configuration`);

/** zod issues → `[{path, message}]` with dotted paths (`body.name`, `query.limit`). */
export function issuesOf(where: string, err: z.ZodError): ApiErrorIssue[] {
  return err.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

export function badRequest(where: string, err: z.ZodError): ApiError {
  const issues = issuesOf(where, err);
  const first = issues[0];
  const message = first
    ? `invalid ${where}: ${first.path} ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`
    : `invalid ${where}`;
  return new ApiError(400, 'bad_request', message, issues);
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
  507: 'insufficient_storage',
};

/**
 * One JSON error shape for everything; 5xx messages are hidden from the client and logged instead, except a
 * failing storage: a full disk is 507 (insufficient_storage), another storage failure 503, both with a message
 * that says what to do, and `onStorageFailure` is told (health turns degraded).
 */
export function installErrorHandlers(
  app: FastifyInstance,
  logger: Logger,
  onStorageFailure: (f: StorageFailure) => void = () => {},
): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const storage = storageFailure(err);
    if (storage) {
      logger.error('request failed: storage', {
        method: request.method,
        url: request.url,
        code: storage.code,
      });
      onStorageFailure(storage);
      return reply
        .code(storage.full ? 507 : 503)
        .type('application/json; charset=utf-8')
        .send({
          error: storage.full ? 'insufficient_storage' : 'unavailable',
          message: storage.message,
        } satisfies ApiErrorBody);
    }
    if (err instanceof ApiError) {
      if (err.headers) reply.headers(err.headers);
      const body: ApiErrorBody = { error: err.code, message: err.message };
      if (err.issues) body.issues = err.issues;
      return reply.code(err.statusCode).type('application/json; charset=utf-8').send(body);
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      logger.error('request failed', { method: request.method, url: request.url, error: String(err) });
      return reply
        .code(status)
        .type('application/json; charset=utf-8')
        .send({ error: 'internal', message: 'internal error; see the add-on log' } satisfies ApiErrorBody);
    }
    let message = err.message;
    if (status === 413) {
      const limit = request.routeOptions.bodyLimit ?? 64 * 1024;
      message = `request body too large (limit ${limit >= 1024 * 1024 ? `${limit / 1024 / 1024} MiB` : `${limit / 1024} KiB`})`;
    }
    if (status === 415) message = 'unsupported content type: send application/json';
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
      message = `invalid JSON body: ${err.message}`;
    return reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send({ error: CODE_BY_STATUS[status] ?? 'error', message } satisfies ApiErrorBody);
  });
}

/** The repo validates again; a rejection there is the caller's input, so it is a 400, not a 500. */
export function asBadRequest<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof z.ZodError) throw badRequest('body', err);
    throw err;
  }
}
