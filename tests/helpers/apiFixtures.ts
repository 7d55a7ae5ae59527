/**
 * API test harness: a temp-file SQLite store seeded through the store's public API, real KeysRepo/AuditRepo,
 * a real EventBus, a recording fake scanner, and `buildApp`. Callers must `await h.close()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import type { ApiConfig, ApiDeps, ApiScanner, ScanRequestResult } from '../../src/api/deps.js';
import { SessionAuth } from '../../src/api/session.js';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import type { ScanHost, ScanPort, ScanResult } from '../../src/scan/types.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';

export const MACS = {
  gateway: 'b8:27:eb:00:00:01',
  nas: '00:11:32:aa:bb:01',
  camera: '24:0a:c4:12:34:56',
  hostile: 'b8:27:eb:66:66:66',
} as const;
export const HOSTILE = '<img src=x onerror=alert(1)>';

/** Records requests; with a store it also records each request as a queued scan (as the coordinator does). */
export class RecordingScanner implements ApiScanner {
  calls: Array<{ kind: string; mac?: string; reason: string }> = [];
  running = false;
  constructor(private readonly store?: Store) {}
  private record(kind: 'sweep' | 'ports', reason: string, targets: string[]): ScanRequestResult {
    const scanId = this.store?.scans.request({
      kind,
      reason,
      targets,
      batches: [targets],
      hostsTotal: kind === 'sweep' ? 256 : targets.length,
      requestedAt: new Date(),
    });
    return { queued: true, coalesced: false, position: 1, ...(scanId !== undefined ? { scanId } : {}) };
  }
  requestSweep(reason: string): ScanRequestResult {
    this.calls.push({ kind: 'sweep', reason });
    return this.record('sweep', reason, ['10.213.0.0/24']);
  }
  requestPortScanAll(reason: string): ScanRequestResult {
    this.calls.push({ kind: 'ports', reason });
    return this.record('ports', reason, ['10.213.0.10', '10.213.0.20']);
  }
  requestDeviceScan(mac: string, reason: string): ScanRequestResult {
    this.calls.push({ kind: 'device', mac, reason });
    return this.record('ports', reason, [this.store?.devices.get(mac)?.ip ?? '10.213.0.10']);
  }
  status() {
    return { running: this.running, kind: this.running ? 'sweep' : null, queue: 0 };
  }
}

function tcp(port: number, name: string, product?: string, version?: string): ScanPort {
  return { protocol: 'tcp', port, state: 'open', service: { name, product, version, cpe: [] } };
}
export function host(
  ip: string,
  mac: string,
  hostname?: string,
  ports: ScanPort[] = [],
  scanned = false,
): ScanHost {
  return { ip, mac, hostnames: hostname ? [hostname] : [], status: 'up', ports, portsScanned: scanned };
}
export function result(kind: 'sweep' | 'ports', at: Date, hosts: ScanHost[]): ScanResult {
  return {
    kind,
    targets: ['10.213.0.0/24'],
    startedAt: at,
    finishedAt: new Date(at.getTime() + 3000),
    hosts,
    hostsUp: hosts.length,
    hostsTotal: 256,
  };
}

export interface SeedIds {
  sweep1: number;
  ports1: number;
  ports2: number;
}

