/**
 * Pure view model: pick our entities out of `hass.states`, turn device_tracker attributes (the device state JSON
 * of DESIGN §7) into rows, count, filter, search and sort. Every attribute is treated as untrusted input.
 */
import { isKind, kindLabel } from '../shared/kinds.js';
import { ipv4SortKey } from '../shared/net.js';
import { asRiskLevel, isRisky, type RiskLevel, riskRank } from '../shared/risk.js';
import { parseTime } from '../shared/time.js';
import { type CardConfig, type Filter, HUB_KEYS, type HubKey, type SortKey } from './config.js';
import type { HassEntity } from './ha-types.js';

export const SOURCE = 'lan_sentinel';
const TRACKER_PREFIX = 'device_tracker.lan_sentinel_';
const UNAVAILABLE = new Set(['unavailable', 'unknown']);

export interface DeviceRow {
  entityId: string;
  name: string;
  mac: string;
  ip: string;
  vendor: string;
  hostname: string;
  /** device kind from the `kind` attribute (null: unknown) */
  kind: string | null;
  status: 'online' | 'offline' | 'unavailable';
  isNew: boolean;
  risk: RiskLevel;
  riskScore: number;
  threats: number;
  openPorts: number;
  lastSeen: string | null;
  lastSeenMs: number;
  ipKey: number;
  /** lower-cased haystack for search */
  haystack: string;
}

export interface Selection {
  trackers: HassEntity[];
  hub: Partial<Record<HubKey, HassEntity>>;
  /** the hub's `scanning` binary sensor (its attributes carry the running scan's progress) */
  scanning?: HassEntity;
}

export const SCANNING_CANDIDATES = [
  'binary_sensor.lan_sentinel_scanning',
  'binary_sensor.lan_sentinel_hub_scanning',
];

/** Progress of the running scan, for the hub line. */
export interface HubScan {
  kind: 'sweep' | 'ports';
  percent: number | null;
  hostsDone: number | null;
  hostsTotal: number | null;
  etaSeconds: number | null;
}

const finite = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;

/** The running scan from the `scanning` sensor (state on + progress attributes), or null when idle. */
export function hubScan(e: HassEntity | undefined): HubScan | null {
  if (e?.state !== 'on') return null;
  const a = e.attributes ?? {};
  return {
    kind: a.kind === 'ports' ? 'ports' : 'sweep',
    percent: finite(a.percent) === null ? null : Math.min(100, finite(a.percent) as number),
    hostsDone: finite(a.hosts_done),
    hostsTotal: finite(a.hosts_total),
    etaSeconds: finite(a.eta_seconds),
  };
}

/** "Port scan · 12 of 30 hosts · 40 % · about 2 min left" (pieces that are unknown are left out). */
export function hubScanText(s: HubScan): string {
  const parts = [s.kind === 'ports' ? 'Port scan' : 'Sweep'];
  if (s.hostsDone !== null && s.hostsTotal !== null && s.hostsTotal > 0)
    parts.push(`${s.hostsDone} of ${s.hostsTotal} ${s.kind === 'ports' ? 'hosts' : 'addresses'}`);
  if (s.percent !== null) parts.push(`${Math.floor(s.percent)} %`);
  if (s.etaSeconds !== null)
    parts.push(s.etaSeconds < 60 ? 'under a minute left' : `about ${Math.round(s.etaSeconds / 60)} min left`);
  if (parts.length === 1) parts.push('running…');
  return parts.join(' · ');
}

