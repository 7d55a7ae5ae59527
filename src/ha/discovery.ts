/**
 * HA MQTT device-based discovery payloads (DESIGN §7; ha-reference §1.5). Pure: plain data in, `{topic, payload}` out.
 * Full key names (no abbreviations) so payloads are readable in MQTT Explorer.
 */

import { isIpKey } from '../inventory/deviceKey.js';
import type { Device } from '../inventory/types.js';
import { mac12 } from '../inventory/types.js';
import { ALERT_EVENT_TYPES, CHANGE_TYPES, MEASURED_RISK_LEVELS } from '../vocabulary.js';
import { haDeviceName, kindIcon, kindModel } from './states.js';
import { cleanText, HA_MAX_PAYLOAD_BYTES, jsonBytes } from './text.js';
import {
  agentDeviceId,
  alertTopic,
  deviceCommandTopic,
  deviceDiscoveryTopic,
  deviceId,
  deviceStateTopic,
  eventTopic,
  HUB_ID,
  hubDiscoveryTopic,
  hubStateTopic,
  rescanTopic,
  scanNowTopic,
  statusTopic,
  type TopicCtx,
} from './topics.js';

export const ORIGIN_NAME = 'LAN Sentinel';
export const SUPPORT_URL = 'https://github.com/lan-sentinel/lan-sentinel';

