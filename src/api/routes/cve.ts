/**
 * CVE feeds (DESIGN §6): `POST api/cve/import` takes an NVD CVE 2.0 JSON file, the CISA KEV catalogue or a
 * LAN Sentinel rules file, plain or gzip-compressed, as the raw request body (admin). The service applies it
 * before it answers. `GET api/cve` says how many rules are in force and what was imported last.
 */
import type { FastifyInstance } from 'fastify';
import { FEED_LIMITS, FeedError } from '../../threats/feedImport.js';
import { auditChange } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, unavailable } from '../errors.js';
import type { RouteRegistry } from '../route.js';
import { cveImportSchema, cveStatusSchema, errorSchema } from '../schemas.js';

export const FEED_CONTENT_TYPES = ['application/octet-stream', 'application/gzip', 'application/x-gzip'];

/** Raw bodies for the feed upload; the size bound is the route's (other routes keep the 64 KiB default). */
export function installFeedBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser(FEED_CONTENT_TYPES, { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
}

function bytesOf(body: unknown): Uint8Array {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // application/json: fastify parsed it already; the feed parser wants the text back
  if (body && typeof body === 'object') return Buffer.from(JSON.stringify(body), 'utf8');
  throw new ApiError(
    400,
    'bad_request',
    `send the feed file as the request body (${FEED_CONTENT_TYPES[0]}, application/gzip or application/json)`,
  );
}

export function cveRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add({
    method: 'GET',
    url: '/api/cve',
    tag: 'threats',
    summary: 'CVE rules in force and the last feed import',
    responses: { 200: cveStatusSchema, 503: errorSchema },
    handler: () => {
      if (!deps.cve) throw unavailable('CVE feed import');
      const s = deps.cve.status();
      return { rules_active: s.rulesActive, last_import: s.lastImport };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/cve/import',
    tag: 'threats',
    summary: `Import a CVE feed file (NVD CVE 2.0 JSON, CISA KEV, or a rules file; plain or gzip; at most ${FEED_LIMITS.bytes / 1024 / 1024} MiB) as the raw body; applied at once`,
    scope: 'admin',
    bodyLimit: FEED_LIMITS.bytes,
    responses: { 200: cveImportSchema, 400: errorSchema, 413: errorSchema, 503: errorSchema },
    handler: async (_input, request) => {
      if (!deps.cve) throw unavailable('CVE feed import');
      const bytes = bytesOf(request.body);
      try {
        const o = await deps.cve.import(bytes);
        auditChange(deps, request, 'cve.import', null, {
          format: o.format,
          added: o.added,
          updated: o.updated,
          skipped: o.skipped,
          bytes: bytes.byteLength,
        });
        return {
          format: o.format,
          added: o.added,
          updated: o.updated,
          skipped: o.skipped,
          notes: o.notes,
          applied: o.applied,
          rules_active: o.rulesActive,
          reassessed: o.reassessed,
          service_pid: o.servicePid,
          imported_at: o.time,
        };
      } catch (err) {
        if (err instanceof FeedError) throw new ApiError(400, 'bad_request', err.message);
        throw err;
      }
    },
  });
}
