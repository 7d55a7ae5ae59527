/** Further MACs of a device (rotated private addresses, manual merges): device_macs. */
import type { Db } from './db.js';

export type LinkedBy = 'dhcp' | 'manual';

export interface DeviceMacLink {
  mac: string;
  deviceMac: string;
  linkedBy: LinkedBy;
  firstSeen: string;
  lastSeen: string;
}

interface Row {
  mac: string;
  device_mac: string;
  linked_by: LinkedBy;
  first_seen: string;
  last_seen: string;
}

const toLink = (r: Row): DeviceMacLink => ({
  mac: r.mac,
  deviceMac: r.device_mac,
  linkedBy: r.linked_by,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
});

export class MacsRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      deviceOf: db.prepare<[string], { device_mac: string }>(
        'SELECT device_mac FROM device_macs WHERE mac = ?',
      ),
      of: db.prepare<[string], Row>('SELECT * FROM device_macs WHERE device_mac = ? ORDER BY last_seen DESC'),
      all: db.prepare<[], Row>('SELECT * FROM device_macs'),
      link: db.prepare(`INSERT INTO device_macs (mac, device_mac, linked_by, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (mac) DO UPDATE SET device_mac = excluded.device_mac, linked_by = excluded.linked_by,
          last_seen = excluded.last_seen`),
      seen: db.prepare('UPDATE device_macs SET last_seen = max(last_seen, ?) WHERE mac = ?'),
      unlink: db.prepare('DELETE FROM device_macs WHERE mac = ?'),
      repoint: db.prepare('UPDATE device_macs SET device_mac = ? WHERE device_mac = ?'),
    };
  }

  /** The device a further MAC belongs to (null: it is no device's further MAC). */
  deviceOf(mac: string): string | null {
    return this.stmts.deviceOf.get(mac)?.device_mac ?? null;
  }

  of(deviceMac: string): DeviceMacLink[] {
    return this.stmts.of.all(deviceMac).map(toLink);
  }

  /** further MAC → device, for a whole sweep */
  map(): Map<string, string> {
    return new Map(this.stmts.all.all().map((r) => [r.mac, r.device_mac]));
  }

  link(mac: string, deviceMac: string, by: LinkedBy, time: string): void {
    this.stmts.link.run(mac, deviceMac, by, time, time);
  }

  seen(mac: string, time: string): void {
    this.stmts.seen.run(time, mac);
  }

  unlink(mac: string): boolean {
    return this.stmts.unlink.run(mac).changes > 0;
  }

  /** A merged-away device's own further MACs follow it into the surviving device. */
  repoint(fromDevice: string, toDevice: string): void {
    this.stmts.repoint.run(toDevice, fromDevice);
  }
}
