/** Scan runs and their host observations. */
import type { ScanSnapshot, SnapshotPort } from '../inventory/compare.js';
import { normalizeMac } from '../inventory/mac.js';
import { cleanHostname } from '../inventory/text.js';
import { ipv4ToInt, parseCidrOrIp } from '../scan/ipv4.js';
import type { ScanKind, ScanPort, ScanResult } from '../scan/types.js';
import type { Db } from './db.js';
import { int, paging, parseJson } from './rows.js';
import { decodeScanPorts, encodeScanPorts } from './scanHostPorts.js';

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
  /** port profile of a port scan (null for sweeps and old rows) */
  profile: string | null;
  /** when the first batch began; null while the request is still queued */
  runStartedAt: string | null;
  /** hosts (targets) whose batch has finished */
  hostsDone: number;
  batches: number;
  batchesDone: number;
  /** changes this scan recorded */
  changes: number;
  /** scheduled sweeps that changed nothing folded into this row (1 = just this one) */
  sweeps: number;
}

export type BatchStatus = 'queued' | 'running' | 'success' | 'failed';

export interface ScanBatchRecord {
  seq: number;
  targets: string[];
  status: BatchStatus;
  startedAt: string | null;
  finishedAt: string | null;
  hostsUp: number | null;
  error: string | null;
}

/** What one IP got from one scan. */
export interface ScanHostResult {
  ip: string;
  /** queued/scanning: its batch has not finished; up/down: finished; failed: its batch failed */
  state: 'queued' | 'scanning' | 'up' | 'down' | 'failed';
  batch: ScanBatchRecord;
  host: ScanHostRecord | null;
}

export interface ScanRequestRecord {
  kind: ScanKind;
  reason: string;
  /** all targets of the request (IPs or CIDRs) */
  targets: string[];
  /** the targets of each batch, in run order (one batch for a sweep) */
  batches: string[][];
  /** hosts to do (addresses for a sweep, IPs for a port scan) */
  hostsTotal: number;
  profile?: string | null;
  /** a scheduled sweep: folds into the previous row when neither changed anything */
  collapsible?: boolean;
  requestedAt: Date;
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
  profile: string | null;
  run_started_at: string | null;
  hosts_done: number;
  batches: number;
  batches_done: number;
  changes: number;
  sweeps: number;
  collapsible: number;
}

interface BatchRow {
  seq: number;
  targets: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  hosts_up: number | null;
  error: string | null;
}

function toBatch(r: BatchRow): ScanBatchRecord {
  return {
    seq: r.seq,
    targets: parseJson<string[]>(r.targets, []),
    status: r.status as BatchStatus,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    hostsUp: r.hosts_up,
    error: r.error,
  };
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
    profile: r.profile,
    runStartedAt: r.run_started_at,
    hostsDone: r.hosts_done,
    batches: r.batches,
    batchesDone: r.batches_done,
    changes: r.changes,
    sweeps: r.sweeps,
  };
}

function toHost(r: HostRow): ScanHostRecord {
  return { mac: r.mac, ip: r.ip, hostname: r.hostname, ports: decodeScanPorts(r.ports) };
}

const KINDS: readonly ScanKind[] = ['sweep', 'ports'];
const STATUSES: readonly ScanStatus[] = ['running', 'success', 'failed'];

