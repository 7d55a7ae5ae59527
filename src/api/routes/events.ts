import type { ApiDeps } from '../deps.js';
import type { Mappers } from '../mappers.js';
import type { RouteRegistry } from '../route.js';
import { streamEvents } from '../sse.js';

/** `api/events`: the Server-Sent Events stream; `streams` holds the open ones (closed when the app closes). */
export function eventRoutes(
  r: RouteRegistry,
  deps: ApiDeps,
  mappers: Mappers,
  streams: Set<() => void>,
): void {
  r.add({
    method: 'GET',
    url: '/api/events',
    tag: 'meta',
    summary: 'Server-Sent Events: change, scan, device, finding, scanning (heartbeat comment every 15 s)',
    produces: 'text/event-stream',
    responses: { 200: null },
    handler: (_input, request, reply) => {
      streamEvents(request, reply, {
        bus: deps.bus,
        heartbeatMs: deps.sseHeartbeatMs ?? 15_000,
        now: () => deps.clock.now(),
        mappers,
        register: (close) => {
          streams.add(close);
          return () => streams.delete(close);
        },
      });
    },
  });
}
