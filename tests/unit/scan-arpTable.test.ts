import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fillMacsFromArp, parseProcNetArp, readArpTable } from '../../src/scan/arpTable.js';
import type { ScanHost, ScanResult } from '../../src/scan/types.js';

const PROC_NET_ARP = `IP address       HW type     Flags       HW address            Mask     Device
10.213.1.1       0x1         0x2         B0:BE:76:12:34:56     *        eth0
10.213.1.23      0x1         0x2         24:0a:c4:ab:cd:ef     *        eth0
10.213.1.99      0x1         0x0         00:00:00:00:00:00     *        eth0
10.213.1.98      0x1         0x2         00:00:00:00:00:00     *        eth0
10.213.1.97      0x1         0x0         aa:bb:cc:dd:ee:01     *        eth0
10.213.1.7       0x1         0x6         dc:a6:32:01:02:03     *        wlan0
garbage line
10.213.1.300     0x1         0x2         aa:bb:cc:dd:ee:02     *        eth0
10.213.1.8       0x1         0x2         not-a-mac             *        eth0
`;

describe('parseProcNetArp', () => {
  it('keeps complete entries, lowercases MACs, skips incomplete and malformed lines', () => {
    expect(parseProcNetArp(PROC_NET_ARP)).toEqual([
      { ip: '10.213.1.1', mac: 'b0:be:76:12:34:56', iface: 'eth0' },
      { ip: '10.213.1.23', mac: '24:0a:c4:ab:cd:ef', iface: 'eth0' },
      { ip: '10.213.1.7', mac: 'dc:a6:32:01:02:03', iface: 'wlan0' },
    ]);
    expect(parseProcNetArp('')).toEqual([]);
  });
});

describe('readArpTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsn-arp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and treats a missing one as empty', async () => {
    const p = join(dir, 'arp');
    writeFileSync(p, PROC_NET_ARP);
    expect(await readArpTable(p)).toHaveLength(3);
    expect(await readArpTable(join(dir, 'missing'))).toEqual([]);
  });

  it('reads the real kernel table on Linux without throwing', async () => {
    const entries = await readArpTable();
    expect(Array.isArray(entries)).toBe(true);
  });
});

const host = (ip: string, mac?: string): ScanHost => ({
  ip,
  ...(mac ? { mac } : {}),
  hostnames: [],
  status: 'up',
  ports: [],
  portsScanned: false,
});

describe('fillMacsFromArp', () => {
  it('fills missing MACs, keeps nmap MACs, skips conflicting entries, and does not mutate its input', () => {
    const result: ScanResult = {
      kind: 'sweep',
      targets: ['10.213.1.0/24'],
      startedAt: new Date(0),
      finishedAt: new Date(0),
      hosts: [
        host('10.213.1.1'),
        host('10.213.1.23', 'ff:ff:ff:00:00:01'),
        host('10.213.1.50'),
        host('10.213.1.60'),
      ],
      hostsUp: 4,
      hostsTotal: 256,
    };
    const arp = [
      ...parseProcNetArp(PROC_NET_ARP),
      { ip: '10.213.1.60', mac: '00:11:22:33:44:55', iface: 'eth0' },
      { ip: '10.213.1.60', mac: '00:11:22:33:44:66', iface: 'eth1' },
    ];
    const filled = fillMacsFromArp(result, arp);
    expect(filled.hosts.map((h) => h.mac)).toEqual([
      'b0:be:76:12:34:56',
      'ff:ff:ff:00:00:01',
      undefined,
      undefined,
    ]);
    expect(result.hosts[0]!.mac).toBeUndefined();
    expect(filled).not.toBe(result);
  });
});
