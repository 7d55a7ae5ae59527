/**
 * MQTT topic builders (DESIGN §7). Pure. Device topics use the colon-free MAC (`mac12`) because HA's
 * discovery topic matcher only accepts `[a-zA-Z0-9_-]` in ids; no user or network string ever reaches a topic.
 */
import { isIpKey } from '../inventory/deviceKey.js';
import { mac12 } from '../inventory/types.js';

export interface TopicCtx {
  /** HA discovery prefix, default `homeassistant` */
  discoveryPrefix: string;
  /** our base topic, default `lan_sentinel` */
  baseTopic: string;
  /** HA birth/will topic, default `homeassistant/status` (HA's own default, independent of the prefix) */
  haStatusTopic?: string;
}

export const DEFAULT_TOPIC_CTX: TopicCtx = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel' };

/** Namespace of every id we publish (device ids, unique_ids). Fixed: independent of the base topic. */
export const ID_PREFIX = 'lan_sentinel_';
export const HUB_ID = 'lan_sentinel_hub';
/** HA device id of a satellite agent (DESIGN §16). */
export const agentDeviceId = (id: string) => `lan_sentinel_agent_${id.replace(/-/g, '_')}`;

const MAC12 = /^[0-9a-f]{12}$/;

/**
 * `lan_sentinel_<mac12>`, or `lan_sentinel_ip_<a>_<b>_<c>_<d>` for a device identified by IP (its key is already
 * topic- and id-safe); refuses anything else.
 */
export function deviceId(mac: string): string {
  if (isIpKey(mac)) return `${ID_PREFIX}${mac}`;
  const m = mac12(mac);
  if (!MAC12.test(m))
    throw new Error(`topics: "${mac.slice(0, 40)}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  return `${ID_PREFIX}${m}`;
}

export function discoveryTopic(ctx: TopicCtx, id: string): string {
  return `${ctx.discoveryPrefix}/device/${id}/config`;
}
export function hubDiscoveryTopic(ctx: TopicCtx): string {
  return discoveryTopic(ctx, HUB_ID);
}
export function deviceDiscoveryTopic(ctx: TopicCtx, mac: string): string {
  return discoveryTopic(ctx, deviceId(mac));
}
/** Subscription filter that sees every device-based discovery config under the prefix. */
export function discoveryFilter(ctx: TopicCtx): string {
  return `${ctx.discoveryPrefix}/device/+/config`;
}
/** Extracts the device id from `<prefix>/device/<id>/config`, or null. */
export function discoveryIdOf(ctx: TopicCtx, topic: string): string | null {
  const head = `${ctx.discoveryPrefix}/device/`;
  if (!topic.startsWith(head) || !topic.endsWith('/config')) return null;
  const id = topic.slice(head.length, -'/config'.length);
  return /^[a-zA-Z0-9_-]+$/.test(id) ? id : null;
}

export function statusTopic(ctx: TopicCtx): string {
  return `${ctx.baseTopic}/status`;
}
export function haStatusTopic(ctx: TopicCtx): string {
  return ctx.haStatusTopic ?? 'homeassistant/status';
}
export function hubStateTopic(ctx: TopicCtx): string {
  return `${ctx.baseTopic}/hub/state`;
}
export function scanNowTopic(ctx: TopicCtx): string {
  return `${ctx.baseTopic}/hub/scan_now`;
}
export function eventTopic(ctx: TopicCtx): string {
  return `${ctx.baseTopic}/event`;
}
/** Alerts of rules with the `mqtt_event` channel (the alert event entity). */
export function alertTopic(ctx: TopicCtx): string {
  return `${ctx.baseTopic}/alert`;
}
export function deviceStateTopic(ctx: TopicCtx, mac: string): string {
  return `${ctx.baseTopic}/device/${deviceId(mac).slice(ID_PREFIX.length)}/state`;
}
/** The per-device buttons: `<base>/device/<mac12>/<command>` with payload `PRESS`. */
export type DeviceCommand = 'rescan' | 'wake';

export function deviceCommandTopic(ctx: TopicCtx, mac: string, command: DeviceCommand): string {
  return `${ctx.baseTopic}/device/${deviceId(mac).slice(ID_PREFIX.length)}/${command}`;
}
/** Subscription filter for one command of every device. */
export function deviceCommandFilter(ctx: TopicCtx, command: DeviceCommand): string {
  return `${ctx.baseTopic}/device/+/${command}`;
}
/**
 * `lan_sentinel/device/<mac12>/<command>` → `aa:bb:cc:dd:ee:ff` (`…/device/ip_<a>_<b>_<c>_<d>/…` → that IP key),
 * or null when the topic is not one.
 */
export function macOfDeviceCommandTopic(ctx: TopicCtx, topic: string, command: DeviceCommand): string | null {
  const head = `${ctx.baseTopic}/device/`;
  const tail = `/${command}`;
  if (!topic.startsWith(head) || !topic.endsWith(tail)) return null;
  const m = topic.slice(head.length, -tail.length);
  if (isIpKey(m)) return m;
  if (!MAC12.test(m)) return null;
  return m.match(/../g)!.join(':');
}

export function rescanTopic(ctx: TopicCtx, mac: string): string {
  return deviceCommandTopic(ctx, mac, 'rescan');
}
/** Subscription filter for every device's rescan command. */
export function rescanFilter(ctx: TopicCtx): string {
  return deviceCommandFilter(ctx, 'rescan');
}
/** `lan_sentinel/device/<mac12>/rescan` → `aa:bb:cc:dd:ee:ff`, or null when the topic is not one. */
export function macOfRescanTopic(ctx: TopicCtx, topic: string): string | null {
  return macOfDeviceCommandTopic(ctx, topic, 'rescan');
}