export interface DiscoveryCtx extends TopicCtx {
  /** our version (origin.sw_version, hub sw_version) */
  swVersion: string;
  /**
   * Base of the ingress UI: `homeassistant://app/<slug>` (add-on) or an http(s) URL (standalone).
   * Omitted → no configuration_url.
   */
  ingressUrl?: string;
  /**
   * Home Assistant Core version (websocket `auth_ok` or Supervisor `/core/info`). From 2026.7 on the device
   * tracker is discovered without the deprecated state_topic/value_template/payload_home/payload_not_home;
   * older or unknown Cores get the legacy keys too.
   */
  coreVersion?: string | null;
  supportUrl?: string;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** Device as the builders see it; `model` is used when an inventory module knows one. */
/** `agent`: the satellite agent that sees this device (its HA device is then `via_device`). */
export type DiscoverableDevice = Device & {
  model?: string | null;
  agent?: string | null;
  /** further MACs of the device (rotated private addresses, merges): more `connections` */
  aliases?: string[];
};

type Component = Record<string, unknown> & { platform: string; unique_id: string };

const URL_SCHEME = /^(https?|homeassistant):\/\/\S+$/;

function configurationUrl(ctx: DiscoveryCtx, fragment?: string): string | undefined {
  if (!ctx.ingressUrl || !URL_SCHEME.test(ctx.ingressUrl)) return undefined;
  // HA's ingress panel (/app/<slug>) loads the add-on in an iframe: no fragment or sub-path reaches it
  if (ctx.ingressUrl.startsWith('homeassistant://')) return ctx.ingressUrl.replace(/#.*$/, '');
  return fragment ? `${ctx.ingressUrl.replace(/#.*$/, '')}#${fragment}` : ctx.ingressUrl;
}

/** Core version (e.g. "2026.7.0", "2026.12.0b1", "2026.7.0.dev0") ≥ year.month; null/unparsable → false. */
export function coreAtLeast(version: string | null | undefined, year: number, month: number): boolean {
  const m = /^(\d{4})\.(\d{1,2})(?:\D|$)/.exec(version ?? '');
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return y > year || (y === year && mo >= month);
}

/** Deprecated since Core 2026.7 (warned at every discovery, dropped in 2027.1): only for older Cores. */
function legacyTrackerKeys(ctx: DiscoveryCtx, state: string): Record<string, string> {
  if (coreAtLeast(ctx.coreVersion, 2026, 7)) return {};
  return {
    state_topic: state,
    value_template: '{{ value_json.presence }}',
    payload_home: 'home',
    payload_not_home: 'not_home',
  };
}

function origin(ctx: DiscoveryCtx) {
  return { name: ORIGIN_NAME, sw_version: ctx.swVersion, support_url: ctx.supportUrl ?? SUPPORT_URL };
}

function availability(ctx: DiscoveryCtx) {
  return [{ topic: statusTopic(ctx), payload_available: 'online', payload_not_available: 'offline' }];
}

function finish(topic: string, payload: Record<string, unknown>): DiscoveryMessage {
  const bytes = jsonBytes(payload);
  if (bytes >= HA_MAX_PAYLOAD_BYTES) {
    throw new Error(
      `discovery: payload for ${topic} is ${bytes} bytes; HA's limit is ${HA_MAX_PAYLOAD_BYTES}`,
    );
  }
  return { topic, payload };
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Hub device `lan_sentinel_hub` ("LAN Sentinel"). */
export function hubDiscovery(ctx: DiscoveryCtx): DiscoveryMessage {
  const state = hubStateTopic(ctx);
  const uid = (c: string) => `${HUB_ID}_${c}`;
  const counter = (id: string, name: string, key: string, icon: string): Component => ({
    platform: 'sensor',
    unique_id: uid(id),
    default_entity_id: `sensor.lan_sentinel_${id}`,
    name,
    state_topic: state,
    value_template: `{{ value_json.${key} }}`,
    state_class: 'measurement',
    unit_of_measurement: id === 'threats_active' ? 'findings' : 'devices',
    icon,
  });
  const components: Record<string, Component> = {
    devices_online: counter('devices_online', 'Devices online', 'devices_online', 'mdi:lan-connect'),
    devices_known: counter('devices_known', 'Devices known', 'devices_known', 'mdi:devices'),
    devices_new: counter('devices_new', 'New devices', 'devices_new', 'mdi:new-box'),
    threats_active: counter('threats_active', 'Active threats', 'threats_active', 'mdi:shield-alert'),
    last_scan: {
      platform: 'sensor',
      unique_id: uid('last_scan'),
      default_entity_id: 'sensor.lan_sentinel_last_scan',
      name: 'Last scan',
      device_class: 'timestamp',
      state_topic: state,
      value_template: '{{ value_json.last_scan }}',
      icon: 'mdi:clock-check-outline',
    },
    last_port_scan: {
      platform: 'sensor',
      unique_id: uid('last_port_scan'),
      default_entity_id: 'sensor.lan_sentinel_last_port_scan',
      name: 'Last port scan',
      device_class: 'timestamp',
      state_topic: state,
      // before the first port scan: None = unknown ("not scanned yet"), never a stale time
      value_template: "{{ value_json.last_port_scan if value_json.last_port_scan else 'None' }}",
      icon: 'mdi:shield-search',
    },
    port_scans_pending: {
      platform: 'sensor',
      unique_id: uid('port_scans_pending'),
      default_entity_id: 'sensor.lan_sentinel_port_scans_pending',
      name: 'Devices awaiting a port scan',
      state_topic: state,
      value_template: '{{ value_json.port_scans_pending }}',
      state_class: 'measurement',
      unit_of_measurement: 'devices',
      icon: 'mdi:timer-sand',
    },
    scanning: {
      platform: 'binary_sensor',
      unique_id: uid('scanning'),
      default_entity_id: 'binary_sensor.lan_sentinel_scanning',
      name: 'Scanning',
      device_class: 'running',
      state_topic: state,
      value_template: "{{ 'ON' if value_json.scanning else 'OFF' }}",
      payload_on: 'ON',
      payload_off: 'OFF',
      icon: 'mdi:radar',
      // progress of the running scan as attributes (the card's hub line shows them)
      json_attributes_topic: state,
      json_attributes_template:
        '{{ {"kind": value_json.scan_kind, "percent": value_json.scan_percent, "hosts_done": value_json.scan_hosts_done, "hosts_total": value_json.scan_hosts_total, "eta_seconds": value_json.scan_eta_s} | tojson }}',
    },
    // the service is degraded (the last sweep failed, database writes fail): api/health's problems
    problem: {
      platform: 'binary_sensor',
      unique_id: uid('problem'),
      default_entity_id: 'binary_sensor.lan_sentinel_problem',
      name: 'Problem',
      device_class: 'problem',
      entity_category: 'diagnostic',
      state_topic: state,
      value_template: "{{ 'ON' if value_json.problem else 'OFF' }}",
      payload_on: 'ON',
      payload_off: 'OFF',
      json_attributes_topic: state,
      json_attributes_template: '{{ {"problems": value_json.problems} | tojson }}',
    },
    scan_now: {
      platform: 'button',
      unique_id: uid('scan_now'),
      default_entity_id: 'button.lan_sentinel_scan_now',
      name: 'Scan now',
      command_topic: scanNowTopic(ctx),
      payload_press: 'PRESS',
      icon: 'mdi:magnify-scan',
    },
    network_event: {
      platform: 'event',
      unique_id: uid('network_event'),
      default_entity_id: 'event.lan_sentinel_network_event',
      name: 'Network event',
      state_topic: eventTopic(ctx),
      event_types: [...CHANGE_TYPES],
      icon: 'mdi:lan-pending',
    },
    // what the alert rules with the "HA event entity" channel (mqtt_event) fire, for automations
    alert: {
      platform: 'event',
      unique_id: uid('alert'),
      default_entity_id: 'event.lan_sentinel_alert',
      name: 'Alert',
      state_topic: alertTopic(ctx),
      event_types: [...ALERT_EVENT_TYPES],
      icon: 'mdi:bell-alert',
    },
  };
  const payload = {
    device: withoutUndefined({
      identifiers: [HUB_ID],
      name: 'LAN Sentinel',
      manufacturer: 'LAN Sentinel',
      model: 'Network scanner',
      sw_version: ctx.swVersion,
      configuration_url: configurationUrl(ctx),
    }),
    origin: origin(ctx),
    availability: availability(ctx),
    components,
  };
  return finish(hubDiscoveryTopic(ctx), payload);
}

/** The `Online` connectivity binary sensor of a state topic whose JSON has an `online` boolean (devices, agents). */
export function onlineComponent(uniqueId: string, entityId: string, stateTopic: string): Component {
  return {
    platform: 'binary_sensor',
    unique_id: uniqueId,
    default_entity_id: entityId,
    name: 'Online',
    device_class: 'connectivity',
    state_topic: stateTopic,
    value_template: "{{ 'ON' if value_json.online else 'OFF' }}",
    payload_on: 'ON',
    payload_off: 'OFF',
  };
}

/** One HA device per MAC (`lan_sentinel_<mac12>`). Renames change only `device.name`. */
export function deviceDiscovery(device: DiscoverableDevice, ctx: DiscoveryCtx): DiscoveryMessage {
  const id = deviceId(device.mac);
  const m = mac12(device.mac);
  const state = deviceStateTopic(ctx, device.mac);
  const uid = (c: string) => `${id}_${c}`;
  const ent = (domain: string, c: string) => `${domain}.${id}${c === 'presence' ? '' : `_${c}`}`;
  const components: Record<string, Component> = {
    presence: {
      platform: 'device_tracker',
      unique_id: uid('presence'),
      default_entity_id: ent('device_tracker', 'presence'),
      name: null,
      source_type: 'router',
      // json_attributes_topic carries in_zones + source_type (the current form); legacy keys for Core < 2026.7
      ...legacyTrackerKeys(ctx, state),
      json_attributes_topic: state,
      // the device's kind (camera, printer, …) as its icon
      icon: kindIcon(device),
    },
    online: onlineComponent(uid('online'), ent('binary_sensor', 'online'), state),
    ip: {
      platform: 'sensor',
      unique_id: uid('ip'),
      default_entity_id: ent('sensor', 'ip'),
      name: 'IP address',
      entity_category: 'diagnostic',
      state_topic: state,
      value_template: '{{ value_json.ip }}',
      icon: 'mdi:ip-network',
    },
    last_seen: {
      platform: 'sensor',
      unique_id: uid('last_seen'),
      default_entity_id: ent('sensor', 'last_seen'),
      name: 'Last seen',
      device_class: 'timestamp',
      entity_category: 'diagnostic',
      state_topic: state,
      value_template: '{{ value_json.last_seen }}',
      icon: 'mdi:clock-outline',
    },
    open_ports: {
      platform: 'sensor',
      unique_id: uid('open_ports'),
      default_entity_id: ent('sensor', 'open_ports'),
      name: 'Open ports',
      state_topic: state,
      value_template: "{{ 'None' if value_json.risk == 'unknown' else value_json.open_ports }}",
      state_class: 'measurement',
      unit_of_measurement: 'ports',
      icon: 'mdi:door-open',
    },
    risk: {
      platform: 'sensor',
      unique_id: uid('risk'),
      default_entity_id: ent('sensor', 'risk'),
      name: 'Risk',
      device_class: 'enum',
      options: [...MEASURED_RISK_LEVELS],
      state_topic: state,
      // not port-scanned yet: the payload None makes HA show the state unknown (never a false "none")
      value_template: "{{ 'None' if value_json.risk == 'unknown' else value_json.risk }}",
      icon: 'mdi:shield-half-full',
    },
    threat: {
      platform: 'binary_sensor',
      unique_id: uid('threat'),
      default_entity_id: ent('binary_sensor', 'threat'),
      name: 'Threat',
      device_class: 'problem',
      state_topic: state,
      value_template:
        "{{ 'None' if value_json.risk == 'unknown' else 'ON' if value_json.threats | selectattr('severity', 'in', ['medium', 'high', 'critical']) | list | count > 0 else 'OFF' }}",
      payload_on: 'ON',
      payload_off: 'OFF',
      icon: 'mdi:shield-alert',
    },
    rescan: {
      platform: 'button',
      unique_id: uid('rescan'),
      default_entity_id: ent('button', 'rescan'),
      name: 'Rescan',
      entity_category: 'config',
      command_topic: rescanTopic(ctx, device.mac),
      payload_press: 'PRESS',
      icon: 'mdi:radar',
    },
  };
  // Wake-on-LAN needs a MAC: a device identified by IP has no wake button
  if (!isIpKey(device.mac))
    components.wake = {
      platform: 'button',
      unique_id: uid('wake'),
      default_entity_id: ent('button', 'wake'),
      name: 'Wake',
      command_topic: deviceCommandTopic(ctx, device.mac, 'wake'),
      payload_press: 'PRESS',
      icon: 'mdi:power',
    };
  // only real MACs are connections: a device identified by IP claims none (its identifier names it)
  const macs = [device.mac, ...(device.aliases ?? [])].filter((x) => !isIpKey(x));
  const payload = {
    device: withoutUndefined({
      identifiers: [id],
      connections: macs.length ? macs.map((x) => ['mac', x.toLowerCase()]) : undefined,
      name: haDeviceName(device),
      manufacturer: cleanText(device.vendor, 64) ?? undefined,
      model:
        cleanText(device.model, 64) ??
        kindModel(device) ??
        (isIpKey(device.mac) ? 'Identified by IP (routed subnet)' : undefined),
      via_device: device.agent ? agentDeviceId(device.agent) : HUB_ID,
      configuration_url: configurationUrl(ctx, `/devices/${m}`),
    }),
    origin: origin(ctx),
    availability: availability(ctx),
    components,
  };
  return finish(deviceDiscoveryTopic(ctx, device.mac), payload);
}
