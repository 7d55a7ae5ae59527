import { describe, expect, it } from 'vitest';
import { applySweep, newDevice, type SweepContext } from '../../src/inventory/sweep.js';
import type { Device } from '../../src/inventory/types.js';
import type { ScanHost, ScanResult } from '../../src/scan/types.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const vendors: Record<string, string> = {
  'b8:27:eb': 'Raspberry Pi Foundation',
  '24:0a:c4': 'Espressif Inc.',
};
const lookup = (mac: string) => vendors[mac.slice(0, 8)] ?? null;
const ctx = (s: number, extra: Partial<SweepContext> = {}): SweepContext => ({
  now: at(s),
  considerHome: 180,
  lookupVendor: lookup,
  ...extra,
});
const host = (ip: string, mac?: string, hostnames: string[] = [], status: 'up' | 'down' = 'up'): ScanHost => {
  const h: ScanHost = { ip, hostnames, status, ports: [], portsScanned: false };
  if (mac) h.mac = mac;
  return h;
};
const sweep = (hosts: ScanHost[], s = 0): ScanResult => ({
  kind: 'sweep',
  targets: ['10.213.1.0/24'],
  startedAt: at(s),
  finishedAt: at(s),
  hosts,
  hostsUp: hosts.filter((h) => h.status === 'up').length,
  hostsTotal: 256,
});
const dev = (mac: string, ip: string, patch: Partial<Device> = {}): Device => ({
  ...newDevice(mac, ip, null, lookup(mac), at(0).toISOString()),
  isNew: false,
  ...patch,
});

const PI = 'b8:27:eb:00:00:01';
const ESP = '24:0a:c4:00:00:02';
const RND = 'da:a1:19:00:00:03';

