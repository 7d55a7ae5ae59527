/** Satellite agents (DESIGN §16): health per agent, and a sweep on demand. */
import { type AgentJson, acceptedSchema, agentListSchema, agentParams } from '../agentSchemas.js';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
import type { RouteRegistry } from '../route.js';
import { errorSchema } from '../schemas.js';

export function agentRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const list = () =>
    (deps.agents?.list() ?? []).map((a) => ({
      id: a.id,
      configured: a.configured,
      online: a.state.online,
      health: a.state.health as AgentJson['health'],
      first_seen: a.firstSeen || null,
      last_heartbeat: a.state.last_heartbeat,
      last_sweep: a.state.last_sweep,
      last_result: a.lastResultAt,
      last_error: a.state.last_error,
      last_refusal: a.lastRefusal,
      version: a.state.version,
      subnets: a.state.subnets,
      devices: a.state.devices,
      devices_online: a.state.devices_online,
      queue_pending: a.state.queue_pending,
      queue_dropped: a.state.queue_dropped,
      results: a.state.results,
      refused: a.state.refused,
    }));
  r.add({
    method: 'GET',
    url: '/api/agents',
    tag: 'agents',
    summary: 'Satellite agents: health, devices, queue, refusals',
    responses: { 200: agentListSchema },
    handler: () => ({ items: list() }),
  });
  r.add({
    method: 'POST',
    url: '/api/agents/:id/scan',
    tag: 'agents',
    summary: 'Ask an agent for a sweep now (answered 202; results arrive through the broker)',
    params: agentParams,
    responses: { 202: acceptedSchema, 404: errorSchema },
    handler: ({ params }, _request, reply) => {
      if (!deps.agents?.scanNow(params.id, 'api')) throw notFound(`agent ${params.id}`);
      return reply.code(202).send({ accepted: true, agent: params.id });
    },
  });
}
