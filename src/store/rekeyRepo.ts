/**
 * Re-keying a device (DESIGN §15): a device identified by IP whose MAC was learned becomes that MAC's device.
 * The device row is copied under the new key, every row that references it (ports, findings, IP and presence
 * history, identity, agent, further MACs, IPv6 addresses — found from the schema's foreign keys, so a table
 * added later follows too) and its change log move over, then the old row goes. Nothing is lost.
 */
import type { Db } from './db.js';

interface Reference {
  table: string;
  column: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export class RekeyRepo {
  private refs: Reference[] | null = null;
  private columns: string[] | null = null;

  constructor(private readonly db: Db) {}

  /** Tables (and their columns) that reference devices(mac), read from the schema once. */
  private references(): Reference[] {
    this.refs ??= (
      this.db
        .prepare(
          `SELECT m.name AS tbl, f."from" AS col FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
           WHERE m.type = 'table' AND f."table" = 'devices'`,
        )
        .all() as Array<{ tbl: string; col: string }>
    ).map((r) => ({ table: r.tbl, column: r.col }));
    return this.refs;
  }

  private deviceColumns(): string[] {
    this.columns ??= (
      this.db.prepare('SELECT name FROM pragma_table_info(?)').all('devices') as Array<{ name: string }>
    ).map((r) => r.name);
    return this.columns;
  }

  /** The keys of the devices identified by IP (`ip_…`; one indexed range scan of the key). */
  ipKeys(): Set<string> {
    const rows = this.db
      .prepare("SELECT mac FROM devices WHERE mac >= 'ip_' AND mac < 'ip`'")
      .all() as Array<{ mac: string }>;
    return new Set(rows.map((r) => r.mac));
  }

  /**
   * Moves device `from` to key `to`, which no device may hold yet; `vendor` and `randomized` are the new key's.
   * False when `from` is unknown or `to` is taken.
   */
  rekey(from: string, to: string, fields: { vendor: string | null; randomized: boolean }): boolean {
    return this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM devices WHERE mac = ?');
      if (!exists.get(from) || exists.get(to)) return false;
      const cols = this.deviceColumns();
      const list = cols.map(quote).join(', ');
      const values = cols.map((c) => (c === 'mac' ? '@to' : quote(c))).join(', ');
      this.db
        .prepare(`INSERT INTO devices (${list}) SELECT ${values} FROM devices WHERE mac = @from`)
        .run({ from, to });
      this.db
        .prepare(
          'UPDATE devices SET vendor = coalesce(vendor, @vendor), randomized = @randomized WHERE mac = @to',
        )
        .run({ to, vendor: fields.vendor, randomized: fields.randomized ? 1 : 0 });
      for (const r of this.references())
        this.db
          .prepare(`UPDATE ${quote(r.table)} SET ${quote(r.column)} = ? WHERE ${quote(r.column)} = ?`)
          .run(to, from);
      this.db.prepare('UPDATE changes SET mac = ? WHERE mac = ?').run(to, from);
      this.db.prepare('DELETE FROM devices WHERE mac = ?').run(from);
      return true;
    })();
  }
}
