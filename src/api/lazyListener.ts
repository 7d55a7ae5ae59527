/**
 * The service's HTTP listener: the port is bound at start-up (a refused bind still stops it, and the port is
 * the service's at once), but the app behind it — fastify and its plugins, every route with its zod schemas,
 * the static UI, the API's adapters — is loaded and built at the first request. An idle add-on gets no HTTP
 * request unless its UI is open, and that code is a large part of the idle resident memory (bench/README.md,
 * "Idle memory"). The first request waits for the build (once); a build that fails answers 503 and is tried
 * again at the next request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { HTTP_LIMITS } from './httpLimits.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Builds the app on `serverFactory` (fastify's option: it hands over its request handler, gets our server). */
export type AppBuilder = (serverFactory: (handler: Handler) => Server) => Promise<FastifyInstance>;

export interface LazyListener {
  /** http://<address>:<port> (0.0.0.0 → 127.0.0.1, as fastify's listen says it) */
  readonly url: string;
  /** the app, once a request built it */
  app(): FastifyInstance | null;
  close(): Promise<void>;
}

export async function listenLazily(
  build: AppBuilder,
  o: { host: string; port: number; onBuildError?: (err: Error) => void },
): Promise<LazyListener> {
  const server = createServer({
    requestTimeout: HTTP_LIMITS.requestTimeout,
    headersTimeout: HTTP_LIMITS.headersTimeout,
  });
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeout;
  server.setTimeout(HTTP_LIMITS.connectionTimeout);
  let app: FastifyInstance | null = null;
  let handler: Handler | null = null;
  let building: Promise<Handler> | null = null;
  let closing = false;
  const load = (): Promise<Handler> => {
    building ??= build((h) => {
      handler = h;
      return server;
    })
      .then(async (a) => {
        await a.ready();
        app = a;
        if (!handler) throw new Error('the app did not take the server');
        return handler;
      })
      .catch((err: Error) => {
        building = null;
        throw err;
      });
    return building;
  };
  const unavailable = (res: ServerResponse, message: string) => {
    if (res.headersSent) return res.end();
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'unavailable', message }));
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (app && handler) return handler(req, res);
    if (closing) return unavailable(res, 'the service is stopping');
    load().then(
      (h) => h(req, res),
      (err: Error) => {
        o.onBuildError?.(err);
        unavailable(res, 'the API could not start; see the add-on log');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address}:${addr.port}`,
    app: () => app,
    async close() {
      closing = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // the app's onClose ends its open event streams; requests in flight finish first
      const built = await building?.catch(() => null);
      if (built) await app?.close();
      server.closeIdleConnections();
      await closed;
    },
  };
}
