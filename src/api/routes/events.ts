import type { ApiDeps } from '../deps.js';
import { changeJson, findingJson, type Mappers } from '../mappers.js';
import type { RouteRegistry } from '../route.js';
import {
  changeListQuery,
  changeListSchema,
  errorSchema,
  findingListQuery,
  findingListSchema,
} from '../schemas.js';

/** The change log and findings. */
export function changeRoutes(r: RouteRegistry, deps: ApiDeps, mappers: Mappers): void {
  r.add({
    method: 'GET',
    url: '/api/changes',
    tag: 'changes',
    summary: 'Detected changes, newest first (filter by type, device, minimum severity, time)',
    query: changeListQuery,
    responses: { 200: changeListSchema, 400: errorSchema },
    handler: ({ query }) => {
      const page = deps.store.changes.list({
        ...(query.type ? { type: query.type } : {}),
        ...(query.mac ? { mac: query.mac } : {}),
        ...(query.min_severity ? { severity: query.min_severity } : {}),
        ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
        limit: query.limit,
        offset: query.offset,
      });
      return {
        items: page.items.map(changeJson),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/findings',
    tag: 'findings',
    summary: 'Threat findings with remediation (active by default)',
    query: findingListQuery,
    responses: { 200: findingListSchema, 400: errorSchema },
    handler: ({ query }) => {
      if (!deps.findings) return { items: [], total: 0, limit: query.limit, offset: query.offset };
      const page = deps.findings.list(query);
      return {
        items: page.items.map((f) => findingJson(f, mappers)),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });
}
