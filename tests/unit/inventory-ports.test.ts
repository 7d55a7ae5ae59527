import { describe, expect, it } from 'vitest';
import { applyPortScan } from '../../src/inventory/ports.js';
import { newDevice } from '../../src/inventory/sweep.js';
import type { Device } from '../../src/inventory/types.js';
import type { ScanHost, ScanPort } from '../../src/scan/types.js';

const t1 = new Date('2026-03-01T03:00:00Z');
const t2 = new Date('2026-03-02T03:00:00Z');
const MAC = '00:11:32:aa:bb:cc';
const t0 = new Date('2026-02-28T03:00:00Z');
/** a device that was port-scanned before (nothing open then): later scans report per-port changes */
const base = (): Device => ({
  ...newDevice(MAC, '10.213.1.5', 'nas', 'Synology Incorporated', t0.toISOString()),
  isNew: false,
  portsScannedAt: t0.toISOString(),
});
/** a device never port-scanned: its first scan is one summary change */
const fresh = (): Device => ({
  ...newDevice(MAC, '10.213.1.5', 'nas', 'Synology Incorporated', t0.toISOString()),
  isNew: false,
});
const port = (p: number, state = 'open', product?: string, version?: string, name = 'svc'): ScanPort => {
  const sp: ScanPort = { protocol: 'tcp', port: p, state, service: { name, cpe: [] } };
  if (product) sp.service!.product = product;
  if (version) sp.service!.version = version;
  return sp;
};
const host = (ports: ScanPort[], portsScanned = true): ScanHost => ({
  ip: '10.213.1.5',
  mac: MAC,
  hostnames: [],
  status: 'up',
  ports,
  portsScanned,
});

describe('applyPortScan', () => {
  it("a device's first port scan raises ONE summary change listing every open port, not port_opened per port", () => {
    const open = [22, 23, 80, 443, 1883, 8123, 9100, 5555, 6379, 2375].map((p) =>
      port(p, 'open', 'P', '1', 's'),
    );
    const out = applyPortScan(fresh(), host([...open, port(25, 'closed')]), t1);
    expect(out.device.ports).toHaveLength(10);
    expect(out.device.portsScannedAt).toBe(t1.toISOString());
    expect(out.changes).toHaveLength(1);
    const c = out.changes[0]!;
    expect(c).toMatchObject({ type: 'first_port_scan', severity: 'info', mac: MAC });
    expect(c.message).toBe(
      'nas (00:11:32:aa:bb:cc): first port scan: 10 open ports (tcp/22 P 1, tcp/23 P 1, tcp/80 P 1, tcp/443 P 1, tcp/1883 P 1, tcp/2375 P 1, tcp/5555 P 1, tcp/6379 P 1, … 2 more)',
    );
    const after = c.after as { open: number; ports: Array<{ port: number }> };
    expect(after.open).toBe(10);
    expect(after.ports.map((p) => p.port)).toEqual([22, 23, 80, 443, 1883, 2375, 5555, 6379, 8123, 9100]);
    // nothing open: still one summary, so the first measurement is visible
    const none = applyPortScan(fresh(), host([port(25, 'closed')]), t1);
    expect(none.changes.map((x) => [x.type, x.message])).toEqual([
      ['first_port_scan', 'nas (00:11:32:aa:bb:cc): first port scan: no open ports'],
    ]);
    // the next scan reports per-port changes again
    const next = applyPortScan(out.device, host([...open, port(25, 'open', 'Postfix', '3', 'smtp')]), t2);
    expect(next.changes.map((x) => x.type)).toEqual(['port_opened']);
  });

  it('ignores hosts whose ports were not scanned', () => {
    const d = base();
    expect(applyPortScan(d, host([port(22)], false), t1)).toEqual({ device: d, changes: [] });
  });

  it('port_opened for open ports only; closed/filtered are not open', () => {
    const out = applyPortScan(
      base(),
      host([
        port(22, 'open', 'OpenSSH', '8.9p1', 'ssh'),
        port(23, 'closed'),
        port(80, 'filtered'),
        port(161, 'open|filtered'),
      ]),
      t1,
    );
    expect(out.device.ports.map((p) => p.port)).toEqual([22]);
    expect(out.device.ports[0]).toMatchObject({
      service: 'ssh',
      product: 'OpenSSH',
      version: '8.9p1',
      firstSeen: t1.toISOString(),
    });
    expect(out.device.portsScannedAt).toBe(t1.toISOString());
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]).toMatchObject({
      type: 'port_opened',
      severity: 'low',
      mac: MAC,
      after: { protocol: 'tcp', port: 22, service: 'ssh', product: 'OpenSSH', version: '8.9p1' },
    });
    expect(out.changes[0]!.message).toBe('nas (00:11:32:aa:bb:cc): port tcp/22 (OpenSSH 8.9p1) is now open');
  });

  it('port_closed and service_changed against the previous scan; firstSeen kept', () => {
    const first = applyPortScan(
      base(),
      host([port(22, 'open', 'OpenSSH', '7.4'), port(445, 'open', 'Samba smbd', '4.6')]),
      t1,
    ).device;
    const out = applyPortScan(first, host([port(22, 'open', 'OpenSSH', '8.9p1'), port(445, 'closed')]), t2);
    expect(out.changes.map((c) => c.type)).toEqual(['service_changed', 'port_closed']);
    expect(out.changes[0]).toMatchObject({
      before: { protocol: 'tcp', port: 22, product: 'OpenSSH', version: '7.4' },
      after: { protocol: 'tcp', port: 22, product: 'OpenSSH', version: '8.9p1' },
      severity: 'low',
    });
    expect(out.changes[1]).toMatchObject({ severity: 'info', before: { port: 445, product: 'Samba smbd' } });
    expect(out.device.ports).toHaveLength(1);
    expect(out.device.ports[0]).toMatchObject({
      firstSeen: t1.toISOString(),
      lastSeen: t2.toISOString(),
      version: '8.9p1',
    });
  });

  it('an unidentified service this time is not a change and keeps the old details', () => {
    const first = applyPortScan(base(), host([port(22, 'open', 'OpenSSH', '7.4', 'ssh')]), t1).device;
    const out = applyPortScan(first, host([port(22, 'open', undefined, undefined, 'ssh')]), t2);
    expect(out.changes).toEqual([]);
    expect(out.device.ports[0]).toMatchObject({
      product: 'OpenSSH',
      version: '7.4',
      lastSeen: t2.toISOString(),
    });
  });

  it('ignored devices: changes capped at info', () => {
    const out = applyPortScan({ ...base(), ignored: true }, host([port(23, 'open', 'BusyBox telnetd')]), t1);
    expect(out.changes[0]!.severity).toBe('info');
  });

  it('hostile service strings are cleaned and capped; duplicate and invalid ports dropped', () => {
    const evil = port(8080, 'open', `<img src=x>\u0000${'v'.repeat(1000)}`);
    const out = applyPortScan(base(), host([evil, port(8080), port(0), port(70000)]), t1);
    expect(out.device.ports).toHaveLength(1);
    expect(out.device.ports[0]!.product!.length).toBe(256);
    expect(out.device.ports[0]!.product).not.toContain('\u0000');
  });
});
