/**
 * State payloads (DESIGN §7), pure. The device state doubles as the device_tracker's json attributes, so it
 * carries exactly the documented keys and always stays under HA's 16 KiB attribute limit.
 */
import type { Change, Device } from '../inventory/types.js';
import {
  HOSTNAME_MAX,
  type Presence,
  type RiskLevel,
  SEVERITY_RANK,
  type Severity,
  severityAtLeast,
  THREAT_MIN_SEVERITY,
} from '../vocabulary.js';
import { displayName } from '../inventory/types.js';
import type { StoredFinding } from '../threats/types.js';
import { cleanText, HA_MAX_PAYLOAD_BYTES, jsonBytes } from './text.js';

export const NAME_MAX = 64;
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
  source: 'lan_sentinel';
}

/** Severity at or above which a finding counts as a threat (binary sensor `threat`, hub `threats_active`). */
export function isThreat(sev: Severity): boolean {
  return severityAtLeast(sev, THREAT_MIN_SEVERITY);
}

/** Device display name as HA sees it (cleaned, capped). */
export function haDeviceName(device: Pick<Device, 'name' | 'hostname' | 'vendor' | 'mac'>): string {
  return cleanText(displayName(device), NAME_MAX) ?? device.mac;
}

export function deviceState(device: Device, findings: StoredFinding[]): DeviceState {
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
    source: 'lan_sentinel',
  };
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
  /** devices in the inventory; published as `devices_known` (the hub sensor's name, DESIGN §7) */
  total: number;
  new: number;
  threatsActive: number;
  /** ISO-8601 with timezone, null before the first sweep */
  lastScan: string | null;
  scanning: boolean;
}

export interface HubState {
  devices_online: number;
  devices_known: number;
  devices_new: number;
  threats_active: number;
  last_scan: string | null;
  scanning: boolean;
}

export function hubState(s: HubStats): HubState {
  return {
    devices_online: s.online,
    devices_known: s.total,
    devices_new: s.new,
    threats_active: s.threatsActive,
    last_scan: s.lastScan,
    scanning: s.scanning,
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
