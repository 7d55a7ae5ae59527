/**
 * A device's port rows (table device_ports): the JSON read of a device's ports, the row written for a port, and
 * what storing a port list over the stored one takes. Pure; the statements run in DevicesRepo.
 */
import type { DevicePort } from '../inventory/types.js';

/**
 * A device's ports as one JSON array of arrays, built by SQLite: one text value per device instead of one row
 * object per port. The rows come in the primary key's (protocol, port) order, the order they are read in (the
 * plan in bench/README.md; an ORDER BY inside json_group_array made SQLite sort every device's rows in a temp
 * B-tree again), and portsFromJson checks it. The stored `cpe` JSON is embedded as JSON when it is valid and as
 * [] otherwise (the corrupt-value fallback the row mapping always had). A NULL `last_seen` is the device's last
 * port scan (migration 019). No ports: '[]'.
 */
export const PORTS_JSON = `(SELECT json_group_array(json_array(p.protocol, p.port, p.service, p.product, p.version,
  p.extrainfo, CASE WHEN json_valid(p.cpe) THEN json(p.cpe) ELSE json('[]') END, p.first_seen,
  coalesce(p.last_seen, d.ports_scanned_at), p.devicetype, p.http_title, p.http_server))
  FROM device_ports p WHERE p.mac = d.mac)`;

/** A port scan's devices: their port rows with a time of their own read as the scan's again (migration 019). */
export const CLEAR_SEEN_MANY_SQL = `UPDATE device_ports INDEXED BY device_ports_seen_apart SET last_seen = NULL
  WHERE mac IN (SELECT value FROM json_each(?)) AND last_seen IS NOT NULL`;

type RawPort = [
  string,
  number,
  string | null,
  string | null,
  string | null,
  string | null,
  string[],
  string,
  string,
  string | null,
  string | null,
  string | null,
];

/**
 * The row of a port. `scannedAt`: the device's port-scan time written in the same transaction; a port seen then
 * stores NULL (migration 019: it reads as the device's `ports_scanned_at`).
 */
export function portParams(mac: string, p: DevicePort, scannedAt: string | undefined): unknown[] {
  return [
    mac,
    p.protocol,
    p.port,
    p.service ?? null,
    p.product ?? null,
    p.version ?? null,
    p.extrainfo ?? null,
    p.cpe && p.cpe.length > 0 ? JSON.stringify(p.cpe) : '[]',
    p.firstSeen,
    p.lastSeen === scannedAt ? null : p.lastSeen,
    p.devicetype ?? null,
    p.httpTitle ?? null,
    p.httpServer ?? null,
  ];
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Same stored row but for last_seen (field by field: no serialised copy of either). */
function samePortRow(a: DevicePort, b: DevicePort): boolean {
  return (
    a.firstSeen === b.firstSeen &&
    (a.service ?? null) === (b.service ?? null) &&
    (a.product ?? null) === (b.product ?? null) &&
    (a.version ?? null) === (b.version ?? null) &&
    (a.extrainfo ?? null) === (b.extrainfo ?? null) &&
    (a.devicetype ?? null) === (b.devicetype ?? null) &&
    (a.httpTitle ?? null) === (b.httpTitle ?? null) &&
    (a.httpServer ?? null) === (b.httpServer ?? null) &&
    sameList(a.cpe, b.cpe)
  );
}

/** One number per (protocol, port): no key string per port. */
function portNumber(p: DevicePort): number {
  return p.protocol === 'udp' ? 65536 + p.port : p.port;
}

/**
 * What storing `ports` over `previous` (the rows as they read now) takes: the ports to delete, to insert (new
 * keys: a plain INSERT) and to upsert (changed). A port whose row is the same but for `last_seen` is written only
 * when its time differs from what its row will read as: `scannedAt` when the write records a port scan (every
 * row of the device reads as that then, see setPorts), else its own stored time.
 */
export function portDiff(
  ports: readonly DevicePort[],
  previous: readonly DevicePort[],
  scannedAt: string | undefined,
): { gone: DevicePort[]; insert: DevicePort[]; upsert: DevicePort[] } {
  const before = new Map<number, DevicePort>();
  for (const p of previous) before.set(portNumber(p), p);
  const insert: DevicePort[] = [];
  const upsert: DevicePort[] = [];
  for (const p of ports) {
    const key = portNumber(p);
    const old = before.get(key);
    if (!old) {
      insert.push(p);
      continue;
    }
    before.delete(key);
    if (!samePortRow(old, p) || p.lastSeen !== (scannedAt ?? old.lastSeen)) upsert.push(p);
  }
  return { gone: [...before.values()], insert, upsert };
}

function portFromRaw(r: RawPort): DevicePort {
  const p: DevicePort = {
    protocol: r[0] === 'udp' ? 'udp' : 'tcp',
    port: r[1],
    cpe: r[6],
    firstSeen: r[7],
    lastSeen: r[8],
  };
  if (r[2] !== null) p.service = r[2];
  if (r[3] !== null) p.product = r[3];
  if (r[4] !== null) p.version = r[4];
  if (r[5] !== null) p.extrainfo = r[5];
  if (r[9] != null) p.devicetype = r[9];
  if (r[10] != null) p.httpTitle = r[10];
  if (r[11] != null) p.httpServer = r[11];
  return p;
}

function portOrder(a: DevicePort, b: DevicePort): number {
  return a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1;
}

/** Ports from the PORTS_JSON text, in (protocol, port) order (sorted here only if SQLite ever read otherwise). */
export function portsFromJson(text: unknown): DevicePort[] {
  if (typeof text !== 'string' || text === '[]') return [];
  const raw = JSON.parse(text) as RawPort[];
  const ports = new Array<DevicePort>(raw.length);
  let sorted = true;
  for (let i = 0; i < raw.length; i++) {
    const p = portFromRaw(raw[i] as RawPort);
    if (i > 0 && sorted && portOrder(ports[i - 1] as DevicePort, p) > 0) sorted = false;
    ports[i] = p;
  }
  return sorted ? ports : ports.sort(portOrder);
}
