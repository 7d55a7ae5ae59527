/**
 * Departure within consider_home + one sweep interval (DESIGN §14) with the multi-probe confirmation of §15:
 * the real ScanCoordinator over a real SQLite file, the fake nmap answering sweeps from a hosts file (the
 * simulated LAN changes between sweeps), a manual clock (sweep every 15 s, consider_home 20 s) and the
 * confirmation probes injected (each call recorded with the sweep count at that moment). A device that
 * missed one sweep and would be away at the next is probed in the interval between, so the sweep that
 * decides starts no probe round of its own; one that answered those probes stays home.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanHost } from '../../src/scan/types.js';
import type { ProbeRun } from '../../src/service/awayConfirmer.js';
import { ScanCoordinator } from '../../src/service/scanCoordinator.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';

const FAKE = join(import.meta.dirname, '../fixtures/bin/nmap');
const ROUTER = { ip: '10.213.9.1', mac: '78:8a:20:10:00:01' };
const LAPTOP = { ip: '10.213.9.20', mac: '00:11:32:00:00:20' };
const PHONE = { ip: '10.213.9.30', mac: 'f0:18:98:00:00:30' };

let dir: string;
let hostsFile: string;
let store: Store;
let coordinator: ScanCoordinator;
const clock = new ManualClock(Date.parse('2026-12-04T12:00:00Z'));
let sweeps = 0;
/** every probe run: the sweeps started before it (so during sweep n, or after it: n), and its targets */
const probes: Array<{ sweeps: number; method: 'arp' | 'ip'; ips: string[] }> = [];
/** IPs that answer the IP probe (a dozing phone's TCP SYN), as nmap reports them */
const answering = new Set<string>();

const lan = (...hosts: Array<{ ip: string; mac: string }>) =>
  writeFileSync(hostsFile, JSON.stringify(Object.fromEntries(hosts.map((h) => [h.ip, h.mac]))));
const sweep = async () => {
  coordinator.requestSweep('schedule');
  await coordinator.whenIdle();
};
/** until the probe rounds started after the last sweep are done (they run in the background) */
const probesSettle = async () => {
  let n = -1;
  for (let i = 0; i < 100 && n !== probes.length; i++) {
    n = probes.length;
    await new Promise((r) => setTimeout(r, 30));
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-depart-'));
  hostsFile = join(dir, 'hosts.json');
  lan(ROUTER, LAPTOP, PHONE);
  Object.assign(process.env, {
    FAKE_NMAP_MODE: 'hosts',
    FAKE_NMAP_HOSTS_FILE: hostsFile,
    FAKE_NMAP_STEP_MS: '1',
  });
  store = openStore(join(dir, 'db.sqlite'), silentLogger);
  const bus = new EventBus(() => {});
  bus.on('scan:started', (e) => {
    if (e.kind === 'sweep') sweeps++;
  });
  const probeRun: ProbeRun = async (argv, ips) => {
    const method = argv.includes('-PR') ? 'arp' : 'ip';
    probes.push({ sweeps, method, ips });
    const mac = (ip: string) => [LAPTOP, PHONE].find((h) => h.ip === ip)?.mac;
    return method === 'ip'
      ? ips
          .filter((ip) => answering.has(ip))
          .map(
            (ip): ScanHost => ({
              ip,
              mac: mac(ip) as string,
              hostnames: [],
              status: 'up',
              reason: 'syn-ack',
              ports: [],
              portsScanned: false,
            }),
          )
      : [];
  };
  coordinator = new ScanCoordinator({
    store,
    bus,
    clock,
    logger: silentLogger,
    targets: () => ({ targets: ['10.213.9.0/24'], exclude: [], attached: true }),
    settings: {
      nmapPath: FAKE,
      privileged: true,
      considerHome: 20,
      sweepIntervalSec: 15,
      confirmRounds: 3,
      confirmPauseMs: 0,
      portProfile: 'custom',
      ports: ['22'],
      sweepTimeoutMs: 10_000,
      hostTimeoutSec: 5,
      portScanPauseMs: 0,
      portScanBatch: 8,
      dnsTimeoutMs: 100,
      gatewayIp: () => ROUTER.ip,
      scanNewDevices: false,
    },
    resolver: async () => [],
    probeRun,
  });
  await sweep(); // the install baseline (and its first-start port scan)
  expect(store.devices.get(LAPTOP.mac)?.presence).toBe('home');
});