const text = (v: unknown, max = 200): string => (typeof v === 'string' ? v.slice(0, max) : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function isOurTracker(e: HassEntity | undefined): boolean {
  if (!e?.entity_id.startsWith('device_tracker.')) return false;
  if (e.attributes?.source === SOURCE) return true;
  // Restored/unavailable entities lose their attributes: recognise ours by the default entity id.
  return e.entity_id.startsWith(TRACKER_PREFIX) && UNAVAILABLE.has(e.state);
}

/** Entity ids tried for a hub sensor: the override, then the discovery default_entity_id, then a hub-prefixed form. */
export function hubCandidates(config: CardConfig, key: HubKey): string[] {
  const override = config[`${key}_entity`];
  return override ? [override] : [`sensor.lan_sentinel_${key}`, `sensor.lan_sentinel_hub_${key}`];
}

/** O(number of entities): the state objects the card depends on, in a stable order. */
export function selectEntities(states: Record<string, HassEntity>, config: CardConfig): Selection {
  const trackers: HassEntity[] = [];
  for (const id in states) {
    if (id.charCodeAt(0) !== 100 /* d */ || !id.startsWith('device_tracker.')) continue;
    const e = states[id];
    if (isOurTracker(e)) trackers.push(e as HassEntity);
  }
  const hub: Selection['hub'] = {};
  for (const key of HUB_KEYS) {
    for (const id of hubCandidates(config, key)) {
      const e = states[id];
      if (e) {
        hub[key] = e;
        break;
      }
    }
  }
  const scanning = SCANNING_CANDIDATES.map((id) => states[id]).find((e) => e !== undefined);
  return scanning ? { trackers, hub, scanning } : { trackers, hub };
}

/** True when any state object differs by reference (the cheap re-render test). */
export function selectionChanged(a: Selection | undefined, b: Selection): boolean {
  if (!a) return true;
  if (a.trackers.length !== b.trackers.length) return true;
  for (let i = 0; i < a.trackers.length; i++) if (a.trackers[i] !== b.trackers[i]) return true;
  for (const k of HUB_KEYS) if (a.hub[k] !== b.hub[k]) return true;
  return a.scanning !== b.scanning;
}

/** Rows by state object: HA replaces a state object when it changes, so an unchanged one keeps its row. */
const rowCache = new WeakMap<HassEntity, DeviceRow>();

/** `toRow`, reusing the row of a state object already seen (the same row object: a render can skip it). */
export function rowOf(e: HassEntity): DeviceRow {
  let r = rowCache.get(e);
  if (!r) {
    r = toRow(e);
    rowCache.set(e, r);
  }
  return r;
}

export function toRow(e: HassEntity): DeviceRow {
  const a = e.attributes ?? {};
  const unavailable = UNAVAILABLE.has(e.state);
  const online = a.online === true || (a.online === undefined && e.state === 'home');
  const mac = text(a.mac, 17);
  const ip = text(a.ip, 45);
  const vendor = text(a.vendor, 64);
  const hostname = text(a.hostname, 128);
  const name = text(a.name, 64) || text(a.friendly_name, 64) || hostname || mac || e.entity_id;
  const lastSeen = typeof a.last_seen === 'string' ? a.last_seen : null;
  const lastSeenMs = parseTime(lastSeen);
  const threats = Array.isArray(a.threats) ? a.threats.length : 0;
  const kind = isKind(a.kind) ? a.kind : null;
  return {
    entityId: e.entity_id,
    name,
    mac,
    ip,
    vendor,
    hostname,
    kind,
    status: unavailable ? 'unavailable' : online ? 'online' : 'offline',
    // `is_new` since 0.1 of the state; an older state has only `known` (then untrusted reads as new)
    isNew: typeof a.is_new === 'boolean' ? a.is_new : a.known === false,
    risk: asRiskLevel(a.risk),
    riskScore: num(a.risk_score),
    threats,
    openPorts: num(a.open_ports),
    lastSeen,
    lastSeenMs: Number.isNaN(lastSeenMs) ? 0 : lastSeenMs,
    ipKey: ipv4SortKey(ip),
    haystack: `${name}\n${ip}\n${mac}\n${vendor}\n${hostname}\n${kind ? kindLabel(kind) : ''}`.toLowerCase(),
  };
}

export interface Counts {
  all: number;
  online: number;
  offline: number;
  new: number;
  risky: number;
}

export function countRows(rows: readonly DeviceRow[]): Counts {
  const c: Counts = { all: rows.length, online: 0, offline: 0, new: 0, risky: 0 };
  for (const r of rows) {
    if (r.status === 'online') c.online++;
    else c.offline++;
    if (r.isNew) c.new++;
    if (isRisky(r.risk)) c.risky++;
  }
  return c;
}

export interface Summary {
  online: number | null;
  known: number | null;
  new: number | null;
  threats: number | null;
  /** true when a hub sensor exists but is unavailable (the add-on is stopped or MQTT is down) */
  hubUnavailable: boolean;
}

/** Hub sensors win; missing sensors fall back to counting the trackers; unavailable ones show as null. */
export function summarize(sel: Selection, rows: readonly DeviceRow[]): Summary {
  const counts = countRows(rows);
  let hubUnavailable = false;
  const read = (key: HubKey, fallback: number): number | null => {
    const e = sel.hub[key];
    if (!e) return fallback;
    if (UNAVAILABLE.has(e.state)) {
      hubUnavailable = true;
      return null;
    }
    const n = Number(e.state);
    return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
  };
  const threatsFallback = rows.filter((r) => r.threats > 0 && isRisky(r.risk)).length;
  return {
    online: read('devices_online', counts.online),
    known: read('devices_known', counts.all),
    new: read('devices_new', counts.new),
    threats: read('threats_active', threatsFallback),
    hubUnavailable,
  };
}

export function matchesFilter(r: DeviceRow, f: Filter, showOffline: boolean): boolean {
  switch (f) {
    case 'online':
      return r.status === 'online';
    case 'offline':
      return r.status !== 'online';
    case 'new':
      return r.isNew;
    case 'risky':
      return isRisky(r.risk);
    default:
      return showOffline || r.status === 'online';
  }
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function compareRows(key: SortKey): (a: DeviceRow, b: DeviceRow) => number {
  const byName = (a: DeviceRow, b: DeviceRow) =>
    collator.compare(a.name, b.name) || a.entityId.localeCompare(b.entityId);
  switch (key) {
    case 'ip':
      return (a, b) => a.ipKey - b.ipKey || byName(a, b);
    case 'last_seen':
      // online first, then most recently seen
      return (a, b) =>
        Number(b.status === 'online') - Number(a.status === 'online') ||
        b.lastSeenMs - a.lastSeenMs ||
        byName(a, b);
    case 'risk':
      return (a, b) => riskRank(b.risk) - riskRank(a.risk) || b.riskScore - a.riskScore || byName(a, b);
    default:
      return byName;
  }
}

/** Filter + search + sort. The query matches name, IP, MAC, vendor or hostname (case-insensitive, all words). */
export function visibleRows(
  rows: readonly DeviceRow[],
  opts: { filter: Filter; query: string; sort: SortKey; showOffline: boolean },
): DeviceRow[] {
  const words = opts.query.toLowerCase().split(/\s+/).filter(Boolean);
  const out = rows.filter(
    (r) => matchesFilter(r, opts.filter, opts.showOffline) && words.every((w) => r.haystack.includes(w)),
  );
  return out.sort(compareRows(opts.sort));
}
