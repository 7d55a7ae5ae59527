/**
 * The HTTP server's limits (fastify/demo's hardening), shared by the fastify app and the listener that holds
 * the port before the app is built (lazyListener.ts), so both apply the same ones.
 */
export const HTTP_LIMITS = {
  bodyLimit: 64 * 1024,
  connectionTimeout: 120_000,
  requestTimeout: 60_000,
  keepAliveTimeout: 10_000,
  // headersTimeout must not exceed requestTimeout; 15 s cuts slow-header (slowloris) clients
  headersTimeout: 15_000,
} as const;
