/** Scan runs and their host observations. */
import type { ScanSnapshot, SnapshotPort } from '../inventory/compare.js';
import { normalizeMac } from '../inventory/mac.js';
import { cleanHostname } from '../inventory/text.js';
import type { ScanKind, ScanPort, ScanResult } from '../scan/types.js';
import type { Db } from './db.js';
import { paging, parseJson } from './rows.js';

export type ScanStatus = 'running' | 'success' | 'failed';

export interface ScanRecord {
  id: number;
  kind: ScanKind;
  status: ScanStatus;
  reason: string;
  targets: string[];
  startedAt: string;
  finishedAt: string | null;
  hostsUp: number | null;
  hostsTotal: number | null;
  error: string | null;
  args: string | null;
  nmapVersion: string | null;
}

export interface ScanHostRecord {
  mac: string | null;
  ip: string;
  hostname: string | null;
  /** Ports as nmap reported them (port scans only; empty for sweeps). */
  ports: ScanPort[];
}

export interface ScanDetail extends ScanRecord {
  hosts: ScanHostRecord[];
}

interface ScanRow {
  id: number;
  kind: string;
  status: string;
  reason: string;
  targets: string;
  started_at: string;
  finished_at: string | null;
  hosts_up: number | null;
  hosts_total: number | null;
  error: string | null;
  args: string | null;
  nmap_version: string | null;
}

interface HostRow {
  mac: string | null;
  ip: string;
  hostname: string | null;
  ports: string | null;
}

function toScan(r: ScanRow): ScanRecord {
  return {
    id: r.id,
    kind: r.kind as ScanKind,
    status: r.status as ScanStatus,
    reason: r.reason,
    targets: parseJson<string[]>(r.targets, []),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    hostsUp: r.hosts_up,
    hostsTotal: r.hosts_total,
    error: r.error,
    args: r.args,
    nmapVersion: r.nmap_version,
  };
}

function toHost(r: HostRow): ScanHostRecord {
  return { mac: r.mac, ip: r.ip, hostname: r.hostname, ports: parseJson<ScanPort[]>(r.ports, []) };
}

/** Hosts per INSERT statement. */
const HOST_BATCH = 1000;

const KINDS: readonly ScanKind[] = ['sweep', 'ports'];
const STATUSES: readonly ScanStatus[] = ['running', 'success', 'failed'];

