import { buildNetworkMap } from '../../inventory/networkMap.js';
import type { ApiDeps } from '../deps.js';
import type { RouteRegistry } from '../route.js';
import { mapSchema } from '../schemas.js';

/** Subnets from the deps, else the settings summary's targets (CIDRs only). */
function subnetsOf(deps: ApiDeps): string[] {
  const fromDeps = deps.network?.subnets();
  if (fromDeps) return fromDeps;
  const t = deps.config.settingsSummary.targets ?? deps.config.settingsSummary.subnets;
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

export function mapRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add({
    method: 'GET',
    url: '/api/map',
    tag: 'devices',
    summary:
      'The network map: nodes (gateway, subnets, satellite agents, devices with kind, risk and presence) and links device → subnet → (agent →) gateway',
    responses: { 200: mapSchema },
    handler: () => {
      const { store } = deps;
      const m = buildNetworkMap({
        devices: store.devices.allWithoutPorts(),
        subnets: subnetsOf(deps),
        gatewayIp: deps.network?.gatewayIp() ?? null,
        owners: store.agents?.owners(),
        agents: store.agents?.list().map((a) => ({ id: a.id, status: a.status ?? 'offline' })),
      });
      return {
        generated_at: deps.clock.now().toISOString(),
        nodes: m.nodes.map((n) => ({
          id: n.id,
          type: n.type,
          label: n.label,
          parent: n.parent,
          ip: n.ip,
          mac: n.mac,
          kind: n.kind,
          risk: n.risk,
          online: n.online,
          devices: n.devices ?? null,
          devices_online: n.devicesOnline ?? null,
        })),
        links: m.links,
      };
    },
  });
}
