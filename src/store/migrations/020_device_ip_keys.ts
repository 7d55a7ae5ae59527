import type { Db } from '../db.js';
import type { Migration } from './index.js';

const OLD_CHECK = 'CHECK (length(mac) = 17)';
/** a MAC (aa:bb:cc:dd:ee:ff) or the key of a device identified by IP (ip_<a>_<b>_<c>_<d>, at most 18 characters) */
export const DEVICE_KEY_CHECK = "CHECK (length(mac) = 17 OR (mac GLOB 'ip_[0-9]*' AND length(mac) <= 18))";

/**
 * Devices identified by IP (DESIGN §15): a host on a routed subnet whose MAC cannot be learned is keyed
 * `ip_<a>_<b>_<c>_<d>`. The devices table's key allowed only 17-character MACs, and SQLite cannot change a CHECK in
 * place, so the table is rebuilt the way SQLite documents (https://sqlite.org/lang_altertable.html#otheralter):
 * foreign keys off for the rebuild (a DROP would otherwise cascade into every table that refers to devices), the
 * same columns in the same order (the current definition with only the key's CHECK widened), its indexes and the
 * views over it recreated from their stored SQL, and a foreign-key check before the commit.
 */
export const m020DeviceIpKeys: Migration = {
  version: 20,
  name: 'device_ip_keys',
  sql: '',
  foreignKeysOff: true,
  run(db: Db) {
    const table = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'devices'")
      .get() as { sql: string } | undefined;
    if (!table) throw new Error('migration 20: no devices table');
    if (!table.sql.includes(OLD_CHECK))
      throw new Error('migration 20: the devices key check is not the expected one');
    const dependants = db
      .prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ((type = 'index' AND tbl_name = 'devices') OR type IN ('view', 'trigger'))",
      )
      .all() as Array<{ type: string; name: string; sql: string }>;
    for (const v of dependants.filter((d) => d.type !== 'index'))
      db.exec(`DROP ${v.type === 'view' ? 'VIEW' : 'TRIGGER'} "${v.name.replace(/"/g, '""')}"`);
    const create = table.sql
      .replace(/^CREATE TABLE devices\b/, 'CREATE TABLE devices_v20')
      .replace(OLD_CHECK, DEVICE_KEY_CHECK);
    db.exec(create);
    db.exec('INSERT INTO devices_v20 SELECT * FROM devices');
    db.exec('DROP TABLE devices');
    db.exec('ALTER TABLE devices_v20 RENAME TO devices');
    for (const d of dependants.filter((x) => x.type === 'index')) db.exec(d.sql);
    for (const d of dependants.filter((x) => x.type !== 'index')) db.exec(d.sql);
  },
};
