/** Satellite agents: health, device ownership (which agent last saw a device), ingested result ids. */
import type { Db } from './db.js';

export interface AgentRow {
  id: string;
  firstSeen: string;
  status: 'online' | 'offline' | 'unknown';
  statusAt: string | null;
  lastHeartbeat: string | null;
  /** the last heartbeat JSON as validated by the hub */
  heartbeat: unknown;
  lastResultAt: string | null;
  results: number;
  refused: number;
  lastRefusal: string | null;
  devices: number;
  devicesOnline: number;
}

interface RawAgent {
  id: string;
  first_seen: string;
  status: AgentRow['status'];
  status_at: string | null;
  last_heartbeat: string | null;
  heartbeat: string | null;
  last_result_at: string | null;
  results: number;
  refused: number;
  last_refusal: string | null;
  devices: number;
  devices_online: number;
}

export class AgentsRepo {
  constructor(private readonly db: Db) {}

  private ensure(id: string, now: string): void {
    this.db
      .prepare('INSERT INTO agents (id, first_seen) VALUES (?, ?) ON CONFLICT (id) DO NOTHING')
      .run(id, now);
  }

  setStatus(id: string, status: 'online' | 'offline', now: string): void {
    this.ensure(id, now);
    this.db.prepare('UPDATE agents SET status = ?, status_at = ? WHERE id = ?').run(status, now, id);
  }

  setHeartbeat(id: string, heartbeat: unknown, now: string): void {
    this.ensure(id, now);
    this.db
      .prepare('UPDATE agents SET last_heartbeat = ?, heartbeat = ? WHERE id = ?')
      .run(now, JSON.stringify(heartbeat), id);
  }

  noteRefusal(id: string, reason: string, now: string): void {
    this.ensure(id, now);
    this.db
      .prepare('UPDATE agents SET refused = refused + 1, last_refusal = ? WHERE id = ?')
      .run(`${now} ${reason}`.slice(0, 500), id);
  }

  hasResult(agentId: string, rid: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM agent_results WHERE agent_id = ? AND rid = ?').get(agentId, rid);
  }

  /** Records a received result (inside the ingest transaction); scanId null = received, not applied. */
  recordResult(agentId: string, rid: string, kind: string, scanId: number | null, now: string): void {
    this.ensure(agentId, now);
    this.db
      .prepare('INSERT INTO agent_results (agent_id, rid, kind, scan_id, received_at) VALUES (?, ?, ?, ?, ?)')
      .run(agentId, rid, kind, scanId, now);
    this.db
      .prepare('UPDATE agents SET results = results + 1, last_result_at = ? WHERE id = ?')
      .run(now, agentId);
  }

  /** mac → agent id, for every device an agent saw last. */
  owners(): Map<string, string> {
    const rows = this.db.prepare('SELECT mac, agent_id FROM agent_devices').raw().all() as Array<
      [string, string]
    >;
    return new Map(rows);
  }

  agentOf(mac: string): string | null {
    const r = this.db.prepare('SELECT agent_id FROM agent_devices WHERE mac = ?').get(mac) as
      | { agent_id: string }
      | undefined;
    return r?.agent_id ?? null;
  }

  /** These devices were seen by `agentId` (null = the hub's own sweep). */
  assign(macs: string[], agentId: string | null, now: string): void {
    if (macs.length === 0) return;
    const del = this.db.prepare('DELETE FROM agent_devices WHERE mac = ?');
    const put = this.db.prepare(
      'INSERT INTO agent_devices (mac, agent_id, seen_at) VALUES (?, ?, ?) ON CONFLICT (mac) DO UPDATE SET agent_id = excluded.agent_id, seen_at = excluded.seen_at',
    );
    for (const m of macs) {
      if (agentId === null) del.run(m);
      else put.run(m, agentId, now);
    }
  }

  list(): AgentRow[] {
    const rows = this.db
      .prepare(
        `SELECT a.*, COUNT(ad.mac) AS devices, COALESCE(SUM(d.online), 0) AS devices_online
           FROM agents a
           LEFT JOIN agent_devices ad ON ad.agent_id = a.id
           LEFT JOIN devices d ON d.mac = ad.mac
          GROUP BY a.id ORDER BY a.id`,
      )
      .all() as RawAgent[];
    return rows.map((r) => ({
      id: r.id,
      firstSeen: r.first_seen,
      status: r.status,
      statusAt: r.status_at,
      lastHeartbeat: r.last_heartbeat,
      heartbeat: r.heartbeat ? (JSON.parse(r.heartbeat) as unknown) : null,
      lastResultAt: r.last_result_at,
      results: r.results,
      refused: r.refused,
      lastRefusal: r.last_refusal,
      devices: r.devices,
      devicesOnline: r.devices_online,
    }));
  }

  get(id: string): AgentRow | null {
    return this.list().find((a) => a.id === id) ?? null;
  }

  /** Forget result ids older than `before` (ISO). */
  pruneResults(before: string): number {
    return this.db.prepare('DELETE FROM agent_results WHERE received_at < ?').run(before).changes;
  }
}
