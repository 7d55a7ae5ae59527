import { type DeviceKind, effectiveKind, KIND_INFO, UNKNOWN_KIND_ICON } from '../inventory/kinds.js';
/**
 * State payloads (DESIGN §7), pure. The device state doubles as the device_tracker's json attributes, so it
 * carries exactly the documented keys and always stays under HA's 16 KiB attribute limit.
 */
import type { Change, Device, Presence, RiskLevel, Severity } from '../inventory/types.js';
import { displayName } from '../inventory/types.js';
import type { StoredFinding } from '../threats/types.js';
import { cleanText, HA_MAX_PAYLOAD_BYTES, jsonBytes } from './text.js';

export const NAME_MAX = 64;
export const HOSTNAME_MAX = 128;
export const VENDOR_MAX = 64;
export const PORTS_MAX = 50;
export const THREATS_MAX = 20;
/** Keep a margin below 16 KiB for HA's own attributes (friendly_name, source_type…). */
export const STATE_BUDGET_BYTES = HA_MAX_PAYLOAD_BYTES - 1024;

export interface StatePort {
  port: number;
  protocol: 'tcp' | 'udp';
  service: string | null;
  product: string | null;
  version: string | null;
}

export interface StateThreat {
  key: string;
  severity: Severity;
  title: string;
  port: number | null;
  cve: string | null;
}

/** HA icon for a device: its kind's, or the unknown-kind icon. */
export function kindIcon(device: Pick<Device, 'kind' | 'kindOverride'>): string {
  const k = effectiveKind(device);
  return k ? KIND_INFO[k].icon : UNKNOWN_KIND_ICON;
}

/** HA device `model`: the kind's label ("Camera"), when a kind is known. */
export function kindModel(device: Pick<Device, 'kind' | 'kindOverride'>): string | undefined {
  const k = effectiveKind(device);
  return k ? KIND_INFO[k].label : undefined;
}

export interface DeviceState {
  mac: string;
  ip: string | null;
  hostname: string | null;
  name: string;
  vendor: string | null;
  randomized: boolean;
  online: boolean;
  presence: Presence;
  in_zones: string[];
  source_type: 'router';
  first_seen: string;
  last_seen: string;
  open_ports: number;
  ports: StatePort[];
  risk: RiskLevel;
  risk_score: number;
  threats: StateThreat[];
  known: boolean;
  /** device kind as shown (user's override, else the guess); null = unknown */
  kind: DeviceKind | null;
  /** Material Design icon of the kind ("mdi:cctv"); not `icon`, which HA drops from MQTT attributes */
  kind_icon: string;
  source: 'lan_sentinel';
  /** the satellite agent that sees this device (absent: the hub itself) */
  agent?: string;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Severity at or above which a finding counts as a threat (binary sensor `threat`, hub `threats_active`). */
export function isThreat(sev: Severity): boolean {
  return SEVERITY_RANK[sev] >= SEVERITY_RANK.medium;
}

/** Device display name as HA sees it (cleaned, capped). */
export function haDeviceName(device: Parameters<typeof displayName>[0]): string {
  return cleanText(displayName(device), NAME_MAX) ?? device.mac;
}

export function deviceState(device: Device, findings: StoredFinding[], agent?: string | null): DeviceState {
  const open = device.ports.filter((p) => p.protocol === 'tcp');
  const ports: StatePort[] = [...device.ports]
    .sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol === 'tcp' ? -1 : 1))
    .slice(0, PORTS_MAX)
    .map((p) => ({
      port: p.port,
      protocol: p.protocol,
      service: cleanText(p.service, 32),
      product: cleanText(p.product, 64),
      version: cleanText(p.version, 32),
    }));
  const threats: StateThreat[] = findings
    .filter((f) => f.resolvedAt === null && f.mac === device.mac)
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.key.localeCompare(b.key))
    .slice(0, THREATS_MAX)
    .map((f) => ({
      key: cleanText(f.key, 96) ?? '',
      severity: f.severity,
      title: cleanText(f.title, 120) ?? '',
      port: f.port ?? null,
      cve: cleanText(f.cve, 32),
    }));
  const state: DeviceState = {
    mac: device.mac,
    ip: device.ip,
    hostname: cleanText(device.hostname, HOSTNAME_MAX),
    name: haDeviceName(device),
    vendor: cleanText(device.vendor, VENDOR_MAX),
    randomized: device.randomized,
    online: device.online,
    presence: device.presence,
    in_zones: device.presence === 'home' ? ['zone.home'] : [],
    source_type: 'router',
    first_seen: device.firstSeen,
    last_seen: device.lastSeen,
    open_ports: open.length,
    ports,
    risk: device.risk,
    risk_score: device.riskScore,
    threats,
    known: device.known,
    kind: effectiveKind(device),
    kind_icon: kindIcon(device),
    source: 'lan_sentinel',
  };
  if (agent) state.agent = agent;
  // The caps above keep a typical state around 6 KiB; shrink the lists further if hostile strings still push it over.
  while (jsonBytes(state) > STATE_BUDGET_BYTES && (state.ports.length > 0 || state.threats.length > 0)) {
    if (state.ports.length >= state.threats.length)
      state.ports = state.ports.slice(0, Math.floor(state.ports.length / 2));
    else state.threats = state.threats.slice(0, Math.floor(state.threats.length / 2));
  }
  const bytes = jsonBytes(state);
  if (bytes > STATE_BUDGET_BYTES) throw new Error(`states: device state for ${device.mac} is ${bytes} bytes`);
  return state;
}