afterAll(async () => {
  await coordinator.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('departure: the confirmation probes run between the missed sweep and the one that decides', () => {
  it('a device that left is away at the second missed sweep, which starts no probe round of its own', async () => {
    lan(ROUTER, PHONE);
    clock.advance(15_000);
    await sweep(); // missed once: 15 s < consider_home, still home; the next sweep would make it away
    expect(store.devices.get(LAPTOP.mac)).toMatchObject({ presence: 'home', online: false, missedSweeps: 1 });
    await probesSettle();
    const ahead = probes.filter((p) => p.ips.includes(LAPTOP.ip));
    // 3 rounds of ARP then IP, all after the sweep that missed it (2 sweeps done), none before
    expect(ahead.map((p) => [p.sweeps, p.method])).toEqual([
      [2, 'arp'],
      [2, 'ip'],
      [2, 'arp'],
      [2, 'ip'],
      [2, 'arp'],
      [2, 'ip'],
    ]);
    const before = probes.length;
    clock.advance(15_000);
    await sweep();
    const d = store.devices.get(LAPTOP.mac);
    expect(d?.presence).toBe('not_home');
    expect(d?.presenceReason).toMatch(/no answer to the sweep nor to 3 probe rounds \(ARP, ICMP echo/);
    // the deciding sweep used the rounds already run: no probe of the laptop during it
    expect(probes.slice(before).filter((p) => p.ips.includes(LAPTOP.ip))).toEqual([]);
    expect(store.changes.list({ type: 'device_offline', mac: LAPTOP.mac, limit: 10 }).total).toBe(1);
  });

  it('a dozing phone that answered a probe between the sweeps stays home, the probe as its reason', async () => {
    // the phone misses a sweep, answers the IP probe of the second round, misses the next sweep too
    lan(ROUTER);
    answering.add(PHONE.ip);
    clock.advance(15_000);
    await sweep();
    await probesSettle();
    expect(store.devices.get(PHONE.mac)).toMatchObject({ presence: 'home', missedSweeps: 1 });
    const ahead = probes.filter((p) => p.ips.includes(PHONE.ip));
    expect(ahead.length).toBe(2); // round 1: ARP unanswered, then the IP probe answered
    answering.clear();
    const before = probes.length;
    clock.advance(15_000);
    await sweep();
    const d = store.devices.get(PHONE.mac);
    expect(d).toMatchObject({ presence: 'home', presenceReason: 'probe: syn-ack' });
    expect(probes.slice(before).filter((p) => p.ips.includes(PHONE.ip))).toEqual([]);
    expect(store.changes.list({ type: 'device_offline', mac: PHONE.mac, limit: 10 }).total).toBe(0);
  });

  it('a device seen again and then gone is probed afresh after its new miss', async () => {
    // the phone is back (seen), then misses two sweeps: the rounds after its new first miss decide
    lan(ROUTER, PHONE);
    clock.advance(15_000);
    await sweep();
    expect(store.devices.get(PHONE.mac)).toMatchObject({ presence: 'home', online: true, missedSweeps: 0 });
    lan(ROUTER);
    clock.advance(15_000);
    await sweep();
    await probesSettle();
    const afterMiss = probes.filter((p) => p.ips.includes(PHONE.ip) && p.sweeps === sweeps).length;
    expect(afterMiss).toBe(6); // silent to all 3 rounds this time
    clock.advance(15_000);
    await sweep();
    expect(store.devices.get(PHONE.mac)?.presence).toBe('not_home');
    expect(store.changes.list({ type: 'device_offline', mac: PHONE.mac, limit: 10 }).total).toBe(1);
  });
});
