/** mergePortScans: the TCP and UDP runs of one batch become one result the store can diff safely. */
import { describe, expect, it } from 'vitest';
import { mergePortScans } from '../../src/scan/mergePortScans.js';
import type { ScanHost, ScanResult } from '../../src/scan/types.js';

const host = (ip: string, over: Partial<ScanHost> = {}): ScanHost => ({
  ip,
  hostnames: [],
  status: 'up',
  ports: [],
  portsScanned: true,
  ...over,
});
const result = (hosts: ScanHost[], startedAt: number, finishedAt: number, args: string): ScanResult => ({
  kind: 'ports',
  targets: ['10.0.0.5', '10.0.0.6'],
  startedAt: new Date(startedAt),
  finishedAt: new Date(finishedAt),
  nmapVersion: '7.93',
  args,
  hosts,
  hostsUp: hosts.filter((h) => h.status === 'up').length,
  hostsTotal: 2,
});

describe('mergePortScans', () => {
  it('unites the ports of each host and spans both runs', () => {
    const tcp = result(
      [
        host('10.0.0.5', {
          mac: 'b8:27:eb:00:00:01',
          hostnames: ['pi'],
          ports: [{ protocol: 'tcp', port: 1883, state: 'open', service: { name: 'mqtt', cpe: [] } }],
        }),
        host('10.0.0.6'),
      ],
      1000,
      14_000,
      'nmap -sS',
    );
    const udp = result(
      [
        host('10.0.0.5', {
          hostnames: ['pi.lan'],
          ports: [{ protocol: 'udp', port: 53, state: 'open', service: { name: 'domain', cpe: [] } }],
        }),
        host('10.0.0.6', { mac: 'dc:a6:32:00:00:02' }),
      ],
      14_100,
      28_000,
      'nmap -sU',
    );
    const m = mergePortScans([tcp, udp]);
    expect(m.startedAt.getTime()).toBe(1000);
    expect(m.finishedAt.getTime()).toBe(28_000);
    expect(m.args).toBe('nmap -sS ; nmap -sU');
    expect(m.hostsUp).toBe(2);
    const pi = m.hosts.find((h) => h.ip === '10.0.0.5')!;
    expect(pi.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(['tcp/1883', 'udp/53']);
    expect(pi.mac).toBe('b8:27:eb:00:00:01');
    expect(pi.hostnames).toEqual(['pi', 'pi.lan']);
    expect(pi.portsScanned).toBe(true);
    // a MAC only the second run saw is kept
    expect(m.hosts.find((h) => h.ip === '10.0.0.6')?.mac).toBe('dc:a6:32:00:00:02');
  });

  it('a host one run did not finish or did not see is not port-scanned (nothing of it is compared)', () => {
    const tcp = result(
      [
        host('10.0.0.5', { ports: [{ protocol: 'tcp', port: 22, state: 'open' }] }),
        host('10.0.0.6', { ports: [{ protocol: 'tcp', port: 80, state: 'open' }] }),
      ],
      0,
      1,
      'a',
    );
    const udp = result([host('10.0.0.5', { portsScanned: false, timedOut: true })], 1, 2, 'b');
    const m = mergePortScans([tcp, udp]);
    const a = m.hosts.find((h) => h.ip === '10.0.0.5')!;
    expect(a).toMatchObject({ portsScanned: false, timedOut: true });
    expect(a.ports.map((p) => p.port)).toEqual([22]);
    // absent from the UDP run (went away between the runs): not measured either
    expect(m.hosts.find((h) => h.ip === '10.0.0.6')?.portsScanned).toBe(false);
  });

  it('one result is returned as it is; none is an error', () => {
    const only = result([host('10.0.0.5')], 0, 1, 'a');
    expect(mergePortScans([only])).toBe(only);
    expect(() => mergePortScans([])).toThrow(/at least one/);
  });
});
