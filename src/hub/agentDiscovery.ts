/**
 * One HA device per satellite agent (DESIGN §16), published by the hub (pure). Its state comes from the
 * hub's own topic `<base>/hub/agent/<id>/state`, never from a topic the agent can write.
 */
import { ORIGIN_NAME, onlineComponent, SUPPORT_URL } from '../ha/discovery.js';
import { agentDeviceId, HUB_ID } from '../ha/topics.js';

export { agentDeviceId };

export interface AgentTopicCtx {
  discoveryPrefix: string;
  baseTopic: string;
  swVersion: string;
}

export const agentStateTopic = (ctx: AgentTopicCtx, id: string) => `${ctx.baseTopic}/hub/agent/${id}/state`;
export const agentScanNowTopic = (ctx: AgentTopicCtx, id: string) =>
  `${ctx.baseTopic}/hub/agent/${id}/scan_now`;
export const agentDiscoveryTopic = (ctx: AgentTopicCtx, id: string) =>
  `${ctx.discoveryPrefix}/device/${agentDeviceId(id)}/config`;

/** What the hub publishes as the agent's state (retained JSON). */
export interface AgentState {
  agent: string;
  online: boolean;
  /** online | offline | stale (connected per LWT but no heartbeat for 3 intervals) | unknown */
  health: 'online' | 'offline' | 'stale' | 'unknown';
  last_heartbeat: string | null;
  last_sweep: string | null;
  last_result: string | null;
  last_error: string | null;
  version: string | null;
  subnets: string[];
  devices: number;
  devices_online: number;
  queue_pending: number;
  queue_dropped: number;
  results: number;
  refused: number;
}

export function agentDiscovery(
  ctx: AgentTopicCtx,
  id: string,
): { topic: string; payload: Record<string, unknown> } {
  const dev = agentDeviceId(id);
  const state = agentStateTopic(ctx, id);
  const uid = (c: string) => `${dev}_${c}`;
  const eid = (domain: string, c: string) => `${domain}.${dev}_${c}`;
  const sensor = (c: string, name: string, key: string, extra: Record<string, unknown> = {}) => ({
    platform: 'sensor',
    unique_id: uid(c),
    default_entity_id: eid('sensor', c),
    name,
    state_topic: state,
    value_template: `{{ value_json.${key} }}`,
    ...extra,
  });
  return {
    topic: agentDiscoveryTopic(ctx, id),
    payload: {
      device: {
        identifiers: [dev],
        name: `LAN Sentinel agent ${id}`,
        manufacturer: 'LAN Sentinel',
        model: 'Satellite agent',
        sw_version: ctx.swVersion,
        via_device: HUB_ID,
      },
      origin: { name: ORIGIN_NAME, sw_version: ctx.swVersion, support_url: SUPPORT_URL },
      availability: [
        { topic: `${ctx.baseTopic}/status`, payload_available: 'online', payload_not_available: 'offline' },
      ],
      components: {
        online: {
          ...onlineComponent(uid('online'), eid('binary_sensor', 'online'), state),
          json_attributes_topic: state,
        },
        devices_online: sensor('devices_online', 'Devices online', 'devices_online', {
          state_class: 'measurement',
          unit_of_measurement: 'devices',
          icon: 'mdi:lan-connect',
        }),
        last_heartbeat: sensor('last_heartbeat', 'Last heartbeat', 'last_heartbeat', {
          device_class: 'timestamp',
          entity_category: 'diagnostic',
        }),
        last_sweep: sensor('last_sweep', 'Last sweep', 'last_sweep', { device_class: 'timestamp' }),
        queue_dropped: sensor('queue_dropped', 'Results dropped', 'queue_dropped', {
          state_class: 'total_increasing',
          entity_category: 'diagnostic',
          icon: 'mdi:tray-remove',
        }),
        scan_now: {
          platform: 'button',
          unique_id: uid('scan_now'),
          default_entity_id: eid('button', 'scan_now'),
          name: 'Scan now',
          command_topic: agentScanNowTopic(ctx, id),
          payload_press: 'PRESS',
          icon: 'mdi:magnify-scan',
        },
      },
    },
  };
}
