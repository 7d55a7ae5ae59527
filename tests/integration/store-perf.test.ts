/** Volume tests on a real temp-file SQLite. Timings and sizes are reported, never asserted. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { newDevice } from '../../src/inventory/sweep.js';
import type { Device, DevicePort } from '../../src/inventory/types.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import type { ScanHost } from '../../src/scan/types.js';
import type { DeviceQuery } from '../../src/store/devicesRepo.js';
import { pruneHistory, vacuum } from '../../src/store/retention.js';
import { openStore } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';
import type { RiskLevel } from '../../src/vocabulary.js';

const dir = mkdtempSync(join(tmpdir(), 'lsn-store-perf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-03-01T00:00:00Z');
const OUIS = ['b8:27:eb', 'dc:a6:32', '24:0a:c4', 'f0:b3:ec', '00:11:32', 'da:a1:19'];
const VENDORS = [
  'Raspberry Pi Foundation',
  'Raspberry Pi Trading Ltd',
  'Espressif Inc.',
  'Apple, Inc.',
  'Synology Incorporated',
  null,
];
const RISKS: RiskLevel[] = ['none', 'none', 'none', 'low', 'medium', 'high', 'critical'];
const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
const fileSize = (f: string) =>
  statSync(f).size + (statSync(`${f}-wal`, { throwIfNoEntry: false })?.size ?? 0);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p99: q(0.99), max: s[s.length - 1]! };
}

describe('store volume', () => {
  it('query/sort/filter/paging over 5,000 devices with 10 ports each', () => {
    const file = join(dir, 'devices.db');
    const store = openStore(file, silentLogger);
    const devices: Device[] = [];
    for (let i = 0; i < 5000; i++) {
      const k = i % OUIS.length;
      const mac = `${OUIS[k]}:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`;
      const d = newDevice(
        mac,
        `10.213.${(i >> 8) & 0xff}.${i & 0xff}`,
        i % 3 ? `host-${i}.lan` : null,
        VENDORS[k] ?? null,
        new Date(T0 + i * 1000).toISOString(),
      );
      d.name = i % 10 === 0 ? `Named ${i}` : null;
      d.online = i % 2 === 0;
      d.known = i % 4 === 0;
      d.ignored = i % 50 === 0;
      d.isNew = i % 7 === 0;
      d.risk = RISKS[i % RISKS.length]!;
      d.riskScore = (i * 37) % 101;
      d.lastSeen = new Date(T0 + ((i * 7919) % 5000) * 1000).toISOString();
      devices.push(d);
    }
    let t = performance.now();
    store.transaction(() => {
      store.devices.upsertMany(devices);
      for (const d of devices) {
        const ports: DevicePort[] = Array.from({ length: 10 }, (_, j) => ({
          protocol: 'tcp',
          port: 20 + j * 100,
          service: 'svc',
          product: 'Prod',
          version: `${j}.0`,
          cpe: [`cpe:/a:x:prod:${j}.0`],
          firstSeen: d.firstSeen,
          lastSeen: d.lastSeen,
        }));
        store.devices.setPorts(d.mac, ports);
      }
    });
    const insertMs = performance.now() - t;

    const cases: Array<[string, DeviceQuery]> = [
      ['default (name asc, page 1)', { limit: 100 }],
      ['ip asc, offset 2500', { sort: 'ip', limit: 100, offset: 2500 }],
      ['ip desc', { sort: 'ip', order: 'desc', limit: 100 }],
      ['last_seen desc', { sort: 'last_seen', order: 'desc', limit: 100 }],
      ['risk desc, filter risky', { sort: 'risk', order: 'desc', filter: 'risky', limit: 100 }],
      ['filter online, vendor sort', { filter: 'online', sort: 'vendor', limit: 100, offset: 1000 }],
      ['search "host-12"', { search: 'host-12', limit: 100 }],
      ['search MAC fragment "b827eb00"', { search: 'b827eb00', limit: 100 }],
      ['vendor = Espressif', { vendor: 'espressif inc.', limit: 100 }],
    ];
    const report: Record<string, unknown> = { insert5000WithPortsMs: Math.round(insertMs) };
    for (const [name, q] of cases) {
      const samples: number[] = [];
      let page = store.devices.query(q);
      for (let r = 0; r < 30; r++) {
        t = performance.now();
        page = store.devices.query(q);
        samples.push(performance.now() - t);
      }
      const s = stats(samples);
      report[name] = `total ${page.total}, median ${s.median.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`;
      expect(page.items.length).toBe(Math.min(q.limit ?? 100, Math.max(0, page.total - (q.offset ?? 0))));
      if (page.items.length) expect(page.items[0]!.ports).toHaveLength(10);
    }
    // correctness spot checks
    const byIp = store.devices.query({ sort: 'ip', limit: 3 }).items.map((d) => d.ip);
    expect(byIp).toEqual(['10.213.0.0', '10.213.0.1', '10.213.0.2']);
    const ipPage = store.devices.query({ sort: 'ip', limit: 2, offset: 256 }).items.map((d) => d.ip);
    expect(ipPage).toEqual(['10.213.1.0', '10.213.1.1']); // numeric, not text order
    expect(store.devices.query({ filter: 'online' }).total).toBe(2500);
    expect(store.devices.query({ filter: 'ignored' }).total).toBe(100);
    expect(store.devices.query({ vendor: 'ESPRESSIF INC.' }).total).toBe(Math.ceil((5000 - 2) / 6));
    const risky = store.devices.query({ sort: 'risk', order: 'desc', filter: 'risky', limit: 1000 }).items;
    expect(risky.every((d) => ['medium', 'high', 'critical'].includes(d.risk))).toBe(true);
    expect(risky.map((d) => d.riskScore)).toEqual([...risky.map((d) => d.riskScore)].sort((a, b) => b - a));
    t = performance.now();
    const all = store.devices.all();
    report.allWithPortsMs = Math.round(performance.now() - t);
    expect(all).toHaveLength(5000);
    t = performance.now();
    store.devices.counts();
    report.countsMs = (performance.now() - t).toFixed(2);
    console.log('5,000-device query timings', report);
    store.close();
  }, 120_000);

  it('recordSweep of a 5,000-host sweep: first (all new) and second (all known)', () => {
    const file = join(dir, 'big-sweep.db');
    const store = openStore(file, silentLogger);
    const hosts: ScanHost[] = Array.from({ length: 5000 }, (_, i) => ({
      ip: `10.213.${(i >> 8) & 0xff}.${i & 0xff}`,
      mac: `${OUIS[i % 5]}:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`,
      hostnames: [`h${i}.lan`],
      status: 'up' as const,
      ports: [],
      portsScanned: false,
    }));
    const report: Record<string, string> = {};
    for (const [label, s] of [
      ['first sweep (5,000 new devices)', 0],
      ['second sweep (5,000 known, unchanged)', 60],
    ] as const) {
      const now = new Date(T0 + s * 1000);
      const t = performance.now();
      const id = store.scans.start('sweep', ['10.213.0.0/16'], 'bench', null, now);
      const r = ingestSweep(
        store,
        id,
        {
          kind: 'sweep',
          targets: ['10.213.0.0/16'],
          startedAt: now,
          finishedAt: now,
          hosts,
          hostsUp: 5000,
          hostsTotal: 65536,
        },
        { now, considerHome: 180, lookupVendor },
      );
      report[label] =
        `${(performance.now() - t).toFixed(0)} ms, ${r.changes.length} changes, ${r.devices.length} devices written`;
    }
    expect(store.devices.counts().total).toBe(5000);
    console.log('5,000-host recordSweep', report);
    store.close();
  }, 120_000);

  it('1,000 sweeps of 50 hosts (every 15 min), then retention to 7 days', () => {
    const file = join(dir, 'sweeps.db');
    const store = openStore(file, silentLogger);
    const ms: number[] = [];
    let changes = 0;
    const macs = new Set<string>();
    for (let n = 0; n < 1000; n++) {
      const now = new Date(T0 + n * 15 * 60_000);
      const hosts: ScanHost[] = [];
      for (let i = 0; i < 60; i++) {
        // 45 stable devices, 15 that come and go, a few change IP
        if (i >= 45 && (n + i) % 5 === 0) continue;
        if (hosts.length >= 50) break;
        const ipLast = i < 40 ? 10 + i : 10 + i + ((n >> 4) % 3) * 60;
        macs.add(`${OUIS[i % 5]}:00:00:${hex2(i)}`);
        hosts.push({
          ip: `10.213.8.${ipLast}`,
          mac: `${OUIS[i % 5]}:00:00:${hex2(i)}`,
          hostnames: [`dev-${i}.lan`],
          status: 'up',
          ports: [],
          portsScanned: false,
        });
      }
      const t = performance.now();
      const id = store.scans.start('sweep', ['10.213.8.0/24'], 'schedule', null, now);
      const r = ingestSweep(
        store,
        id,
        {
          kind: 'sweep',
          targets: ['10.213.8.0/24'],
          startedAt: now,
          finishedAt: now,
          hosts,
          hostsUp: hosts.length,
          hostsTotal: 256,
        },
        { now, considerHome: 180, lookupVendor },
      );
      ms.push(performance.now() - t);
      changes += r.changes.length;
    }
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const sizeBefore = fileSize(file);
    const rows = (table: string) =>
      (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const before = {
      scans: rows('scans'),
      scanHosts: rows('scan_hosts'),
      changes: rows('changes'),
      presence: rows('presence_history'),
    };
    const end = new Date(T0 + 999 * 15 * 60_000);
    const pruned = pruneHistory(store.db, { olderThanDays: 7, now: end });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const sizeAfterPrune = fileSize(file);
    vacuum(store.db);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const sizeAfterVacuum = fileSize(file);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(rows('scans')).toBe(1000 - pruned.scans);
    expect(rows('scan_hosts')).toBe(before.scanHosts - pruned.scanHosts);
    expect(store.devices.all()).toHaveLength(macs.size);
    const s = stats(ms);
    console.log('1,000 sweeps × 50 hosts', {
      recordSweepMs: `median ${s.median.toFixed(2)}, p99 ${s.p99.toFixed(2)}, max ${s.max.toFixed(2)}`,
      changes,
      rowsBefore: before,
      pruned,
      sizeBeforeKiB: Math.round(sizeBefore / 1024),
      sizeAfterPruneKiB: Math.round(sizeAfterPrune / 1024),
      sizeAfterVacuumKiB: Math.round(sizeAfterVacuum / 1024),
    });
    store.close();
  }, 180_000);
});
