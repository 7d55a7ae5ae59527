/**
 * IPv6 addresses in the store (migration 018 device_ipv6, DESIGN §15): an NDP pass stores addresses per device,
 * makes an IPv6-only host a device (or part of the install baseline), brings an away device home, leaves a
 * home dual-stack device's presence to the sweeps, moves an address that changed hands, caps the list, and a
 * merge carries the addresses over. Real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ingestNeighbours } from '../../src/inventory/ingestSighting.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import type { ScanHost } from '../../src/scan/types.js';
import { IPV6_PER_DEVICE_MAX } from '../../src/store/ipv6Repo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
let store: Store;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const ctx = (s: number) => ({ now: at(s), considerHome: 180, lookupVendor });
const PI = 'b8:27:eb:00:00:01';
const V6 = '3c:22:fb:00:06:06';
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
const addrs = (mac: string) => store.ipv6.of(mac).map((a) => a.address);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-store-ipv6-'));
  store = openStore(join(dir, 'db.sqlite'), silentLogger);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('nothing is recorded before the install baseline; the first pass after it joins the baseline', () => {
  expect(store.install.initialize().info.state).toBe('pending');
  expect(ingestNeighbours(store, [{ mac: V6, addresses: ['fd00::66'] }], ctx(0)).devices).toEqual([]);
  expect(store.devices.get(V6)).toBeNull();
  expect(sweep([up('10.213.1.10', PI)], 1).baseline).toEqual([PI]);
  const r = ingestNeighbours(
    store,
    [
      { mac: PI, addresses: ['fd00::10', 'fe80::ba27:ebff:fe00:1'] },
      { mac: V6, addresses: ['fd00::66', 'fe80::3e22:fbff:fe00:606'] },
    ],
    ctx(3),
    { joinBaseline: true },
  );
  expect(r.changes.map((c) => c.type)).toEqual([]);
  const v6 = store.devices.get(V6);
  expect(v6?.ip).toBeNull();
  expect(v6?.isNew).toBe(false);
  expect(v6?.presence).toBe('home');
  expect(v6?.presenceReason).toBe('ndp: answered');
  expect(store.install.info().baselineMacs.sort()).toEqual([V6, PI].sort());
  expect(addrs(PI)).toEqual(['fd00::10', 'fe80::ba27:ebff:fe00:1']);
  // the home dual-stack device keeps the sweep's presence evidence
  expect(store.devices.get(PI)?.presenceReason).not.toBe('ndp: answered');
});

it('a later IPv6-only host is a new device; an away one comes home; addresses move with their holder', () => {
  sweep([up('10.213.1.10', PI)], 0);
  const r = ingestNeighbours(store, [{ mac: V6, addresses: ['fd00::66'] }], ctx(10));
  expect(r.changes.map((c) => c.type)).toEqual(['new_device']);
  expect(r.changes[0]?.message).toContain('3c:22:fb:00:06:06');
  expect(store.devices.get(V6)?.isNew).toBe(true);
  // a pass that only repeats what is known changes nothing for the home dual-stack device
  ingestNeighbours(store, [{ mac: PI, addresses: ['fd00::10'] }], ctx(12));
  expect(ingestNeighbours(store, [{ mac: PI, addresses: ['fd00::10'] }], ctx(13)).devices).toEqual([]);
  // the pi leaves (sweeps stop seeing it past consider_home), then answers NDP: home at once
  sweep([], 400);
  sweep([], 800);
  expect(store.devices.get(PI)?.presence).toBe('not_home');
  const back = ingestNeighbours(store, [{ mac: PI, addresses: ['fd00::10'] }], ctx(900));
  expect(back.changes.map((c) => c.type)).toEqual(['device_online']);
  expect(store.devices.get(PI)?.presence).toBe('home');
  // fd00::66 now answers from the pi's MAC: one address, one device
  ingestNeighbours(store, [{ mac: PI, addresses: ['fd00::66'] }], ctx(901));
  expect(addrs(V6)).toEqual([]);
  expect(addrs(PI)).toEqual(['fd00::10', 'fd00::66']);
});

it('keeps the newest addresses per device (rotating privacy addresses), refuses non-addresses, merges carry them', () => {
  sweep([up('10.213.1.10', PI)], 0);
  for (let i = 0; i < IPV6_PER_DEVICE_MAX + 8; i++)
    ingestNeighbours(store, [{ mac: PI, addresses: [`2001:db8::${(i + 1).toString(16)}`] }], ctx(10 + i));
  const kept = addrs(PI);
  expect(kept).toHaveLength(IPV6_PER_DEVICE_MAX);
  expect(kept).toContain(`2001:db8::${(IPV6_PER_DEVICE_MAX + 8).toString(16)}`);
  expect(kept).not.toContain('2001:db8::1');
  ingestNeighbours(store, [{ mac: PI, addresses: ['ff02::1', 'not-an-address'] }], ctx(100));
  expect(addrs(PI)).toHaveLength(IPV6_PER_DEVICE_MAX);

  ingestNeighbours(store, [{ mac: V6, addresses: ['fd00::66'] }], ctx(200));
  expect(store.mergeDevices(PI, V6, at(201))).not.toBeNull();
  expect(addrs(PI)).toContain('fd00::66');
  expect(store.ipv6.ofMany([PI, V6]).get(V6)).toBeUndefined();
  // forgetting a device drops its addresses with it
  store.devices.forget(PI);
  expect(store.ipv6.of(PI)).toEqual([]);
});

it('at most newMax devices are created per pass', () => {
  sweep([up('10.213.1.10', PI)], 0);
  const flood = Array.from({ length: 50 }, (_, i) => ({
    mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`,
    addresses: [`fe80::${(i + 1).toString(16)}`],
  }));
  const r = ingestNeighbours(store, flood, ctx(10), { newMax: 8 });
  expect(r.changes).toHaveLength(8);
  expect(r.newDropped).toBe(42);
});
