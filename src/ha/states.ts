import type { AlertEvent } from '../alerts/alerts.js';
import type { ChangeEventFields } from '../alerts/types.js';
import { identityOf } from '../inventory/deviceKey.js';
import { type DeviceKind, effectiveKind, KIND_INFO, UNKNOWN_KIND_ICON } from '../inventory/kinds.js';
/**
 * State payloads (DESIGN §7), pure. The device state doubles as the device_tracker's json attributes, so it
 * carries exactly the documented keys and always stays under HA's 16 KiB attribute limit.
 */
import type { Change, Device } from '../inventory/types.js';
import { displayName } from '../inventory/types.js';
import { groupFindings } from '../threats/groups.js';
import type { StoredFinding } from '../threats/types.js';
import type { DeviceIdentity } from '../vocabulary.js';
import {
  HOSTNAME_MAX,
  type Presence,
  type RiskLevel,
  type Severity,
  severityAtLeast,
  THREAT_MIN_SEVERITY,
} from '../vocabulary.js';
import { cleanText, HA_MAX_PAYLOAD_BYTES, jsonBytes } from './text.js';

export const NAME_MAX = 64;
export const VENDOR_MAX = 64;
export const PORTS_MAX = 50;
/** IPv6 addresses listed per device (the repo keeps at most 16) */
export const IPV6_MAX = 16;
/** finding groups listed (a group with a known-exploited CVE is never dropped) */
export const THREATS_MAX = 20;
/** CVE ids listed per group besides the known-exploited ones (those are always listed) */
export const GROUP_CVES_MAX = 12;
/** Keep a margin below 16 KiB for HA's own attributes (friendly_name, source_type…). */
export const STATE_BUDGET_BYTES = HA_MAX_PAYLOAD_BYTES - 1024;

export interface StatePort {
  port: number;
  protocol: 'tcp' | 'udp';
  service: string | null;
  product: string | null;
  version: string | null;
}

/** One finding group ("Update Apache httpd 2.4.49 to 2.4.62 or newer — fixes 17 CVEs, 2 known exploited"). */
export interface StateThreat {
  key: string;
  severity: Severity;
  title: string;
  /** first port of the group */
  port: number | null;
  /** first CVE of the group (known exploited first), null for port/TLS groups */
  cve: string | null;
  /** CVE ids, known exploited first; every known-exploited one is always listed */
  cves: string[];
  /** known-exploited CVEs in the group */
  known_exploited: number;
  /** CVEs in the group that are not listed in `cves` */
  more: number;
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
  /** null for a device identified by IP: it has no MAC to show (DESIGN §15) */
  mac: string | null;
  /** "mac", or "ip" for a routed host whose MAC cannot be learned (known by its address only) */
  identified_by: DeviceIdentity;
  ip: string | null;
  /** IPv6 addresses found by NDP discovery: global, unique-local, then link-local ([] when none) */
  ipv6_addresses: string[];
  hostname: string | null;
  name: string;
  vendor: string | null;
  randomized: boolean;
  online: boolean;
  presence: Presence;
  /** why home/away: the sweep's answer, a confirmation probe, passive listening, or the unanswered probes */
  presence_reason: string | null;
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
  /** true until acknowledged (marked known); the hub's `devices_new` counts these. Untrusting a device later does not
   * make it new again, so `known: false` alone is not "new". */
  is_new: boolean;
  /** device kind as shown (user's override, else the guess); null = unknown */
  kind: DeviceKind | null;
  /** Material Design icon of the kind ("mdi:cctv"); not `icon`, which HA drops from MQTT attributes */
  kind_icon: string;
  source: 'lan_sentinel';
  /** the satellite agent that sees this device (absent: the hub itself) */
  agent?: string;
}

/** Severity at or above which a finding counts as a threat (binary sensor `threat`, hub `threats_active`). */
export function isThreat(sev: Severity): boolean {
  return severityAtLeast(sev, THREAT_MIN_SEVERITY);
}

/** Device display name as HA sees it (cleaned, capped). */
export function haDeviceName(device: Parameters<typeof displayName>[0]): string {
  return cleanText(displayName(device), NAME_MAX) ?? device.mac;
}

