/**
 * Device kinds through the real store and API: a sweep guesses from vendor, hostname and the gateway address;
 * a port scan's services and web page move the guess; the user's override wins, survives later scans, and
 * can be cleared; the list filters by kind; api/kinds counts them; default names are the short ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import type { ScanHost, ScanPort, ScanResult } from '../../src/scan/types.js';
import { openStore } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';
import { type Harness, INGRESS, makeHarness } from '../helpers/apiFixtures.js';

const CAM = 'c0:56:e3:00:00:30';
const GW = '78:8a:20:00:00:01';
const PRN = '02:11:22:33:44:55';
const VENDORS: Record<string, string> = {
  [CAM]: 'Hangzhou Hikvision Digital Technology Co.,Ltd.',
  [GW]: 'Ubiquiti Inc',
};

const host = (ip: string, mac: string, ports: ScanPort[] = [], hostname?: string): ScanHost => ({
  ip,
  mac,
  hostnames: hostname ? [hostname] : [],
  status: 'up',
  ports,
  portsScanned: ports.length > 0,
});
const result = (kind: 'sweep' | 'ports', at: Date, hosts: ScanHost[]): ScanResult => ({
  kind,
  targets: ['10.213.7.0/24'],
  startedAt: at,
  finishedAt: at,
  hosts,
  hostsUp: hosts.length,
  hostsTotal: 256,
});

describe('device kinds in the store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsn-kinds-'));
  const store = openStore(join(dir, 'db.sqlite'), silentLogger);
  const ctx = (now: Date) => ({
    now,
    considerHome: 180,
    gatewayIp: '10.213.7.1',
    lookupVendor: (mac: string) => VENDORS[mac] ?? null,
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a sweep guesses from vendor and gateway; a port scan with a printer page names the unknown one', () => {
    const t = new Date('2026-12-01T10:00:00Z');
    const sweep = store.scans.start('sweep', ['10.213.7.0/24'], 'schedule', null, t);
    ingestSweep(
      store,
      sweep,
      result('sweep', t, [host('10.213.7.1', GW), host('10.213.7.30', CAM), host('10.213.7.44', PRN)]),
      ctx(t),
    );
    const cam = store.devices.get(CAM)!;
    expect(cam.kind).toBe('camera');
    expect(cam.kindConfidence).toBeGreaterThanOrEqual(80);
    expect(cam.kindReasons?.[0]).toContain('Hikvision');
    expect(store.devices.get(GW)?.kind).toBe('router');
    expect(store.devices.get(PRN)?.kind ?? null).toBeNull();

    const t2 = new Date('2026-12-01T10:05:00Z');
    const ps = store.scans.start('ports', ['10.213.7.44'], 'ui', null, t2);
    const web: ScanPort = {
      protocol: 'tcp',
      port: 80,
      state: 'open',
      service: { name: 'http', product: 'lighttpd', cpe: [] },
      httpTitle: 'HP LaserJet MFP M426fdw',
      httpServer: 'lighttpd/1.4.59',
    };
    const jet: ScanPort = {
      protocol: 'tcp',
      port: 9100,
      state: 'open',
      service: { name: 'jetdirect', cpe: [] },
    };
    ingestPortScan(
      store,
      ps,
      result('ports', t2, [host('10.213.7.44', PRN, [web, jet])]),
      t2,
      0,
      '10.213.7.1',
    );
    const prn = store.devices.get(PRN)!;
    expect(prn.kind).toBe('printer');
    expect(prn.ports.find((p) => p.port === 80)).toMatchObject({
      httpTitle: 'HP LaserJet MFP M426fdw',
      httpServer: 'lighttpd/1.4.59',
    });
    expect(store.devices.query({ kind: 'printer' }).items.map((d) => d.mac)).toEqual([PRN]);
    expect(store.devices.query({ kind: 'unknown' }).total).toBe(0);

    // the override wins and a later sweep keeps it (and keeps the printer guess from its ports)
    store.devices.update(PRN, { kindOverride: 'nas' });
    const t3 = new Date('2026-12-01T10:10:00Z');
    const sweep2 = store.scans.start('sweep', ['10.213.7.0/24'], 'schedule', null, t3);
    ingestSweep(
      store,
      sweep2,
      result('sweep', t3, [
        host('10.213.7.1', GW),
        host('10.213.7.30', CAM),
        host('10.213.7.45', PRN, [], 'office-thing'),
      ]),
      ctx(t3),
    );
    const after = store.devices.get(PRN)!;
    expect(after.kindOverride).toBe('nas');
    expect(after.kind).toBe('printer');
    expect(store.devices.query({ kind: 'nas' }).items.map((d) => d.mac)).toEqual([PRN]);
    expect(store.devices.kinds()).toEqual(
      expect.arrayContaining([
        { kind: 'camera', count: 1 },
        { kind: 'router', count: 1 },
        { kind: 'nas', count: 1 },
      ]),
    );
  });
});

describe('device kinds in the API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  const get = (url: string) => h.app.inject({ method: 'GET', url, ...INGRESS });

  it('every device carries kind, label, icon, confidence and source; override via PATCH, filter, api/kinds', async () => {
    const list = (await get('/api/devices?limit=100')).json();
    for (const d of list.items) {
      expect(d).toHaveProperty('kind');
      expect(d.kind_icon).toMatch(/^mdi:[a-z0-9-]+$/);
      expect(['user', 'guess', null]).toContain(d.kind_source);
    }
    // the seed's gateway holds the gateway's address: a router
    const gw = list.items.find((d: { ip: string }) => d.ip === '10.213.0.1');
    expect(gw.kind).toBe('router');
    expect(gw.kind_icon).toBe('mdi:router-wireless');
    expect(gw.kind_reasons).toContain('holds the gateway address');

    const target = list.items.find((d: { ip: string }) => d.ip === '10.213.0.20');
    const bad = await h.app.inject({
      method: 'PATCH',
      url: `/api/devices/${target.mac}`,
      payload: { kind: 'toaster' },
      ...INGRESS,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('kind');
    const set = await h.app.inject({
      method: 'PATCH',
      url: `/api/devices/${target.mac}`,
      payload: { kind: 'camera' },
      ...INGRESS,
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      kind: 'camera',
      kind_source: 'user',
      kind_confidence: 100,
      kind_label: 'Camera',
    });

    const cams = (await get('/api/devices?kind=camera')).json();
    expect(cams.items.map((d: { mac: string }) => d.mac)).toContain(target.mac);
    expect((await get('/api/devices?kind=bogus')).statusCode).toBe(400);
    const kinds = (await get('/api/kinds')).json();
    expect(kinds.items).toEqual(
      expect.arrayContaining([
        { kind: 'camera', label: 'Camera', icon: 'mdi:cctv', count: expect.any(Number) },
      ]),
    );

    const cleared = await h.app.inject({
      method: 'PATCH',
      url: `/api/devices/${target.mac}`,
      payload: { kind: null },
      ...INGRESS,
    });
    expect(cleared.json().kind_source).not.toBe('user');
  });

  it('api/map: every visible device once, linked to its subnet, subnets to the gateway', async () => {
    const r = await get('/api/map');
    expect(r.statusCode).toBe(200);
    const m = r.json();
    const devices = m.nodes.filter((n: { type: string }) => n.type === 'device');
    const total = (await get('/api/devices?limit=1')).json().total;
    // the gateway device is the gateway node (no network deps here: it is found by the settings' targets only)
    expect(devices.length).toBeGreaterThanOrEqual(total - 1);
    expect(new Set(devices.map((d: { id: string }) => d.id)).size).toBe(devices.length);
    for (const d of devices) expect(m.links).toContainEqual({ source: d.id, target: d.parent });
    expect(m.nodes.some((n: { id: string }) => n.id === 'subnet:10.213.0.0/24')).toBe(true);
  });
});
