import { describe, expect, it } from 'vitest';
import { buildNetworkMap, type MapInput } from '../../src/inventory/networkMap.js';

type D = MapInput['devices'][number];
const dev = (i: number, over: Partial<D> = {}): D => ({
  mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`,
  ip: `192.168.1.${i}`,
  name: null,
  hostname: null,
  vendor: null,
  online: true,
  risk: 'none',
  portsScannedAt: '2026-12-01T00:00:00Z',
  ignored: false,
  ...over,
});

describe('network map graph', () => {
  it('gateway at the root, devices → their subnet → gateway; the gateway device is the gateway node', () => {
    const m = buildNetworkMap({
      devices: [
        dev(1, { vendor: 'AVM Audiovisuelles Marketing und Computersysteme GmbH', kind: 'router' }),
        dev(30, { kind: 'camera', risk: 'high', vendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' }),
        dev(40, { online: false, portsScannedAt: null }),
        dev(50, { ignored: true }),
        dev(9, { ip: '10.0.5.9', kind: 'iot' }),
      ],
      subnets: ['192.168.1.0/24'],
      gatewayIp: '192.168.1.1',
    });
    expect(m.gateway).toMatchObject({ id: 'gateway', mac: '02:00:00:00:00:01', label: 'AVM router .1' });
    const ids = m.nodes.map((n) => n.id);
    expect(ids).toContain('subnet:192.168.1.0/24');
    expect(ids).toContain('subnet:10.0.5.0/24'); // outside the configured subnets: its /24
    expect(ids).not.toContain('02:00:00:00:00:32'); // ignored
    expect(ids.filter((i) => i === '02:00:00:00:00:01')).toHaveLength(0); // the gateway is not twice
    const cam = m.nodes.find((n) => n.ip === '192.168.1.30')!;
    expect(cam).toMatchObject({
      type: 'device',
      kind: 'camera',
      risk: 'high',
      label: 'Hikvision camera .30',
    });
    expect(m.nodes.find((n) => n.ip === '192.168.1.40')).toMatchObject({ risk: 'unknown', online: false });
    expect(m.links).toContainEqual({ source: cam.id, target: 'subnet:192.168.1.0/24' });
    expect(m.links).toContainEqual({ source: 'subnet:192.168.1.0/24', target: 'gateway' });
    const sn = m.nodes.find((n) => n.id === 'subnet:192.168.1.0/24')!;
    expect(sn).toMatchObject({ devices: 2, devicesOnline: 1 });
  });

  it('a subnet a satellite agent scans hangs off that agent', () => {
    const m = buildNetworkMap({
      devices: [dev(5, { ip: '10.20.0.5' }), dev(6, { ip: '10.20.0.6' }), dev(7)],
      subnets: ['192.168.1.0/24', '10.20.0.0/24'],
      gatewayIp: '192.168.1.1',
      owners: new Map([
        ['02:00:00:00:00:05', 'iot-vlan'],
        ['02:00:00:00:00:06', 'iot-vlan'],
      ]),
      agents: [{ id: 'iot-vlan', status: 'online' }],
    });
    expect(m.nodes.find((n) => n.id === 'agent:iot-vlan')).toMatchObject({
      type: 'agent',
      online: true,
      devices: 2,
    });
    expect(m.links).toContainEqual({ source: 'subnet:10.20.0.0/24', target: 'agent:iot-vlan' });
    expect(m.links).toContainEqual({ source: 'agent:iot-vlan', target: 'gateway' });
    expect(m.links).toContainEqual({ source: 'subnet:192.168.1.0/24', target: 'gateway' });
  });
});
