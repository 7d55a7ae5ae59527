/** Devices and their current open ports. */

import type { Statement } from 'better-sqlite3';
import type { Device, DevicePort, Presence, RiskLevel } from '../inventory/types.js';
import type { Db } from './db.js';
import { bool, int, ipv4ToNumber, likePattern, paging } from './rows.js';

export type DeviceFilter = 'online' | 'offline' | 'new' | 'risky' | 'known' | 'ignored';
export type DeviceSort = 'name' | 'ip' | 'vendor' | 'last_seen' | 'first_seen' | 'risk';

export interface DeviceQuery {
  /** Case-insensitive substring of MAC (with or without colons), IP, hostname, name, vendor, notes. */
  search?: string;
  filter?: DeviceFilter;
  /** Exact vendor (case-insensitive). */
  vendor?: string;
  sort?: DeviceSort;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export type DevicePatch = Partial<
  Pick<
    Device,
    'name' | 'known' | 'watched' | 'ignored' | 'notes' | 'considerHome' | 'riskScore' | 'risk' | 'isNew'
  >
>;

export interface DeviceCounts {
  /** devices in the inventory */
  known: number;
  online: number;
  /** new (not yet acknowledged) devices */
  new: number;
  ignored: number;
  /** devices marked known/trusted by the user */
  trusted: number;
}

/**
 * Device columns in the order `deviceFromRaw` reads them. Reads use raw (array) rows: no intermediate row
 * object per device.
 */
const DEVICE_COLUMNS = [
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
] as const;
const COLS = DEVICE_COLUMNS.map((c) => `d.${c}`).join(', ');

/**
 * A device's ports as one JSON array of arrays, in (protocol, port) order, built by SQLite: one text value
 * per device instead of one row object per port. The stored `cpe` JSON is embedded as JSON when it is valid
 * and as [] otherwise (the corrupt-value fallback the row mapping always had). No ports: '[]'.
 * A port's last_seen is its device's ports_scanned_at: a port scan replaces the open ports as a whole, so
 * every current port was seen then (migration 005 dropped the per-port copy of it).
 */
const PORTS_JSON = `(SELECT json_group_array(json_array(p.protocol, p.port, p.service, p.product, p.version,
  p.extrainfo, CASE WHEN json_valid(p.cpe) THEN json(p.cpe) ELSE json('[]') END, p.first_seen,
  coalesce(d.ports_scanned_at, p.first_seen)) ORDER BY p.protocol, p.port) FROM device_ports p WHERE p.mac = d.mac)`;

type RawDevice = unknown[];
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
];

/** One device_ports row as a JSON-able array (the order of the batch statements' `v ->> n`). */
function portRow(mac: string, p: DevicePort): unknown[] {
  return [
    mac,
    p.protocol,
    p.port,
    p.service ?? null,
    p.product ?? null,
    p.version ?? null,
    p.extrainfo ?? null,
    JSON.stringify(p.cpe ?? []),
    p.firstSeen,
  ];
}

/** Same stored row (last_seen is not stored per port). */
function samePortRow(a: DevicePort, b: DevicePort): boolean {
  return (
    (a.service ?? null) === (b.service ?? null) &&
    (a.product ?? null) === (b.product ?? null) &&
    (a.version ?? null) === (b.version ?? null) &&
    (a.extrainfo ?? null) === (b.extrainfo ?? null) &&
    a.firstSeen === b.firstSeen &&
    JSON.stringify(a.cpe ?? []) === JSON.stringify(b.cpe ?? [])
  );
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
  return p;
}

/** Ports from the PORTS_JSON text. */
function portsFromJson(text: unknown): DevicePort[] {
  if (typeof text !== 'string' || text === '[]') return [];
  return (JSON.parse(text) as RawPort[]).map(portFromRaw);
}

function deviceFromRaw(r: RawDevice, ports: DevicePort[]): Device {
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
    risk: r[18] as RiskLevel,
    isNew: bool(r[19]),
  };
}

/** A raw row of `SELECT ${COLS}, ${PORTS_JSON}`: the ports JSON is the last column. */
function deviceWithPortsFromRaw(r: RawDevice): Device {
  return deviceFromRaw(r, portsFromJson(r[DEVICE_COLUMNS.length]));
}

