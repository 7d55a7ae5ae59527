/**
 * NDP discovery's parsers and the pass logic (pure): `ip -6 neigh show` lines, all-nodes ping replies, which
 * neighbours a pass proves present. The table's contents are chosen by whoever is on the link: hostile lines
 * must stay data (rejected or taken field by field), never widen what is stored.
 */
import { describe, expect, it } from 'vitest';
import { canonicalIpv6, compareIpv6, ipv6Scope } from '../../src/ndp/ipv6.js';
import { neighboursArgv, pingAllNodesArgv } from '../../src/ndp/ndpTools.js';
import { neighbourSightings } from '../../src/ndp/neighbourSightings.js';
import {
  NEIGHBOUR_ENTRIES_MAX,
  parseNeighbourLine,
  parseNeighbourTable,
  parsePingReplies,
} from '../../src/ndp/neighbours.js';

// what iproute2 6.1 printed on the simulated LAN (`ip -6 neigh show dev eth0`)
const REAL = `fe80::ba27:ebff:fe66:1 lladdr b8:27:eb:66:00:01 DELAY 
fd00:213:9a::64 lladdr b8:27:eb:66:00:01 REACHABLE 
fd00:213:9a::66 lladdr 3c:22:fb:00:06:06 STALE 
fe80::3e22:fbff:fe00:606 lladdr 3c:22:fb:00:06:06 router PROBE 
fe80::dead FAILED 
fe80::beef INCOMPLETE 
`;

describe('canonicalIpv6', () => {
  it('takes unicast addresses in RFC 5952 form and nothing else', () => {
    expect(canonicalIpv6('FD00:0213:009A:0000:0000:0000:0000:0064')).toBe('fd00:213:9a::64');
    expect(canonicalIpv6('fe80::1')).toBe('fe80::1');
    expect(canonicalIpv6('2001:db8::1')).toBe('2001:db8::1');
    for (const bad of [
      'ff02::1', // multicast
      '::1',
      '::',
      '::ffff:10.0.0.1', // mapped IPv4
      'fe80::1%eth0', // zone index
      'fe80::1 ',
      ' fe80::1',
      'fe80::1/64',
      'fe80:::1',
      '10.0.0.1',
      'fe80::１', // full-width digit
      `fe80::${'0:'.repeat(20)}1`,
      '<script>',
      '',
      42,
      null,
    ])
      expect(canonicalIpv6(bad), String(bad)).toBeNull();
  });

  it('scopes and orders: global, unique-local, link-local', () => {
    expect(ipv6Scope('fe80::1')).toBe('link-local');
    expect(ipv6Scope('febf::1')).toBe('link-local');
    expect(ipv6Scope('fd00::1')).toBe('unique-local');
    expect(ipv6Scope('2a00::1')).toBe('global');
    expect(['fe80::1', 'fd00::2', '2001:db8::3', 'fd00::1'].sort(compareIpv6)).toEqual([
      '2001:db8::3',
      'fd00::1',
      'fd00::2',
      'fe80::1',
    ]);
  });
});

describe('parseNeighbourTable', () => {
  it('reads the real output: entries with a MAC, FAILED/INCOMPLETE skipped, router flag kept', () => {
    const t = parseNeighbourTable(REAL);
    expect(t.entries).toEqual([
      {
        address: 'fe80::ba27:ebff:fe66:1',
        mac: 'b8:27:eb:66:00:01',
        state: 'DELAY',
        router: false,
        iface: null,
      },
      {
        address: 'fd00:213:9a::64',
        mac: 'b8:27:eb:66:00:01',
        state: 'REACHABLE',
        router: false,
        iface: null,
      },
      { address: 'fd00:213:9a::66', mac: '3c:22:fb:00:06:06', state: 'STALE', router: false, iface: null },
      {
        address: 'fe80::3e22:fbff:fe00:606',
        mac: '3c:22:fb:00:06:06',
        state: 'PROBE',
        router: true,
        iface: null,
      },
    ]);
    expect(t.skipped).toBe(2);
  });

  it('reads the form with a dev column and upper-case MACs', () => {
    expect(parseNeighbourLine('fe80::1 dev eth0 lladdr AA:BB:CC:00:11:22 router STALE')).toEqual({
      address: 'fe80::1',
      mac: 'aa:bb:cc:00:11:22',
      state: 'STALE',
      router: true,
      iface: 'eth0',
    });
  });

  it('hostile lines stay data: rejected whole, never partly trusted', () => {
    const hostile = [
      '$(reboot) lladdr aa:bb:cc:00:11:22 REACHABLE',
      'fe80::1;rm -rf / lladdr aa:bb:cc:00:11:22 REACHABLE',
      'fe80::1 lladdr aa:bb:cc:00:11:22;id REACHABLE',
      'fe80::1 lladdr aa:bb:cc:00:11 REACHABLE', // short MAC
      'fe80::1 lladdr ff:ff:ff:ff:ff:ff REACHABLE', // broadcast
      'fe80::1 lladdr 01:00:5e:00:00:01 REACHABLE', // multicast
      'fe80::1 lladdr 00:00:00:00:00:00 REACHABLE',
      'fe80::1 dev ../../etc/passwd lladdr aa:bb:cc:00:11:22 REACHABLE',
      'fe80::1 dev eth0\u001b[31m lladdr aa:bb:cc:00:11:22 REACHABLE',
      'fe80::1 lladdr', // keyword without value
      'fe80::1 lladdr aa:bb:cc:00:11:22', // no state
      'fe80::1 lladdr aa:bb:cc:00:11:22 PWNED',
      'fe80::1 lladdr aa:bb:cc:00:11:22 FAILED',
      'ff02::1 lladdr 33:33:00:00:00:01 NOARP',
      '::ffff:10.0.0.1 lladdr aa:bb:cc:00:11:22 REACHABLE',
      `fe80::1 lladdr aa:bb:cc:00:11:22 ${'x'.repeat(400)} REACHABLE`,
      '<img src=x onerror=alert(1)> lladdr aa:bb:cc:00:11:22 REACHABLE',
      '\u0000fe80::1 lladdr aa:bb:cc:00:11:22 REACHABLE',
    ];
    for (const l of hostile) expect(parseNeighbourLine(l), JSON.stringify(l)).toBeNull();
    const t = parseNeighbourTable([...hostile, 'fe80::2 lladdr aa:bb:cc:00:11:33 REACHABLE'].join('\n'));
    expect(t.entries.map((e) => e.address)).toEqual(['fe80::2']);
    expect(t.skipped).toBe(hostile.length);
  });

  it('a flood of entries is capped and duplicates are taken once', () => {
    const lines = Array.from(
      { length: NEIGHBOUR_ENTRIES_MAX + 500 },
      (_, i) =>
        `fd00::${(i + 1).toString(16)} lladdr 02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')} REACHABLE`,
    );
    const t = parseNeighbourTable([...lines, lines[0]].join('\n'));
    expect(t.entries).toHaveLength(NEIGHBOUR_ENTRIES_MAX);
    expect(t.skipped).toBe(501);
  });
});

