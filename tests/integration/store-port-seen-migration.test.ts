/**
 * Migration 019 on an existing database: a port row's `last_seen` that only copied its device's last port scan
 * becomes NULL (read back as `devices.ports_scanned_at`), every other row keeps its own time, so every device's
 * ports read exactly as before; the port history the device page shows is unchanged; the table keeps its key,
 * checks and cascade; a port scan after it writes no row for an unchanged port and resets the rows with a time of
 * their own to the scan's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import type { ScanResult } from '../../src/scan/types.js';
import { closeDatabase, openDatabase } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAS = 'b8:27:eb:00:00:05';
const CAM = 'b8:27:eb:00:00:07';
const NEVER = 'b8:27:eb:00:00:09';
const t = (min: number) => new Date(Date.UTC(2026, 10, 1, 0, min)).toISOString();
/** How version 18 read a device's ports (devicesRepo's PORTS_JSON then): the stored row, last_seen as stored. */
const V18_PORTS = `SELECT protocol, port, service, product, version, extrainfo, cpe, first_seen, last_seen, devicetype,
  http_title, http_server FROM device_ports WHERE mac = ? ORDER BY protocol, port`;
/** The device page's port history (historyRepo.portHistory). */
const HISTORY = `SELECT protocol, port, event, service, product, version, time FROM port_history
  WHERE mac = ? ORDER BY time DESC, id DESC, seq DESC LIMIT 500`;

interface V18Row {
  protocol: string;
  port: number;
  service: string | null;
  product: string | null;
  version: string | null;
  extrainfo: string | null;
  cpe: string;
  first_seen: string;
  last_seen: string;
  devicetype: string | null;
  http_title: string | null;
  http_server: string | null;
}

/** A v18 row as the device model holds it (devicesRepo's portFromRaw: absent fields are not set). */
function asPort(r: V18Row) {
  return {
    protocol: r.protocol,
    port: r.port,
    cpe: JSON.parse(r.cpe) as string[],
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    ...(r.service !== null ? { service: r.service } : {}),
    ...(r.product !== null ? { product: r.product } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.extrainfo !== null ? { extrainfo: r.extrainfo } : {}),
    ...(r.devicetype !== null ? { devicetype: r.devicetype } : {}),
    ...(r.http_title !== null ? { httpTitle: r.http_title } : {}),
    ...(r.http_server !== null ? { httpServer: r.http_server } : {}),
  };
}