export const DEVICE_FILTERS: readonly DeviceFilter[] = [
  'online',
  'offline',
  'new',
  'risky',
  'known',
  'ignored',
];
export const DEVICE_SORTS: readonly DeviceSort[] = [
  'name',
  'ip',
  'vendor',
  'last_seen',
  'first_seen',
  'risk',
];

const FILTER_SQL: Record<DeviceFilter, string> = {
  online: 'online = 1',
  offline: 'online = 0',
  new: 'is_new = 1',
  risky: "risk IN ('medium', 'high', 'critical')",
  known: 'known = 1',
  ignored: 'ignored = 1',
};

/** Sort expressions are constants chosen from this table, never user text. NULLs sort last. */
const SORT_SQL: Record<DeviceSort, (dir: 'ASC' | 'DESC') => string> = {
  name: (d) => `COALESCE(name, hostname, vendor, mac) COLLATE NOCASE ${d}, mac ASC`,
  ip: (d) => `ip_num IS NULL, ip_num ${d}, mac ASC`,
  vendor: (d) => `vendor IS NULL, vendor COLLATE NOCASE ${d}, mac ASC`,
  last_seen: (d) => `last_seen ${d}, mac ASC`,
  first_seen: (d) => `first_seen ${d}, mac ASC`,
  risk: (d) => `risk_score ${d}, mac ASC`,
};

/** Stored columns of a device (devices table) and how each is computed from the domain object. */
const STORED: ReadonlyArray<readonly [string, (d: Device) => unknown]> = [
  ['mac', (d) => d.mac],
  ['ip', (d) => d.ip],
  ['ip_num', (d) => ipv4ToNumber(d.ip)],
  ['hostname', (d) => d.hostname],
  ['name', (d) => d.name],
  ['vendor', (d) => d.vendor],
  ['randomized', (d) => int(d.randomized)],
  ['first_seen', (d) => d.firstSeen],
  ['last_seen', (d) => d.lastSeen],
  ['online', (d) => int(d.online)],
  ['presence', (d) => d.presence],
  ['missed_sweeps', (d) => d.missedSweeps],
  ['known', (d) => int(d.known)],
  ['watched', (d) => int(d.watched)],
  ['ignored', (d) => int(d.ignored)],
  ['notes', (d) => d.notes],
  ['consider_home', (d) => d.considerHome],
  ['ports_scanned_at', (d) => d.portsScannedAt],
  ['risk_score', (d) => Math.round(d.riskScore)],
  ['risk', (d) => d.risk],
  ['is_new', (d) => int(d.isNew)],
];
const STORED_NAMES = STORED.map(([c]) => c);

function deviceRow(d: Device): unknown[] {
  return STORED.map(([, get]) => get(d));
}

/** Rows per batch statement: bounds the JSON text of one statement. */
const BATCH = 2000;

