/** Findings per device with first/last seen and resolution; reconcile() turns a fresh evaluation into changes. */
import type { Change, Device } from '../inventory/types.js';
import { SEVERITY_RANK, type Severity } from '../vocabulary.js';
import { displayName } from '../inventory/types.js';
import type { Finding, FindingKind, StoredFinding } from '../threats/types.js';
import type { Db } from './db.js';

interface FindingRow {
  id: number;
  mac: string;
  key: string;
  kind: string;
  severity: string;
  title: string;
  detail: string;
  remediation: string;
  port: number | null;
  protocol: string | null;
  cve: string | null;
  cvss: number | null;
  known_exploited: number;
  confidence: number;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
}

function toStored(r: FindingRow): StoredFinding {
  return {
    id: r.id,
    key: r.key,
    mac: r.mac,
    kind: r.kind as FindingKind,
    severity: r.severity as Severity,
    title: r.title,
    detail: r.detail,
    remediation: r.remediation,
    ...(r.port !== null ? { port: r.port } : {}),
    ...(r.protocol !== null ? { protocol: r.protocol as 'tcp' | 'udp' } : {}),
    ...(r.cve !== null ? { cve: r.cve } : {}),
    ...(r.cvss !== null ? { cvss: r.cvss } : {}),
    knownExploited: r.known_exploited === 1,
    confidence: r.confidence,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    resolvedAt: r.resolved_at,
  };
}

export interface FindingQuery {
  mac?: string;
  minSeverity?: Severity;
  kind?: FindingKind;
  status?: 'active' | 'resolved' | 'all';
  limit?: number;
  offset?: number;
}

