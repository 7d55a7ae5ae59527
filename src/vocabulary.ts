/**
 * The one vocabulary of LAN Sentinel (DESIGN §2): change types, severities and their rank, risk levels, alert
 * channels, device filters and sorts, and the label tables keyed by them. No I/O and no imports, so the
 * server, the ingress UI and the Lovelace card all import it (the bundles stay free of zod and node).
 *
 * A label table is typed `Record<ChangeType, …>` (never `Record<string, …>`): a new change type does not
 * compile until every table names it. The same names are used on the wire (MQTT, HTTP API) and in code.
 */

// ---------------------------------------------------------------------------------------------------------
// Change types
// ---------------------------------------------------------------------------------------------------------

export const CHANGE_TYPES = [
  'new_device',
  'device_online',
  'device_offline',
  'ip_changed',
  'hostname_changed',
  'port_opened',
  'port_closed',
  'service_changed',
  'gateway_mac_changed',
  'ip_conflict',
  'threat_detected',
  'threat_resolved',
  /** an open port outside the device's expected ports (a finding of kind `unexpected_port` was raised) */
  'unexpected_port',
  /** one summary change for a device's first port scan ("first scan: N open ports"), instead of port_opened per port */
  'first_port_scan',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export function isChangeType(value: unknown): value is ChangeType {
  return typeof value === 'string' && (CHANGE_TYPES as readonly string[]).includes(value);
}

/** Short label (UI tables, tags). */
export const CHANGE_LABELS: Record<ChangeType, string> = {
  new_device: 'New device',
  device_online: 'Online',
  device_offline: 'Offline',
  ip_changed: 'IP changed',
  hostname_changed: 'Hostname changed',
  port_opened: 'Port opened',
  port_closed: 'Port closed',
  service_changed: 'Service changed',
  gateway_mac_changed: 'Gateway MAC changed',
  ip_conflict: 'IP conflict',
  threat_detected: 'Threat detected',
  threat_resolved: 'Threat resolved',
  unexpected_port: 'Unexpected port',
  first_port_scan: 'First port scan',
};

/** Notification title (phone push, webhook title) for an alert about a change of this type. */
export const CHANGE_ALERT_TITLES: Record<ChangeType, string> = {
  new_device: 'New device on your network',
  device_online: 'Device back online',
  device_offline: 'Device went offline',
  ip_changed: 'Device changed IP address',
  hostname_changed: 'Device changed name',
  port_opened: 'New open port',
  port_closed: 'Port closed',
  service_changed: 'Service changed',
  gateway_mac_changed: 'Router identity changed',
  ip_conflict: 'IP address conflict',
  threat_detected: 'Security issue found',
  threat_resolved: 'Security issue resolved',
  unexpected_port: 'Unexpected open port',
  first_port_scan: 'First port scan of a device',
};

/** How a change reads at a glance: `ok` good news, `info` neutral, `warn` look at it, `bad` act on it. */
export type Tone = '' | 'ok' | 'info' | 'warn' | 'bad';
export const CHANGE_TONES: Record<ChangeType, Tone> = {
  new_device: 'warn',
  device_online: 'ok',
  device_offline: '',
  ip_changed: 'info',
  hostname_changed: 'info',
  port_opened: 'warn',
  port_closed: 'info',
  service_changed: 'warn',
  gateway_mac_changed: 'bad',
  ip_conflict: 'bad',
  threat_detected: 'bad',
  threat_resolved: 'ok',
  unexpected_port: 'bad',
  first_port_scan: 'info',
};

/** Label of an alert rule event (a change type or a finding kind). */
export function eventLabel(event: string): string {
  return (FINDING_KIND_LABELS as Record<string, string>)[event] ?? changeLabel(event);
}

/** Label of a change type; an unknown string (old data, hostile input) reads as its words. */
export function changeLabel(type: string): string {
  return isChangeType(type) ? CHANGE_LABELS[type] : type.replace(/_/g, ' ');
}

// ---------------------------------------------------------------------------------------------------------
// Severities (of a change, finding or alert) and risk levels (of a device)
// ---------------------------------------------------------------------------------------------------------

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** info 0 … critical 4: comparisons and SQL ranks use these numbers. */
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** True when `sev` is `min` or more severe. */
export function severityAtLeast(sev: Severity, min: Severity): boolean {
  return SEVERITY_RANK[sev] >= SEVERITY_RANK[min];
}

/** The severities at `min` or above, least severe first. */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.filter((s) => SEVERITY_RANK[s] >= SEVERITY_RANK[min]);
}

