/**
 * Migration 020 on an existing database: the devices table is rebuilt so its key also takes the keys of devices
 * identified by IP (`ip_<a>_<b>_<c>_<d>`, DESIGN §15). Every device and every row that refers to one (ports, IP
 * history, findings' parents) survives — the rebuild must not cascade — its indexes and the port_history view
 * work as before, and the key still refuses anything that is neither a MAC nor an IP key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAS = 'b8:27:eb:00:00:05';
const T = '2026-11-01T00:00:00.000Z';

it('rebuilds devices without losing a row that refers to them; IP keys fit, other keys still do not', () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-m020-'));
  const file = join(dir, 'lan.db');
  const old = openDatabase(file, silentLogger, { migrations: MIGRATIONS.filter((m) => m.version <= 19) });
  old
    .prepare(
      "INSERT INTO devices (mac, ip, ip_num, first_seen, last_seen, name) VALUES (?, '10.0.0.5', 167772165, ?, ?, 'NAS')",
    )
    .run(NAS, T, T);
  old
    .prepare(
      "INSERT INTO device_ports (mac, protocol, port, service, first_seen, last_seen) VALUES (?, 'tcp', 22, 'ssh', ?, ?)",
    )
    .run(NAS, T, T);
  old
    .prepare("INSERT INTO ip_history (mac, ip, first_seen, last_seen) VALUES (?, '10.0.0.5', ?, ?)")
    .run(NAS, T, T);
  old
    .prepare(
      "INSERT INTO changes (type, mac, severity, message, after_json, time) VALUES ('port_opened', ?, 'info', 'x', ?, ?)",
    )
    .run(NAS, JSON.stringify({ protocol: 'tcp', port: 22 }), T);
  const before = old.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'devices' ORDER BY name").all();
  closeDatabase(old);

  const db = openDatabase(file, silentLogger);
  expect(db.pragma('user_version', { simple: true })).toBe(20);
  expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  expect(db.prepare('SELECT mac, name FROM devices').all()).toEqual([{ mac: NAS, name: 'NAS' }]);
  expect(db.prepare('SELECT mac, port FROM device_ports').all()).toEqual([{ mac: NAS, port: 22 }]);
  expect(db.prepare('SELECT mac, ip FROM ip_history').all()).toEqual([{ mac: NAS, ip: '10.0.0.5' }]);
  expect(db.prepare('SELECT mac, port, event FROM port_history').all()).toEqual([
    { mac: NAS, port: 22, event: 'opened' },
  ]);
  // the same indexes and the view, by name
  expect(db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'devices' ORDER BY name").all()).toEqual(
    before,
  );
  const add = db.prepare("INSERT INTO devices (mac, first_seen, last_seen) VALUES (?, '2026', '2026')");
  add.run('ip_192_168_20_7');
  add.run('ip_255_255_255_255');
  expect(() => add.run('ip_1')).not.toThrow(); // the key form is the API's to check; the table bounds length
  expect(() => add.run('not-a-mac')).toThrow(/CHECK constraint/);
  expect(() => add.run('ip_100_100_100_1000')).toThrow(/CHECK constraint/);
  // the cascade still works after the rebuild
  db.prepare('DELETE FROM devices WHERE mac = ?').run(NAS);
  expect(db.prepare('SELECT count(*) AS n FROM device_ports').get()).toEqual({ n: 0 });
  closeDatabase(db);
});
