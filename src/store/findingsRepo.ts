/** Findings per device with first/last seen and resolution; reconcile() turns a fresh evaluation into changes. */
import type { Change, Device } from '../inventory/types.js';
import { displayName } from '../inventory/types.js';
import { compareFindings } from '../threats/groups.js';
import type { Finding, FindingKind, StoredFinding } from '../threats/types.js';
import { SEVERITY_RANK, type Severity } from '../vocabulary.js';
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
  group_key: string;
  product: string | null;
  product_name: string | null;
  version: string | null;
  fixed: string | null;
  component: string | null;
  part: string | null;
  /** joined from finding_accepts (see ACCEPT_JOIN) */
  accept_id?: number | null;
  accept_reason?: string | null;
  accept_expires_at?: string | null;
  accept_by?: string | null;
  accept_at?: string | null;
}

/**
 * The accept that applies to a finding row right now (@now): not revoked, not expired, for this finding's key
 * or its group, given for the version the finding is about (a new version brings the finding back).
 */
const ACCEPT_MATCH = `a.mac = findings.mac AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > @now)
  AND ((a.scope = 'finding' AND a.target = findings.key) OR (a.scope = 'group' AND a.target = findings.group_key))
  AND (a.version IS NULL OR a.version IS findings.version)`;
const ACCEPT_COLUMNS = `(SELECT a.id FROM finding_accepts a WHERE ${ACCEPT_MATCH} ORDER BY a.id DESC LIMIT 1) AS accept_id`;
const NOT_ACCEPTED = `NOT EXISTS (SELECT 1 FROM finding_accepts a WHERE ${ACCEPT_MATCH})`;

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
    group: r.group_key || r.key,
    ...(r.product !== null ? { product: r.product } : {}),
    ...(r.product_name !== null ? { productName: r.product_name } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.fixed !== null ? { fixed: r.fixed } : {}),
    ...(r.component === 'server' || r.component === 'client' || r.component === 'module'
      ? { component: r.component }
      : {}),
    ...(r.part !== null ? { part: r.part } : {}),
    accepted:
      r.accept_id !== undefined && r.accept_id !== null
        ? {
            id: r.accept_id,
            reason: r.accept_reason ?? '',
            expiresAt: r.accept_expires_at ?? null,
            by: r.accept_by ?? '',
            at: r.accept_at ?? '',
          }
        : null,
  };
}

