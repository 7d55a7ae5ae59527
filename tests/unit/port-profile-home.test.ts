/**
 * The default port profile must give every risky-port rule a chance to fire: each port a rule names is
 * scanned by `home` (UDP ones when nmap has raw sockets, as the add-on does).
 */
import { describe, expect, it } from 'vitest';
import { optionsSchema } from '../../src/config/options.js';
import { buildPortScanArgs, buildPortScanRuns, buildUdpScanArgs } from '../../src/scan/nmapArgs.js';
import { HOME_TCP, HOME_UDP, homeProfileCovers, NMAP_TOP100_TCP } from '../../src/scan/portProfiles.js';
import { PORT_RULES } from '../../src/threats/portRules.js';

const rulePorts = PORT_RULES.flatMap((r) => r.ports.map((p) => ({ rule: r.id, ...p })));

describe('the home port profile', () => {
  it('is the default profile', () => {
    expect(optionsSchema.parse({}).port_profile).toBe('home');
    expect(optionsSchema.parse({}).scan_new_devices).toBe(true);
  });

  it('scans every port a risky-port rule names (as root, UDP included)', () => {
    expect(rulePorts.length).toBeGreaterThan(30);
    const missed = rulePorts.filter((p) => !homeProfileCovers(p, true));
    expect(missed).toEqual([]);
  });

  it('scans every TCP rule port without raw sockets too', () => {
    const missed = rulePorts.filter((p) => p.protocol === 'tcp' && !homeProfileCovers(p, false));
    expect(missed).toEqual([]);
  });

  it('covers the ports homes run that top100 misses (MQTT, HA, Docker, ADB, Redis, Mongo, Elasticsearch)', () => {
    for (const port of [1883, 8883, 8123, 2375, 5555, 6379, 27017, 9200]) {
      expect(NMAP_TOP100_TCP.includes(port), `${port} in top100`).toBe(false);
      expect(HOME_TCP.includes(port), `${port} in home`).toBe(true);
    }
    for (const port of [53, 123, 161, 1900, 5353, 5683]) expect(HOME_UDP).toContain(port);
    expect(NMAP_TOP100_TCP).toHaveLength(100);
  });

  it('as root: a SYN run of the TCP list and a separate UDP run; unprivileged: one connect run of the TCP list', () => {
    const input = { targets: ['10.0.0.5'], exclude: [], profile: 'home' as const, hostTimeoutSec: 180 };
    const root = buildPortScanRuns({ ...input, privileged: true });
    expect(root.map((r) => r.protocol)).toEqual(['tcp', 'udp']);
    const [tcp, udp] = root.map((r) => r.argv) as [string[], string[]];
    expect(tcp.slice(0, 3)).toEqual(['-n', '-sS', '-sV']);
    expect(tcp).not.toContain('-sU');
    expect(tcp[tcp.indexOf('-p') + 1]!.split(',').map(Number)).toEqual([...HOME_TCP]);
    // UDP: only the probes written for each port (intensity 0), no TCP scripts, same bound, targets after --
    expect(udp.slice(0, 5)).toEqual(['-n', '-sU', '-sV', '--version-intensity', '0']);
    expect(udp).not.toContain('-sS');
    expect(udp).not.toContain('--script');
    expect(udp[udp.indexOf('-p') + 1]!.split(',').map(Number)).toEqual([...HOME_UDP]);
    expect(udp[udp.indexOf('--host-timeout') + 1]).toBe('180s');
    expect(udp.slice(-2)).toEqual(['--', '10.0.0.5']);
    expect(buildPortScanArgs({ ...input, privileged: true })).toEqual(tcp);

    const user = buildPortScanRuns({ ...input, privileged: false });
    expect(user).toHaveLength(1);
    const argv = user[0]!.argv;
    expect(argv).not.toContain('-sU');
    expect(argv[1]).toBe('-sT');
    expect(argv[argv.indexOf('-p') + 1]).toBe(HOME_TCP.join(','));
    expect(argv.slice(-2)).toEqual(['--', '10.0.0.5']);
  });

  it('other profiles are one TCP run, root or not', () => {
    for (const profile of ['top100', 'top1000'] as const)
      for (const privileged of [true, false])
        expect(
          buildPortScanRuns({ targets: ['10.0.0.5'], profile, privileged, hostTimeoutSec: 60 }).map(
            (r) => r.protocol,
          ),
        ).toEqual(['tcp']);
    expect(
      buildPortScanRuns({
        targets: ['10.0.0.5'],
        profile: 'custom',
        ports: ['53'],
        privileged: true,
        hostTimeoutSec: 60,
      }),
    ).toHaveLength(1);
  });

  it('the UDP run re-validates its input like the TCP one (-Pn only for single addresses, hostile targets)', () => {
    const input = {
      targets: ['10.0.0.0/24'],
      profile: 'home' as const,
      privileged: true,
      hostTimeoutSec: 60,
    };
    expect(() => buildUdpScanArgs({ ...input, assumeUp: true })).toThrow(/-Pn is only allowed/);
    expect(() => buildUdpScanArgs({ ...input, targets: ['10.0.0.1', '-oN /tmp/x'] })).toThrow(/targets/);
    expect(() => buildUdpScanArgs({ ...input, exclude: ['--script=x'] })).toThrow(/exclude/);
    expect(buildUdpScanArgs({ ...input, targets: ['10.0.0.7'], assumeUp: true })).toContain('-Pn');
  });
});
