/** What ssl-cert / ssl-enum-ciphers saw per TLS port of a device (replaced by each port scan of it). */
import type { TlsFact } from '../threats/tls.js';
import type { Db } from './db.js';

interface Row {
  mac: string;
  protocol: 'tcp' | 'udp';
  port: number;
  subject: string | null;
  issuer: string | null;
  not_before: string | null;
  not_after: string | null;
  self_signed: number;
  san: string | null;
  protocols: string;
  weak: string;
  scanned_at: string;
}

function list(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export class TlsRepo {
  constructor(private readonly db: Db) {}

  /** Replace every TLS fact of a device with this scan's. */
  replace(mac: string, facts: TlsFact[]): void {
    const del = this.db.prepare('DELETE FROM port_tls WHERE mac = ?');
    const ins = this.db.prepare(
      `INSERT OR REPLACE INTO port_tls (mac, protocol, port, subject, issuer, not_before, not_after, self_signed, san,
         protocols, weak, scanned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      del.run(mac);
      for (const f of facts) {
        ins.run(
          mac,
          f.protocol,
          f.port,
          f.subject,
          f.issuer,
          f.notBefore,
          f.notAfter,
          f.selfSigned ? 1 : 0,
          f.san,
          JSON.stringify(f.protocols),
          JSON.stringify(f.weak),
          f.scannedAt,
        );
      }
    })();
  }

  forDevice(mac: string): TlsFact[] {
    const rows = this.db
      .prepare('SELECT * FROM port_tls WHERE mac = ? ORDER BY protocol, port')
      .all(mac) as Row[];
    return rows.map((r) => ({
      protocol: r.protocol,
      port: r.port,
      subject: r.subject,
      issuer: r.issuer,
      notBefore: r.not_before,
      notAfter: r.not_after,
      selfSigned: r.self_signed === 1,
      san: r.san,
      protocols: list(r.protocols),
      weak: list(r.weak),
      scannedAt: r.scanned_at,
    }));
  }
}
