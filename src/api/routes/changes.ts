import type { ApiDeps } from '../deps.js';
import { changeJson } from '../mappers.js';
import type { RouteRegistry } from '../route.js';
import { changeListQuery, changeListSchema, errorSchema } from '../schemas.js';

/** `api/changes`: the change log. */
export function changeRoutes(r: RouteRegistry, deps: ApiDeps): void {
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
}