describe('parsePingReplies', () => {
  it('takes the answering addresses (zone dropped, DUP! lines too), nothing from other lines', () => {
    const out = `PING ff02::1(ff02::1) from :: eth0: 56 data bytes
64 bytes from fe80::13:ff:fe00:9a02%eth0: icmp_seq=1 ttl=64 time=0.042 ms
64 bytes from fe80::3e22:fbff:fe00:606%eth0: icmp_seq=1 ttl=64 time=0.170 ms (DUP!)
64 bytes from FD00:213:9A::64: icmp_seq=1 ttl=64 time=0.174 ms
64 bytes from ff02::1: icmp_seq=1 ttl=64 time=0.1 ms
64 bytes from fe80::1%$(id): icmp_seq=1 ttl=64 time=0.1 ms
junk 64 bytes from fe80::9: icmp_seq=1
--- ff02::1 ping statistics ---
2 packets transmitted, 2 received, +3 duplicates, 0% packet loss, time 320ms`;
    expect(parsePingReplies(out)).toEqual([
      'fe80::13:ff:fe00:9a02',
      'fe80::3e22:fbff:fe00:606',
      'fd00:213:9a::64',
    ]);
  });
});

describe('neighbourSightings', () => {
  const t = parseNeighbourTable(REAL).entries;

  it('a STALE entry proves nothing unless its address answered just now; own MACs are not neighbours', () => {
    // only REACHABLE proves itself without answering (DELAY/PROBE wait for an answer, STALE is old)
    expect(neighbourSightings(t, new Set(), new Set())).toEqual([
      { mac: 'b8:27:eb:66:00:01', addresses: ['fd00:213:9a::64'] },
    ]);
    expect(neighbourSightings(t, new Set(['fe80::ba27:ebff:fe66:1']), new Set())).toEqual([
      { mac: 'b8:27:eb:66:00:01', addresses: ['fd00:213:9a::64', 'fe80::ba27:ebff:fe66:1'] },
    ]);
    expect(
      neighbourSightings(
        t,
        new Set(['fd00:213:9a::66', 'fe80::3e22:fbff:fe00:606']),
        new Set(['b8:27:eb:66:00:01']),
      ),
    ).toEqual([{ mac: '3c:22:fb:00:06:06', addresses: ['fd00:213:9a::66', 'fe80::3e22:fbff:fe00:606'] }]);
  });

  it('caps the addresses per MAC', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      address: `fd00::${i + 1}`,
      mac: '02:00:00:00:00:01',
      state: 'REACHABLE' as const,
      router: false,
      iface: null,
    }));
    expect(neighbourSightings(many, new Set(), new Set(), 16)[0]?.addresses).toHaveLength(16);
  });
});

describe('argv', () => {
  it('no shell, the interface is checked, the group is scoped to it', () => {
    expect(pingAllNodesArgv('eth0', null)).toEqual([
      '-6',
      '-n',
      '-c',
      '2',
      '-i',
      '0.3',
      '-w',
      '2',
      '-I',
      'eth0',
      'ff02::1',
    ]);
    expect(pingAllNodesArgv('eth0', 'fd00::2').slice(-3)).toEqual(['-I', 'fd00::2', 'ff02::1%eth0']);
    expect(neighboursArgv('br-lan.10')).toEqual(['-6', 'neigh', 'show', 'dev', 'br-lan.10']);
    expect(() => pingAllNodesArgv('eth0; reboot', null)).toThrow(/not allowed/);
    expect(() => neighboursArgv('-f')).not.toThrow(); // a name, not an option: iproute2 takes it after "dev"
  });
});
