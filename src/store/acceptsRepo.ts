/**
 * Accepts (mutes) of findings: one finding (its key) or a whole remediation group, with a reason, an optional
 * expiry and the version it was given for. findingsRepo joins them (ACCEPT_MATCH) so accepted findings stop
 * counting; a new product version, the expiry or a revoke brings them back.
 */
import type { Db } from './db.js';

export interface FindingAccept {
  id: number;
  mac: string;
  scope: 'finding' | 'group';
  target: string;
  version: string | null;
  reason: string;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

interface Row {
  id: number;
  mac: string;
  scope: 'finding' | 'group';
  target: string;
  version: string | null;
  reason: string;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

function toAccept(r: Row): FindingAccept {
  return {
    id: r.id,
    mac: r.mac,
    scope: r.scope,
    target: r.target,
    version: r.version,
    reason: r.reason,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
    revokedAt: r.revoked_at,
  };
}

export class AcceptsRepo {
  constructor(private readonly db: Db) {}

  create(a: Omit<FindingAccept, 'id' | 'revokedAt'>): FindingAccept {
    const info = this.db
      .prepare(
        `INSERT INTO finding_accepts (mac, scope, target, version, reason, expires_at, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(a.mac, a.scope, a.target, a.version, a.reason, a.expiresAt, a.createdAt, a.createdBy);
    return this.get(Number(info.lastInsertRowid)) as FindingAccept;
  }

  get(id: number): FindingAccept | null {
    const r = this.db.prepare('SELECT * FROM finding_accepts WHERE id = ?').get(id) as Row | undefined;
    return r ? toAccept(r) : null;
  }

  /** Revoke (un-mute); null when unknown or already revoked. */
  revoke(id: number, now: Date): FindingAccept | null {
    const info = this.db
      .prepare('UPDATE finding_accepts SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(now.toISOString(), id);
    return info.changes ? this.get(id) : null;
  }

  /** Accepts in force (not revoked, not expired), optionally of one device. */
  active(now: Date, mac?: string): FindingAccept[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM finding_accepts WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)
         ${mac ? 'AND mac = @mac' : ''} ORDER BY id`,
      )
      .all({ now: now.toISOString(), ...(mac ? { mac } : {}) }) as Row[];
    return rows.map(toAccept);
  }

  /**
   * End the accepts given for a product version the device no longer runs (the product is seen at another
   * version now): a new version brings its findings back for good, also if the old version returns later.
   * `productOf` names the product an accept is about; `live` maps product → versions active now.
   */
  retireChangedVersions(
    mac: string,
    live: Map<string, Set<string>>,
    productOf: (a: FindingAccept) => string | null,
    now: Date,
  ): FindingAccept[] {
    const out: FindingAccept[] = [];
    for (const a of this.active(now, mac)) {
      if (a.version === null) continue;
      const product = productOf(a);
      const versions = product ? live.get(product) : undefined;
      if (!versions || versions.size === 0 || versions.has(a.version)) continue;
      const r = this.revoke(a.id, now);
      if (r) out.push(r);
    }
    return out;
  }

  /** Devices with an accept that expired in (since, now]: their risk must be recomputed. */
  expiredBetween(since: Date, now: Date): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT mac FROM finding_accepts WHERE revoked_at IS NULL AND expires_at > ? AND expires_at <= ?`,
      )
      .all(since.toISOString(), now.toISOString()) as { mac: string }[];
    return rows.map((r) => r.mac);
  }
}