/** Two sweeps and two port scans; the second port scan opens 445 on the NAS and changes its SSH version. */
export function seed(store: Store, now: Date, extra = 0): SeedIds {
  const at = (min: number) => new Date(now.getTime() - min * 60_000);
  const ctx = (t: Date) => ({ now: t, considerHome: 180, gatewayIp: '10.213.0.1', lookupVendor: () => null });
  const base = [
    host('10.213.0.1', MACS.gateway, 'router.lan'),
    host('10.213.0.10', MACS.nas, 'nas.lan'),
    host('10.213.0.20', MACS.camera, 'espcam'),
    host('10.213.0.66', MACS.hostile, 'evil.lan'),
  ];
  const gen = Array.from({ length: extra }, (_, i) =>
    host(
      `10.213.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
      `3c:5a:b4:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
      i % 2 ? `host-${i}.lan` : undefined,
    ),
  );
  const t1 = at(120);
  const sweep1 = store.scans.start('sweep', ['10.213.0.0/24'], 'schedule', null, t1);
  ingestSweep(store, sweep1, result('sweep', t1, [...base, ...gen]), ctx(t1));
  if (extra > 0) {
    // ports for generated devices so list pages carry realistic port arrays
    store.transaction(() => {
      gen.forEach((h, i) => {
        store.devices.setPorts(
          h.mac!,
          [22, 80, 443].slice(0, 1 + (i % 3)).map((port) => ({
            protocol: 'tcp' as const,
            port,
            service: 'svc',
            cpe: [],
            firstSeen: t1.toISOString(),
            lastSeen: t1.toISOString(),
          })),
        );
      });
    });
  }
  const t2 = at(100);
  const ports1 = store.scans.start('ports', ['10.213.0.10', '10.213.0.20'], 'schedule', null, t2);
  ingestPortScan(
    store,
    ports1,
    result('ports', t2, [
      host(
        '10.213.0.10',
        MACS.nas,
        'nas.lan',
        [tcp(22, 'ssh', 'OpenSSH', '8.9p1'), tcp(80, 'http', 'nginx')],
        true,
      ),
      host('10.213.0.20', MACS.camera, 'espcam', [tcp(23, 'telnet', 'BusyBox telnetd')], true),
    ]),
    t2,
  );
  const t3 = at(50);
  const ports2 = store.scans.start('ports', ['10.213.0.10', '10.213.0.20'], 'ui', null, t3);
  ingestPortScan(
    store,
    ports2,
    result('ports', t3, [
      host(
        '10.213.0.10',
        MACS.nas,
        'nas.lan',
        [
          tcp(22, 'ssh', 'OpenSSH', '9.6p1'),
          tcp(80, 'http', 'nginx'),
          tcp(445, 'microsoft-ds', 'Samba smbd'),
        ],
        true,
      ),
      host('10.213.0.20', MACS.camera, 'espcam', [tcp(23, 'telnet', 'BusyBox telnetd')], true),
    ]),
    t3,
  );
  store.devices.update(MACS.nas, { name: 'NAS', known: true, isNew: false });
  store.devices.update(MACS.hostile, { name: HOSTILE });
  return { sweep1, ports1, ports2 };
}

/** The harness's CLI token (what the service would write to <data_dir>/cli-token). */
export const CLI_TOKEN = `lst_${'c'.repeat(43)}`;

export interface Harness {
  app: FastifyInstance;
  sessions: SessionAuth;
  store: Store;
  keys: KeysRepo;
  audit: AuditRepo;
  bus: EventBus;
  scanner: RecordingScanner;
  clock: ManualClock;
  ids: SeedIds;
  deps: ApiDeps;
  dir: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<ApiConfig>;
  extraDevices?: number;
  uiDir?: string;
  deps?: Partial<ApiDeps>;
}

export async function makeHarness(o: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'lsn-api-'));
  const store = openStore(join(dir, 'lan-sentinel.db'), silentLogger);
  const clock = new ManualClock(Date.now());
  const ids = seed(store, clock.now(), o.extraDevices ?? 0);
  const keys = new KeysRepo(store.db, clock);
  const audit = new AuditRepo(store.db, clock);
  const bus = new EventBus(() => {});
  const scanner = new RecordingScanner(store);
  const sessions = new SessionAuth(() => clock.now().getTime());
  const deps: ApiDeps = {
    store,
    keys,
    audit,
    sessions,
    cliToken: CLI_TOKEN,
    bus,
    scanner,
    config: {
      mode: 'standalone',
      requireApiKey: false,
      settingsSummary: { sweep_interval: 60, subnets: ['10.213.0.0/24'] },
      ...o.config,
    },
    logger: silentLogger,
    clock,
    version: '0.1.0-test',
    ...(o.uiDir ? { uiDir: o.uiDir } : {}),
    ...o.deps,
  };
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    sessions,
    store,
    keys,
    audit,
    bus,
    scanner,
    clock,
    ids,
    deps,
    dir,
    async close() {
      await app.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** inject() defaults: a LAN peer. */
export const LAN_PEER = '192.168.1.50';
export const INGRESS = {
  remoteAddress: '172.30.32.2',
  headers: { 'x-ingress-path': '/api/hassio_ingress/abc' },
};
