import { describe, expect, it } from 'vitest';
import { buildPortScanArgs, buildSweepArgs, NmapArgsError } from '../../src/scan/nmapArgs.js';

const base = { targets: ['192.168.1.0/24'], exclude: [] as string[] };

describe('buildSweepArgs', () => {
  it('uses ARP ping on attached networks when privileged', () => {
    expect(
      buildSweepArgs({
        ...base,
        exclude: ['192.168.1.1', '192.168.1.16/28'],
        privileged: true,
        attached: true,
      }),
    ).toEqual([
      '-n',
      '-sn',
      '-PR',
      '-T4',
      '--max-retries',
      '2',
      '--stats-every',
      '2s',
      '-oX',
      '-',
      '--exclude',
      '192.168.1.1,192.168.1.16/28',
      '--',
      '192.168.1.0/24',
    ]);
  });

  it('uses ICMP + TCP probes for routed networks and TCP connect probes when unprivileged', () => {
    expect(buildSweepArgs({ ...base, privileged: true, attached: false })).toEqual([
      '-n',
      '-sn',
      '-PE',
      '-PS22,80,443,8080,62078',
      '-PA80',
      '-T4',
      '--max-retries',
      '2',
      '--stats-every',
      '2s',
      '-oX',
      '-',
      '--',
      '192.168.1.0/24',
    ]);
    const unpriv = buildSweepArgs({
      targets: ['10.0.0.0/16', '10.1.0.5'],
      privileged: false,
      attached: true,
    });
    expect(unpriv.slice(0, 3)).toEqual(['-n', '-sn', '-PS22,80,443,8080,62078']);
    expect(unpriv.slice(-3)).toEqual(['--', '10.0.0.0/16', '10.1.0.5']);
  });
});

describe('buildPortScanArgs', () => {
  it('builds a SYN + version scan over the top 100 ports when privileged', () => {
    expect(buildPortScanArgs({ ...base, profile: 'top100', privileged: true, hostTimeoutSec: 300 })).toEqual([
      '-n',
      '-sS',
      '-sV',
      '--script',
      'http-title,http-server-header',
      '--top-ports',
      '100',
      '--host-timeout',
      '300s',
      '-T4',
      '--max-retries',
      '2',
      '--stats-every',
      '2s',
      '-oX',
      '-',
      '--',
      '192.168.1.0/24',
    ]);
  });

  it('builds a connect scan with a validated custom port list, intensity and -Pn for single hosts', () => {
    expect(
      buildPortScanArgs({
        targets: ['192.168.1.10', '192.168.1.11/32'],
        exclude: ['192.168.1.1'],
        profile: 'custom',
        ports: ['22', '80', '8000-8100', '22', '65535'],
        privileged: false,
        hostTimeoutSec: 60,
        versionIntensity: 2,
        assumeUp: true,
      }),
    ).toEqual([
      '-n',
      '-sT',
      '-sV',
      '--version-intensity',
      '2',
      '--script',
      'http-title,http-server-header',
      '-p',
      '22,80,8000-8100,65535',
      '--host-timeout',
      '60s',
      '-Pn',
      '-T4',
      '--max-retries',
      '2',
      '--stats-every',
      '2s',
      '-oX',
      '-',
      '--exclude',
      '192.168.1.1',
      '--',
      '192.168.1.10',
      '192.168.1.11/32',
    ]);
    expect(
      buildPortScanArgs({ ...base, profile: 'top1000', privileged: true, hostTimeoutSec: 1 }).slice(5, 7),
    ).toEqual(['--top-ports', '1000']);
  });

  it('tls_checks adds ssl-cert and ssl-enum-ciphers to the one --script list, bounded by --script-timeout', () => {
    const base = { targets: ['10.0.0.5'], profile: 'top100' as const, privileged: true, hostTimeoutSec: 60 };
    const plain = buildPortScanArgs(base);
    const tls = buildPortScanArgs({ ...base, tlsScripts: true });
    // nmap honours only the last --script flag: the TLS scripts must not replace the HTTP ones
    expect(tls.filter((a) => a === '--script')).toHaveLength(1);
    expect(tls[tls.indexOf('--script') + 1]).toBe('http-title,http-server-header,ssl-cert,ssl-enum-ciphers');
    expect(tls[tls.indexOf('--script-timeout') + 1]).toBe('60s');
    expect(plain[plain.indexOf('--script') + 1]).toBe('http-title,http-server-header');
    expect(plain).not.toContain('--script-timeout');
    expect(tls.indexOf('--script-timeout')).toBeLessThan(tls.indexOf('--'));
  });

  it('always puts the targets after a literal -- and nothing user-given before it', () => {
    const argv = buildPortScanArgs({
      targets: ['192.168.1.0/24'],
      profile: 'custom',
      ports: ['443'],
      privileged: true,
      hostTimeoutSec: 5,
    });
    const dd = argv.indexOf('--');
    expect(dd).toBe(argv.length - 2);
    expect(argv.filter((a) => a === '--')).toHaveLength(1);
  });
});