describe('migration port_seen_by_scan', () => {
  it('keeps every port row meaning the same, the history unchanged, and makes repeat scans write nothing', () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-mig19-'));
    const file = join(dir, 'db.sqlite');
    const old = openDatabase(file, silentLogger, { migrations: MIGRATIONS.filter((m) => m.version <= 18) });
    const addDevice = old.prepare(
      `INSERT INTO devices (mac, ip, hostname, vendor, first_seen, last_seen, ports_scanned_at)
       VALUES (?, ?, ?, 'Raspberry Pi Trading Ltd', ?, ?, ?)`,
    );
    addDevice.run(NAS, '10.213.1.5', 'nas', t(0), t(40), t(30));
    addDevice.run(CAM, '10.213.1.7', 'cam', t(0), t(40), t(30));
    addDevice.run(NEVER, '10.213.1.9', 'never', t(0), t(40), null);
    const addPort = old.prepare(
      `INSERT INTO device_ports (mac, protocol, port, service, product, version, extrainfo, cpe, first_seen, last_seen,
         devicetype, http_title, http_server) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // seen in the device's last port scan (a copy of ports_scanned_at): becomes NULL
    addPort.run(
      NAS,
      'tcp',
      22,
      'ssh',
      'OpenSSH',
      '8.9p1',
      'protocol 2.0',
      '["cpe:/a:openbsd:openssh:8.9p1"]',
      t(10),
      t(30),
      null,
      null,
      null,
    );
    addPort.run(
      NAS,
      'tcp',
      80,
      'http',
      'nginx',
      '1.24.0',
      null,
      '[]',
      t(10),
      t(30),
      null,
      'NAS login',
      'nginx',
    );
    addPort.run(NAS, 'udp', 161, 'snmp', null, null, null, '[]', t(20), t(30), 'storage-misc', null, null);
    // a time of its own (set by hand, or by an older version): kept
    addPort.run(CAM, 'tcp', 554, 'rtsp', null, null, null, '[]', t(10), t(25), 'webcam', null, null);
    addPort.run(CAM, 'tcp', 80, 'http', null, null, null, 'not json', t(10), t(30), null, null, null);
    // a device never port-scanned: nothing to follow, kept
    addPort.run(NEVER, 'tcp', 8080, 'http-proxy', null, null, null, '[]', t(5), t(6), null, null, null);
    const addChange = old.prepare(
      `INSERT INTO changes (type, mac, ip, name, vendor, severity, message, before_json, after_json, time, scan_id)
       VALUES (?, ?, '10.213.1.5', 'nas', 'Raspberry Pi Trading Ltd', ?, 'x', ?, ?, ?, NULL)`,
    );
    addChange.run(
      'first_port_scan',
      NAS,
      'info',
      null,
      JSON.stringify({
        open: 2,
        ports: [
          { protocol: 'tcp', port: 22, service: 'ssh', product: 'OpenSSH', version: '8.9p1' },
          { protocol: 'tcp', port: 80, service: 'http', product: 'nginx', version: '1.24.0' },
        ],
      }),
      t(10),
    );
    addChange.run(
      'port_opened',
      NAS,
      'low',
      null,
      JSON.stringify({ protocol: 'udp', port: 161, service: 'snmp', product: null, version: null }),
      t(20),
    );
    const macs = [NAS, CAM, NEVER];
    const before = new Map(macs.map((m) => [m, old.prepare(V18_PORTS).all(m) as V18Row[]]));
    const historyBefore = new Map(macs.map((m) => [m, old.prepare(HISTORY).all(m)]));
    expect(historyBefore.get(NAS)).toHaveLength(3);
    closeDatabase(old);

    const store = openStore(file, silentLogger);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(19);
      // what is stored: NULL exactly where the time was a copy of the device's last port scan
      const stored = store.db
        .prepare('SELECT mac, port, last_seen FROM device_ports ORDER BY mac, protocol, port')
        .raw()
        .all();
      expect(stored).toEqual([
        [NAS, 22, null],
        [NAS, 80, null],
        [NAS, 161, null],
        [CAM, 80, null],
        [CAM, 554, t(25)],
        [NEVER, 8080, t(6)],
      ]);
      // every port reads as it did, field for field (the damaged cpe of CAM/80 reads as [] as it did)
      for (const mac of macs) {
        const want = before
          .get(mac)!
          .map((r) => ({ ...asPort({ ...r, cpe: r.cpe === 'not json' ? '[]' : r.cpe }) }));
        expect(store.devices.get(mac)!.ports).toEqual(want);
      }
      expect(
        store.devices
          .portsOf([CAM])
          .get(CAM)!
          .map((p) => [p.port, p.lastSeen]),
      ).toEqual([
        [80, t(30)],
        [554, t(25)],
      ]);
      // the device page's port history is the same query with the same rows
      for (const mac of macs) expect(store.db.prepare(HISTORY).all(mac)).toEqual(historyBefore.get(mac));
      expect(store.history.portHistory(NAS)).toEqual(historyBefore.get(NAS));
      // the rebuilt table keeps its key, checks and cascade
      expect(() =>
        store.db
          .prepare("INSERT INTO device_ports (mac, protocol, port, first_seen) VALUES (?, 'tcp', 22, ?)")
          .run(NAS, t(50)),
      ).toThrow(/UNIQUE|PRIMARY KEY/);
      expect(() =>
        store.db
          .prepare("INSERT INTO device_ports (mac, protocol, port, first_seen) VALUES (?, 'icmp', 1, ?)")
          .run(NAS, t(50)),
      ).toThrow(/CHECK/);
      expect(() =>
        store.db
          .prepare(
            "INSERT INTO device_ports (mac, protocol, port, first_seen) VALUES ('02:00:00:00:00:99', 'tcp', 1, ?)",
          )
          .run(t(50)),
      ).toThrow(/FOREIGN KEY/);
      expect(store.devices.forget(NEVER)).toBe(true);
      expect(store.db.prepare('SELECT count(*) FROM device_ports WHERE mac = ?').pluck().get(NEVER)).toBe(0);

      // a port scan after the migration: CAM's two ports seen again, unchanged
      const scanAt = new Date(Date.parse(t(60)));
      const result: ScanResult = {
        kind: 'ports',
        targets: ['10.213.1.7'],
        startedAt: scanAt,
        finishedAt: scanAt,
        hostsUp: 1,
        hostsTotal: 1,
        hosts: [
          {
            ip: '10.213.1.7',
            mac: CAM,
            hostnames: [],
            status: 'up',
            portsScanned: true,
            ports: [
              { protocol: 'tcp', port: 80, state: 'open', service: { name: 'http', cpe: [] } },
              {
                protocol: 'tcp',
                port: 554,
                state: 'open',
                service: { name: 'rtsp', devicetype: 'webcam', cpe: [] },
              },
            ],
          },
        ],
      };
      const id = store.scans.start('ports', result.targets, 'schedule', null, scanAt);
      expect(ingestPortScan(store, id, result, scanAt).changes).toEqual([]);
      // the row with a time of its own now follows the scan like the others
      expect(
        store.db
          .prepare('SELECT port, last_seen FROM device_ports WHERE mac = ? ORDER BY port')
          .raw()
          .all(CAM),
      ).toEqual([
        [80, null],
        [554, null],
      ]);
      expect(store.devices.get(CAM)!.ports.map((p) => [p.port, p.firstSeen, p.lastSeen])).toEqual([
        [80, t(10), scanAt.toISOString()],
        [554, t(10), scanAt.toISOString()],
      ]);
      // NAS was not in this scan: its ports still read as its own last scan
      expect(new Set(store.devices.get(NAS)!.ports.map((p) => p.lastSeen))).toEqual(new Set([t(30)]));
    } finally {
      store.close();
    }
  });
});
