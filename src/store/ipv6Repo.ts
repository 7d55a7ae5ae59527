/** IPv6 addresses per device, found by NDP discovery: device_ipv6. */
import { compareIpv6, type Ipv6Scope, ipv6Scope } from '../ndp/ipv6.js';
import type { Db } from './db.js';

export interface DeviceIpv6 {
  address: string;
  scope: Ipv6Scope;
  firstSeen: string;
  lastSeen: string;
}

/** A device keeps at most this many addresses: the most recently seen (privacy addresses rotate daily). */
export const IPV6_PER_DEVICE_MAX = 16;

interface Row {
  mac: string;
  address: string;
  scope: Ipv6Scope;
  first_seen: string;
  last_seen: string;
}

const toAddr = (r: Row): DeviceIpv6 => ({
  address: r.address,
  scope: r.scope,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
});

const byScope = (a: DeviceIpv6, b: DeviceIpv6) => compareIpv6(a.address, b.address);

export class Ipv6Repo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      of: db.prepare<[string], Row>('SELECT * FROM device_ipv6 WHERE mac = ?'),
      ofMany: db.prepare<[string], Row>(
        'SELECT * FROM device_ipv6 WHERE mac IN (SELECT value FROM json_each(?))',
      ),
      holder: db.prepare<[string], { mac: string }>('SELECT mac FROM device_ipv6 WHERE address = ?'),
      drop: db.prepare('DELETE FROM device_ipv6 WHERE address = ?'),
      upsert:
        db.prepare(`INSERT INTO device_ipv6 (mac, address, scope, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (mac, address) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`),
      trim: db.prepare(`DELETE FROM device_ipv6 WHERE mac = ? AND address NOT IN
        (SELECT address FROM device_ipv6 WHERE mac = ? ORDER BY last_seen DESC, address LIMIT ${IPV6_PER_DEVICE_MAX})`),
      // an address belongs to one device (unique index): the two devices never share one
      move: db.prepare('UPDATE device_ipv6 SET mac = ? WHERE mac = ?'),
    };
  }

  /** A device's addresses: global, unique-local, then link-local. */
  of(mac: string): DeviceIpv6[] {
    return this.stmts.of.all(mac).map(toAddr).sort(byScope);
  }

  /** Addresses of many devices at once (device lists); devices without any are missing from the map. */
  ofMany(macs: readonly string[]): Map<string, DeviceIpv6[]> {
    const out = new Map<string, DeviceIpv6[]>();
    if (macs.length === 0) return out;
    for (const r of this.stmts.ofMany.all(JSON.stringify(macs))) {
      const l = out.get(r.mac) ?? [];
      l.push(toAddr(r));
      out.set(r.mac, l);
    }
    for (const l of out.values()) l.sort(byScope);
    return out;
  }

  /**
   * The device was seen holding these (canonical) addresses at `time`. An address another device held moves to
   * this one. Returns whether the device's address set changed (an address it did not have before).
   */
  record(mac: string, addresses: readonly string[], time: string): boolean {
    const had = new Set(this.stmts.of.all(mac).map((r) => r.address));
    let changed = false;
    for (const a of addresses) {
      const scope = ipv6Scope(a);
      if (!scope) continue;
      const holder = this.stmts.holder.get(a)?.mac;
      if (holder && holder !== mac) this.stmts.drop.run(a);
      this.stmts.upsert.run(mac, a, scope, time, time);
      if (!had.has(a)) changed = true;
    }
    if (changed) this.stmts.trim.run(mac, mac);
    return changed;
  }

  /** A merged-away device's addresses become the surviving device's. */
  moveDevice(from: string, to: string): void {
    this.db.transaction(() => {
      this.stmts.move.run(to, from);
      this.stmts.trim.run(to, to);
    })();
  }
}