function chunks<T>(list: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const PATCH_COLUMNS: Record<keyof DevicePatch, string> = {
  name: 'name',
  known: 'known',
  watched: 'watched',
  ignored: 'ignored',
  notes: 'notes',
  considerHome: 'consider_home',
  riskScore: 'risk_score',
  risk: 'risk',
  isNew: 'is_new',
};

export class DevicesRepo {
  private readonly stmts;
  /** One prepared UPDATE per combination of patched columns (column names come from PATCH_COLUMNS only). */
  private readonly updateCache = new Map<string, Statement>();
  private readonly queryCache = new Map<string, { count: Statement; macs: Statement }>();

  constructor(private readonly db: Db) {
    this.stmts = {
      allLight: db.prepare(`SELECT ${COLS} FROM devices d ORDER BY d.mac`).raw(true),
      allWithPorts: db.prepare(`SELECT ${COLS}, ${PORTS_JSON} FROM devices d ORDER BY d.mac`).raw(true),
      get: db.prepare(`SELECT ${COLS}, ${PORTS_JSON} FROM devices d WHERE d.mac = ?`).raw(true),
      /** Devices (with ports) for a JSON array of MACs, in the array's order. */
      byMacs: db
        .prepare(
          `SELECT ${COLS}, ${PORTS_JSON} FROM json_each(?) j JOIN devices d ON d.mac = j.value ORDER BY j.key`,
        )
        .raw(true),
      /** Ports JSON per MAC for a JSON array of MACs (devices without ports are absent). */
      portsOfMany: db
        .prepare(`SELECT d.mac, ${PORTS_JSON} FROM devices d WHERE d.mac IN (SELECT value FROM json_each(?))`)
        .raw(true),
      /** Full rows of a JSON array of devices (STORED order), inserted or entirely replaced. */
      upsertBatch: db.prepare(`
        INSERT INTO devices (${STORED_NAMES.join(', ')})
        SELECT ${STORED_NAMES.map((_, i) => `j.value ->> ${i}`).join(', ')} FROM json_each(?) j WHERE true
        ON CONFLICT (mac) DO UPDATE SET ${STORED_NAMES.filter((c) => c !== 'mac')
          .map((c) => `${c} = excluded.${c}`)
          .join(', ')}`),
      /** Every port of a JSON array of MACs. */
      deletePortsOf: db.prepare('DELETE FROM device_ports WHERE mac IN (SELECT value FROM json_each(?))'),
      /** A JSON array of port rows (portRow order), inserted or replaced. */
      upsertPorts: db.prepare(`
        INSERT INTO device_ports (mac, protocol, port, service, product, version, extrainfo, cpe, first_seen)
        SELECT v ->> 0, v ->> 1, v ->> 2, v ->> 3, v ->> 4, v ->> 5, v ->> 6, v ->> 7, v ->> 8
        FROM (SELECT j.value AS v FROM json_each(?) j) WHERE true
        ON CONFLICT (mac, protocol, port) DO UPDATE SET service = excluded.service, product = excluded.product,
          version = excluded.version, extrainfo = excluded.extrainfo, cpe = excluded.cpe,
          first_seen = excluded.first_seen`),
      /** A JSON array of [mac, protocol, port] keys. */
      deletePorts: db.prepare(`DELETE FROM device_ports WHERE (mac, protocol, port) IN
        (SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?) j)`),
      /** ports_scanned_at of a JSON array of MACs. */
      setPortsScannedAt: db.prepare(
        'UPDATE devices SET ports_scanned_at = ? WHERE mac IN (SELECT value FROM json_each(?))',
      ),
      forget: db.prepare('DELETE FROM devices WHERE mac = ?'),
      counts:
        db.prepare(`SELECT count(*) AS total, coalesce(sum(online), 0) AS online, coalesce(sum(is_new), 0) AS new,
        coalesce(sum(ignored), 0) AS ignored, coalesce(sum(known), 0) AS trusted FROM devices`),
      vendors: db.prepare(
        'SELECT vendor, count(*) AS n FROM devices WHERE vendor IS NOT NULL GROUP BY vendor ORDER BY n DESC, vendor LIMIT ?',
      ),
    };
  }

  /**
   * Every device without loading ports (`ports` is empty). For diffing a sweep, which never reads or
   * writes ports; pair with attachPorts for the devices that are handed on.
   */
  allWithoutPorts(): Device[] {
    return (this.stmts.allLight.all() as RawDevice[]).map((r) => deviceFromRaw(r, []));
  }

  /** The current ports of each given MAC (one query); MACs that are unknown map to []. */
  portsOf(macs: readonly string[]): Map<string, DevicePort[]> {
    const m = new Map<string, DevicePort[]>();
    if (macs.length === 0) return m;
    for (const r of this.stmts.portsOfMany.all(JSON.stringify(macs)) as Array<[string, string]>)
      m.set(r[0], portsFromJson(r[1]));
    return m;
  }

  /** Fill `ports` of the given devices from the database (one query). Returns the same array. */
  attachPorts(devices: Device[]): Device[] {
    if (devices.length === 0) return devices;
    const ports = this.portsOf(devices.map((d) => d.mac));
    for (const d of devices) d.ports = ports.get(d.mac) ?? [];
    return devices;
  }

  /** Every device with its ports (one query). */
  all(): Device[] {
    return (this.stmts.allWithPorts.all() as RawDevice[]).map(deviceWithPortsFromRaw);
  }

  get(mac: string): Device | null {
    const r = this.stmts.get.get(mac) as RawDevice | undefined;
    return r ? deviceWithPortsFromRaw(r) : null;
  }

  /**
   * Filtered, sorted page plus the total matching. The page's MACs come from the sort's index (no table
   * reads for the skipped rows), then one query reads those devices with their ports; the count is skipped
   * when a short page already determines the total. One prepared statement set per filter/sort/order.
   */
  query(q: DeviceQuery = {}): { items: Device[]; total: number } {
    const { limit, offset } = paging(q.limit, q.offset);
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.filter) {
      const f = FILTER_SQL[q.filter];
      if (!f)
        throw new RangeError(
          `unknown device filter "${String(q.filter)}"; allowed: ${DEVICE_FILTERS.join(', ')}`,
        );
      where.push(f);
    }
    const search = q.search?.trim();
    if (search) {
      params.search = likePattern(search);
      const hex = search.replace(/[:.-]/g, '').toLowerCase();
      params.mac12 = /^[0-9a-f]{2,12}$/.test(hex) ? likePattern(hex) : null;
      where.push(
        `(mac LIKE @search ESCAPE '\\' OR ip LIKE @search ESCAPE '\\' OR hostname LIKE @search ESCAPE '\\' ` +
          `OR name LIKE @search ESCAPE '\\' OR vendor LIKE @search ESCAPE '\\' OR notes LIKE @search ESCAPE '\\' ` +
          `OR (@mac12 IS NOT NULL AND replace(mac, ':', '') LIKE @mac12 ESCAPE '\\'))`,
      );
    }
    if (q.vendor) {
      params.vendor = q.vendor;
      where.push('vendor = @vendor COLLATE NOCASE');
    }
    const sort = q.sort ?? 'name';
    const sortSql = SORT_SQL[sort];
    if (!sortSql)
      throw new RangeError(`unknown device sort "${String(sort)}"; allowed: ${DEVICE_SORTS.join(', ')}`);
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const key = `${whereSql}|${sort}|${dir}`;
    let cached = this.queryCache.get(key);
    if (!cached) {
      cached = {
        count: this.db.prepare(`SELECT count(*) FROM devices ${whereSql}`).pluck(),
        macs: this.db
          .prepare(`SELECT mac FROM devices ${whereSql} ORDER BY ${sortSql(dir)} LIMIT @limit OFFSET @offset`)
          .pluck(),
      };
      this.queryCache.set(key, cached);
    }
    const macs = cached.macs.all({ ...params, limit, offset }) as string[];
    // A page that is not full ends the result: the total follows without counting (unless it is empty
    // past the start, where the offset may lie beyond the end).
    const total =
      macs.length < limit && (macs.length > 0 || offset === 0)
        ? offset + macs.length
        : (cached.count.get(params) as number);
    const items =
      macs.length === 0
        ? []
        : (this.stmts.byMacs.all(JSON.stringify(macs)) as RawDevice[]).map(deviceWithPortsFromRaw);
    return { items, total };
  }

  /** Insert or fully update devices (not their ports: see setPorts). Batched statements. */
  upsertMany(devices: Device[]): void {
    if (devices.length === 0) return;
    const run = this.db.transaction((list: Device[]) => {
      for (const part of chunks(list)) this.stmts.upsertBatch.run(JSON.stringify(part.map(deviceRow)));
    });
    run(devices);
  }

  /**
   * Store devices as a sweep changed them: new ones (absent from `previous`) are inserted; of the others only
   * the columns whose value changed are written, devices with the same changed columns in one statement.
   * A repeat sweep of an unchanged network then writes last_seen only (and touches only its two indexes)
   * instead of rewriting all 21 columns and every index of every device.
   */
  saveChanged(devices: readonly Device[], previous: ReadonlyMap<string, Device>): void {
    if (devices.length === 0) return;
    const inserts: Device[] = [];
    const groups = new Map<string, { cols: number[]; rows: unknown[][] }>();
    for (const d of devices) {
      const old = previous.get(d.mac);
      if (!old) {
        inserts.push(d);
        continue;
      }
      const cols: number[] = [];
      const row: unknown[] = [d.mac];
      for (let i = 1; i < STORED.length; i++) {
        const get = STORED[i]![1];
        const v = get(d);
        if (v !== get(old)) {
          cols.push(i);
          row.push(v);
        }
      }
      if (cols.length === 0) continue;
      const key = cols.join(',');
      let g = groups.get(key);
      if (!g) {
        g = { cols, rows: [] };
        groups.set(key, g);
      }
      g.rows.push(row);
    }
    const run = this.db.transaction(() => {
      for (const part of chunks(inserts)) this.stmts.upsertBatch.run(JSON.stringify(part.map(deviceRow)));
      for (const [key, g] of groups) {
        let stmt = this.updateCache.get(`sweep:${key}`);
        if (!stmt) {
          const sets = g.cols.map((c, k) => `${STORED_NAMES[c]} = j.value ->> ${k + 1}`).join(', ');
          stmt = this.db.prepare(
            `UPDATE devices SET ${sets} FROM json_each(?) j WHERE devices.mac = j.value ->> 0`,
          );
          this.updateCache.set(`sweep:${key}`, stmt);
        }
        for (const part of chunks(g.rows)) stmt.run(JSON.stringify(part));
      }
    });
    run();
  }

  /** Apply a user/threat patch. Returns the updated device, or null when the MAC is unknown. */
  update(mac: string, patch: DevicePatch): Device | null {
    const sets: string[] = [];
    const params: Record<string, unknown> = { mac };
    for (const [k, col] of Object.entries(PATCH_COLUMNS) as Array<[keyof DevicePatch, string]>) {
      if (!(k in patch) || patch[k] === undefined) continue;
      const v = patch[k];
      sets.push(`${col} = @${col}`);
      params[col] = typeof v === 'boolean' ? int(v) : k === 'riskScore' ? Math.round(v as number) : v;
    }
    if (sets.length === 0) return this.get(mac);
    const sql = `UPDATE devices SET ${sets.join(', ')} WHERE mac = @mac`;
    let stmt = this.updateCache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.updateCache.set(sql, stmt);
    }
    const info = stmt.run(params);
    return info.changes > 0 ? this.get(mac) : null;
  }

  /** Delete the device, its ports and its history (via ON DELETE CASCADE). Changes stay as the network log. */
  forget(mac: string): boolean {
    return this.stmts.forget.run(mac).changes > 0;
  }

  /**
   * Replace the device's current open ports (and, with `scannedAt`, record when its ports were scanned).
   * With `previous` (the ports as stored now) only the difference is written. See setPortsMany.
   */
  setPorts(mac: string, ports: DevicePort[], scannedAt?: string, previous?: DevicePort[]): void {
    this.setPortsMany([{ mac, ports, ...(previous ? { previous } : {}) }], scannedAt);
  }

  /**
   * Replace the current open ports of many devices in a few batch statements. For an entry with `previous`
   * (its ports as stored now) only the difference is written: closed ports deleted, new or changed ones
   * upserted; unchanged ports are not written at all (their last_seen is the device's ports_scanned_at).
   * Without `previous` the device's ports are rewritten. A daily port scan of an unchanged network then
   * costs one ports_scanned_at update per device (one statement for all of them).
   */
  setPortsMany(
    list: ReadonlyArray<{ mac: string; ports: readonly DevicePort[]; previous?: readonly DevicePort[] }>,
    scannedAt?: string,
  ): void {
    if (list.length === 0) return;
    const rewrite: string[] = [];
    const upserts: unknown[][] = [];
    const deletes: unknown[][] = [];
    for (const { mac, ports, previous } of list) {
      if (previous === undefined) {
        rewrite.push(mac);
        for (const p of ports) upserts.push(portRow(mac, p));
        continue;
      }
      const before = new Map(previous.map((p) => [`${p.protocol}/${p.port}`, p]));
      for (const p of ports) {
        const key = `${p.protocol}/${p.port}`;
        const old = before.get(key);
        before.delete(key);
        if (!old || !samePortRow(old, p)) upserts.push(portRow(mac, p));
      }
      for (const gone of before.values()) deletes.push([mac, gone.protocol, gone.port]);
    }
    const run = this.db.transaction(() => {
      if (scannedAt !== undefined)
        for (const part of chunks(list.map((e) => e.mac)))
          this.stmts.setPortsScannedAt.run(scannedAt, JSON.stringify(part));
      for (const part of chunks(rewrite)) this.stmts.deletePortsOf.run(JSON.stringify(part));
      for (const part of chunks(deletes)) this.stmts.deletePorts.run(JSON.stringify(part));
      for (const part of chunks(upserts)) this.stmts.upsertPorts.run(JSON.stringify(part));
    });
    run();
  }

  counts(): DeviceCounts {
    const r = this.stmts.counts.get() as {
      total: number;
      online: number;
      new: number;
      ignored: number;
      trusted: number;
    };
    return { known: r.total, online: r.online, new: r.new, ignored: r.ignored, trusted: r.trusted };
  }

  /** Vendors with device counts (for the UI's vendor filter). */
  vendors(limit = 200): Array<{ vendor: string; count: number }> {
    return (this.stmts.vendors.all(limit) as Array<{ vendor: string; n: number }>).map((r) => ({
      vendor: r.vendor,
      count: r.n,
    }));
  }
}