export class ScansRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      start: db.prepare(
        "INSERT INTO scans (kind, status, reason, targets, started_at, args) VALUES (?, 'running', ?, ?, ?, ?)",
      ),
      finish:
        db.prepare(`UPDATE scans SET status = 'success', finished_at = @finished_at, hosts_up = @hosts_up,
        hosts_total = @hosts_total, args = coalesce(@args, args), nmap_version = @nmap_version, error = NULL
        WHERE id = @id`),
      fail: db.prepare("UPDATE scans SET status = 'failed', finished_at = ?, error = ? WHERE id = ?"),
      deleteHosts: db.prepare('DELETE FROM scan_hosts WHERE scan_id = ?'),
      /** A JSON array of [mac, ip, hostname, ports JSON text] rows of one scan, inserted in array order. */
      insertHosts: db.prepare(`INSERT INTO scan_hosts (scan_id, mac, ip, hostname, ports)
        SELECT @id, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each(@rows) j ORDER BY j.key`),
      get: db.prepare('SELECT * FROM scans WHERE id = ?'),
      hosts: db.prepare('SELECT mac, ip, hostname, ports FROM scan_hosts WHERE scan_id = ? ORDER BY rowid'),
      list: db.prepare(`SELECT * FROM scans WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)
        ORDER BY id DESC LIMIT @limit OFFSET @offset`),
      count: db.prepare(
        'SELECT count(*) AS n FROM scans WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)',
      ),
      lastFinished: db.prepare(
        "SELECT * FROM scans WHERE status = 'success' AND (@kind IS NULL OR kind = @kind) ORDER BY finished_at DESC, id DESC LIMIT 1",
      ),
      running: db.prepare("SELECT * FROM scans WHERE status = 'running' ORDER BY id"),
      failRunning: db.prepare(
        "UPDATE scans SET status = 'failed', finished_at = ?, error = ? WHERE status = 'running'",
      ),
    };
  }

  /** Record a scan that is starting; returns its id. */
  start(
    kind: ScanKind,
    targets: string[],
    reason: string,
    args?: string | null,
    startedAt: Date = new Date(),
  ): number {
    const info = this.stmts.start.run(
      kind,
      reason,
      JSON.stringify(targets),
      startedAt.toISOString(),
      args ?? null,
    );
    return Number(info.lastInsertRowid);
  }

  /**
   * Mark the scan successful and store its up-hosts (one transaction). `attributed` maps the IP of a
   * host nmap reported without a MAC to the device MAC the inventory matched it to, so scan
   * comparisons follow the device.
   */
  finish(id: number, result: ScanResult, attributed?: ReadonlyMap<string, string>): void {
    const run = this.db.transaction(() => {
      const info = this.stmts.finish.run({
        id,
        finished_at: result.finishedAt.toISOString(),
        hosts_up: result.hostsUp,
        hosts_total: result.hostsTotal,
        args: result.args ?? null,
        nmap_version: result.nmapVersion ?? null,
      });
      if (info.changes === 0) throw new Error(`scan ${id} does not exist: cannot record its result`);
      this.stmts.deleteHosts.run(id);
      const rows: unknown[][] = [];
      for (const h of result.hosts) {
        if (h.status !== 'up') continue;
        rows.push([
          (h.mac ? normalizeMac(h.mac) : null) ?? attributed?.get(h.ip) ?? null,
          h.ip,
          h.hostnames.map(cleanHostname).find((x) => x !== null) ?? null,
          result.kind === 'ports' && h.portsScanned ? JSON.stringify(h.ports) : null,
        ]);
        // one statement per batch of hosts (bounded JSON text)
        if (rows.length === HOST_BATCH) this.stmts.insertHosts.run({ id, rows: JSON.stringify(rows.splice(0)) });
      }
      if (rows.length > 0) this.stmts.insertHosts.run({ id, rows: JSON.stringify(rows) });
    });
    run();
  }

  fail(id: number, error: string, finishedAt: Date): void {
    this.stmts.fail.run(finishedAt.toISOString(), error, id);
  }

  list(q: { kind?: ScanKind; status?: ScanStatus; limit?: number; offset?: number } = {}): {
    items: ScanRecord[];
    total: number;
  } {
    if (q.kind !== undefined && !KINDS.includes(q.kind))
      throw new RangeError(`unknown scan kind "${String(q.kind)}"; allowed: ${KINDS.join(', ')}`);
    if (q.status !== undefined && !STATUSES.includes(q.status))
      throw new RangeError(`unknown scan status "${String(q.status)}"; allowed: ${STATUSES.join(', ')}`);
    const { limit, offset } = paging(q.limit, q.offset, 500, 50);
    const f = { kind: q.kind ?? null, status: q.status ?? null };
    const items = (this.stmts.list.all({ ...f, limit, offset }) as ScanRow[]).map(toScan);
    const total = (this.stmts.count.get(f) as { n: number }).n;
    return { items, total };
  }

  get(id: number): ScanDetail | null {
    const r = this.stmts.get.get(id) as ScanRow | undefined;
    if (!r) return null;
    return { ...toScan(r), hosts: (this.stmts.hosts.all(id) as HostRow[]).map(toHost) };
  }

  /** The scan as a comparison snapshot (open ports only), or null when it does not exist. */
  snapshot(id: number): ScanSnapshot | null {
    const s = this.get(id);
    if (!s) return null;
    return {
      id: s.id,
      kind: s.kind,
      hosts: s.hosts.map((h) => ({
        mac: h.mac,
        ip: h.ip,
        hostname: h.hostname,
        ports: h.ports
          .filter((p) => p.state === 'open')
          .map((p) => {
            const sp: SnapshotPort = { protocol: p.protocol, port: p.port };
            if (p.service?.name) sp.service = p.service.name;
            if (p.service?.product) sp.product = p.service.product;
            if (p.service?.version) sp.version = p.service.version;
            return sp;
          }),
      })),
    };
  }

  /** The most recent successful scan (of the kind, when given). */
  lastFinished(kind?: ScanKind): ScanRecord | null {
    const r = this.stmts.lastFinished.get({ kind: kind ?? null }) as ScanRow | undefined;
    return r ? toScan(r) : null;
  }

  /**
   * Mark every scan still `running` as failed (call once at start-up: they were interrupted by a stop
   * or crash). Returns how many were marked.
   */
  failInterrupted(now: Date, error = 'interrupted: the service stopped while this scan was running'): number {
    return this.stmts.failRunning.run(now.toISOString(), error).changes;
  }

  /** Scans left `running` (e.g. by a crash). */
  running(): ScanRecord[] {
    return (this.stmts.running.all() as ScanRow[]).map(toScan);
  }
}
