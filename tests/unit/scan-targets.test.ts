import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  type DetectedNet,
  detectLocalNetworks,
  isAttached,
  resolveTargets,
  splitByAttachment,
  TargetError,
} from '../../src/scan/targets.js';

const lan: DetectedNet[] = [{ iface: 'eth0', cidr: '192.168.1.0/24', address: '192.168.1.5' }];

function resolveError(subnets: string[], exclude: string[] = []): TargetError {
  try {
    resolveTargets({ subnets, exclude }, lan);
  } catch (e) {
    expect(e).toBeInstanceOf(TargetError);
    return e as TargetError;
  }
  throw new Error(`expected ${JSON.stringify(subnets)} to be refused`);
}

describe('resolveTargets', () => {
  it('accepts a CIDR, a /16 and a single address', () => {
    const r = resolveTargets({ subnets: ['192.168.1.0/24', '10.0.0.0/16', '172.16.5.10'], exclude: [] }, []);
    expect(r.targets).toEqual(['10.0.0.0/16', '172.16.5.10', '192.168.1.0/24']);
    expect(r.addressCount).toBe(65536 + 1 + 256);
  });

  it('zeroes host bits with a warning', () => {
    const r = resolveTargets({ subnets: ['192.168.1.7/24'], exclude: [] }, []);
    expect(r.targets).toEqual(['192.168.1.0/24']);
    expect(r.warnings.join('\n')).toMatch(
      /"192\.168\.1\.7\/24" has host bits set; scanning the network 192\.168\.1\.0\/24/,
    );
  });

  it('refuses prefixes shorter than /16, naming the option and the allowed form', () => {
    const e = resolveError(['10.0.0.0/8']);
    expect(e.message).toBe(
      'subnets: "10.0.0.0/8" is too large (prefix /8); allowed: IPv4 CIDRs with a prefix of /16 or longer, ' +
        'e.g. 192.168.1.0/24, or single addresses such as 192.168.1.10',
    );
    expect(resolveError(['0.0.0.0/0']).message).toMatch(/too large \(prefix \/0\)/);
    expect(resolveError(['192.168.0.0/15']).message).toMatch(/prefix \/15/);
  });

  it('refuses public, multicast and reserved space', () => {
    expect(resolveError(['8.8.8.0/24']).message).toMatch(/public address space/);
    expect(resolveError(['224.0.0.0/24']).message).toMatch(/multicast/);
    expect(resolveError(['0.0.1.0/24']).message).toMatch(/"this" network/);
    expect(resolveTargets({ subnets: ['8.8.8.0/24'], exclude: [], allowPublic: true }, []).targets).toEqual([
      '8.8.8.0/24',
    ]);
  });

  it.each([
    '192.168.1.0/24 -oN /data/x',
    '-iL /etc/shadow',
    '--script=http-shellshock',
    '-script=x',
    '192.168.1.0/24;reboot',
    '$(id)',
    '`id`',
    'x.x.$(touch p)',
    '192.168.1.0/24\n-sV',
    '--datadir=/tmp',
    '::/0',
    '192.168.1.300/24',
    ' 192.168.1.0/24',
    '１９２.１６８.１.０/24',
    'localhost',
    '',
    '192.168.01.0/24',
    '192.168.1.0/33',
  ])('rejects %j as malformed', (s) => {
    const e = resolveError([s]);
    expect(e.message).toMatch(/^subnets: .* is not an IPv4 CIDR or address; allowed: /);
  });

  it('keeps control characters out of the error message', () => {
    const e = resolveError(['192.168.1.0/24\n-sV']);
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain('\\n');
  });

  it('drops duplicates and subnets inside other subnets, with warnings', () => {
    const r = resolveTargets(
      {
        subnets: ['192.168.1.0/24', '192.168.1.0/24', '192.168.1.128/25', '192.168.1.9', '192.168.2.0/24'],
        exclude: [],
      },
      [],
    );
    expect(r.targets).toEqual(['192.168.1.0/24', '192.168.2.0/24']);
    expect(r.addressCount).toBe(512);
    expect(r.warnings).toHaveLength(3);
  });

  it('subtracts excludes from the count and keeps only excludes that touch a target', () => {
    const r = resolveTargets(
      { subnets: ['192.168.1.0/24'], exclude: ['192.168.1.1', '192.168.1.16/28', '10.1.1.1', '192.168.1.1'] },
      [],
    );
    expect(r.exclude).toEqual(['192.168.1.1', '192.168.1.16/28']);
    expect(r.addressCount).toBe(256 - 1 - 16);
  });

  it('rejects malformed excludes and an exclude that removes everything', () => {
    expect(() => resolveTargets({ subnets: ['192.168.1.0/24'], exclude: ['--script=x'] }, [])).toThrow(
      /^exclude: "--script=x" is not an IPv4 address or CIDR; allowed: /,
    );
    expect(() => resolveTargets({ subnets: ['192.168.1.0/24'], exclude: ['192.168.0.0/16'] }, [])).toThrow(
      /every target address is excluded/,
    );
  });

  it('warns above 4096 addresses', () => {
    expect(resolveTargets({ subnets: ['10.0.0.0/20'], exclude: [] }, []).warnings).toEqual([]);
    const r = resolveTargets({ subnets: ['10.0.0.0/19'], exclude: [] }, []);
    expect(r.addressCount).toBe(8192);
    expect(r.warnings.join()).toMatch(/8192 addresses to scan \(more than 4096\)/);
  });

  it('uses the detected networks when subnets is empty, skipping unusable ones with a warning', () => {
    const detected: DetectedNet[] = [
      { iface: 'eth0', cidr: '192.168.1.0/24', address: '192.168.1.5' },
      { iface: 'wlan0', cidr: '10.0.0.0/8', address: '10.1.2.3' },
      { iface: 'eth1', cidr: '203.0.113.0/24', address: '203.0.113.9' },
    ];
    const r = resolveTargets({ subnets: [], exclude: [] }, detected);
    expect(r.targets).toEqual(['192.168.1.0/24']);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toMatch(/wlan0 skipped: "10\.0\.0\.0\/8" is too large/);
  });

  it('fails clearly when there is nothing to scan', () => {
    expect(() => resolveTargets({ subnets: [], exclude: [] }, [])).toThrow(
      /subnets: nothing to scan \(no usable IPv4 network was detected\); set option subnets/,
    );
    expect(() =>
      resolveTargets({ subnets: [], exclude: [] }, [
        { iface: 'wan', cidr: '10.0.0.0/8', address: '10.0.0.1' },
      ]),
    ).toThrow(/nothing to scan .*too large/);
  });
});