export class ScansRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      request: db.prepare(`INSERT INTO scans (kind, status, reason, targets, started_at, profile, hosts_total,
        batches, collapsible) VALUES (@kind, 'running', @reason, @targets, @started_at, @profile, @hosts_total,
        @batches, @collapsible)`),
      insertBatch: db.prepare(
        "INSERT INTO scan_batches (scan_id, seq, targets, status) VALUES (?, ?, ?, 'queued')",
      ),
      batchStarted: db.prepare(
        "UPDATE scan_batches SET status = 'running', started_at = @at, args = @args WHERE scan_id = @id AND seq = @seq",
      ),
      scanStarted: db.prepare(
        'UPDATE scans SET run_started_at = coalesce(run_started_at, @at), args = coalesce(args, @args) WHERE id = @id',
      ),
      batchDone:
        db.prepare(`UPDATE scan_batches SET status = 'success', finished_at = @at, hosts_up = @hosts_up,
        args = coalesce(args, @args), error = NULL WHERE scan_id = @id AND seq = @seq`),
      batchFailed: db.prepare(
        "UPDATE scan_batches SET status = 'failed', finished_at = @at, error = @error WHERE scan_id = @id AND seq = @seq AND status IN ('queued', 'running')",
      ),
      scanBatchDone:
        db.prepare(`UPDATE scans SET batches_done = batches_done + 1, hosts_done = hosts_done + @hosts,
        hosts_up = coalesce(hosts_up, 0) + @hosts_up, changes = changes + @changes,
        nmap_version = coalesce(@nmap_version, nmap_version), args = coalesce(args, @args),
        run_started_at = coalesce(run_started_at, @started_at) WHERE id = @id`),
      scanBatchFailed: db.prepare(
        'UPDATE scans SET batches_done = batches_done + 1, hosts_done = hosts_done + @hosts WHERE id = @id',
      ),
      complete: db.prepare(`UPDATE scans SET status = CASE WHEN EXISTS (SELECT 1 FROM scan_batches b
          WHERE b.scan_id = scans.id AND b.status = 'failed') THEN 'failed' ELSE 'success' END,
        finished_at = @at, hosts_total = coalesce(@hosts_total, hosts_total),
        error = (SELECT CASE WHEN count(*) = 0 THEN NULL
          WHEN scans.batches = 1 THEN max(b.error)
          ELSE count(*) || ' of ' || scans.batches || ' batches failed: ' || max(b.error) END
          FROM scan_batches b WHERE b.scan_id = scans.id AND b.status = 'failed')
        WHERE id = @id AND batches_done >= batches`),
      cancelBatches: db.prepare(
        "UPDATE scan_batches SET status = 'failed', finished_at = @at, error = @error WHERE scan_id = @id AND status IN ('queued', 'running')",
      ),
      cancelScan: db.prepare(
        "UPDATE scans SET status = 'failed', finished_at = @at, error = @error WHERE id = @id AND status = 'running'",
      ),
      insertHost: db.prepare(
        'INSERT INTO scan_hosts (scan_id, mac, ip, hostname, ports) VALUES (?, ?, ?, ?, ?)',
      ),
      get: db.prepare('SELECT * FROM scans WHERE id = ?'),
      hosts: db.prepare('SELECT mac, ip, hostname, ports FROM scan_hosts WHERE scan_id = ? ORDER BY rowid'),
      host: db.prepare(
        'SELECT mac, ip, hostname, ports FROM scan_hosts WHERE scan_id = ? AND ip = ? LIMIT 1',
      ),
      batches: db.prepare(
        'SELECT seq, targets, status, started_at, finished_at, hosts_up, error FROM scan_batches WHERE scan_id = ? ORDER BY seq',
      ),
      list: db.prepare(`SELECT * FROM scans WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)
        AND (@queued IS NULL OR (run_started_at IS NULL) = @queued) ORDER BY id DESC LIMIT @limit OFFSET @offset`),
      count: db.prepare(`SELECT count(*) AS n FROM scans WHERE (@kind IS NULL OR kind = @kind)
        AND (@status IS NULL OR status = @status) AND (@queued IS NULL OR (run_started_at IS NULL) = @queued)`),
      lastFinished: db.prepare(
        "SELECT * FROM scans WHERE status = 'success' AND (@kind IS NULL OR kind = @kind) ORDER BY finished_at DESC, id DESC LIMIT 1",
      ),
      previousOfKind: db.prepare(
        "SELECT * FROM scans WHERE kind = @kind AND id < @id AND status = 'success' ORDER BY id DESC LIMIT 200",
      ),
      before: db.prepare('SELECT * FROM scans WHERE id < ? ORDER BY id DESC LIMIT 1'),
      foldInto:
        db.prepare(`UPDATE scans SET finished_at = @finished_at, hosts_up = @hosts_up, hosts_total = @hosts_total,
        hosts_done = @hosts_done, sweeps = sweeps + @sweeps WHERE id = @id`),
      foldBatch: db.prepare('UPDATE scan_batches SET finished_at = @finished_at WHERE scan_id = @id'),
      dropHosts: db.prepare('DELETE FROM scan_hosts WHERE scan_id = ?'),
      moveHosts: db.prepare('UPDATE scan_hosts SET scan_id = ? WHERE scan_id = ?'),
      deleteScan: db.prepare('DELETE FROM scans WHERE id = ?'),
      running: db.prepare("SELECT * FROM scans WHERE status = 'running' ORDER BY id"),
      failRunningBatches: db.prepare(
        "UPDATE scan_batches SET status = 'failed', finished_at = @at, error = @error WHERE status IN ('queued', 'running')",
      ),
      failRunning: db.prepare(
        "UPDATE scans SET status = 'failed', finished_at = @at, error = @error WHERE status = 'running'",
      ),
    };
  }

  /**
   * Record a scan request (status running, not yet begun: `runStartedAt` null) with its batches queued.
   * Returns its id.
   */
  request(r: ScanRequestRecord): number {
    if (r.batches.length === 0) throw new RangeError('a scan request needs at least one batch');
    return this.db.transaction(() => {
      const info = this.stmts.request.run({
        kind: r.kind,
        reason: r.reason,
        targets: JSON.stringify(r.targets),
        started_at: r.requestedAt.toISOString(),
        profile: r.profile ?? null,
        hosts_total: r.hostsTotal,
        batches: r.batches.length,
        collapsible: int(r.collapsible === true),
      });
      const id = Number(info.lastInsertRowid);
      for (const [seq, b] of r.batches.entries()) this.stmts.insertBatch.run(id, seq, JSON.stringify(b));
      return id;
    })();
  }

  /** Record a scan that is starting now as one batch (tests, benches, one-shot CLI); returns its id. */
  start(
    kind: ScanKind,
    targets: string[],
    reason: string,
    args?: string | null,
    startedAt: Date = new Date(),
  ): number {
    const id = this.request({
      kind,
      reason,
      targets,
      batches: [targets],
      hostsTotal: targets.length,
      requestedAt: startedAt,
    });
    this.batchStarted(id, 0, args ?? null, startedAt);
    return id;
  }

  /** A batch's nmap run begins (the first one also begins the scan). */
  batchStarted(id: number, seq: number, args: string | null, at: Date): void {
    const p = { id, seq, args, at: at.toISOString() };
    this.db.transaction(() => {
      this.stmts.batchStarted.run(p);
      this.stmts.scanStarted.run(p);
    })();
  }

  /**
   * Store one successful batch: its up-hosts, counts, and, when it was the last batch, the scan's end.
   * `attributed` maps the IP of a host nmap reported without a MAC to the device MAC the inventory matched
   * it to, so scan comparisons follow the device. Call inside the ingest transaction.
   */
  finishBatch(
    id: number,
    seq: number,
    result: ScanResult,
    opts: { attributed?: ReadonlyMap<string, string>; changes: number; hosts: number },
  ): void {
    const run = this.db.transaction(() => {
      const info = this.stmts.batchDone.run({
        id,
        seq,
        at: result.finishedAt.toISOString(),
        hosts_up: result.hostsUp,
        args: result.args ?? null,
      });
      if (info.changes === 0)
        throw new Error(`scan ${id} does not exist (or has no batch ${seq}): cannot record its result`);
      this.stmts.scanBatchDone.run({
        id,
        hosts: opts.hosts,
        hosts_up: result.hostsUp,
        changes: opts.changes,
        nmap_version: result.nmapVersion ?? null,
        args: result.args ?? null,
        started_at: result.startedAt.toISOString(),
      });
      for (const h of result.hosts) {
        if (h.status !== 'up') continue;
        this.stmts.insertHost.run(
          id,
          (h.mac ? normalizeMac(h.mac) : null) ?? opts.attributed?.get(h.ip) ?? null,
          h.ip,
          h.hostnames.map(cleanHostname).find((x) => x !== null) ?? null,
          result.kind === 'ports' && h.portsScanned ? encodeScanPorts(h.ports) : null,
        );
      }
      this.stmts.complete.run({
        id,
        at: result.finishedAt.toISOString(),
        hosts_total: result.kind === 'sweep' ? result.hostsTotal : null,
      });
    });
    run();
  }

  /** One batch failed: the scan goes on with its other batches and ends `failed` naming it. */
  failBatch(id: number, seq: number, error: string, at: Date, hosts: number): void {
    this.db.transaction(() => {
      const p = { id, seq, error, at: at.toISOString() };
      if (this.stmts.batchFailed.run(p).changes === 0) return;
      this.stmts.scanBatchFailed.run({ id, hosts });
      this.stmts.complete.run({ id, at: p.at, hosts_total: null });
    })();
  }

  /** Legacy one-batch finish (the scan's only batch). */
  finish(id: number, result: ScanResult, attributed?: ReadonlyMap<string, string>, changes = 0): void {
    this.finishBatch(id, 0, result, {
      ...(attributed ? { attributed } : {}),
      changes,
      hosts: result.kind === 'sweep' ? result.hostsTotal : result.targets.length,
    });
  }

  /** The whole scan failed (or was cancelled): every unfinished batch with it. */
  fail(id: number, error: string, finishedAt: Date): void {
    const p = { id, error, at: finishedAt.toISOString() };
    this.db.transaction(() => {
      this.stmts.cancelBatches.run(p);
      this.stmts.cancelScan.run(p);
    })();
  }

  /**
   * Fold a finished scheduled sweep that changed nothing into the row before it when that row is also a
   * scheduled sweep that changed nothing: the earlier row spans both, keeps the later hosts, and counts
   * the sweeps. Returns the id the sweep now lives in (its own when nothing was folded).
   */
  collapseUnchanged(id: number): number {
    return this.db.transaction(() => {
      const cur = this.stmts.get.get(id) as ScanRow | undefined;
      if (!cur || !quiet(cur)) return id;
      const prev = this.stmts.before.get(id) as ScanRow | undefined;
      if (!prev || !quiet(prev) || JSON.stringify(prev.targets) !== JSON.stringify(cur.targets)) return id;
      this.stmts.foldInto.run({
        id: prev.id,
        finished_at: cur.finished_at,
        hosts_up: cur.hosts_up,
        hosts_total: cur.hosts_total,
        hosts_done: cur.hosts_done,
        sweeps: cur.sweeps,
      });
      this.stmts.foldBatch.run({ id: prev.id, finished_at: cur.finished_at });
      this.stmts.dropHosts.run(prev.id);
      this.stmts.moveHosts.run(prev.id, id);
      this.stmts.deleteScan.run(id);
      return prev.id;
    })();
  }

  list(
    q: {
      kind?: ScanKind;
      status?: ScanStatus;
      /** with status running: only requests still waiting (true) or already begun (false) */
      queued?: boolean;
      limit?: number;
      offset?: number;
    } = {},
  ): {
    items: ScanRecord[];
    total: number;
  } {
    if (q.kind !== undefined && !KINDS.includes(q.kind))
      throw new RangeError(`unknown scan kind "${String(q.kind)}"; allowed: ${KINDS.join(', ')}`);
    if (q.status !== undefined && !STATUSES.includes(q.status))
      throw new RangeError(`unknown scan status "${String(q.status)}"; allowed: ${STATUSES.join(', ')}`);
    const { limit, offset } = paging(q.limit, q.offset, 500, 50);
    const f = {
      kind: q.kind ?? null,
      status: q.status ?? null,
      queued: q.queued === undefined ? null : int(q.queued),
    };
    const items = (this.stmts.list.all({ ...f, limit, offset }) as ScanRow[]).map(toScan);
    const total = (this.stmts.count.get(f) as { n: number }).n;
    return { items, total };
  }

  /** The scan record alone (no hosts). */
  record(id: number): ScanRecord | null {
    const r = this.stmts.get.get(id) as ScanRow | undefined;
    return r ? toScan(r) : null;
  }

  get(id: number): ScanDetail | null {
    const r = this.stmts.get.get(id) as ScanRow | undefined;
    if (!r) return null;
    return { ...toScan(r), hosts: (this.stmts.hosts.all(id) as HostRow[]).map(toHost) };
  }

  batches(id: number): ScanBatchRecord[] {
    return (this.stmts.batches.all(id) as BatchRow[]).map(toBatch);
  }

  /** What the scan found for one IP, or null when the IP was not among its targets. */
  hostResult(id: number, ip: string): ScanHostResult | null {
    const n = ipv4ToInt(ip);
    if (n === undefined) return null;
    const batch = this.batches(id).find((b) =>
      b.targets.some((t) => {
        const c = parseCidrOrIp(t);
        return c !== undefined && n >= c.network && n < c.network + c.size;
      }),
    );
    if (!batch) return null;
    const row = this.stmts.host.get(id, ip) as HostRow | undefined;
    const host = row ? toHost(row) : null;
    const state: ScanHostResult['state'] =
      batch.status === 'queued'
        ? 'queued'
        : batch.status === 'running'
          ? 'scanning'
          : batch.status === 'failed'
            ? 'failed'
            : host
              ? 'up'
              : 'down';
    return { ip, state, batch, host };
  }

  /**
   * The scan to compare this one with: the latest earlier successful scan of the same kind, preferring one
   * over the same targets (a one-device port scan pairs with the last scan of that device, not a sweep).
   */
  previousLike(id: number): ScanRecord | null {
    const cur = this.stmts.get.get(id) as ScanRow | undefined;
    if (!cur) return null;
    const rows = this.stmts.previousOfKind.all({ kind: cur.kind, id }) as ScanRow[];
    const want = new Set(parseJson<string[]>(cur.targets, []));
    const covers = (r: ScanRow) => {
      const t = new Set(parseJson<string[]>(r.targets, []));
      for (const x of want) if (!t.has(x)) return false;
      return true;
    };
    const same = rows.find((r) => r.targets === cur.targets) ?? rows.find(covers);
    return same ? toScan(same) : null;
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
   * Mark every scan still `running` (or queued) as failed (call once at start-up: they were interrupted
   * by a stop or crash). Returns how many were marked.
   */
  failInterrupted(now: Date, error = 'interrupted: the service stopped while this scan was running'): number {
    const p = { at: now.toISOString(), error };
    return this.db.transaction(() => {
      this.stmts.failRunningBatches.run(p);
      return this.stmts.failRunning.run(p).changes;
    })();
  }

  /** Scans left `running` (e.g. by a crash). */
  running(): ScanRecord[] {
    return (this.stmts.running.all() as ScanRow[]).map(toScan);
  }
}

function quiet(r: ScanRow): boolean {
  return r.kind === 'sweep' && r.status === 'success' && r.changes === 0 && r.collapsible === 1;
}
