/** Expected (allowed) open ports per device: "tcp/22" keys; a device without a row has none set. */
import type { Db } from './db.js';

export interface ExpectedPorts {
  mac: string;
  ports: string[];
  updatedAt: string;
}

export class ExpectedPortsRepo {
  constructor(private readonly db: Db) {}

  get(mac: string): ExpectedPorts | null {
    const r = this.db.prepare('SELECT * FROM device_expected_ports WHERE mac = ?').get(mac) as
      | { mac: string; ports: string; updated_at: string }
      | undefined;
    if (!r) return null;
    let ports: string[] = [];
    try {
      const v = JSON.parse(r.ports) as unknown;
      if (Array.isArray(v)) ports = v.filter((p): p is string => typeof p === 'string');
    } catch {
      /* a damaged row counts as an empty list */
    }
    return { mac: r.mac, ports, updatedAt: r.updated_at };
  }

  set(mac: string, ports: string[], now: Date): ExpectedPorts {
    const sorted = [...new Set(ports)].sort(portOrder);
    this.db
      .prepare(
        `INSERT INTO device_expected_ports (mac, ports, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (mac) DO UPDATE SET ports = excluded.ports, updated_at = excluded.updated_at`,
      )
      .run(mac, JSON.stringify(sorted), now.toISOString());
    return { mac, ports: sorted, updatedAt: now.toISOString() };
  }

  clear(mac: string): boolean {
    return this.db.prepare('DELETE FROM device_expected_ports WHERE mac = ?').run(mac).changes > 0;
  }
}

/** tcp before udp, then by number. */
export function portOrder(a: string, b: string): number {
  const [pa = '', na = '0'] = a.split('/');
  const [pb = '', nb = '0'] = b.split('/');
  return pa.localeCompare(pb) || Number(na) - Number(nb);
}
