import { describe, expect, it } from 'vitest';
import { compareScans, type ScanSnapshot } from '../../src/inventory/compare.js';

const a: ScanSnapshot = {
  id: 1,
  hosts: [
    {
      mac: 'b8:27:eb:00:00:01',
      ip: '10.213.1.10',
      ports: [
        { protocol: 'tcp', port: 22, product: 'OpenSSH', version: '7.4' },
        { protocol: 'tcp', port: 80 },
      ],
    },
    { mac: '24:0a:c4:00:00:02', ip: '10.213.1.20', ports: [{ protocol: 'tcp', port: 1883 }] },
    { mac: null, ip: '10.213.9.9', ports: [] },
  ],
};
const b: ScanSnapshot = {
  id: 2,
  hosts: [
    // same device, new IP: matched by MAC
    {
      mac: 'B8:27:EB:00:00:01',
      ip: '10.213.1.11',
      ports: [
        { protocol: 'tcp', port: 22, product: 'OpenSSH', version: '8.9p1' },
        { protocol: 'tcp', port: 23 },
      ],
    },
    { mac: '00:11:32:aa:bb:cc', ip: '10.213.1.30', ports: [{ protocol: 'tcp', port: 5000 }] },
    { mac: null, ip: '10.213.9.9', ports: [{ protocol: 'udp', port: 161 }] },
  ],
};

describe('compareScans', () => {
  it('finds new/removed hosts, new/removed ports and service changes', () => {
    const r = compareScans(a, b);
    expect(r.from).toBe(1);
    expect(r.to).toBe(2);
    expect(r.newHosts).toEqual([{ mac: '00:11:32:aa:bb:cc', ip: '10.213.1.30' }]);
    expect(r.removedHosts).toEqual([{ mac: '24:0a:c4:00:00:02', ip: '10.213.1.20' }]);
    expect(r.newPorts).toEqual([
      { mac: 'B8:27:EB:00:00:01', ip: '10.213.1.11', protocol: 'tcp', port: 23 },
      { mac: '00:11:32:aa:bb:cc', ip: '10.213.1.30', protocol: 'tcp', port: 5000 },
      { mac: null, ip: '10.213.9.9', protocol: 'udp', port: 161 },
    ]);
    expect(r.removedPorts).toEqual([
      { mac: 'B8:27:EB:00:00:01', ip: '10.213.1.11', protocol: 'tcp', port: 80 },
      { mac: '24:0a:c4:00:00:02', ip: '10.213.1.20', protocol: 'tcp', port: 1883 },
    ]);
    expect(r.serviceChanges).toEqual([
      {
        mac: 'B8:27:EB:00:00:01',
        ip: '10.213.1.11',
        protocol: 'tcp',
        port: 22,
        before: { product: 'OpenSSH', version: '7.4' },
        after: { product: 'OpenSSH', version: '8.9p1' },
      },
    ]);
  });

  it('a scan compared with itself has no differences', () => {
    const r = compareScans(a, a);
    expect([r.newHosts, r.removedHosts, r.newPorts, r.removedPorts, r.serviceChanges]).toEqual([
      [],
      [],
      [],
      [],
      [],
    ]);
  });
});