export interface HubStats {
  online: number;
  known: number;
  new: number;
  threatsActive: number;
  /** ISO-8601 with timezone, null before the first sweep */
  lastScan: string | null;
  scanning: boolean;
  /** progress of the running scan request, when one runs */
  scan?: HubScanProgress | null;
}

export interface HubScanProgress {
  kind: 'sweep' | 'ports';
  percent: number;
  hostsDone: number;
  hostsTotal: number;
  etaSeconds: number | null;
}

export interface HubState {
  devices_online: number;
  devices_known: number;
  devices_new: number;
  threats_active: number;
  last_scan: string | null;
  scanning: boolean;
  /** the running scan (attributes of the `scanning` binary sensor; null when idle) */
  scan_kind: 'sweep' | 'ports' | null;
  scan_percent: number | null;
  scan_hosts_done: number | null;
  scan_hosts_total: number | null;
  scan_eta_s: number | null;
}

export function hubState(s: HubStats): HubState {
  const p = s.scanning ? (s.scan ?? null) : null;
  return {
    devices_online: s.online,
    devices_known: s.known,
    devices_new: s.new,
    threats_active: s.threatsActive,
    last_scan: s.lastScan,
    scanning: s.scanning,
    scan_kind: p?.kind ?? null,
    scan_percent: p ? Math.round(p.percent) : null,
    scan_hosts_done: p?.hostsDone ?? null,
    scan_hosts_total: p?.hostsTotal ?? null,
    scan_eta_s: p?.etaSeconds ?? null,
  };
}

export interface EventPayload {
  event_type: Change['type'];
  mac: string | null;
  ip: string | null;
  name: string | null;
  vendor: string | null;
  severity: Severity;
  message: string;
  time: string;
}

/** `lan_sentinel/event` payload; `event_type` is one of CHANGE_TYPES (the event entity's `event_types`). */
export function eventPayload(change: Change): EventPayload {
  return {
    event_type: change.type,
    mac: change.mac,
    ip: change.ip,
    name: cleanText(change.name, NAME_MAX),
    vendor: cleanText(change.vendor, VENDOR_MAX),
    severity: change.severity,
    message: cleanText(change.message, 255) ?? '',
    time: change.time,
  };
}