/** Severity at or above which a finding counts as a threat (binary sensor `threat`, hub `threats_active`). */
export const THREAT_MIN_SEVERITY: Severity = 'medium';

/** A measured risk level (after at least one port scan), least risky first. */
export const MEASURED_RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type MeasuredRisk = (typeof MEASURED_RISK_LEVELS)[number];

/** The risk level of a device: `unknown` until its first port scan, never `none` before it was measured (DESIGN §5). */
export const RISK_LEVELS = ['unknown', ...MEASURED_RISK_LEVELS] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** unknown -1, none 0 … critical 4 (sorting: not measured below no risk). */
export const RISK_RANK: Record<RiskLevel, number> = {
  unknown: -1,
  none: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** Rank of anything (hostile attribute values included): unknown and unrecognised strings rank as none (0). */
export function riskRank(level: unknown): number {
  return isRiskLevel(level) ? Math.max(0, RISK_RANK[level]) : 0;
}

/** A device is "risky" (device filter `risky`, card filter) at this level or above. */
export const RISKY_MIN_LEVEL: MeasuredRisk = 'medium';
export const RISKY_LEVELS: readonly MeasuredRisk[] = MEASURED_RISK_LEVELS.filter(
  (l) => RISK_RANK[l] >= RISK_RANK[RISKY_MIN_LEVEL],
);

export function isRiskLevel(value: unknown): value is RiskLevel {
  return typeof value === 'string' && (RISK_LEVELS as readonly string[]).includes(value);
}

/** Normalise anything (hostile attribute values included) to a risk level; unrecognised reads as none. */
export function asRiskLevel(level: unknown): RiskLevel {
  return isRiskLevel(level) ? level : 'none';
}

export const RISK_LABELS: Record<RiskLevel, string> = {
  unknown: 'Not scanned yet',
  none: 'No risk',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

// ---------------------------------------------------------------------------------------------------------
// Presence
// ---------------------------------------------------------------------------------------------------------

export const PRESENCES = ['home', 'not_home'] as const;
export type Presence = (typeof PRESENCES)[number];

// ---------------------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------------------

export const FINDING_KINDS = [
  'risky_port',
  'vulnerable_version',
  'custom',
  'unexpected_port',
  'cert_expired',
  'cert_expiring',
  'weak_tls',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const FINDING_KIND_LABELS: Record<FindingKind, string> = {
  risky_port: 'Finding: risky port',
  vulnerable_version: 'Finding: vulnerable version',
  custom: 'Finding: custom rule',
  unexpected_port: 'Finding: unexpected port',
  cert_expired: 'Finding: certificate expired',
  cert_expiring: 'Finding: certificate expiring',
  weak_tls: 'Finding: weak TLS',
};

/** Which part of a product a CVE affects (component precision). */
export const CVE_COMPONENTS = ['server', 'client', 'module'] as const;
export type CveComponent = (typeof CVE_COMPONENTS)[number];

/** What an alert rule can fire on: a change type or a finding kind. */
export const ALERT_RULE_EVENTS = [...CHANGE_TYPES, ...FINDING_KINDS] as const;
export type AlertRuleEvent = (typeof ALERT_RULE_EVENTS)[number];

// ---------------------------------------------------------------------------------------------------------
// Alert channels
// ---------------------------------------------------------------------------------------------------------

/**
 * Where an alert goes: `ha_notify` (Home Assistant notify services: the phone), `webhook` (the user's
 * webhooks), `mqtt_event` (the `event.<...>_alert` entity via `lan_sentinel/alert`). Until 0.1 the code
 * and the database called the first and last `ha` and `mqtt`; those spellings are still accepted on input
 * and read from old rows (see `asAlertChannel`).
 */
export const ALERT_CHANNELS = ['ha_notify', 'webhook', 'mqtt_event'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/**
 * `event_type`s of the alert event entity (`event.lan_sentinel_alert`, topic `<base>/alert`): the change type
 * that fired a rule with the `mqtt_event` channel, or `alert_summary` when the flood limit folded alerts.
 */
export const ALERT_EVENT_TYPES = [...CHANGE_TYPES, 'alert_summary'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** One filterable summary of an alert's delivery (`delivery` on api/alerts). */
export const DELIVERY_STATES = [
  'pending',
  'delivered',
  'partial',
  'failed',
  'not_sent',
  'held_back',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** The metrics of the trend series (`metric` on api/stats/trends). */
export const TREND_METRICS = [
  'devices_online',
  'devices_known',
  'new_devices',
  'open_ports',
  'findings',
  'risk',
] as const;
export type TrendMetric = (typeof TREND_METRICS)[number];

export const ALERT_CHANNEL_LABELS: Record<AlertChannel, string> = {
  ha_notify: 'Phone (HA notify)',
  webhook: 'Webhooks',
  mqtt_event: 'HA event entity',
};

/** Old spellings of alert channels (before the vocabulary was unified) → the current name. */
export const LEGACY_ALERT_CHANNELS: Readonly<Record<string, AlertChannel>> = {
  ha: 'ha_notify',
  mqtt: 'mqtt_event',
};

/** The current channel name for a current or old spelling, or null when it names no channel. */
export function asAlertChannel(value: unknown): AlertChannel | null {
  if (typeof value !== 'string') return null;
  if ((ALERT_CHANNELS as readonly string[]).includes(value)) return value as AlertChannel;
  return LEGACY_ALERT_CHANNELS[value] ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Device lists: filters and sorts (API `api/devices?filter=&sort=`, ingress UI, card)
// ---------------------------------------------------------------------------------------------------------

/**
 * `known` = the device is marked known/trusted by the user (the `known` flag of a device). The number of
 * devices in the inventory is a count, called `total` in code (`DeviceCounts.total`, `HubStats.total`); the hub sensor
 * keeps its published name `devices_known` (DESIGN §7) for the automations that use it.
 */
export const DEVICE_FILTERS = [
  'all',
  'online',
  'offline',
  'new',
  'risky',
  'unscanned',
  'known',
  'ignored',
] as const;
export type DeviceFilter = (typeof DEVICE_FILTERS)[number];

/**
 * What a device's key is (DESIGN §15): its MAC (`aa:bb:cc:dd:ee:ff`), or for a host on a routed subnet whose MAC
 * cannot be learned (no ARP across a router, no agent there) its IPv4 address, keyed `ip_<a>_<b>_<c>_<d>`.
 */
export const DEVICE_IDENTITIES = ['mac', 'ip'] as const;
export type DeviceIdentity = (typeof DEVICE_IDENTITIES)[number];

export const DEVICE_SORTS = ['name', 'ip', 'vendor', 'last_seen', 'first_seen', 'risk'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];
/** Sorts that read best newest/highest first when the user picks them. */
export const DESC_FIRST_SORTS: readonly DeviceSort[] = ['last_seen', 'first_seen', 'risk'];

/** The card offers a subset (its rows are few and come from HA states). */
export const CARD_FILTERS = [
  'all',
  'online',
  'offline',
  'new',
  'risky',
] as const satisfies readonly DeviceFilter[];
export type CardFilter = (typeof CARD_FILTERS)[number];
export const CARD_SORTS = ['name', 'ip', 'last_seen', 'risk'] as const satisfies readonly DeviceSort[];
export type CardSort = (typeof CARD_SORTS)[number];

// ---------------------------------------------------------------------------------------------------------
// Live updates (SSE event names of `api/events`)
// ---------------------------------------------------------------------------------------------------------

export const SSE_EVENTS = ['change', 'scan', 'device', 'finding', 'scanning'] as const;
export type SseEventName = (typeof SSE_EVENTS)[number];

// ---------------------------------------------------------------------------------------------------------
// Service health (`api/health`)
// ---------------------------------------------------------------------------------------------------------

/** `ok`, or `degraded` while at least one problem holds. */
export const HEALTH_STATUSES = ['ok', 'degraded'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
/** why health is degraded: the last sweep failed (nothing was marked absent); writes to the database fail */
export const HEALTH_PROBLEMS = ['sweep_failed', 'storage'] as const;
export type HealthProblemKind = (typeof HEALTH_PROBLEMS)[number];

// ---------------------------------------------------------------------------------------------------------
// Limits on text from the network
// ---------------------------------------------------------------------------------------------------------

/** DNS names are at most 253 characters: stored, served and published up to this length. */
export const HOSTNAME_MAX = 253;
