/**
 * Identity by IP (DESIGN §15) in the store, real SQLite file: a MAC-less host on a routed target becomes a device
 * keyed `ip_<a>_<b>_<c>_<d>`; MAC-less hosts on attached networks, or where another scanner's device holds the
 * address, never do; when a MAC is learned for the address the IP device becomes (re-keyed) or joins (merged)
 * the MAC's device, keeping its history, ports and changes; the key never becomes a further MAC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ipKey } from '../../src/inventory/deviceKey.js';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import { routedAddressTest } from '../../src/scan/targets.js';
import type { ScanHost } from '../../src/scan/types.js';
import { openStore, type Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
let store: Store;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const LAN = '10.213.1.0/24';
const ROUTED = '10.213.2.0/24';
const PI = 'b8:27:eb:00:00:01';
const ESP = '24:0a:c4:00:00:07';
const identifyByIp = routedAddressTest([ROUTED]) ?? undefined;
const ctx = (s: number, routed = true) => ({
  now: at(s),
  considerHome: 10,
  lookupVendor,
  ...(routed && identifyByIp ? { identifyByIp } : {}),
});
const sweep = (hosts: ScanHost[], s: number, opts: { routed?: boolean; agent?: string | null } = {}) => {
  const id = store.scans.start('sweep', [LAN, ROUTED], 'schedule', null, at(s));
  return ingestSweep(
    store,
    id,
    {
      kind: 'sweep',
      targets: [LAN, ROUTED],
      startedAt: at(s),
      finishedAt: at(s + 1),
      hosts,
      hostsUp: hosts.length,
      hostsTotal: 512,
      args: 'nmap -n -sn -PE -- 10.213.1.0/24 10.213.2.0/24',
    },
    ctx(s + 1, opts.routed ?? true),
    0,
    opts.agent ?? null,
  );
};
const up = (ip: string, mac?: string): ScanHost => ({
  ip,
  ...(mac ? { mac } : {}),
  hostnames: [],
  status: 'up',
  reason: mac ? 'arp-response' : 'echo-reply',
  ports: [],
  portsScanned: false,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-store-ipid-'));
  store = openStore(join(dir, 'lan.db'), silentLogger);
  sweep([up('10.213.1.10', PI)], 0); // the install baseline
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a MAC-less host on a routed target becomes a device identified by its IP; the next sweep finds the same one', () => {
  const r = sweep([up('10.213.1.10', PI), up('10.213.2.7')], 10);
  const key = ipKey('10.213.2.7');
  expect(key).toBe('ip_10_213_2_7');
  expect(r.changes.map((c) => [c.type, c.mac])).toEqual([['new_device', key]]);
  expect(r.changes[0]?.message).toBe('New device on your network: 10.213.2.7 (identified by IP)');
  const d = store.devices.get(key);
  expect(d).toMatchObject({ ip: '10.213.2.7', vendor: null, randomized: false, presence: 'home' });
  expect(r.skipped).toEqual([]);
  const again = sweep([up('10.213.1.10', PI), up('10.213.2.7')], 20);
  expect(again.changes).toEqual([]);
  expect(
    store.devices
      .all()
      .map((x) => x.mac)
      .sort(),
  ).toEqual([PI, key].sort());
  // it goes away like any device (consider_home 10 s, two missed sweeps)
  sweep([up('10.213.1.10', PI)], 40);
  const gone = sweep([up('10.213.1.10', PI)], 60);
  expect(gone.changes.map((c) => [c.type, c.mac])).toEqual([['device_offline', key]]);
});

it('never on an attached network, and never where another scanner already has a device at that address', () => {
  // attached (no routed targets in the sweep context): MAC-less hosts are skipped as before
  const attached = sweep([up('10.213.1.10', PI), up('10.213.1.20')], 10, { routed: false });
  expect(attached.changes).toEqual([]);
  expect(attached.skipped).toEqual([{ ip: '10.213.1.20', reason: 'no MAC and no known device at this IP' }]);
  // an agent in the routed subnet reports the ESP with its MAC; the hub's own sweep then sees it MAC-less
  sweep([up('10.213.2.7', ESP)], 20, { agent: 'iot' });
  const hub = sweep([up('10.213.1.10', PI), up('10.213.2.7')], 30);
  expect(hub.changes).toEqual([]);
  expect(store.devices.get(ipKey('10.213.2.7'))).toBeNull();
  expect(hub.skipped.map((s) => s.ip)).toEqual(['10.213.2.7']);
});

it('a learned MAC re-keys the IP device: history, ports and changes stay, nothing is new, the key is no further MAC', () => {
  const key = ipKey('10.213.2.7');
  sweep([up('10.213.1.10', PI), up('10.213.2.7')], 10);
  store.devices.update(key, { name: 'Greenhouse sensor', known: true, isNew: false });
  const scan = store.scans.start('ports', ['10.213.2.7'], 'test', null, at(15));
  ingestPortScan(
    store,
    scan,
    {
      kind: 'ports',
      targets: ['10.213.2.7'],
      startedAt: at(15),
      finishedAt: at(16),
      hosts: [
        { ...up('10.213.2.7'), portsScanned: true, ports: [{ protocol: 'tcp', port: 80, state: 'open' }] },
      ],
      hostsUp: 1,
      hostsTotal: 1,
      args: 'nmap',
    },
    at(16),
  );
  expect(store.devices.get(key)?.ports.map((p) => p.port)).toEqual([80]);
  // an agent in that subnet learns its MAC
  const r = sweep([up('10.213.2.7', ESP)], 20, { agent: 'iot' });
  expect(r.upgraded).toEqual([{ from: key, into: ESP, how: 'rekeyed' }]);
  expect(r.changes.filter((c) => c.type === 'new_device')).toEqual([]);
  expect(store.devices.get(key)).toBeNull();
  const d = store.devices.get(ESP);
  expect(d).toMatchObject({
    name: 'Greenhouse sensor',
    known: true,
    ip: '10.213.2.7',
    vendor: 'Espressif Inc.',
  });
  expect(d?.firstSeen).toBe(at(11).toISOString());
  expect(d?.ports.map((p) => p.port)).toEqual([80]);
  expect(store.history.ipHistory(ESP).map((h) => h.ip)).toEqual(['10.213.2.7']);
  expect(store.changes.list({ mac: ESP }).items.map((c) => c.type)).toContain('new_device');
  expect(store.macs.deviceOf(key)).toBeNull();
  expect(store.agents.owners().get(ESP)).toBe('iot');
});

it('when the MAC device exists already, the IP device is merged into it (and its key is no further MAC)', () => {
  const key = ipKey('10.213.2.8');
  // the hub sees it by IP at .8; an agent knows the same ESP at another address, then it moves to .8
  sweep([up('10.213.1.10', PI), up('10.213.2.8')], 10);
  sweep([up('10.213.2.9', ESP)], 12, { agent: 'iot' });
  const r = sweep([up('10.213.2.8', ESP)], 20, { agent: 'iot' });
  expect(r.upgraded).toEqual([{ from: key, into: ESP, how: 'merged' }]);
  expect(store.devices.get(key)).toBeNull();
  expect(store.devices.get(ESP)?.ip).toBe('10.213.2.8');
  expect(store.macs.of(ESP)).toEqual([]);
  expect(
    store.history
      .ipHistory(ESP)
      .map((h) => h.ip)
      .sort(),
  ).toEqual(['10.213.2.8', '10.213.2.9']);
});
