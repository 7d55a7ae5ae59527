/**
 * The ingress UI: the built Vite app from `uiDir` served at the root with relative URLs; a plain-text hint
 * when it has not been built. Static files need no authentication (they hold no data); every `api/` call does.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const UI_MISSING_HINT =
  'LAN Sentinel is running, but the web UI has not been built.\n' +
  'Build it with `npm run build:web` (or use the released add-on image).\n' +
  'The API is available under api/ (see api/openapi.json).\n';

export async function installStatic(app: FastifyInstance, uiDir: string | undefined): Promise<boolean> {
  const root = uiDir ? resolve(uiDir) : undefined;
  if (root && existsSync(join(root, 'index.html'))) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      index: ['index.html'],
      wildcard: true,
      dotfiles: 'deny',
      cacheControl: true,
      maxAge: 0,
      setHeaders: (res, path) => {
        // hashed assets can be cached for long; index.html must be revalidated so updates show up
        if (/[.-][A-Za-z0-9_-]{8,}\.(js|css|woff2?|png|svg)$/.test(path)) {
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        } else {
          res.setHeader('cache-control', 'no-cache');
        }
      },
    });
    return true;
  }
  app.get('/', { config: { public: true } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(UI_MISSING_HINT),
  );
  return false;
}
