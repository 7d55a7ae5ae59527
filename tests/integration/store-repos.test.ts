import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareScans } from '../../src/inventory/compare.js';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { newDevice } from '../../src/inventory/sweep.js';
import type { Device } from '../../src/inventory/types.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import type { ScanHost, ScanPort, ScanResult } from '../../src/scan/types.js';
import { pruneHistory } from '../../src/store/retention.js';
import { openStore, type Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
let store: Store;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const PI = 'b8:27:eb:00:00:01';
const ESP = '24:0a:c4:00:00:02';
const NAS = '00:11:32:aa:bb:cc';

const host = (ip: string, mac?: string, hostnames: string[] = [], ports?: ScanPort[]): ScanHost => {
  const h: ScanHost = { ip, hostnames, status: 'up', ports: ports ?? [], portsScanned: ports !== undefined };
  if (mac) h.mac = mac;
  return h;
};
const result = (kind: 'sweep' | 'ports', hosts: ScanHost[], s: number): ScanResult => ({
  kind,
  targets: ['10.213.1.0/24'],
  startedAt: at(s),
  finishedAt: at(s + 1),
  hosts,
  hostsUp: hosts.length,
  hostsTotal: 256,
  args: 'nmap -n -sn -PR -- 10.213.1.0/24',
});
const sweep = (hosts: ScanHost[], s: number) => {
  const id = store.scans.start('sweep', ['10.213.1.0/24'], 'schedule', null, at(s));
  return {
    id,
    ...ingestSweep(store, id, result('sweep', hosts, s), { now: at(s + 1), considerHome: 180, lookupVendor }),
  };
};
const sp = (port: number, product?: string, version?: string): ScanPort => ({
  protocol: 'tcp',
  port,
  state: 'open',
  service: {
    name: 'svc',
    cpe: product ? [`cpe:/a:x:${product}`] : [],
    ...(product ? { product } : {}),
    ...(version ? { version } : {}),
  },
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-store-repos-'));
  store = openStore(join(dir, 'lan.db'), silentLogger);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ingestSweep', () => {
  it('stores devices, scan hosts, changes (with ids and scan id), IP and presence history', () => {
    const r = sweep([host('10.213.1.10', 'B8:27:EB:00:00:01', ['pi.lan']), host('10.213.1.20', ESP)], 0);
    expect(r.changes.map((c) => [c.type, c.mac, c.scanId])).toEqual([
      ['new_device', PI, r.id],
      ['new_device', ESP, r.id],
    ]);
    expect(r.changes.every((c) => c.id > 0)).toBe(true);
    expect(store.devices.get(PI)).toMatchObject({
      vendor: 'Raspberry Pi Foundation',
      hostname: 'pi.lan',
      online: true,
    });
    const scan = store.scans.get(r.id)!;
    expect(scan).toMatchObject({
      status: 'success',
      kind: 'sweep',
      hostsUp: 2,
      reason: 'schedule',
      targets: ['10.213.1.0/24'],
    });
    expect(scan.hosts.map((h) => h.mac)).toEqual([PI, ESP]);
    expect(store.history.ipHistory(PI)).toEqual([
      { ip: '10.213.1.10', firstSeen: at(1).toISOString(), lastSeen: at(1).toISOString() },
    ]);

    sweep([host('10.213.1.11', PI)], 60);
    sweep([host('10.213.1.11', PI)], 120);
    const r4 = sweep([host('10.213.1.11', PI)], 240);
    expect(r4.changes.map((c) => [c.type, c.mac])).toEqual([['device_offline', ESP]]);
    const r5 = sweep([host('10.213.1.11', PI), host('10.213.1.20', ESP)], 300);
    expect(r5.changes.map((c) => c.type)).toEqual(['device_online']);
    expect(store.history.ipHistory(PI).map((h) => h.ip)).toEqual(['10.213.1.11', '10.213.1.10']);
    expect(store.history.presenceTimeline(ESP).map((p) => p.presence)).toEqual(['home', 'not_home', 'home']);
    expect(store.history.presenceTimeline(ESP, at(200).toISOString())).toEqual([
      { presence: 'home', time: at(200).toISOString() },
      { presence: 'not_home', time: at(241).toISOString() },
      { presence: 'home', time: at(301).toISOString() },
    ]);
    expect(store.changes.list({ mac: PI }).items.map((c) => c.type)).toEqual(['ip_changed', 'new_device']);
    expect(store.devices.counts()).toEqual({ total: 2, online: 2, new: 2, ignored: 0, trusted: 0 });
  });

  it('a failed scan marks nothing absent', () => {
    sweep([host('10.213.1.10', PI)], 0);
    for (const s of [60, 120, 600]) {
      const id = store.scans.start('sweep', ['10.213.1.0/24'], 'schedule', null, at(s));
      store.recordFailedScan(id, 'nmap exited with code 1', at(s + 1));
    }
    expect(store.devices.get(PI)).toMatchObject({ online: true, presence: 'home', missedSweeps: 0 });
    expect(store.scans.list({ status: 'failed' }).total).toBe(3);
    expect(store.scans.list({ status: 'failed' }).items[0]).toMatchObject({
      error: 'nmap exited with code 1',
      status: 'failed',
    });
    expect(store.scans.lastFinished('sweep')!.finishedAt).toBe(at(1).toISOString());
    // a scan interrupted by a crash is failed at the next start-up, still marking nothing absent
    store.scans.start('sweep', ['10.213.1.0/24'], 'schedule', null, at(700));
    expect(store.scans.running()).toHaveLength(1);
    expect(store.scans.failInterrupted(at(800))).toBe(1);
    expect(store.scans.running()).toEqual([]);
    expect(store.devices.get(PI)).toMatchObject({ online: true, presence: 'home' });
  });

  it('rolls back the whole sweep when any part fails', () => {
    sweep([host('10.213.1.10', PI)], 0);
    expect(() =>
      ingestSweep(store, 999_999, result('sweep', [host('10.213.1.20', ESP)], 60), {
        now: at(61),
        considerHome: 180,
        lookupVendor,
      }),
    ).toThrow(/scan 999999 does not exist/);
    expect(store.devices.get(ESP)).toBeNull();
    expect(store.changes.list({}).total).toBe(1);
  });
});

describe('ingestPortScan', () => {
  it('writes ports, port history and port changes; compare works on snapshots', () => {
    sweep([host('10.213.1.5', NAS, ['nas']), host('10.213.1.10', PI)], 0);
    const id1 = store.scans.start('ports', ['10.213.1.5'], 'schedule', null, at(100));
    const r1 = ingestPortScan(
      store,
      id1,
      result('ports', [host('10.213.1.5', NAS, [], [sp(22, 'OpenSSH', '7.4'), sp(5000)])], 100),
      at(101),
    );
    // the first port scan of a device: one summary change; the port history still has one fact per port
    expect(
      r1.changes.map((c) => [
        c.type,
        (c.after as { ports: Array<{ port: number }> }).ports.map((p) => p.port),
      ]),
    ).toEqual([['first_port_scan', [22, 5000]]]);
    const id2 = store.scans.start('ports', ['10.213.1.5'], 'manual', null, at(200));
    // MAC-less host matched by unique IP
    const r2 = ingestPortScan(
      store,
      id2,
      result(
        'ports',
        [
          host('10.213.1.5', undefined, [], [sp(22, 'OpenSSH', '8.9p1'), sp(23, 'BusyBox telnetd')]),
          host('10.213.1.99', undefined, [], [sp(80)]),
        ],
        200,
      ),
      at(201),
    );
    expect(r2.changes.map((c) => c.type)).toEqual(['service_changed', 'port_opened', 'port_closed']);
    expect(r2.skipped).toEqual([{ ip: '10.213.1.99', reason: 'no MAC and no unique device at this IP' }]);
    const nas = store.devices.get(NAS)!;
    expect(nas.ports.map((p) => p.port)).toEqual([22, 23]);
    expect(nas.ports[0]).toMatchObject({
      product: 'OpenSSH',
      version: '8.9p1',
      cpe: ['cpe:/a:x:OpenSSH'],
      firstSeen: at(101).toISOString(),
    });
    expect(nas.portsScannedAt).toBe(at(201).toISOString());
    expect(store.history.portHistory(NAS).map((h) => [h.event, h.port, h.version])).toEqual([
      ['closed', 5000, null],
      ['opened', 23, null],
      ['service_changed', 22, '8.9p1'],
      ['opened', 5000, null],
      ['opened', 22, '7.4'],
    ]);
    const cmp = compareScans(store.scans.snapshot(id1)!, store.scans.snapshot(id2)!);
    expect(cmp.newPorts.map((p) => p.port)).toEqual([23, 80]);
    expect(cmp.removedPorts.map((p) => p.port)).toEqual([5000]);
    expect(cmp.serviceChanges).toHaveLength(1);
    expect(store.scans.snapshot(123456)).toBeNull();
  });

  it('a repeat scan writes only the difference, with the same rows as a full rewrite', () => {
    sweep([host('10.213.1.5', NAS, ['nas'])], 0);
    const scan = (t: number, ports: ReturnType<typeof sp>[]) => {
      const id = store.scans.start('ports', ['10.213.1.5'], 'schedule', null, at(t));
      return ingestPortScan(store, id, result('ports', [host('10.213.1.5', NAS, [], ports)], t), at(t + 1));
    };
    // the rows as stored, last_seen as it reads (migration 019: NULL = the device's last port scan)
    const rows = () =>
      store.db
        .prepare(
          `SELECT p.mac, p.protocol, p.port, p.service, p.product, p.version, p.extrainfo, p.cpe, p.first_seen,
             coalesce(p.last_seen, d.ports_scanned_at) AS last_seen, p.devicetype, p.http_title, p.http_server
           FROM device_ports p JOIN devices d ON d.mac = p.mac WHERE p.mac = ? ORDER BY p.protocol, p.port`,
        )
        .all(NAS);
    // every write to a port row, counted by a trigger of this connection
    store.db.exec(`CREATE TEMP TABLE port_writes (op TEXT);
      CREATE TEMP TRIGGER port_ins AFTER INSERT ON main.device_ports BEGIN INSERT INTO port_writes VALUES ('i'); END;
      CREATE TEMP TRIGGER port_upd AFTER UPDATE ON main.device_ports BEGIN INSERT INTO port_writes VALUES ('u'); END;
      CREATE TEMP TRIGGER port_del AFTER DELETE ON main.device_ports BEGIN INSERT INTO port_writes VALUES ('d'); END;`);
    const writes = () => {
      const ops = store.db.prepare('SELECT op FROM port_writes').pluck().all();
      store.db.exec('DELETE FROM port_writes');
      return ops;
    };
    scan(100, [sp(22, 'OpenSSH', '9.6p1'), sp(80, 'nginx', '1.24.0'), sp(443)]);
    expect(writes()).toEqual(['i', 'i', 'i']);
    const first = rows() as Array<{ port: number; last_seen: string; first_seen: string }>;
    // nothing changed: no change rows, every row kept, only last_seen moves
    expect(scan(200, [sp(22, 'OpenSSH', '9.6p1'), sp(80, 'nginx', '1.24.0'), sp(443)]).changes).toEqual([]);
    // … and it moves without a write to any port row: each reads as the device's ports_scanned_at
    expect(writes()).toEqual([]);
    expect(
      store.db.prepare('SELECT count(*) FROM device_ports WHERE last_seen IS NOT NULL').pluck().get(),
    ).toBe(0);
    const second = rows() as typeof first;
    expect(second.map((r) => ({ ...r, last_seen: '' }))).toEqual(first.map((r) => ({ ...r, last_seen: '' })));
    expect(new Set(second.map((r) => r.last_seen))).toEqual(new Set([at(201).toISOString()]));
    // one version changes, one port closes, one opens
    const r3 = scan(300, [sp(22, 'OpenSSH', '9.8p1'), sp(80, 'nginx', '1.24.0'), sp(8080)]);
    expect(r3.changes.map((c) => c.type).sort()).toEqual(['port_closed', 'port_opened', 'service_changed']);
    // the changed port upserted, the closed one deleted, the new one inserted; port 80 untouched
    expect(writes().sort()).toEqual(['d', 'i', 'u']);
    const third = rows() as Array<{
      port: number;
      version: string | null;
      first_seen: string;
      last_seen: string;
    }>;
    expect(third.map((r) => [r.port, r.version, r.last_seen])).toEqual([
      [22, '9.8p1', at(301).toISOString()],
      [80, '1.24.0', at(301).toISOString()],
      [8080, null, at(301).toISOString()],
    ]);
    expect(third.find((r) => r.port === 80)?.first_seen).toBe(at(101).toISOString());
    // the stored result equals what the device model says (a full rewrite would store exactly this)
    expect(store.devices.get(NAS)!.ports.map((p) => [p.port, p.version ?? null, p.lastSeen])).toEqual(
      third.map((r) => [r.port, r.version, r.last_seen]),
    );
  });
});

describe('repositories', () => {
  it('hostile strings round-trip unchanged through bound parameters', () => {
    const hostile = [
      "'); DROP TABLE devices;--",
      '<img src=x onerror=alert(1)>',
      "{{ states('x') }} {% raw %}",
      'Robert\u202eevil',
      '%_\\ like wildcards',
      'x'.repeat(10_000),
    ];
    const devices: Device[] = hostile.map((s, i) => ({
      ...newDevice(`b8:27:eb:00:01:0${i}`, `10.213.1.${i + 1}`, s, s, at(0).toISOString()),
      name: s,
      notes: s,
    }));
    store.devices.upsertMany(devices);
    for (const [i, s] of hostile.entries()) {
      const d = store.devices.get(`b8:27:eb:00:01:0${i}`)!;
      expect([d.name, d.hostname, d.vendor, d.notes]).toEqual([s, s, s, s]);
    }
    expect(store.devices.query({ search: "'); DROP TABLE" }).items.map((d) => d.name)).toEqual([hostile[0]]);
    expect(store.devices.query({ search: '%_\\' }).items.map((d) => d.name)).toEqual([hostile[4]]);
    expect(store.devices.query({ vendor: hostile[1] }).total).toBe(1);
    const [c] = store.changes.insertMany([
      {
        type: 'hostname_changed',
        mac: null,
        ip: null,
        name: hostile[0]!,
        vendor: null,
        severity: 'info',
        message: hostile[2]!,
        before: { h: hostile[3] },
        after: hostile,
        time: at(0).toISOString(),
      },
    ]);
    expect(store.changes.get(c!.id)).toMatchObject({
      name: hostile[0],
      message: hostile[2],
      before: { h: hostile[3] },
      after: hostile,
    });
    expect(store.devices.counts().total).toBe(hostile.length);
  });

  it('update patches only the given fields; unknown MAC → null', () => {
    sweep([host('10.213.1.10', PI)], 0);
    // never port-scanned: the risk reads `unknown` whatever is stored
    expect(store.devices.update(PI, { risk: 'medium' })?.risk).toBe('unknown');
    ingestPortScan(
      store,
      store.scans.start('ports', ['10.213.1.10'], 'test', null, at(1)),
      result('ports', [host('10.213.1.10', PI, [], [])], 1),
      at(2),
    );
    const d = store.devices.update(PI, {
      name: 'Kitchen Pi',
      known: true,
      isNew: false,
      considerHome: 600,
      riskScore: 42.4,
      risk: 'medium',
    });
    expect(d).toMatchObject({
      name: 'Kitchen Pi',
      known: true,
      isNew: false,
      considerHome: 600,
      riskScore: 42,
      risk: 'medium',
      ip: '10.213.1.10',
    });
    expect(store.devices.update(PI, { notes: null, name: undefined })).toMatchObject({
      name: 'Kitchen Pi',
      notes: null,
    });
    expect(store.devices.update('aa:aa:aa:aa:aa:aa', { name: 'x' })).toBeNull();
    // a user name survives later sweeps
    sweep([host('10.213.1.10', PI, ['raspberrypi'])], 60);
    expect(store.devices.get(PI)).toMatchObject({ name: 'Kitchen Pi', hostname: 'raspberrypi', known: true });
  });

  it('forget removes the device with its ports and history; changes stay', () => {
    sweep([host('10.213.1.5', NAS)], 0);
    const id = store.scans.start('ports', ['10.213.1.5'], 'manual', null, at(10));
    ingestPortScan(store, id, result('ports', [host('10.213.1.5', NAS, [], [sp(22)])], 10), at(11));
    expect(store.devices.forget(NAS)).toBe(true);
    expect(store.devices.get(NAS)).toBeNull();
    expect(store.history.ipHistory(NAS)).toEqual([]);
    expect(store.history.portHistory(NAS)).toEqual([]);
    expect(store.history.presenceTimeline(NAS)).toEqual([]);
    expect(store.db.prepare('SELECT count(*) AS n FROM device_ports').get()).toEqual({ n: 0 });
    expect(store.changes.list({ mac: NAS }).total).toBe(2);
    expect(store.devices.forget(NAS)).toBe(false);
  });

  it('changes: filters, paging, acknowledge; bad filter values are refused with the allowed list', () => {
    sweep([host('10.213.1.10', PI), host('10.213.1.11', 'da:a1:19:00:00:03')], 0);
    expect(store.changes.list({ severity: 'low' }).items.map((c) => c.mac)).toEqual([PI]);
    expect(store.changes.list({ type: 'new_device', limit: 1 })).toMatchObject({
      total: 2,
      items: [{ mac: 'da:a1:19:00:00:03' }],
    });
    expect(store.changes.list({ since: at(5).toISOString() }).total).toBe(0);
    const id = store.changes.list({}).items[0]!.id;
    expect(store.changes.acknowledge(id)).toBe(true);
    expect(store.changes.get(id)!.acknowledged).toBe(true);
    expect(store.changes.acknowledge(99_999)).toBe(false);
    expect(() => store.changes.list({ type: 'bogus' as never })).toThrow(/allowed: new_device/);
    expect(() => store.devices.query({ sort: 'mac; DROP' as never })).toThrow(/allowed: name, ip/);
    expect(() => store.scans.list({ kind: 'x' as never })).toThrow(/allowed: sweep, ports/);
  });

  it('retention prunes old scans, observations, changes and history in batches but keeps devices', () => {
    for (let i = 0; i < 20; i++)
      sweep([host(`10.213.1.${10 + (i % 3)}`, PI), host('10.213.1.20', ESP)], i * 86_400);
    const before = store.scans.list({}).total;
    const r = pruneHistory(store.db, { olderThanDays: 7, now: at(19 * 86_400), batchSize: 3 });
    expect(r.scans).toBe(before - 8);
    expect(r.scanHosts).toBe(2 * (before - 8));
    expect(r.batches).toBeGreaterThan(6);
    expect(store.scans.list({}).total).toBe(8);
    expect(
      store.devices
        .all()
        .map((d) => d.mac)
        .sort(),
    ).toEqual([ESP, PI].sort());
    expect(store.changes.list({}).items.every((c) => c.time >= at(12 * 86_400).toISOString())).toBe(true);
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
  });

  it('audit and webhook delivery logs are pruned by retention too (issue 13 finding 6)', () => {
    const db = store.db;
    db.prepare(
      "INSERT INTO webhooks (id, name, url, secret, created_at, updated_at) VALUES (1, 'h', 'https://example.invalid/', 's', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ).run();
    for (let d = 0; d < 20; d++) {
      const time = at(d * 86_400).toISOString();
      db.prepare(
        "INSERT INTO audit_log (time, actor, actor_kind, action, target, ip, detail) VALUES (?, 'x', 'anonymous', 'auth.fail', NULL, '10.0.0.1', NULL)",
      ).run(time);
      db.prepare(
        "INSERT INTO webhook_deliveries (webhook_id, delivery_id, event_type, attempt, time, ok, duration_ms) VALUES (1, ?, 'test', 1, ?, 0, 5)",
      ).run(`d${d}`, time);
    }
    const r = pruneHistory(db, { olderThanDays: 7, now: at(19 * 86_400), batchSize: 3 });
    expect(r).toMatchObject({ audit: 12, deliveries: 12 });
    const left = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect(left('audit_log')).toBe(8);
    expect(left('webhook_deliveries')).toBe(8);
  });
});