export interface FindingQuery {
  mac?: string;
  minSeverity?: Severity;
  kind?: FindingKind;
  status?: 'active' | 'resolved' | 'all';
  /** accepted (muted) findings: include (default), exclude, or only them */
  accepted?: 'include' | 'exclude' | 'only';
  limit?: number;
  offset?: number;
  /** the time accept expiry is judged at (default: now) */
  now?: Date;
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
           cvss, known_exploited, confidence, first_seen, last_seen, resolved_at, group_key, product, product_name,
           version, fixed, component, part)
         VALUES (@mac, @key, @kind, @severity, @rank, @title, @detail, @remediation, @port, @protocol, @cve, @cvss, @kev,
           @confidence, @t, @t, NULL, @group, @product, @productName, @version, @fixed, @component, @part)`,
      );
      const update = this.db.prepare(
        `UPDATE findings SET kind = @kind, severity = @severity, severity_rank = @rank, title = @title, detail = @detail,
           remediation = @remediation, port = @port, protocol = @protocol, cve = @cve, cvss = @cvss,
           known_exploited = @kev, confidence = @confidence, last_seen = @t, group_key = @group, product = @product,
           product_name = @productName, version = @version, fixed = @fixed, component = @component, part = @part,
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
          group: f.group ?? f.key,
          product: f.product ?? null,
          productName: f.productName ?? null,
          version: f.version ?? null,
          fixed: f.fixed ?? null,
          component: f.component ?? null,
          part: f.part ?? null,
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

  private byIds(ids: number[], now = new Date()): StoredFinding[] {
    const get = this.db.prepare(`SELECT findings.*, ${ACCEPT_COLUMNS} FROM findings WHERE id = @id`);
    return ids.map((id) => this.withAccept(get.get({ id, now: now.toISOString() }) as FindingRow));
  }

  /** Fill the accept details of a row whose accept_id was selected. */
  private withAccept(r: FindingRow): StoredFinding {
    if (r.accept_id !== undefined && r.accept_id !== null) {
      const a = this.db
        .prepare('SELECT reason, expires_at, created_by, created_at FROM finding_accepts WHERE id = ?')
        .get(r.accept_id) as {
        reason: string;
        expires_at: string | null;
        created_by: string;
        created_at: string;
      };
      r.accept_reason = a.reason;
      r.accept_expires_at = a.expires_at;
      r.accept_by = a.created_by;
      r.accept_at = a.created_at;
    }
    return toStored(r);
  }

  private where(q: Omit<FindingQuery, 'limit' | 'offset'>): { sql: string; params: Record<string, unknown> } {
    const where: string[] = [];
    const params: Record<string, unknown> = { now: (q.now ?? new Date()).toISOString() };
    if (q.mac) {
      where.push('mac = @mac');
      params.mac = q.mac;
    }
    if (q.minSeverity) {
      where.push('severity_rank >= @rank');
      params.rank = SEVERITY_RANK[q.minSeverity];
    }
    if (q.kind) {
      where.push('kind = @kind');
      params.kind = q.kind;
    }
    if (q.status === 'active') where.push('resolved_at IS NULL');
    if (q.status === 'resolved') where.push('resolved_at IS NOT NULL');
    if (q.accepted === 'exclude') where.push(NOT_ACCEPTED);
    if (q.accepted === 'only') where.push(`NOT ${NOT_ACCEPTED}`);
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  list(q: FindingQuery = {}): StoredFinding[] {
    const { sql: where, params } = this.where({ ...q, status: q.status ?? 'all' });
    const limit = Math.max(1, Math.min(q.limit ?? 500, 5000));
    const offset = Math.max(0, q.offset ?? 0);
    // known exploited first, then severity, then CVSS (the order everywhere, DESIGN §6)
    const sql = `SELECT findings.*, ${ACCEPT_COLUMNS} FROM findings ${where}
      ORDER BY (resolved_at IS NOT NULL), known_exploited DESC, severity_rank DESC, COALESCE(cvss, -1) DESC,
        confidence DESC, last_seen DESC, id LIMIT @limit OFFSET @offset`;
    return (this.db.prepare(sql).all({ ...params, limit, offset }) as FindingRow[]).map((r) =>
      this.withAccept(r),
    );
  }

  count(q: Omit<FindingQuery, 'limit' | 'offset'> = {}): number {
    const { sql: where, params } = this.where(q);
    const row = this.db.prepare(`SELECT count(*) AS n FROM findings ${where}`).get(params) as { n: number };
    return row.n;
  }

  active(q: Omit<FindingQuery, 'status'> = {}): StoredFinding[] {
    return this.list({ ...q, status: 'active' });
  }

  /**
   * Active, not accepted findings at or above a severity, all devices (the hub `threats_active` sensor uses
   * 'medium').
   */
  activeCountAtLeast(severity: Severity, now = new Date()): number {
    return this.count({ status: 'active', minSeverity: severity, accepted: 'exclude', now });
  }

  /** Active, not accepted findings per device for a set of MACs, in one query (devices without any are absent). */
  activeCountsByMac(macs: string[], now = new Date()): Map<string, number> {
    const out = new Map<string, number>();
    if (macs.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT mac, count(*) AS n FROM findings
         WHERE resolved_at IS NULL AND mac IN (SELECT value FROM json_each(@macs)) AND ${NOT_ACCEPTED} GROUP BY mac`,
      )
      .all({ macs: JSON.stringify(macs), now: now.toISOString() }) as { mac: string; n: number }[];
    for (const r of rows) out.set(r.mac, r.n);
    return out;
  }

  /** Active findings per severity, all devices (severities without findings are absent). */
  activeCountsBySeverity(now = new Date()): Partial<Record<Severity, number>> {
    const rows = this.db
      .prepare(
        `SELECT severity, count(*) AS n FROM findings WHERE resolved_at IS NULL AND ${NOT_ACCEPTED} GROUP BY severity`,
      )
      .all({ now: now.toISOString() }) as { severity: Severity; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.severity, r.n]));
  }

  /** The product a finding key is about (any status), or null. */
  productOf(mac: string, key: string): string | null {
    const r = this.db.prepare('SELECT product FROM findings WHERE mac = ? AND key = ?').get(mac, key) as
      | { product: string | null }
      | undefined;
    return r?.product ?? null;
  }

  /** Active findings of one device (accepted ones carry `accepted`), known exploited and most severe first. */
  forDevice(mac: string, now = new Date()): StoredFinding[] {
    return this.list({ mac, status: 'active', limit: 5000, now });
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
  // notifications and webhooks follow the order everywhere: known exploited first, then severity, then CVSS
  for (const f of [...detected].sort(compareFindings)) {
    out.push({
      ...base,
      type: f.kind === 'unexpected_port' ? 'unexpected_port' : 'threat_detected',
      severity: f.severity,
      message: `${who}: ${f.title}. ${f.remediation}`,
      after: {
        key: f.key,
        title: f.title,
        severity: f.severity,
        cve: f.cve ?? null,
        known_exploited: f.knownExploited ?? false,
        cvss: f.cvss ?? null,
        confidence: f.confidence,
        kind: f.kind,
        group: f.group ?? f.key,
        ...(f.port !== undefined ? { protocol: f.protocol ?? 'tcp', port: f.port } : {}),
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
