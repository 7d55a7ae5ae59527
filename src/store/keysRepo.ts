import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type Clock, iso, systemClock } from '../util/clock.js';

/** API keys: `lsk_` + 32 random bytes (base64url). Only the SHA-256 digest is stored. */
export type KeyScope = 'read' | 'admin';

export interface ApiKey {
  id: number;
  name: string;
  scope: KeyScope;
  /** `lsk_` + the first 6 characters of the random part: identifies a key in lists, reveals nothing. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface KeyRow {
  id: number;
  name: string;
  scope: KeyScope;
  prefix: string;
  hash: Buffer;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export const KEY_PREFIX = 'lsk_';
/** `lsk_` + 43 base64url characters (32 bytes). */
export const KEY_PATTERN = /^lsk_[A-Za-z0-9_-]{43}$/;

export function hashKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function generateKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison of two digests. Different lengths return false without throwing
 * (timingSafeEqual throws on a length mismatch).
 */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

function toKey(r: KeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

const COLUMNS = 'id, name, scope, prefix, hash, created_at, last_used_at, revoked_at';

export class KeysRepo {
  /**
   * Active keys' digests, cached: verify() runs on every keyed request. The cache is valid only for the
   * `PRAGMA data_version` it was read at: that number changes whenever ANOTHER connection (the CLI's
   * `keys revoke`/`keys create` in another process) commits, so such changes apply at once. Writes through
   * this connection clear the cache directly (data_version does not move for them).
   */
  private active: KeyRow[] | null = null;
  private activeVersion = -1;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Creates a key. The secret is returned here only; it cannot be recovered later. */
  create(name: string, scope: KeyScope): { key: ApiKey; secret: string } {
    const secret = generateKeySecret();
    const prefix = secret.slice(0, KEY_PREFIX.length + 6);
    const now = iso(this.clock.now());
    const info = this.db
      .prepare('INSERT INTO api_keys (name, scope, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, scope, prefix, hashKey(secret), now);
    this.active = null;
    const key = this.get(Number(info.lastInsertRowid));
    if (!key) throw new Error('api key vanished right after insert');
    return { key, secret };
  }

  get(id: number): ApiKey | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
    return row ? toKey(row) : null;
  }

  list(opts: { includeRevoked?: boolean; limit?: number; offset?: number } = {}): {
    items: ApiKey[];
    total: number;
  } {
    const where = opts.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM api_keys ${where}`).get() as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM api_keys ${where} ORDER BY id LIMIT ? OFFSET ?`)
      .all(opts.limit ?? 100, opts.offset ?? 0) as KeyRow[];
    return { items: rows.map(toKey), total };
  }

  /** Number of keys that can still authenticate (the bind guard needs at least one). */
  countActive(): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }
    ).n;
  }

  /** Revokes a key; returns it (already-revoked keys keep their first revocation time), null if unknown. */
  revoke(id: number): ApiKey | null {
    this.db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(iso(this.clock.now()), id);
    this.active = null;
    return this.get(id);
  }

  /**
   * The active key whose digest matches `secret`, or null. Every active digest is compared in constant time
   * (no early exit), so timing reveals neither which key matched nor how much of a digest did.
   */
  verify(secret: string): ApiKey | null {
    if (!KEY_PATTERN.test(secret)) return null;
    const digest = hashKey(secret);
    let found: KeyRow | null = null;
    for (const row of this.activeRows()) {
      if (digestsEqual(digest, row.hash) && !found) found = row;
    }
    return found ? toKey(found) : null;
  }

  /** Records use of a key. */
  touch(id: number, when: Date = this.clock.now()): void {
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(iso(when), id);
    if (this.active) {
      const row = this.active.find((r) => r.id === id);
      if (row) row.last_used_at = iso(when);
    }
  }

  private activeRows(): KeyRow[] {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (!this.active || version !== this.activeVersion) {
      this.active = this.db
        .prepare(`SELECT ${COLUMNS} FROM api_keys WHERE revoked_at IS NULL`)
        .all() as KeyRow[];
      this.activeVersion = version;
    }
    return this.active;
  }
}