export class FindingsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Apply the current evaluation of one device: new findings are inserted (first_seen = now), present ones
   * get last_seen = now and refreshed text/severity, resolved ones that re-appear are re-opened (reported as
   * detected again), and active ones missing from `current` are resolved.
   */
  reconcile(
    mac: string,
    current: Finding[],
    now: Date,
  ): { detected: StoredFinding[]; resolved: StoredFinding[] } {
    const t = now.toISOString();
    const run = this.db.transaction(() => {
      const existing = this.db.prepare('SELECT * FROM findings WHERE mac = ?').all(mac) as FindingRow[];
      const byKey = new Map(existing.map((r) => [r.key, r]));
      const seen = new Set<string>();
      const detectedIds: number[] = [];
      const insert = this.db.prepare(
        `INSERT INTO findings (mac, key, kind, severity, severity_rank, title, detail, remediation, port, protocol, cve,
           cvss, known_exploited, confidence, first_seen, last_seen, resolved_at)
         VALUES (@mac, @key, @kind, @severity, @rank, @title, @detail, @remediation, @port, @protocol, @cve, @cvss, @kev,
           @confidence, @t, @t, NULL)`,
      );
      const update = this.db.prepare(
        `UPDATE findings SET kind = @kind, severity = @severity, severity_rank = @rank, title = @title, detail = @detail,
           remediation = @remediation, port = @port, protocol = @protocol, cve = @cve, cvss = @cvss,
           known_exploited = @kev, confidence = @confidence, last_seen = @t,
           first_seen = CASE WHEN resolved_at IS NULL THEN first_seen ELSE @t END, resolved_at = NULL
         WHERE id = @id`,
      );
      for (const f of current) {
        if (seen.has(f.key)) continue;
        seen.add(f.key);
        const params = {
          mac,
          key: f.key,
          kind: f.kind,
          severity: f.severity,
          rank: SEVERITY_RANK[f.severity],
          title: f.title,
          detail: f.detail,
          remediation: f.remediation,
          port: f.port ?? null,
          protocol: f.protocol ?? null,
          cve: f.cve ?? null,
          cvss: f.cvss ?? null,
          kev: f.knownExploited ? 1 : 0,
          confidence: f.confidence,
          t,
        };
        const row = byKey.get(f.key);
        if (!row) {
          const info = insert.run(params);
          detectedIds.push(Number(info.lastInsertRowid));
        } else {
          update.run({ ...params, id: row.id });
          if (row.resolved_at !== null) detectedIds.push(row.id);
        }
      }
      const resolvedIds: number[] = [];
      const resolve = this.db.prepare('UPDATE findings SET resolved_at = ? WHERE id = ?');
      for (const r of existing) {
        if (r.resolved_at === null && !seen.has(r.key)) {
          resolve.run(t, r.id);
          resolvedIds.push(r.id);
        }
      }
      return { detected: this.byIds(detectedIds), resolved: this.byIds(resolvedIds) };
    });
    return run.immediate();
  }

  private byIds(ids: number[]): StoredFinding[] {
    const get = this.db.prepare('SELECT * FROM findings WHERE id = ?');
    return ids.map((id) => toStored(get.get(id) as FindingRow));
  }

  list(q: FindingQuery = {}): StoredFinding[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.mac) {
      where.push('mac = ?');
      params.push(q.mac);
    }
    if (q.minSeverity) {
      where.push('severity_rank >= ?');
      params.push(SEVERITY_RANK[q.minSeverity]);
    }
    if (q.kind) {
      where.push('kind = ?');
      params.push(q.kind);
    }
    const status = q.status ?? 'all';
    if (status === 'active') where.push('resolved_at IS NULL');
    if (status === 'resolved') where.push('resolved_at IS NOT NULL');
    const limit = Math.max(1, Math.min(q.limit ?? 500, 5000));
    const offset = Math.max(0, q.offset ?? 0);
    const sql = `SELECT * FROM findings ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY (resolved_at IS NOT NULL), severity_rank DESC, last_seen DESC, id LIMIT ? OFFSET ?`;
    return (this.db.prepare(sql).all(...params, limit, offset) as FindingRow[]).map(toStored);
  }

  count(q: Omit<FindingQuery, 'limit' | 'offset'> = {}): number {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.mac) {
      where.push('mac = ?');
      params.push(q.mac);
    }
    if (q.minSeverity) {
      where.push('severity_rank >= ?');
      params.push(SEVERITY_RANK[q.minSeverity]);
    }
    if (q.kind) {
      where.push('kind = ?');
      params.push(q.kind);
    }
    if (q.status === 'active') where.push('resolved_at IS NULL');
    if (q.status === 'resolved') where.push('resolved_at IS NOT NULL');
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM findings ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`)
      .get(...params) as { n: number };
    return row.n;
  }

  active(q: Omit<FindingQuery, 'status'> = {}): StoredFinding[] {
    return this.list({ ...q, status: 'active' });
  }

  /** Active findings at or above a severity, all devices (the hub `threats_active` sensor uses 'medium'). */
  activeCountAtLeast(severity: Severity): number {
    return this.count({ status: 'active', minSeverity: severity });
  }

  /** Active findings per device for a set of MACs, in one query (devices without findings are absent). */
  activeCountsByMac(macs: string[]): Map<string, number> {
    const out = new Map<string, number>();
    if (macs.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT mac, count(*) AS n FROM findings
         WHERE resolved_at IS NULL AND mac IN (SELECT value FROM json_each(?)) GROUP BY mac`,
      )
      .all(JSON.stringify(macs)) as { mac: string; n: number }[];
    for (const r of rows) out.set(r.mac, r.n);
    return out;
  }

  /** Active findings per severity, all devices (severities without findings are absent). */
  activeCountsBySeverity(): Partial<Record<Severity, number>> {
    const rows = this.db
      .prepare('SELECT severity, count(*) AS n FROM findings WHERE resolved_at IS NULL GROUP BY severity')
      .all() as { severity: Severity; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.severity, r.n]));
  }

  /** Active findings of one device, most severe first. */
  forDevice(mac: string): StoredFinding[] {
    return this.list({ mac, status: 'active', limit: 5000 });
  }
}

/** threat_detected / threat_resolved changes for one device's reconcile() result. */
export function findingChanges(
  device: Pick<Device, 'mac' | 'ip' | 'name' | 'hostname' | 'vendor'>,
  detected: StoredFinding[],
  resolved: StoredFinding[],
  now: Date,
): Change[] {
  const who = displayName(device);
  const base = {
    mac: device.mac,
    ip: device.ip,
    name: device.name ?? device.hostname,
    vendor: device.vendor,
  };
  const time = now.toISOString();
  const out: Change[] = [];
  for (const f of detected) {
    out.push({
      ...base,
      type: 'threat_detected',
      severity: f.severity,
      message: `${who}: ${f.title}. ${f.remediation}`,
      after: {
        key: f.key,
        title: f.title,
        severity: f.severity,
        cve: f.cve ?? null,
        confidence: f.confidence,
      },
      time,
    });
  }
  for (const f of resolved) {
    out.push({
      ...base,
      type: 'threat_resolved',
      severity: f.severity,
      message: `${who}: resolved: ${f.title}`,
      before: { key: f.key, title: f.title, severity: f.severity, cve: f.cve ?? null },
      time,
    });
  }
  return out;
}