export function deviceState(
  device: Device,
  findings: StoredFinding[],
  agent?: string | null,
  ipv6: readonly string[] = [],
): DeviceState {
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
  // accepted (muted) findings are not threats: they are listed in the UI, not here
  const groups = groupFindings(
    findings.filter((f) => f.resolvedAt === null && f.mac === device.mac && !f.accepted),
  );
  const kevGroups = groups.filter((g) => g.knownExploitedCount > 0);
  const listed = [...kevGroups, ...groups.filter((g) => g.knownExploitedCount === 0)].slice(
    0,
    Math.max(THREATS_MAX, kevGroups.length),
  );
  let threats: StateThreat[] = listed.map((g) => {
    const ids = [...new Set(g.findings.map((f) => f.cve).filter((c): c is string => !!c))];
    const kev = new Set(g.findings.filter((f) => f.knownExploited && f.cve).map((f) => f.cve as string));
    const cves = [
      ...ids.filter((c) => kev.has(c)),
      ...ids.filter((c) => !kev.has(c)).slice(0, GROUP_CVES_MAX),
    ];
    const first = g.findings[0];
    return {
      key: cleanText(g.key, 96) ?? '',
      severity: g.severity,
      title: cleanText(g.title, 160) ?? '',
      port: first?.port ?? null,
      cve: cleanText(cves[0], 32),
      cves: cves.map((c) => cleanText(c, 32) ?? ''),
      known_exploited: kev.size,
      more: ids.length - cves.length,
    };
  });
  const identity = identityOf(device.mac);
  const state: DeviceState = {
    mac: identity === 'ip' ? null : device.mac,
    identified_by: identity,
    ip: device.ip,
    // canonical addresses from the store (hex digits and colons only); capped
    ipv6_addresses: ipv6.slice(0, IPV6_MAX).filter((a) => /^[0-9a-f:]{2,39}$/.test(a)),
    hostname: cleanText(device.hostname, HOSTNAME_MAX),
    name: haDeviceName(device),
    vendor: cleanText(device.vendor, VENDOR_MAX),
    randomized: device.randomized,
    online: device.online,
    presence: device.presence,
    presence_reason: cleanText(device.presenceReason ?? null, 200),
    in_zones: device.presence === 'home' ? ['zone.home'] : [],
    source_type: 'router',
    first_seen: device.firstSeen,
    last_seen: device.lastSeen,
    open_ports: open.length,
    ports,
    risk: device.risk,
    risk_score: device.riskScore,
    threats: [],
    known: device.known,
    is_new: device.isNew,
    kind: effectiveKind(device),
    kind_icon: kindIcon(device),
    source: 'lan_sentinel',
  };
  if (agent) state.agent = agent;
  state.threats = threats;
  // The caps above keep a typical state around 6 KiB. Over budget, shrink in this order: ports beyond 10, the
  // non-exploited CVE ids inside groups, groups without a known-exploited CVE (from the end), the rest of the
  // ports. A known-exploited CVE is never dropped.
  const over = () => jsonBytes(state) > STATE_BUDGET_BYTES;
  while (over() && state.ports.length > 10)
    state.ports = state.ports.slice(0, Math.floor(state.ports.length / 2));
  if (over()) {
    threats = threats.map((t) => {
      const keep = t.cves.slice(0, t.known_exploited);
      return { ...t, cves: keep, more: t.more + t.cves.length - keep.length };
    });
    state.threats = threats;
  }
  while (over()) {
    const i = state.threats.findLastIndex((t) => t.known_exploited === 0);
    if (i < 0) break;
    state.threats = state.threats.filter((_, j) => j !== i);
  }
  while (over() && state.ports.length > 0)
    state.ports = state.ports.slice(0, Math.floor(state.ports.length / 2));
  // last resort (hundreds of known-exploited groups): shorter titles, the CVE ids stay
  if (over()) state.threats = state.threats.map((t) => ({ ...t, title: cleanText(t.title, 40) ?? '' }));
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
  /** finish time of the last successful port scan, null before the first one */
  lastPortScan?: string | null;
  /** online devices waiting for their first port scan (0 = nothing pending) */
  portScansPending?: number;
  scanning: boolean;
  /** progress of the running scan request, when one runs */
  scan?: HubScanProgress | null;
  /** why the service is degraded (a failed sweep, failing writes); empty or absent: healthy */
  problems?: string[];
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
  last_port_scan: string | null;
  port_scans_pending: number;
  scanning: boolean;
  /** the running scan (attributes of the `scanning` binary sensor; null when idle) */
  scan_kind: 'sweep' | 'ports' | null;
  scan_percent: number | null;
  scan_hosts_done: number | null;
  scan_hosts_total: number | null;
  scan_eta_s: number | null;
  /** the hub's problem binary sensor: the service is degraded; `problems` says why (its attributes) */
  problem: boolean;
  problems: string[];
}

export function hubState(s: HubStats): HubState {
  const p = s.scanning ? (s.scan ?? null) : null;
  return {
    devices_online: s.online,
    devices_known: s.total,
    devices_new: s.new,
    threats_active: s.threatsActive,
    last_scan: s.lastScan,
    last_port_scan: s.lastPortScan ?? null,
    port_scans_pending: s.portScansPending ?? 0,
    scanning: s.scanning,
    scan_kind: p?.kind ?? null,
    scan_percent: p ? Math.round(p.percent) : null,
    scan_hosts_done: p?.hostsDone ?? null,
    scan_hosts_total: p?.hostsTotal ?? null,
    scan_eta_s: p?.etaSeconds ?? null,
    problem: (s.problems?.length ?? 0) > 0,
    problems: (s.problems ?? []).slice(0, 5).map((m) => cleanText(m, 300) ?? ''),
  };
}

export type EventPayload = ChangeEventFields<Change['type']>;

/** `lan_sentinel/event` payload; `event_type` is one of CHANGE_TYPES (the event entity's `event_types`). */
export function eventPayload(change: Change): EventPayload {
  return {
    event_type: change.type,
    // a device identified by IP has no MAC to name (its address is `ip`)
    mac: change.mac && identityOf(change.mac) === 'ip' ? null : change.mac,
    ip: change.ip,
    name: cleanText(change.name, NAME_MAX),
    vendor: cleanText(change.vendor, VENDOR_MAX),
    severity: change.severity,
    message: cleanText(change.message, 255) ?? '',
    time: change.time,
  };
}

/** What an alert rule with the `mqtt_event` channel fired: the alert engine's own AlertEvent. */
export type AlertEventInput = AlertEvent;

/** `<base>/alert` payload (the alert event entity): network text cleaned and bounded like every state. */
export function alertEventPayload(e: AlertEventInput): AlertEventInput {
  return {
    ...e,
    name: cleanText(e.name, NAME_MAX),
    vendor: cleanText(e.vendor, VENDOR_MAX),
    title: cleanText(e.title, 255) ?? '',
    message: cleanText(e.message, 255) ?? '',
    rule: cleanText(e.rule, 100) ?? '',
  };
}
