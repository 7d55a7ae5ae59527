/**
 * Seeds a temp-file SQLite database through the store's public API (scans.start + ingestSweep /
 * ingestPortScan + devices.update), so the data has the same shape a real run produces.
 *
 * Timeline (relative to `now`):
 *   -3 h  sweep #1: the fixed devices + `extraDevices` generated ones
 *   -170m port scan #2: NAS 22/80, camera 23 (telnet), printer 631
 *   -1 h  sweep #3: a new phone joins (private MAC)
 *   -50m  port scan #4: NAS gains 445 (SMB) and its SSH version changes
 * Then user edits: names, a trusted flag, and a hostile name on one device.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import type { ScanHost, ScanPort, ScanResult } from '../../src/scan/types.js';
import { createThreatAssessor } from '../../src/service/threatAssessor.js';
import { openStore, type Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

export const HOSTILE_NAME = '<img src=x onerror=window.__xss=1>';

export const SEED_MACS = {
  gateway: 'b8:27:eb:00:00:01',
  nas: '00:11:32:aa:bb:01',
  camera: '24:0a:c4:12:34:56',
  printer: '00:1b:a9:10:20:30',
  hostile: 'b8:27:eb:66:66:66',
  phone: 'da:a1:19:00:00:07',
} as const;

export const SEED_NAMES = {
  nas: 'Living-room NAS',
  camera: 'Porch camera',
  printer: 'Office printer',
} as const;

export interface SeedOptions {
  /** generated devices on top of the fixed ones (default 20) */
  extraDevices?: number;
  /**
   * Port-scan the generated devices too (in the second port scan), with a deterministic mix of services that
   * the real threat engine rates from none to critical, so a map or list of many devices shows every colour.
   * Off by default: the other suites count the findings of the fixed devices only.
   */
  scanGenerated?: boolean;
  now?: Date;
}

export interface Seeded {
  dir: string;
  file: string;
  store: Store;
  now: Date;
  scanIds: { sweep1: number; ports1: number; sweep2: number; ports2: number };
  /** total devices in the inventory */
  deviceCount: number;
  close(): void;
}

const OUIS = ['b8:27:eb', '24:0a:c4', '00:11:32', '00:1b:a9', 'f0:9f:c2', '3c:5a:b4', 'ac:de:48', '00:17:88'];

function host(
  ip: string,
  mac: string,
  hostname?: string,
  ports: ScanPort[] = [],
  portsScanned = false,
): ScanHost {
  return { ip, mac, hostnames: hostname ? [hostname] : [], status: 'up', ports, portsScanned };
}

function tcp(port: number, name: string, product?: string, version?: string): ScanPort {
  return {
    protocol: 'tcp',
    port,
    state: 'open',
    service: { name, product, version, cpe: [], method: 'probed', conf: 10 },
  };
}

function result(kind: 'sweep' | 'ports', at: Date, hosts: ScanHost[]): ScanResult {
  return {
    kind,
    targets: ['10.213.0.0/22'],
    startedAt: at,
    finishedAt: new Date(at.getTime() + 4000),
    nmapVersion: '7.93',
    args: kind === 'sweep' ? 'nmap -n -sn -PR -oX - -- 10.213.0.0/22' : 'nmap -sS -sV -oX - -- hosts',
    hosts,
    hostsUp: hosts.length,
    hostsTotal: 1024,
  };
}

/** Services of generated device i for `scanGenerated`: a home-like mix from harmless to critical. */
function generatedPorts(i: number): ScanPort[] {
  switch (i % 8) {
    case 0:
      return [tcp(23, 'telnet', 'BusyBox telnetd')];
    case 1:
      return [tcp(80, 'http', 'Apache httpd', '2.4.49')];
    case 2:
      return [tcp(22, 'ssh', 'OpenSSH', '9.6p1')];
    case 3:
      return [tcp(21, 'ftp', 'vsftpd', '2.3.4')];
    case 4:
      return [tcp(445, 'microsoft-ds', 'Samba smbd', '4.19')];
    case 5:
      return [tcp(1883, 'mqtt')];
    case 6:
      return [tcp(443, 'https', 'nginx', '1.24.0')];
    default:
      return []; // scanned, nothing open
  }
}

