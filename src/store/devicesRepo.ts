/** Devices and their current open ports: queries, writes, counts (row mapping: deviceRows.ts; port rows: devicePortRows.ts). */

import type { Statement } from 'better-sqlite3';
import { type DeviceKind, isDeviceKind, type KindGuess } from '../inventory/kinds.js';
import type { Device, DevicePort } from '../inventory/types.js';
import {
  DEVICE_FILTERS,
  DEVICE_SORTS,
  type DeviceFilter,
  type DeviceSort,
  RISKY_LEVELS,
} from '../vocabulary.js';
import type { Db } from './db.js';
import { CLEAR_SEEN_MANY_SQL, PORTS_JSON, portDiff, portParams, portsFromJson } from './devicePortRows.js';
import {
  BY_MACS_SQL,
  COLS,
  deviceFromRaw,
  deviceRow,
  deviceWithPortsFromRaw,
  IP_NUM,
  PORTS_OF_SQL,
  type RawDevice,
  ROW_COLUMNS,
} from './deviceRows.js';
import { int, likePattern, paging } from './rows.js';

export type { DeviceFilter, DeviceSort } from '../vocabulary.js';
export interface DeviceQuery {
  /** Case-insensitive substring of MAC (with or without colons), IP, hostname, name, vendor, notes. */
  search?: string;
  filter?: DeviceFilter;
  /** Exact vendor (case-insensitive). */
  vendor?: string;
  /** Kind as shown (the user's override, else the guess); `unknown` = neither. */
  kind?: DeviceKind | 'unknown';
  sort?: DeviceSort;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export type DevicePatch = Partial<
  Pick<
    Device,
    | 'name'
    | 'known'
    | 'watched'
    | 'ignored'
    | 'notes'
    | 'considerHome'
    | 'riskScore'
    | 'risk'
    | 'isNew'
    | 'kindOverride'
  >
>;

export interface DeviceCounts {
  /** devices in the inventory (was `known`, which means "trusted" on a device) */
  total: number;
  online: number;
  /** new (not yet acknowledged) devices */
  new: number;
  ignored: number;
  /** devices marked known/trusted by the user */
  trusted: number;
}

/** SQL condition per device filter; `all` adds none. A device never port-scanned is not risky (its risk is unknown). */
const FILTER_SQL: Record<DeviceFilter, string | null> = {
  all: null,
  online: 'online = 1',
  offline: 'online = 0',
  new: 'is_new = 1',
  risky: `risk IN (${RISKY_LEVELS.map((l) => `'${l}'`).join(', ')}) AND ports_scanned_at IS NOT NULL`,
  unscanned: 'ports_scanned_at IS NULL',
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
  kindOverride: 'kind_override',
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
      byMacs: db.prepare(BY_MACS_SQL).raw(true),
      /** Ports JSON per MAC for a JSON array of MACs (devices without ports are absent). */
      portsOfMany: db.prepare(PORTS_OF_SQL).raw(true),
      upsert: db.prepare(`
        INSERT INTO devices (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')})
        ON CONFLICT (mac) DO UPDATE SET ${ROW_COLUMNS.filter((c) => c !== 'mac')
          .map((c) => `${c} = excluded.${c}`)
          .join(', ')}`),
      deletePorts: db.prepare('DELETE FROM device_ports WHERE mac = ?'),
      insertPort: db.prepare(`
        INSERT INTO device_ports (mac, protocol, port, service, product, version, extrainfo, cpe, first_seen, last_seen,
          devicetype, http_title, http_server)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      upsertPort: db.prepare(`
        INSERT INTO device_ports (mac, protocol, port, service, product, version, extrainfo, cpe, first_seen, last_seen,
          devicetype, http_title, http_server)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (mac, protocol, port) DO UPDATE SET service = excluded.service, product = excluded.product,
          version = excluded.version, extrainfo = excluded.extrainfo, cpe = excluded.cpe,
          first_seen = excluded.first_seen, last_seen = excluded.last_seen, devicetype = excluded.devicetype,
          http_title = excluded.http_title, http_server = excluded.http_server`),
      setKind: db.prepare('UPDATE devices SET kind = ?, kind_confidence = ?, kind_reasons = ? WHERE mac = ?'),
      kinds: db.prepare(
        'SELECT coalesce(kind_override, kind) AS kind, count(*) AS n FROM devices GROUP BY 1 ORDER BY n DESC',
      ),
      deletePort: db.prepare('DELETE FROM device_ports WHERE mac = ? AND protocol = ? AND port = ?'),
      /** a port scan of the device: its rows with a time of their own read as the scan's again (migration 019) */
      clearSeen: db.prepare(
        'UPDATE device_ports INDEXED BY device_ports_seen_apart SET last_seen = NULL WHERE mac = ? AND last_seen IS NOT NULL',
      ),
      setPortsScannedAt: db.prepare('UPDATE devices SET ports_scanned_at = ? WHERE mac = ?'),
      setPortsScannedAtMany: db.prepare(
        'UPDATE devices SET ports_scanned_at = ? WHERE mac IN (SELECT value FROM json_each(?))',
      ),
      clearSeenMany: db.prepare(CLEAR_SEEN_MANY_SQL),
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
      if (f === undefined)
        throw new RangeError(
          `unknown device filter "${String(q.filter)}"; allowed: ${DEVICE_FILTERS.join(', ')}`,
        );
      if (f) where.push(f);
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
    if (q.kind === 'unknown') where.push('coalesce(kind_override, kind) IS NULL');
    else if (q.kind) {
      if (!isDeviceKind(q.kind)) throw new RangeError(`unknown device kind "${String(q.kind)}"`);
      params.kind = q.kind;
      where.push('coalesce(kind_override, kind) = @kind');
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

  /** Insert or fully update devices (not their ports: see setPorts). */
  upsertMany(devices: Device[]): void {
    if (devices.length === 0) return;
    const run = this.db.transaction((list: Device[]) => {
      for (const d of list) this.stmts.upsert.run(deviceRow(d));
    });
    run(devices);
  }

  /**
   * Store the devices a sweep changed, each with only the columns that differ from `previous` (the rows as
   * read before the diff): a device seen again usually changes `last_seen` alone, and an UPDATE of that one
   * column touches only the indexes that hold it, where a full upsert rewrites the row and every index of the
   * table. Devices not in `previous` are inserted whole. One prepared statement per set of changed columns.
   */
  saveChanged(devices: readonly Device[], previous: ReadonlyMap<string, Device>): void {
    if (devices.length === 0) return;
    const run = this.db.transaction(() => {
      for (const d of devices) {
        const old = previous.get(d.mac);
        if (!old) {
          this.stmts.upsert.run(deviceRow(d));
          continue;
        }
        // ip_num follows ip: parsed only when the IP moved
        const sameIp = d.ip === old.ip;
        const next = deviceRow(d, sameIp ? null : undefined);
        const prev = deviceRow(old, sameIp ? null : undefined);
        const cols: string[] = [];
        const values: unknown[] = [];
        for (let i = 1; i < ROW_COLUMNS.length; i++) {
          if (next[i] === prev[i] && !(i === IP_NUM && !sameIp)) continue;
          cols.push(ROW_COLUMNS[i] as string);
          values.push(next[i]);
        }
        if (cols.length === 0) continue;
        values.push(d.mac);
        this.updateStatement(cols).run(values);
      }
    });
    run();
  }

  private updateStatement(cols: readonly string[]): Statement {
    const sql = `UPDATE devices SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE mac = ?`;
    let stmt = this.updateCache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.updateCache.set(sql, stmt);
    }
    return stmt;
  }

  /** Apply a user/threat patch. Returns the updated device, or null when the MAC is unknown. */
  update(mac: string, patch: DevicePatch): Device | null {
    const sets: string[] = [];
    const params: Record<string, unknown> = { mac };
    for (const [k, col] of Object.entries(PATCH_COLUMNS) as Array<[keyof DevicePatch, string]>) {
      if (!(k in patch) || patch[k] === undefined) continue;
      const v = patch[k];
      sets.push(`${col} = @${col}`);
      params[col] =
        typeof v === 'boolean'
          ? int(v)
          : k === 'riskScore'
            ? Math.round(v as number)
            : k === 'risk' && v === 'unknown'
              ? 'none'
              : v;
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
   * With `previous` (the ports as stored now) only the difference is written: closed ports are deleted, new ones
   * inserted, changed ones upserted. With `scannedAt`, a port seen then stores no time of its own (it reads as
   * the device's `ports_scanned_at`, migration 019), so a daily port scan of an unchanged network writes no port
   * row at all (fewer writes on a Raspberry Pi's SD card, too).
   */
  setPorts(mac: string, ports: DevicePort[], scannedAt?: string, previous?: DevicePort[]): void {
    const run = this.db.transaction(() => {
      if (scannedAt !== undefined) {
        this.stmts.setPortsScannedAt.run(scannedAt, mac);
        this.stmts.clearSeen.run(mac);
      }
      if (previous === undefined) {
        this.stmts.deletePorts.run(mac);
        for (const p of ports) this.stmts.upsertPort.run(portParams(mac, p, scannedAt));
        return;
      }
      this.writeDiff(mac, portDiff(ports, previous, scannedAt), scannedAt);
    });
    run();
  }

  private writeDiff(mac: string, diff: ReturnType<typeof portDiff>, scannedAt: string | undefined): void {
    for (const gone of diff.gone) this.stmts.deletePort.run(mac, gone.protocol, gone.port);
    for (const p of diff.insert) this.stmts.insertPort.run(portParams(mac, p, scannedAt));
    for (const p of diff.upsert) this.stmts.upsertPort.run(portParams(mac, p, scannedAt));
  }

  /**
   * setPorts for every device of one port scan at `scannedAt`: one UPDATE for every device's `ports_scanned_at`,
   * one (indexed, usually of no row) for their ports with a time of their own, then the deletes, inserts and
   * upserts of the ports that did change. Stores exactly what setPorts would.
   */
  setPortsMany(
    list: ReadonlyArray<{ mac: string; ports: DevicePort[]; previous: DevicePort[] }>,
    scannedAt: string,
  ): void {
    if (list.length === 0) return;
    const run = this.db.transaction(() => {
      const macs = JSON.stringify(list.map((x) => x.mac));
      this.stmts.setPortsScannedAtMany.run(scannedAt, macs);
      this.stmts.clearSeenMany.run(macs);
      for (const { mac, ports, previous } of list)
        this.writeDiff(mac, portDiff(ports, previous, scannedAt), scannedAt);
    });
    run();
  }

  /** Store the pattern table's guess (null: none). The user's override is kept apart and is not touched. */
  setKind(mac: string, guess: KindGuess | null): void {
    this.stmts.setKind.run(
      guess?.kind ?? null,
      guess?.confidence ?? 0,
      guess?.reasons.length ? JSON.stringify(guess.reasons) : null,
      mac,
    );
  }

  /** Devices per kind as shown (`unknown` for none), most first. */
  kinds(): Array<{ kind: DeviceKind | 'unknown'; count: number }> {
    return (this.stmts.kinds.all() as Array<{ kind: string | null; n: number }>).map((r) => ({
      kind: isDeviceKind(r.kind) ? r.kind : 'unknown',
      count: r.n,
    }));
  }

  counts(): DeviceCounts {
    const r = this.stmts.counts.get() as {
      total: number;
      online: number;
      new: number;
      ignored: number;
      trusted: number;
    };
    return { total: r.total, online: r.online, new: r.new, ignored: r.ignored, trusted: r.trusted };
  }

  /** Vendors with device counts (for the UI's vendor filter). */
  vendors(limit = 200): Array<{ vendor: string; count: number }> {
    return (this.stmts.vendors.all(limit) as Array<{ vendor: string; n: number }>).map((r) => ({
      vendor: r.vendor,
      count: r.n,
    }));
  }
}
