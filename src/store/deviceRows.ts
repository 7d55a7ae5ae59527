/**
 * A device's row (table devices): the columns read and written, in order, and the mapping between a raw row and
 * a Device. Reads use raw (array) rows: no intermediate row object per device. Pure.
 */
import { isDeviceKind } from '../inventory/kinds.js';
import type { Device, DevicePort } from '../inventory/types.js';
import type { Presence, RiskLevel } from '../vocabulary.js';
import { PORTS_JSON, portsFromJson } from './devicePortRows.js';
import { bool, int, ipv4ToNumber } from './rows.js';

/**
 * Device columns in the order `deviceFromRaw` reads them. Reads use raw (array) rows: no intermediate row
 * object per device.
 */
export const DEVICE_COLUMNS = [
  'mac',
  'ip',
  'hostname',
  'name',
  'vendor',
  'randomized',
  'first_seen',
  'last_seen',
  'online',
  'presence',
  'missed_sweeps',
  'known',
  'watched',
  'ignored',
  'notes',
  'consider_home',
  'ports_scanned_at',
  'risk_score',
  'risk',
  'is_new',
  'kind',
  'kind_confidence',
  'kind_reasons',
  'kind_override',
  'presence_reason',
] as const;

export const COLS = DEVICE_COLUMNS.map((c) => `d.${c}`).join(', ');

/** A page of devices with their ports, for a JSON array of MACs, in the array's order. */
export const BY_MACS_SQL = `SELECT ${COLS}, ${PORTS_JSON} FROM json_each(?) j JOIN devices d ON d.mac = j.value ORDER BY j.key`;

/** The port-scan read: the current ports of a JSON array of MACs (devices without ports have '[]'). */
export const PORTS_OF_SQL = `SELECT d.mac, ${PORTS_JSON} FROM devices d WHERE d.mac IN (SELECT value FROM json_each(?))`;

export type RawDevice = unknown[];

export function deviceFromRaw(r: RawDevice, ports: DevicePort[]): Device {
  return {
    mac: r[0] as string,
    ip: r[1] as string | null,
    hostname: r[2] as string | null,
    name: r[3] as string | null,
    vendor: r[4] as string | null,
    randomized: bool(r[5]),
    firstSeen: r[6] as string,
    lastSeen: r[7] as string,
    online: bool(r[8]),
    presence: (r[9] === 'not_home' ? 'not_home' : 'home') as Presence,
    missedSweeps: r[10] as number,
    known: bool(r[11]),
    watched: bool(r[12]),
    ignored: bool(r[13]),
    notes: r[14] as string | null,
    considerHome: r[15] as number | null,
    ports,
    portsScannedAt: r[16] as string | null,
    riskScore: r[17] as number,
    // never port-scanned = not measured: `unknown` (stored as 'none' with ports_scanned_at NULL)
    risk: r[16] === null ? 'unknown' : (r[18] as RiskLevel),
    isNew: bool(r[19]),
    kind: isDeviceKind(r[20]) ? r[20] : null,
    kindConfidence: (r[21] as number | null) ?? 0,
    kindReasons: reasonsFromText(r[22]),
    kindOverride: isDeviceKind(r[23]) ? r[23] : null,
    presenceReason: (r[24] as string | null) ?? null,
  };
}

function reasonsFromText(v: unknown): string[] {
  if (typeof v !== 'string' || v === '') return [];
  try {
    const a = JSON.parse(v) as unknown;
    return Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** A raw row of `SELECT ${COLS}, ${PORTS_JSON}`: the ports JSON is the last column. */
export function deviceWithPortsFromRaw(r: RawDevice): Device {
  return deviceFromRaw(r, portsFromJson(r[DEVICE_COLUMNS.length]));
}

/**
 * The columns a device row is written with, in the order of `deviceRow` (positional: no named-parameter lookup):
 * the read columns with the IP's sort key after the IP.
 */
export const ROW_COLUMNS = [
  DEVICE_COLUMNS[0],
  DEVICE_COLUMNS[1],
  'ip_num',
  ...DEVICE_COLUMNS.slice(2),
] as const;

export const IP_NUM = ROW_COLUMNS.indexOf('ip_num');

/** A device's row values in ROW_COLUMNS order. `ipNum`: its ip_num when known already (skips the parse). */
export function deviceRow(d: Device, ipNum?: number | null): unknown[] {
  return [
    d.mac,
    d.ip,
    ipNum === undefined ? ipv4ToNumber(d.ip) : ipNum,
    d.hostname,
    d.name,
    d.vendor,
    int(d.randomized),
    d.firstSeen,
    d.lastSeen,
    int(d.online),
    d.presence,
    d.missedSweeps,
    int(d.known),
    int(d.watched),
    int(d.ignored),
    d.notes,
    d.considerHome,
    d.portsScannedAt,
    Math.round(d.riskScore),
    d.risk === 'unknown' ? 'none' : d.risk,
    int(d.isNew),
    d.kind ?? null,
    d.kind ? (d.kindConfidence ?? 0) : 0,
    d.kind && d.kindReasons?.length ? JSON.stringify(d.kindReasons) : null,
    d.kindOverride ?? null,
    d.presenceReason ?? null,
  ];
}