function generatedHost(i: number): ScanHost {
  const oui = OUIS[i % OUIS.length]!;
  const hi = ((i >> 8) & 0xff).toString(16).padStart(2, '0');
  const lo = (i & 0xff).toString(16).padStart(2, '0');
  const ip = `10.213.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
  return host(ip, `${oui}:7e:${hi}:${lo}`, i % 3 === 0 ? `host-${i}.lan` : undefined);
}

export function seedDb(opts: SeedOptions = {}): Seeded {
  const dir = mkdtempSync(join(tmpdir(), 'lsn-ui-'));
  const file = join(dir, 'lan-sentinel.db');
  const store = openStore(file, silentLogger);
  const now = opts.now ?? new Date();
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  const extra = opts.extraDevices ?? 20;

  const fixed = [
    host('10.213.0.1', SEED_MACS.gateway, 'router.lan'),
    host('10.213.0.10', SEED_MACS.nas, 'nas.lan'),
    host('10.213.0.20', SEED_MACS.camera, 'espcam'),
    host('10.213.0.30', SEED_MACS.printer, 'printer.lan'),
    host('10.213.0.66', SEED_MACS.hostile, 'evil.lan'),
  ];
  const generated = Array.from({ length: extra }, (_, i) => generatedHost(i));
  const ctx = (t: Date) => ({ now: t, considerHome: 180, gatewayIp: '10.213.0.1', lookupVendor });

  const t1 = at(180);
  const sweep1 = store.scans.start('sweep', ['10.213.0.0/22'], 'schedule', null, t1);
  ingestSweep(store, sweep1, result('sweep', t1, [...fixed, ...generated]), ctx(t1));

  const t2 = at(170);
  const ports1 = store.scans.start('ports', ['10.213.0.0/22'], 'schedule', null, t2);
  ingestPortScan(
    store,
    ports1,
    result('ports', t2, [
      host(
        '10.213.0.10',
        SEED_MACS.nas,
        'nas.lan',
        [tcp(22, 'ssh', 'OpenSSH', '8.9p1'), tcp(80, 'http', 'nginx', '1.24.0')],
        true,
      ),
      host('10.213.0.20', SEED_MACS.camera, 'espcam', [tcp(23, 'telnet', 'BusyBox telnetd')], true),
      host('10.213.0.30', SEED_MACS.printer, 'printer.lan', [tcp(631, 'ipp', 'CUPS', '2.4')], true),
    ]),
    t2,
  );

  const t3 = at(60);
  const sweep2 = store.scans.start('sweep', ['10.213.0.0/22'], 'schedule', null, t3);
  ingestSweep(
    store,
    sweep2,
    result('sweep', t3, [...fixed, host('10.213.0.77', SEED_MACS.phone, undefined), ...generated.slice(2)]),
    ctx(t3),
  );

  const t4 = at(50);
  const ports2 = store.scans.start('ports', ['10.213.0.0/22'], 'ui', null, t4);
  ingestPortScan(
    store,
    ports2,
    result('ports', t4, [
      host(
        '10.213.0.10',
        SEED_MACS.nas,
        'nas.lan',
        [
          tcp(22, 'ssh', 'OpenSSH', '9.6p1'),
          tcp(80, 'http', 'nginx', '1.24.0'),
          tcp(445, 'microsoft-ds', 'Samba smbd', '4.19'),
        ],
        true,
      ),
      host('10.213.0.20', SEED_MACS.camera, 'espcam', [tcp(23, 'telnet', 'BusyBox telnetd')], true),
      host('10.213.0.30', SEED_MACS.printer, 'printer.lan', [tcp(631, 'ipp', 'CUPS', '2.4')], true),
      ...(opts.scanGenerated
        ? generated
            .slice(2)
            .map((h, i) => ({ ...h, ports: generatedPorts(i + 2), portsScanned: true }))
            // every tenth one stays unscanned: the map also shows "not scanned yet"
            .filter((_, i) => (i + 2) % 10 !== 9)
        : []),
    ]),
    t4,
  );

  // findings and risk from the real threat engine, so risk badges, findings and counts agree
  createThreatAssessor({ store, db: store.db, logger: silentLogger }).assess(
    store.devices.all().map((d) => d.mac),
    t4,
  );
  store.devices.update(SEED_MACS.nas, { name: SEED_NAMES.nas, known: true, isNew: false });
  store.devices.update(SEED_MACS.camera, { name: SEED_NAMES.camera });
  store.devices.update(SEED_MACS.printer, {
    name: SEED_NAMES.printer,
    known: true,
    isNew: false,
    watched: true,
  });
  store.devices.update(SEED_MACS.gateway, { known: true, isNew: false });
  store.devices.update(SEED_MACS.hostile, { name: HOSTILE_NAME });

  seedRollups(store, now);
  const deviceCount = store.devices.query({ limit: 1 }).total;
  return {
    dir,
    file,
    store,
    now,
    scanIds: { sweep1, ports1, sweep2, ports2 },
    deviceCount,
    close() {
      try {
        store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * 90 days of trend rollups ending now (days past 7 as day rows, the last week as hours), shaped like a home
 * network: more devices online in the evening, a few new devices now and then, one finding fixed a month ago.
 * Deterministic (no Math.random) so screenshots are comparable.
 */
export function seedRollups(store: Seeded['store'], now: Date, days = 90): void {
  const snap = store.stats.snapshot();
  const known = Math.max(snap.known, 4);
  const nowS = Math.floor(now.getTime() / 1000);
  const wave = (h: number) => 0.55 + 0.35 * Math.sin(((h - 14) / 24) * 2 * Math.PI);
  const rows = [];
  for (let d = days; d >= 8; d--) {
    const start = nowS - (nowS % 86_400) - d * 86_400;
    const k = Math.max(1, Math.round(known * (1 - d / (days * 3))));
    rows.push({
      granularity: 'day' as const,
      start,
      samples: 1440,
      onlineMin: Math.round(k * 0.3),
      onlineMax: Math.round(k * 0.9),
      onlineSum: Math.round(k * 0.6 * 1440),
      onlineLast: Math.round(k * 0.6),
      known: k,
      newDevices: d % 9 === 0 ? 2 : d % 4 === 0 ? 1 : 0,
      openPorts: snap.openPorts + (d > 30 ? 2 : 0),
      findingsLow: snap.findings.low,
      findingsMedium: snap.findings.medium + (d > 30 ? 1 : 0),
      findingsHigh: snap.findings.high,
      findingsCritical: snap.findings.critical,
      riskUnknown: snap.risk.unknown,
      riskNone: snap.risk.none,
      riskLow: snap.risk.low,
      riskMedium: snap.risk.medium,
      riskHigh: snap.risk.high,
      riskCritical: snap.risk.critical,
    });
  }
  store.stats.putDays(rows);
  for (let h = 7 * 24; h >= 0; h--) {
    const at = new Date((nowS - h * 3600) * 1000);
    const online = Math.max(1, Math.round(known * wave(at.getUTCHours())));
    store.stats.record(at, h % 37 === 0 ? 1 : 0, { ...snap, online, known });
  }
}