describe('applySweep', () => {
  it('new devices: vendor looked up, randomized flagged, severity low / info for randomized', () => {
    const out = applySweep(
      [],
      sweep([host('10.213.1.10', 'B8-27-EB-00-00-01', ['pi.lan']), host('10.213.1.11', RND)]),
      ctx(0),
    );
    expect(out.devices).toHaveLength(2);
    const pi = out.devices.find((d) => d.mac === PI)!;
    expect(pi).toMatchObject({
      ip: '10.213.1.10',
      hostname: 'pi.lan',
      vendor: 'Raspberry Pi Foundation',
      online: true,
      presence: 'home',
      isNew: true,
      randomized: false,
    });
    const rnd = out.devices.find((d) => d.mac === RND)!;
    expect(rnd).toMatchObject({ vendor: null, randomized: true });
    expect(out.changes.map((c) => [c.type, c.mac, c.severity])).toEqual([
      ['new_device', PI, 'low'],
      ['new_device', RND, 'info'],
    ]);
    expect(out.changes[0]!.message).toBe(
      'New device on your network: pi.lan (b8:27:eb:00:00:01) at 10.213.1.10',
    );
    expect(out.changes[0]!.time).toBe(at(0).toISOString());
    expect(out.observations).toEqual([
      { mac: PI, ip: '10.213.1.10', hostname: 'pi.lan' },
      { mac: RND, ip: '10.213.1.11', hostname: null },
    ]);
  });

  it('down hosts and unusable MACs do not create devices', () => {
    const out = applySweep(
      [],
      sweep([host('10.213.1.5', PI, [], 'down'), host('10.213.1.6', 'ff:ff:ff:ff:ff:ff')]),
      ctx(0),
    );
    expect(out.devices).toEqual([]);
    expect(out.skipped).toEqual([{ ip: '10.213.1.6', reason: 'no MAC and no known device at this IP' }]);
  });

  it('an unchanged, still-home device updates lastSeen only and produces no change', () => {
    const prev = [dev(PI, '10.213.1.10', { hostname: 'pi.lan' })];
    const out = applySweep(prev, sweep([host('10.213.1.10', PI, ['pi.lan'])], 60), ctx(60));
    expect(out.changes).toEqual([]);
    expect(out.devices).toHaveLength(1);
    expect(out.devices[0]!.lastSeen).toBe(at(60).toISOString());
  });

  it('ip_changed and hostname_changed carry before/after; a missing hostname keeps the old one', () => {
    const prev = [
      dev(PI, '10.213.1.10', { hostname: 'pi.lan' }),
      dev(ESP, '10.213.1.20', { hostname: 'esp.lan' }),
    ];
    const out = applySweep(
      prev,
      sweep([host('10.213.1.99', PI, ['raspberry.lan']), host('10.213.1.20', ESP, [])], 60),
      ctx(60),
    );
    expect(out.changes.map((c) => c.type)).toEqual(['ip_changed', 'hostname_changed']);
    expect(out.changes[0]).toMatchObject({
      mac: PI,
      ip: '10.213.1.99',
      severity: 'info',
      before: { ip: '10.213.1.10' },
      after: { ip: '10.213.1.99' },
    });
    expect(out.changes[1]).toMatchObject({
      before: { hostname: 'pi.lan' },
      after: { hostname: 'raspberry.lan' },
      name: 'raspberry.lan',
    });
    expect(out.devices.find((d) => d.mac === ESP)!.hostname).toBe('esp.lan');
  });

  it('a first hostname / first IP is recorded silently', () => {
    const prev = [dev(PI, '10.213.1.10')];
    const out = applySweep(prev, sweep([host('10.213.1.10', PI, ['pi.lan'])], 60), ctx(60));
    expect(out.changes).toEqual([]);
    expect(out.devices[0]!.hostname).toBe('pi.lan');
  });

  it('device_offline only after consider_home AND two missed sweeps; device_online when it returns', () => {
    let devices = [dev(PI, '10.213.1.10', { watched: false }), dev(ESP, '10.213.1.20', { watched: true })];
    const merge = (changed: Device[]) => {
      const m = new Map(devices.map((d) => [d.mac, d]));
      for (const d of changed) m.set(d.mac, d);
      devices = [...m.values()];
    };
    // t=60: missed once
    let out = applySweep(devices, sweep([], 60), ctx(60));
    expect(out.changes).toEqual([]);
    expect(out.devices.map((d) => [d.online, d.missedSweeps, d.presence])).toEqual([
      [false, 1, 'home'],
      [false, 1, 'home'],
    ]);
    merge(out.devices);
    // t=120: missed twice but only 120 s
    out = applySweep(devices, sweep([], 120), ctx(120));
    expect(out.changes).toEqual([]);
    merge(out.devices);
    // t=180: two+ missed and 180 s → offline; watched device is medium
    out = applySweep(devices, sweep([], 180), ctx(180));
    expect(out.changes.map((c) => [c.type, c.mac, c.severity])).toEqual([
      ['device_offline', PI, 'info'],
      ['device_offline', ESP, 'medium'],
    ]);
    expect(out.changes[0]!.after).toEqual({ presence: 'not_home', lastSeen: at(0).toISOString() });
    merge(out.devices);
    // t=240: absent devices are not rewritten any more
    out = applySweep(devices, sweep([], 240), ctx(240));
    expect(out.devices).toEqual([]);
    expect(out.changes).toEqual([]);
    // t=300: PI returns
    out = applySweep(devices, sweep([host('10.213.1.10', PI)], 300), ctx(300));
    expect(out.changes.map((c) => [c.type, c.mac])).toEqual([['device_online', PI]]);
    expect(out.devices[0]).toMatchObject({ presence: 'home', online: true, missedSweeps: 0 });
  });

  it('per-device consider_home override delays departure', () => {
    const prev = [dev(PI, '10.213.1.10', { considerHome: 600, missedSweeps: 5, online: false })];
    expect(applySweep(prev, sweep([], 300), ctx(300)).changes).toEqual([]);
    expect(applySweep(prev, sweep([], 600), ctx(600)).changes.map((c) => c.type)).toEqual(['device_offline']);
  });

  it('ignored devices are tracked but their changes are capped at info', () => {
    const prev = [dev(PI, '10.213.1.10', { ignored: true, watched: true, missedSweeps: 1, online: false })];
    const out = applySweep(prev, sweep([], 600), ctx(600));
    expect(out.changes.map((c) => [c.type, c.severity])).toEqual([['device_offline', 'info']]);
  });

  it('ip_conflict when two MACs claim one IP in the same sweep (high)', () => {
    const prev = [dev(PI, '10.213.1.10'), dev(ESP, '10.213.1.20')];
    const out = applySweep(prev, sweep([host('10.213.1.10', PI), host('10.213.1.10', ESP)], 60), ctx(60));
    const conflict = out.changes.find((c) => c.type === 'ip_conflict')!;
    expect(conflict).toMatchObject({
      severity: 'high',
      ip: '10.213.1.10',
      mac: ESP,
      before: { ip: '10.213.1.10', mac: PI },
    });
    expect(conflict.after).toEqual({ ip: '10.213.1.10', macs: [PI, ESP] });
    expect(out.changes.map((c) => c.type)).toEqual(['ip_changed', 'ip_conflict']);
  });

  it('gateway_mac_changed when another MAC answers for the gateway IP (high, even if ignored)', () => {
    const GW = '10.213.1.1';
    const prev = [dev(PI, GW, { lastSeen: at(0).toISOString() }), dev(ESP, '10.213.1.20', { ignored: true })];
    const out = applySweep(prev, sweep([host(GW, ESP)], 60), ctx(60, { gatewayIp: GW }));
    const g = out.changes.find((c) => c.type === 'gateway_mac_changed')!;
    expect(g).toMatchObject({
      severity: 'high',
      mac: ESP,
      ip: GW,
      before: { ip: GW, mac: PI, vendor: 'Raspberry Pi Foundation' },
      after: { ip: GW, mac: ESP, vendor: 'Espressif Inc.' },
    });
    expect(g.message).toContain('possible ARP spoofing');
    // the ip change of the ignored device is capped at info
    expect(out.changes.find((c) => c.type === 'ip_changed')!.severity).toBe('info');
    // same gateway MAC again → no alert
    const same = applySweep(prev, sweep([host(GW, PI)], 60), ctx(60, { gatewayIp: GW }));
    expect(same.changes).toEqual([]);
    // no gateway configured → no alert
    expect(applySweep(prev, sweep([host(GW, ESP)], 60), ctx(60)).changes.map((c) => c.type)).toEqual([
      'ip_changed',
    ]);
  });

  it('MAC-less hosts match a device by IP only when unambiguous', () => {
    const prev = [
      dev(PI, '10.213.2.10', { missedSweeps: 1, online: false }),
      dev(ESP, '10.213.2.20'),
      dev('24:0a:c4:00:00:09', '10.213.2.20'),
    ];
    const out = applySweep(
      prev,
      sweep([host('10.213.2.10'), host('10.213.2.20'), host('10.213.2.30')], 60),
      ctx(60),
    );
    const pi = out.devices.find((d) => d.mac === PI)!;
    expect(pi).toMatchObject({ online: true, missedSweeps: 0, lastSeen: at(60).toISOString() });
    expect(out.skipped).toEqual([
      { ip: '10.213.2.20', reason: 'no MAC and 2 known devices had this IP' },
      { ip: '10.213.2.30', reason: 'no MAC and no known device at this IP' },
    ]);
    expect(out.devices.filter((d) => d.online).map((d) => d.mac)).toEqual([PI]);
  });

  it('a MAC seen on several IPs keeps its previous IP when among them', () => {
    const prev = [dev(PI, '10.213.1.10')];
    const out = applySweep(prev, sweep([host('10.213.1.50', PI), host('10.213.1.10', PI)], 60), ctx(60));
    expect(out.devices[0]!.ip).toBe('10.213.1.10');
    expect(out.changes).toEqual([]);
  });

  it('hostile hostnames are cleaned of control characters and capped at 253', () => {
    const out = applySweep(
      [],
      sweep([host('10.213.1.10', PI, ['\u0000', `evil\u0007\n${'a'.repeat(400)}`])]),
      ctx(0),
    );
    const h = out.devices[0]!.hostname!;
    expect(h).toHaveLength(253);
    expect(h).not.toMatch(/[\u0000-\u001f]/);
  });

  it('does not mutate its input', () => {
    const prev = [dev(PI, '10.213.1.10')];
    const copy = structuredClone(prev);
    applySweep(prev, sweep([host('10.213.1.11', PI)], 60), ctx(60));
    expect(prev).toEqual(copy);
  });
});
