import { describe, expect, it } from 'vitest';
import type { DeviceJson } from '../../src/api/schemas.js';
import { UsageError } from '../../src/cli/args.js';
import { expectedTable, parsePortList } from '../../src/cli/commands/expectedPorts.js';

describe('devices expected: port list parsing', () => {
  it('takes 22, 22/tcp, tcp/22, 53/udp and comma lists, as unique tcp/udp keys', () => {
    expect(parsePortList(['22', '80/tcp,tcp/443', '53/UDP', 'udp/53', ' 22 '])).toEqual([
      'tcp/22',
      'tcp/80',
      'tcp/443',
      'udp/53',
    ]);
    expect(parsePortList(['65535', '1'])).toEqual(['tcp/65535', 'tcp/1']);
  });
  it('refuses what is not a port, naming the token and the allowed forms', () => {
    for (const bad of ['0', '65536', 'ssh', 'tcp/22/udp', '22/sctp', '-1', '1e3', '22-25'])
      expect(() => parsePortList([bad]), bad).toThrow(UsageError);
    expect(() => parsePortList(['x'.repeat(500)])).toThrow(/^not a port: "x{40}"; give 1-65535/);
  });
});

describe('devices expected: table', () => {
  const d = {
    mac: 'aa:bb:cc:dd:ee:ff',
    display_name: 'NAS',
    ports: [
      { protocol: 'tcp', port: 22, service: 'ssh' },
      { protocol: 'tcp', port: 445, service: 'microsoft-ds' },
    ],
  } as unknown as DeviceJson;
  it('marks open ports outside the list UNEXPECTED and listed closed ones', () => {
    const t = expectedTable(d, { mac: d.mac, ports: ['tcp/22', 'udp/53'], updated_at: null }, { width: 100 });
    expect(t).toMatch(/^22\/tcp\s+ssh\s+open, expected$/m);
    expect(t).toMatch(/^445\/tcp\s+microsoft-ds\s+open, UNEXPECTED$/m);
    expect(t).toMatch(/^53\/udp\s+-\s+expected, closed$/m);
    expect(t).toContain('1 open port is outside the expected ones');
  });
  it('without a list, nothing is unexpected and it says how to set one', () => {
    const t = expectedTable(d, { mac: d.mac, ports: null, updated_at: null }, { width: 100 });
    expect(t).not.toContain('UNEXPECTED');
    expect(t).toContain('no expected ports set');
    expect(t).toContain('accept-open');
  });
});
