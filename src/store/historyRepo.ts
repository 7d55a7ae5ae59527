/** Per-device history: IP addresses, presence transitions, port events. */
import type { Presence } from '../vocabulary.js';
import type { Db } from './db.js';

export interface IpHistoryEntry {
  ip: string;
  firstSeen: string;
  lastSeen: string;
}

export interface PresenceEntry {
  presence: Presence;
  time: string;
}

export type PortEvent = 'opened' | 'closed' | 'service_changed';

export interface PortHistoryEntry {
  protocol: 'tcp' | 'udp';
  port: number;
  event: PortEvent;
  service: string | null;
  product: string | null;
  version: string | null;
  time: string;
}

export class HistoryRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      /** One statement per sweep: a JSON array of [mac, ip] pairs, all seen at @time. */
      seenIps: db.prepare(`INSERT INTO ip_history (mac, ip, first_seen, last_seen)
        SELECT j.value ->> 0, j.value ->> 1, @time, @time FROM json_each(@list) j WHERE true
        ON CONFLICT (mac, ip) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`),
      /** A JSON array of [mac, presence] pairs, inserted in array order. */
      presences: db.prepare(`INSERT INTO presence_history (mac, presence, time)
        SELECT j.value ->> 0, j.value ->> 1, @time FROM json_each(@list) j ORDER BY j.key`),
      moveIps: db.prepare(`INSERT INTO ip_history (mac, ip, first_seen, last_seen)
          SELECT @into, ip, first_seen, last_seen FROM ip_history WHERE mac = @from
        ON CONFLICT (mac, ip) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
          last_seen = max(last_seen, excluded.last_seen)`),
      dropIps: db.prepare('DELETE FROM ip_history WHERE mac = ?'),
      movePresence: db.prepare('UPDATE presence_history SET mac = ? WHERE mac = ?'),
      ipHistory: db.prepare(
        'SELECT ip, first_seen AS firstSeen, last_seen AS lastSeen FROM ip_history WHERE mac = ? ORDER BY last_seen DESC LIMIT ?',
      ),
      presenceTimeline:
        db.prepare(`SELECT presence, time FROM presence_history WHERE mac = @mac AND (@since IS NULL OR time >= @since)
        ORDER BY time ASC, id ASC LIMIT @limit`),
      lastPresenceBefore: db.prepare(
        'SELECT presence, time FROM presence_history WHERE mac = ? AND time < ? ORDER BY time DESC, id DESC LIMIT 1',
      ),
      /**
       * Port events: the `port_history` view over the port change rows (migration 012), each fact written once,
       * by the port-scan ingest, as its change.
       */
      portHistory: db.prepare(`SELECT protocol, port, event, service, product, version, time FROM port_history
        WHERE mac = ? ORDER BY time DESC, id DESC, seq DESC LIMIT ?`),
    };
  }

  /** Record that each device was seen at its IP at `time` (ISO): one statement for the whole list. */
  recordIps(seen: ReadonlyArray<{ mac: string; ip: string }>, time: string): void {
    if (seen.length === 0) return;
    this.stmts.seenIps.run({ list: JSON.stringify(seen.map((o) => [o.mac, o.ip])), time });
  }

  /** Record that `mac` was seen at `ip` at `time` (ISO). */
  recordIp(mac: string, ip: string, time: string): void {
    this.recordIps([{ mac, ip }], time);
  }

  /** Presence transitions at `time`, in order: one statement for the whole list. */
  recordPresences(list: ReadonlyArray<{ mac: string; presence: Presence }>, time: string): void {
    if (list.length === 0) return;
    this.stmts.presences.run({ list: JSON.stringify(list.map((p) => [p.mac, p.presence])), time });
  }

  recordPresence(mac: string, presence: Presence, time: string): void {
    this.recordPresences([{ mac, presence }], time);
  }

  /** A merge: the IP and presence history of `from` become `into`'s (IP rows of the same address combine). */
  moveDevice(from: string, into: string): void {
    this.stmts.moveIps.run({ from, into });
    this.stmts.dropIps.run(from);
    this.stmts.movePresence.run(into, from);
  }

  /** IPs the device used, most recent first. */
  ipHistory(mac: string, limit = 100): IpHistoryEntry[] {
    return this.stmts.ipHistory.all(mac, limit) as IpHistoryEntry[];
  }

  /**
   * Presence transitions in time order. With `since`, the state in force at `since` is included first
   * (with time = since) so a timeline can be drawn from the start of the window.
   */
  presenceTimeline(mac: string, since?: string, limit = 5000): PresenceEntry[] {
    const rows = this.stmts.presenceTimeline.all({ mac, since: since ?? null, limit }) as PresenceEntry[];
    if (since) {
      const before = this.stmts.lastPresenceBefore.get(mac, since) as PresenceEntry | undefined;
      if (before) rows.unshift({ presence: before.presence, time: since });
    }
    return rows;
  }

  /** Port events (from the port change rows), most recent first. */
  portHistory(mac: string, limit = 500): PortHistoryEntry[] {
    return this.stmts.portHistory.all(mac, limit) as PortHistoryEntry[];
  }
}