function v4(address: string, cidr: string, internal = false): NetworkInterfaceInfo {
  return { address, cidr, netmask: '', family: 'IPv4', mac: '00:00:00:00:00:00', internal };
}

describe('detectLocalNetworks', () => {
  it('keeps real LAN interfaces and skips loopback, bridges, veths, hassio and link-local', () => {
    const nets = detectLocalNetworks({
      lo: [v4('127.0.0.1', '127.0.0.1/8', true)],
      eth0: [
        v4('192.168.1.23', '192.168.1.23/24'),
        {
          address: 'fe80::1',
          cidr: 'fe80::1/64',
          netmask: '',
          family: 'IPv6',
          mac: '',
          internal: false,
          scopeid: 2,
        },
      ],
      wlan0: [v4('10.20.30.40', '10.20.30.40/22')],
      docker0: [v4('172.17.0.1', '172.17.0.1/16')],
      hassio: [v4('172.30.32.1', '172.30.32.1/23')],
      'br-1234abcd': [v4('172.18.0.1', '172.18.0.1/16')],
      vethab12: [v4('172.19.0.1', '172.19.0.1/16')],
      virbr0: [v4('192.168.122.1', '192.168.122.1/24')],
      enp3s0: [v4('172.30.33.5', '172.30.32.0/23')],
      eth9: [v4('169.254.3.4', '169.254.3.4/16')],
      tun0: [v4('10.8.0.2', '10.8.0.2/32')],
      eth0dup: [v4('192.168.1.24', '192.168.1.24/24')],
    });
    expect(nets).toEqual([
      { iface: 'eth0', cidr: '192.168.1.0/24', address: '192.168.1.23' },
      { iface: 'wlan0', cidr: '10.20.28.0/22', address: '10.20.30.40' },
    ]);
  });
});

describe('isAttached', () => {
  it('tells whether a target lies inside a directly attached network', () => {
    expect(isAttached('192.168.1.77', lan)).toBe(true);
    expect(isAttached('192.168.1.128/25', lan)).toBe(true);
    expect(isAttached('192.168.0.0/16', lan)).toBe(false);
    expect(isAttached('10.1.1.1', lan)).toBe(false);
    expect(isAttached('not an ip', lan)).toBe(false);
  });
});

describe('splitByAttachment', () => {
  it('separates ARP-reachable targets from routed ones', () => {
    expect(splitByAttachment(['192.168.1.0/24', '10.9.0.0/16', '192.168.1.50'], lan)).toEqual({
      attached: ['192.168.1.0/24', '192.168.1.50'],
      routed: ['10.9.0.0/16'],
    });
  });
});
