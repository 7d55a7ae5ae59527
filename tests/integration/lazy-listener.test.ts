/**
 * The service's HTTP listener binds at start and builds the app at its first request (idle memory, issue 18):
 * a real node http server on 127.0.0.1:0 and a real fastify app built through `serverFactory`.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { type AppBuilder, listenLazily } from '../../src/api/lazyListener.js';

function builder(fail = 0): { build: AppBuilder; builds: () => number } {
  let builds = 0;
  let failures = fail;
  return {
    builds: () => builds,
    build: async (serverFactory) => {
      builds++;
      if (failures-- > 0) throw new Error('cannot load the routes');
      const app = Fastify({ serverFactory });
      app.get('/api/ping', async () => ({ pong: builds }));
      return app;
    },
  };
}

describe('lazy HTTP listener', () => {
  it('listens at once, builds the app at the first request only, once for concurrent first requests', async () => {
    const b = builder();
    const http = await listenLazily(b.build, { host: '127.0.0.1', port: 0 });
    try {
      expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(b.builds()).toBe(0);
      expect(http.app()).toBeNull();
      const [r1, r2] = await Promise.all([fetch(`${http.url}/api/ping`), fetch(`${http.url}/api/ping`)]);
      expect([r1.status, r2.status]).toEqual([200, 200]);
      expect(await r1.json()).toEqual({ pong: 1 });
      expect(b.builds()).toBe(1);
      expect(http.app()).not.toBeNull();
      expect((await fetch(`${http.url}/nowhere`)).status).toBe(404); // fastify answers from now on
      expect(b.builds()).toBe(1);
    } finally {
      await http.close();
    }
    await expect(fetch(`${http.url}/api/ping`)).rejects.toThrow(); // the port is released
  });

  it('a build that fails answers 503 with the API error shape and is tried again at the next request', async () => {
    const b = builder(1);
    const errors: string[] = [];
    const http = await listenLazily(b.build, {
      host: '127.0.0.1',
      port: 0,
      onBuildError: (e) => errors.push(e.message),
    });
    try {
      const r = await fetch(`${http.url}/api/ping`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({
        error: 'unavailable',
        message: expect.stringContaining('could not start'),
      });
      expect(errors).toEqual(['cannot load the routes']);
      expect((await fetch(`${http.url}/api/ping`)).status).toBe(200);
      expect(b.builds()).toBe(2);
    } finally {
      await http.close();
    }
  });

  it('a port in use refuses at listen, as before', async () => {
    const first = await listenLazily(builder().build, { host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(listenLazily(builder().build, { host: '127.0.0.1', port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
