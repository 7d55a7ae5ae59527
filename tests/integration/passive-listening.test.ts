/**
 * The passive-listening feature against a real SQLite store: packets go in through the same handlers the
 * sockets and the tcpdump child feed; limits, scope, the install baseline and tcpdump supervision.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import { createPassiveListening, passiveInterfaces } from '../../src/passive/passiveListening.js';
import { TcpdumpArp, tcpdumpArgv } from '../../src/passive/sources.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { dhcpPacket } from '../helpers/dhcpPacket.js';
// @ts-expect-error plain JS module shared with the simulated LAN's announcer
import { buildAnnouncement } from '../lan/mdns-announcer.mjs';

const arp = (mac: string, ip: string) =>
  `17:00:00.000000 ${mac} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.9.0.1 tell ${ip}, length 28`;

describe('passive listening feature', () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  let bus: EventBus;
  const events: string[] = [];

  const start = (limits = {}) =>
    createPassiveListening({
      store,
      bus,
      clock,
      logger: silentLogger,
      scope: () => ({ targets: ['10.9.0.0/24'], exclude: ['10.9.0.200/29'] }),
      considerHome: 180,
      interfaces: [{ iface: 'eth0', address: '10.9.0.2', mac: '02:13:00:00:09:02' }],
      sources: [], // no sockets: packets are injected through handle
      limits,
    });

  const baselineSweep = (macs: string[]) => {
    const at = clock.now();
    const id = store.scans.start('sweep', ['10.9.0.0/24'], 'test', null, at);
    ingestSweep(
      store,
      id,
      {
        kind: 'sweep',
        targets: ['10.9.0.0/24'],
        startedAt: at,
        finishedAt: at,
        hosts: macs.map((mac, i) => ({
          ip: `10.9.0.${10 + i}`,
          mac,
          hostnames: [],
          status: 'up' as const,
          ports: [],
          portsScanned: false,
        })),
        hostsUp: macs.length,
        hostsTotal: 256,
      },
      { now: at, considerHome: 180, lookupVendor },
    );
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-passive-'));
    store = openStore(join(dir, 'db.sqlite'), silentLogger);
    store.install.initialize();
    clock = new ManualClock(Date.parse('2026-12-03T17:00:00Z'));
    bus = new EventBus();
    events.length = 0;
    bus.on('change', (c) => {
      events.push(`${c.type} ${c.mac}`);
    });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the install baseline: sightings before the first sweep create nothing', async () => {
    const p = start();
    p.handle.dhcp(dhcpPacket({ mac: '7a:00:00:00:00:01', hostname: 'early' }));
    expect(store.devices.all()).toHaveLength(0);
    expect(store.install.baselinePending()).toBe(true);
    await p.stop();
  });

  it('DHCP: new device at once with option 12 as name and the fingerprint kept; ARP: home again at once', async () => {
    baselineSweep(['b8:27:eb:00:00:01']);
    const p = start();
    p.handle.dhcp(
      dhcpPacket({
        mac: '7a:00:00:00:00:02',
        type: 1,
        hostname: 'Pixel-8',
        params: [1, 3, 6, 15],
        clientId: Buffer.from('ff0001', 'hex'),
      }),
    );
    const d = store.devices.get('7a:00:00:00:00:02');
    expect(d?.hostname).toBe('Pixel-8');
    expect(d?.presence).toBe('home');
    expect(events).toEqual(['new_device 7a:00:00:00:00:02']);
    expect(store.identity.get('7a:00:00:00:00:02')).toMatchObject({
      dhcpHostname: 'Pixel-8',
      dhcpParams: [1, 3, 6, 15],
      dhcpClientId: 'ff0001',
      dhcpFingerprint: '1,3,6,15|pixel-8|ff0001',
      heardVia: 'dhcp',
    });
    // the baseline device goes away (two missed sweeps, consider_home passed), then talks: home at once
    store.devices.update('b8:27:eb:00:00:01', {});
    const pi = store.devices.get('b8:27:eb:00:00:01')!;
    store.devices.upsertMany([{ ...pi, presence: 'not_home', online: false, missedSweeps: 2 }]);
    clock.advance(60_000);
    p.handle.arp(arp('b8:27:eb:00:00:01', '10.9.0.10'));
    expect(store.devices.get('b8:27:eb:00:00:01')?.presence).toBe('home');
    expect(events).toContain('device_online b8:27:eb:00:00:01');
    expect(store.history.presenceTimeline('b8:27:eb:00:00:01').at(-1)?.presence).toBe('home');
    await p.stop();
  });

  it('mDNS names attach by source IP (learned from ARP); unattributable announcements are dropped', async () => {
    baselineSweep(['b8:27:eb:00:00:01']);
    const p = start();
    p.handle.arp(arp('f4:f5:d8:00:00:09', '10.9.0.80'));
    p.handle.mdns(
      buildAnnouncement({ host: 'tv', ip: '10.9.0.80', service: '_googlecast._tcp', instance: 'TV' }),
      '10.9.0.80',
    );
    expect(store.devices.get('f4:f5:d8:00:00:09')?.hostname).toBe('tv');
    expect(store.identity.get('f4:f5:d8:00:00:09')?.mdnsServices).toEqual(['_googlecast._tcp']);
    p.handle.mdns(buildAnnouncement({ host: 'ghost', ip: '10.9.0.81' }), '10.9.0.81');
    expect(p.stats().dropped.unattributed).toBe(1);
    await p.stop();
  });

  it('scope: addresses outside the swept networks or inside an exclude, and the host itself, are not sightings', async () => {
    baselineSweep(['b8:27:eb:00:00:01']);
    const p = start();
    p.handle.arp(arp('02:42:ac:11:00:02', '172.30.32.5')); // a container bridge
    p.handle.arp(arp('24:0a:c4:00:00:01', '10.9.0.201')); // excluded
    p.handle.arp(arp('02:13:00:00:09:02', '10.9.0.2')); // our own MAC
    expect(store.devices.all().map((d) => d.mac)).toEqual(['b8:27:eb:00:00:01']);
    expect(p.stats().dropped.outOfScope).toBe(2);
    await p.stop();
  });

  it('a MAC flood creates at most newPerMinute devices; the rest wait; one MAC is written once per refresh', async () => {
    baselineSweep(['b8:27:eb:00:00:01']);
    const p = start({ newPerMinute: 5, perSecond: 10_000, burst: 10_000 });
    for (let i = 0; i < 500; i++)
      p.handle.arp(
        arp(
          `7a:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
          '10.9.0.50',
        ),
      );
    expect(store.devices.all()).toHaveLength(1 + 5);
    expect(p.stats().dropped.newDeviceLimit).toBe(495);
    let updates = 0;
    bus.on('device:updated', () => {
      updates++;
    });
    for (let i = 0; i < 100; i++) p.handle.arp(arp('b8:27:eb:00:00:01', '10.9.0.10'));
    expect(updates).toBeLessThanOrEqual(1);
    clock.advance(16_000);
    p.handle.arp(arp('b8:27:eb:00:00:01', '10.9.0.10'));
    expect(updates).toBeLessThanOrEqual(2);
    await p.stop();
  });

  it('the global packet rate is bounded; hostile packets are counted as malformed, nothing is stored', async () => {
    baselineSweep(['b8:27:eb:00:00:01']);
    const p = start({ perSecond: 50, burst: 50 });
    for (let i = 0; i < 1000; i++) p.handle.dhcp(Buffer.from(`garbage ${i}`.repeat(40)));
    const s = p.stats();
    expect(s.packets.dhcp).toBe(1000);
    expect(s.dropped.rate).toBe(950);
    expect(s.dropped.malformed).toBe(50);
    expect(store.devices.all()).toHaveLength(1);
    await p.stop();
  });

  it('interfaces: only those whose network overlaps a swept target', () => {
    const det = [
      { iface: 'eth0', cidr: '192.168.1.0/24', address: '192.168.1.5' },
      { iface: 'hassio', cidr: '172.30.32.0/23', address: '172.30.32.1' },
    ];
    expect(passiveInterfaces(det, ['192.168.1.0/25'], () => 'aa:bb:cc:00:00:01')).toEqual([
      { iface: 'eth0', address: '192.168.1.5', mac: 'aa:bb:cc:00:00:01' },
    ]);
  });
});

describe('tcpdump child', () => {
  it('argv: line-buffered, link header, no lookups, inbound only, the filter after "--"', () => {
    expect(tcpdumpArgv('eth0')).toEqual(['-l', '-e', '-n', '-Q', 'in', '-i', 'eth0', '--', 'arp']);
  });

  it('a child that dies is restarted with a growing delay, and close() stops it for good', async () => {
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    const t = new TcpdumpArp({
      tcpdumpPath: '/bin/false',
      iface: 'eth0',
      onLine: () => undefined,
      log,
      baseDelayMs: 50,
      maxDelayMs: 200,
    });
    t.start();
    await new Promise((r) => setTimeout(r, 900));
    await t.close();
    const n = t.restarts;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(10); // 50, 100, 200, 200 … ms: not a busy loop
    expect(warnings[0]).toMatch(/tcpdump on eth0 ended \(code 1\); restarting in 0 s/);
    await new Promise((r) => setTimeout(r, 400));
    expect(t.restarts).toBe(n);
  });

  it('lines are handed on one by one; an overlong line is dropped, not buffered without bound', async () => {
    const lines: string[] = [];
    const t = new TcpdumpArp({
      tcpdumpPath: process.execPath,
      iface: 'eth0',
      onLine: (l) => void lines.push(l),
      log: silentLogger,
      baseDelayMs: 10_000,
      // the real child's argv is tcpdump's; this stand-in prints a line, a 100 kB line in pieces, a line
      spawnFn: ((cmd: string, _args: string[], opts: object) =>
        spawn(
          cmd,
          [
            '-e',
            "const w=(s)=>process.stdout.write(s);w('a\\n'+'x'.repeat(3000));setTimeout(()=>{w('x'.repeat(100));setTimeout(()=>w('\\nb\\n'),100)},100)",
          ],
          opts,
        )) as never,
    });
    t.start();
    await new Promise((r) => setTimeout(r, 1500));
    await t.close();
    expect(lines).toEqual(['a', 'b']);
  });
});
