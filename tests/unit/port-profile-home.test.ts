/**
 * The default port profile must give every risky-port rule a chance to fire: each port a rule names is
 * scanned by `home` (UDP ones when nmap has raw sockets, as the add-on does).
 */
import { describe, expect, it } from 'vitest';
import { optionsSchema } from '../../src/config/options.js';
import { buildPortScanArgs } from '../../src/scan/nmapArgs.js';
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

  it('as root: SYN + UDP scan with a T:/U: port list; unprivileged: connect scan of the TCP list only', () => {
    const input = { targets: ['10.0.0.5'], exclude: [], profile: 'home' as const, hostTimeoutSec: 180 };
    const root = buildPortScanArgs({ ...input, privileged: true });
    expect(root.slice(0, 4)).toEqual(['-n', '-sS', '-sU', '-sV']);
    const p = root[root.indexOf('-p') + 1]!;
    expect(p).toMatch(/^T:7,9,13,.*,U:53,69,/);
    expect(p.split(',U:')[0]!.slice(2).split(',').map(Number)).toEqual([...HOME_TCP]);
    const user = buildPortScanArgs({ ...input, privileged: false });
    expect(user).not.toContain('-sU');
    expect(user[1]).toBe('-sT');
    expect(user[user.indexOf('-p') + 1]).toBe(HOME_TCP.join(','));
    expect(user.slice(-2)).toEqual(['--', '10.0.0.5']);
  });
});
