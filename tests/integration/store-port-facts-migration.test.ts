/**
 * Migration 012 on an existing database: the port_history table becomes a view over the port change rows; every
 * row it held keeps its meaning (the device page's port history reads the same list), a row whose change is gone
 * becomes a change of its own, and port scans after the migration show in the history without a second write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import { closeDatabase, openDatabase } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAS = 'b8:27:eb:00:00:05';
const GONE = 'b8:27:eb:00:00:06';
const t = (min: number) => new Date(Date.UTC(2026, 10, 1, 0, min)).toISOString();
/** The device page's query before migration 012 (historyRepo.portHistory of version 11). */
const OLD_QUERY = `SELECT protocol, port, event, service, product, version, time FROM port_history
  WHERE mac = ? ORDER BY time DESC, id DESC LIMIT 500`;

describe('migration port_facts', () => {
  it('keeps every port_history row as the same history, read from the change rows', () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-mig11-'));
    const file = join(dir, 'db.sqlite');
    const old = openDatabase(file, silentLogger, { migrations: MIGRATIONS.filter((m) => m.version <= 11) });
    const addDevice = old.prepare(
      `INSERT INTO devices (mac, ip, hostname, vendor, first_seen, last_seen, ports_scanned_at)
       VALUES (?, '10.213.1.5', 'nas', 'Raspberry Pi Trading Ltd', ?, ?, ?)`,
    );
    addDevice.run(NAS, t(0), t(30), t(30));
    addDevice.run(GONE, t(0), t(30), null);
    const addChange = old.prepare(
      `INSERT INTO changes (type, mac, ip, name, vendor, severity, message, before_json, after_json, time, scan_id)
       VALUES (?, ?, '10.213.1.5', 'nas', 'Raspberry Pi Trading Ltd', ?, ?, ?, ?, ?, NULL)`,
    );
    const addHistory = old.prepare(
      `INSERT INTO port_history (mac, protocol, port, event, service, product, version, time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const port = (p: number, service: string | null, product: string | null, version: string | null) => ({
      protocol: 'tcp',
      port: p,
      service,
      product,
      version,
    });
    // what version 10's ingest wrote: a first-scan summary + one "opened" history row per port …
    addChange.run(
      'first_port_scan',
      NAS,
      'info',
      'nas (b8:27:eb:00:00:05): first port scan: 2 open ports',
      null,
      JSON.stringify({ open: 2, ports: [port(22, 'ssh', 'OpenSSH', '7.4'), port(5000, 'upnp', null, null)] }),
      t(10),
    );
    addHistory.run(NAS, 'tcp', 22, 'opened', 'ssh', 'OpenSSH', '7.4', t(10));
    addHistory.run(NAS, 'tcp', 5000, 'opened', 'upnp', null, null, t(10));
    // … then a change row and its copy per port event
    addChange.run(
      'service_changed',
      NAS,
      'low',
      'nas: service on port tcp/22 changed from OpenSSH 7.4 to OpenSSH 8.9p1',
      JSON.stringify({ protocol: 'tcp', port: 22, product: 'OpenSSH', version: '7.4' }),
      JSON.stringify({ protocol: 'tcp', port: 22, product: 'OpenSSH', version: '8.9p1' }),
      t(20),
    );
    addHistory.run(NAS, 'tcp', 22, 'service_changed', null, 'OpenSSH', '8.9p1', t(20));
    addChange.run(
      'port_opened',
      NAS,
      'low',
      'nas: port tcp/23 (BusyBox telnetd) is now open',
      null,
      JSON.stringify(port(23, 'telnet', 'BusyBox telnetd', null)),
      t(20),
    );
    addHistory.run(NAS, 'tcp', 23, 'opened', 'telnet', 'BusyBox telnetd', null, t(20));
    addChange.run(
      'port_closed',
      NAS,
      'info',
      'nas: port tcp/5000 (upnp) is no longer open',
      JSON.stringify(port(5000, 'upnp', null, null)),
      null,
      t(20),
    );
    addHistory.run(NAS, 'tcp', 5000, 'closed', 'upnp', null, null, t(20));
    // a history row whose change was deleted (e.g. pruned by hand): it must not be lost
    addHistory.run(NAS, 'udp', 161, 'opened', 'snmp', 'net-snmp', '5.9', t(25));
    // another device's rows stay its own
    addHistory.run(GONE, 'tcp', 80, 'opened', 'http', 'nginx', '1.24.0', t(26));
    const before = { nas: old.prepare(OLD_QUERY).all(NAS), gone: old.prepare(OLD_QUERY).all(GONE) };
    const changesBefore = (old.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n;
    expect(before.nas).toHaveLength(6);
    closeDatabase(old);

    const store = openStore(file, silentLogger);
    try {
      expect(
        store.db.prepare("SELECT type FROM sqlite_master WHERE name = 'port_history'").pluck().get(),
      ).toBe('view');
      // the same history, row for row and in the same order
      expect(store.history.portHistory(NAS)).toEqual(before.nas);
      expect(store.history.portHistory(GONE)).toEqual(before.gone);
      // the view has the table's columns: the old query still runs (the ports of one first scan share id and
      // time, so it needs `seq` for their order, as historyRepo reads it)
      expect(new Set(store.db.prepare(OLD_QUERY).all(NAS))).toEqual(new Set(before.nas));
      // the two rows without a change became changes (acknowledged: history, not news); no row was doubled
      const added = store.changes
        .list({ limit: 1000 })
        .items.filter((c) => c.id > changesBefore)
        .reverse();
      expect(added.map((c) => [c.type, c.mac, c.acknowledged, c.after])).toEqual([
        [
          'port_opened',
          NAS,
          true,
          { protocol: 'udp', port: 161, service: 'snmp', product: 'net-snmp', version: '5.9' },
        ],
        [
          'port_opened',
          GONE,
          true,
          { protocol: 'tcp', port: 80, service: 'http', product: 'nginx', version: '1.24.0' },
        ],
      ]);
      expect(added[0]?.message).toBe('nas (b8:27:eb:00:00:05): port udp/161 (net-snmp 5.9) is now open');

      // after the migration a port scan writes its facts once (the change) and the history shows them
      const id = store.scans.start('ports', ['10.213.1.5'], 'manual', null, new Date(t(40)));
      const out = ingestPortScan(
        store,
        id,
        {
          kind: 'ports',
          targets: ['10.213.1.5'],
          startedAt: new Date(t(40)),
          finishedAt: new Date(t(41)),
          hostsUp: 1,
          hostsTotal: 1,
          hosts: [
            {
              ip: '10.213.1.5',
              mac: NAS,
              status: 'up',
              hostnames: [],
              portsScanned: true,
              ports: [
                { protocol: 'tcp', port: 8080, state: 'open', service: { name: 'http-proxy', cpe: [] } },
              ],
            },
          ],
        },
        new Date(t(41)),
      );
      expect(out.changes.map((c) => c.type)).toEqual(['port_opened']);
      expect(store.history.portHistory(NAS)[0]).toEqual({
        protocol: 'tcp',
        port: 8080,
        event: 'opened',
        service: 'http-proxy',
        product: null,
        version: null,
        time: t(41),
      });
      // forgetting a device takes its port history with it (as the table's ON DELETE CASCADE did)
      store.devices.forget(GONE);
      expect(store.history.portHistory(GONE)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