const hostile = [
  '-oN /etc/passwd',
  '-oN',
  '--script',
  '--script=http-shellshock',
  '-script=x',
  '-iL',
  '--datadir=/tmp',
  '-iR',
  '192.168.1.0/24;reboot',
  '192.168.1.0/24 -oN /tmp/x',
  '$(x)',
  '`id`',
  '192.168.1.0/24\n-sV',
  '192.168.1.1\0',
  ' 192.168.1.1',
  '-192.168.1.1',
  'localhost',
  '10.0.0.0/8',
  '',
];

describe('defence in depth: builders re-validate everything', () => {
  it.each(hostile)('refuses target %j', (t) => {
    expect(() => buildSweepArgs({ targets: [t], privileged: true, attached: true })).toThrow(NmapArgsError);
    expect(() =>
      buildPortScanArgs({
        targets: ['192.168.1.1', t],
        profile: 'top100',
        privileged: true,
        hostTimeoutSec: 5,
      }),
    ).toThrow(NmapArgsError);
  });

  it.each(hostile.filter((t) => t !== '10.0.0.0/8'))('refuses exclude %j', (e) => {
    expect(() => buildSweepArgs({ ...base, exclude: [e], privileged: true, attached: true })).toThrow(
      /^exclude: .* is not an IPv4 address or CIDR/,
    );
  });

  it.each([
    '22 --script=x',
    '-oN',
    '22;reboot',
    '$(x)',
    '0',
    '65536',
    '100-50',
    '22,80',
    'T:22',
    'U:53',
    '22\n',
    ' 22',
    '1-',
    '-22',
    '０22',
  ])('refuses port spec %j', (p) => {
    expect(() =>
      buildPortScanArgs({
        ...base,
        profile: 'custom',
        ports: ['80', p],
        privileged: true,
        hostTimeoutSec: 5,
      }),
    ).toThrow(/^ports: .* is not a port 1-65535 or a range such as 8000-8100$/);
  });

  it('refuses bad numbers, profiles, empty lists and -Pn on networks', () => {
    const ok = { ...base, profile: 'top100' as const, privileged: true, hostTimeoutSec: 5 };
    expect(() => buildPortScanArgs({ ...ok, hostTimeoutSec: 0 })).toThrow(/hostTimeoutSec/);
    expect(() => buildPortScanArgs({ ...ok, hostTimeoutSec: 1.5 })).toThrow(/hostTimeoutSec/);
    expect(() => buildPortScanArgs({ ...ok, versionIntensity: 10 })).toThrow(/versionIntensity/);
    expect(() => buildPortScanArgs({ ...ok, profile: '--script' as 'top100' })).toThrow(/port_profile/);
    expect(() => buildPortScanArgs({ ...ok, profile: 'custom', ports: [] })).toThrow(/custom profile needs/);
    expect(() => buildPortScanArgs({ ...ok, assumeUp: true })).toThrow(/-Pn is only allowed/);
    expect(() => buildSweepArgs({ targets: [], privileged: true, attached: true })).toThrow(/at least one/);
    const many = Array.from({ length: 4097 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    expect(() => buildSweepArgs({ targets: many, privileged: true, attached: true })).toThrow(/4096/);
  });
});
