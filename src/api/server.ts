/** The only place the API listens. Timeouts follow fastify/demo's hardening. */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface ListenOptions {
  host: string;
  port: number;
}

/** Binding to anything but loopback without an API key would expose the whole API unauthenticated. */
export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Start-up guard (DESIGN §9): refuse a non-loopback bind when no API key exists. HA ingress traffic is not
 * affected (the add-on's ingress listener is guarded by the ingress peer check instead).
 */
export function assertBindAllowed(o: { host: string; apiKeysConfigured: boolean }): void {
  if (isLoopbackBind(o.host) || o.apiKeysConfigured) return;
  throw new Error(
    `http_host: binding to ${o.host} exposes the API; create an API key first (lan-sentinel keys create) or bind 127.0.0.1`,
  );
}

/**
 * Binds `host:port` once and lets go again, so a refused bind (address in use, not on this machine, no
 * permission) stops start-up before MQTT announces anything. The real listener binds moments later.
 */
export async function checkListen(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolveOk, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(`http_port: cannot listen on ${host}:${port}: ${err.code ?? ''} ${err.message}`.trim()),
      ),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolveOk()));
  });
}

/** Listens and returns the bound address (e.g. http://127.0.0.1:8099). */
export async function listen(app: FastifyInstance, o: ListenOptions): Promise<string> {
  return app.listen({ host: o.host, port: o.port });
}
