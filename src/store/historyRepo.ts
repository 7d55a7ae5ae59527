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
      seenIp: db.prepare(`INSERT INTO ip_history (mac, ip, first_seen, last_seen) VALUES (?, ?, ?, ?)
        ON CONFLICT (mac, ip) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`),
      presence: db.prepare('INSERT INTO presence_history (mac, presence, time) VALUES (?, ?, ?)'),
      port: db.prepare(`INSERT INTO port_history (mac, protocol, port, event, service, product, version, time)
        VALUES (@mac, @protocol, @port, @event, @service, @product, @version, @time)`),
      ipHistory: db.prepare(
        'SELECT ip, first_seen AS firstSeen, last_seen AS lastSeen FROM ip_history WHERE mac = ? ORDER BY last_seen DESC LIMIT ?',
      ),
      presenceTimeline:
        db.prepare(`SELECT presence, time FROM presence_history WHERE mac = @mac AND (@since IS NULL OR time >= @since)
        ORDER BY time ASC, id ASC LIMIT @limit`),
      lastPresenceBefore: db.prepare(
        'SELECT presence, time FROM presence_history WHERE mac = ? AND time < ? ORDER BY time DESC, id DESC LIMIT 1',
      ),
      portHistory: db.prepare(`SELECT protocol, port, event, service, product, version, time FROM port_history
        WHERE mac = ? ORDER BY time DESC, id DESC LIMIT ?`),
    };
  }

  /** Record that `mac` was seen at `ip` at `time` (ISO). */
  recordIp(mac: string, ip: string, time: string): void {
    this.stmts.seenIp.run(mac, ip, time, time);
  }

  recordPresence(mac: string, presence: Presence, time: string): void {
    this.stmts.presence.run(mac, presence, time);
  }

  recordPort(
    mac: string,
    e: {
      protocol: 'tcp' | 'udp';
      port: number;
      event: PortEvent;
      service?: string | null;
      product?: string | null;
      version?: string | null;
    },
    time: string,
  ): void {
    this.stmts.port.run({
      mac,
      protocol: e.protocol,
      port: e.port,
      event: e.event,
      service: e.service ?? null,
      product: e.product ?? null,
      version: e.version ?? null,
      time,
    });
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

  /** Port events, most recent first. */
  portHistory(mac: string, limit = 500): PortHistoryEntry[] {
    return this.stmts.portHistory.all(mac, limit) as PortHistoryEntry[];
  }
}
