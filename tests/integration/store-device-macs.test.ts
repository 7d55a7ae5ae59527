/**
 * Rotated private MACs in the store (migration 017 device_macs, DESIGN §15): a private MAC with a known
 * DHCP fingerprint is linked to its device (no new device), sweeps count it for that device, and a merge
 * or split by hand moves MACs and history. Real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ingestSighting } from '../../src/inventory/ingestSighting.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import type { Sighting } from '../../src/inventory/sighting.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import type { ScanHost } from '../../src/scan/types.js';
import { openStore, type Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
let store: Store;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const PI = 'b8:27:eb:00:00:01';
const FP = '1,3,6,15,119,252|bens-iphone|ff19abcd';
const ctx = (s: number) => ({ now: at(s), considerHome: 180, lookupVendor });
const dhcp = (mac: string, s: number, fingerprint: string | null = FP, name = 'Bens-iPhone') =>
  ingestSighting(store, { source: 'dhcp', mac, ip: null, name } satisfies Sighting, ctx(s), {
    dhcp: {
      hostname: name,
      clientId: 'ff19abcd',
      params: [1, 3, 6, 15, 119, 252],
      vendorClass: null,
      fingerprint,
    },
  });
const sweep = (hosts: ScanHost[], s: number) => {
  const id = store.scans.start('sweep', ['10.213.1.0/24'], 'schedule', null, at(s));
  return ingestSweep(
    store,
    id,
    {
      kind: 'sweep',
      targets: ['10.213.1.0/24'],
      startedAt: at(s),
      finishedAt: at(s + 1),
      hosts,
      hostsUp: hosts.length,
      hostsTotal: 256,
      args: 'nmap -n -sn -PR -- 10.213.1.0/24',
    },
    ctx(s + 1),
  );
};
const up = (ip: string, mac: string): ScanHost => ({
  ip,
  mac,
  hostnames: [],
  status: 'up',
  ports: [],
  portsScanned: false,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-store-macs-'));
  store = openStore(join(dir, 'lan.db'), silentLogger);
  sweep([up('10.213.1.10', PI)], 0); // the install baseline
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('links each rotated private MAC with the same fingerprint to the first device: no new device', () => {
  const first = dhcp('6a:00:00:00:00:01', 10);
  expect(first.changes.map((c) => c.type)).toEqual(['new_device']);
  for (let i = 2; i <= 6; i++) {
    const mac = `6a:00:00:00:00:0${i}`;
    const r = dhcp(mac, 10 * i);
    expect(r.linked).toEqual({ mac, device: '6a:00:00:00:00:01' });
    expect(r.changes.filter((c) => c.type === 'new_device')).toEqual([]);
    expect(store.devices.get(mac)).toBeNull();
  }
  expect(
    store.macs
      .of('6a:00:00:00:00:01')
      .map((l) => l.mac)
      .sort(),
  ).toEqual(['02', '03', '04', '05', '06'].map((x) => `6a:00:00:00:00:${x}`));
  // a sweep that sees the phone under its newest MAC counts for the device
  const s = sweep([up('10.213.1.10', PI), up('10.213.1.150', '6a:00:00:00:00:06')], 100);
  expect(s.changes.filter((c) => c.type === 'new_device')).toEqual([]);
  expect(store.devices.get('6a:00:00:00:00:01')?.ip).toBe('10.213.1.150');
  expect(store.devices.get('6a:00:00:00:00:06')).toBeNull();
});

it('does not link a different fingerprint, a missing one or a vendor (global) MAC', () => {
  dhcp('6a:00:00:00:00:01', 10);
  expect(dhcp('6a:00:00:00:00:02', 20, 'other|annas-phone|ff00').linked).toBeUndefined();
  expect(store.devices.get('6a:00:00:00:00:02')).not.toBeNull();
  expect(dhcp('6a:00:00:00:00:03', 30, null).linked).toBeUndefined();
  // a global (burned-in) MAC is its own hardware even with the same DHCP fields
  const g = dhcp('f4:f5:d8:00:00:09', 40);
  expect(g.linked).toBeUndefined();
  expect(g.changes.map((c) => c.type)).toEqual(['new_device']);
});

it('an ambiguous fingerprint (two devices hold it) links nothing', () => {
  dhcp('6a:00:00:00:00:01', 10);
  dhcp('6a:00:00:00:00:02', 20, 'other', 'x');
  // the second device later reports the first one's fingerprint too (two phones set up alike)
  dhcp('6a:00:00:00:00:02', 30);
  const r = dhcp('6a:00:00:00:00:03', 40);
  expect(r.linked).toBeUndefined();
  expect(store.devices.get('6a:00:00:00:00:03')).not.toBeNull();
});

it('merge moves MAC and presence history; split unlinks only a MAC of that device', () => {
  dhcp('6a:00:00:00:00:01', 10);
  dhcp('6a:00:00:00:00:02', 20, 'other', 'x');
  const merged = store.mergeDevices('6a:00:00:00:00:01', '6a:00:00:00:00:02', at(30));
  expect(merged?.mac).toBe('6a:00:00:00:00:01');
  expect(store.devices.get('6a:00:00:00:00:02')).toBeNull();
  expect(store.macs.of('6a:00:00:00:00:01')).toMatchObject([
    { mac: '6a:00:00:00:00:02', linkedBy: 'manual' },
  ]);
  expect(store.history.presenceTimeline('6a:00:00:00:00:01', undefined, 100).length).toBe(2);
  expect(store.mergeDevices('6a:00:00:00:00:01', '6a:00:00:00:00:01', at(31))).toBeNull();
  expect(store.mergeDevices('6a:00:00:00:00:01', '6a:00:00:00:00:99', at(31))).toBeNull();

  expect(store.splitMac(PI, '6a:00:00:00:00:02')).toBe(false);
  expect(store.splitMac('6a:00:00:00:00:01', '6a:00:00:00:00:02')).toBe(true);
  expect(store.macs.of('6a:00:00:00:00:01')).toEqual([]);
  // its next sighting is a device of its own
  const again = ingestSighting(
    store,
    { source: 'arp', mac: '6a:00:00:00:00:02', ip: '10.213.1.160', name: null },
    ctx(40),
  );
  expect(again.changes.map((c) => c.type)).toContain('new_device');
});
