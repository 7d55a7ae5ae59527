import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { renderTable, toCsv } from '../../src/cli/table.js';

describe('cli args', () => {
  it('defaults to run and separates command flags from option flags', () => {
    expect(parseArgs(['--sweep-interval', '30'])).toEqual({
      command: 'run',
      positionals: [],
      flags: {},
      optionFlags: ['--sweep-interval', '30'],
    });
    const p = parseArgs(['scan', '--once', '--json', '--subnets', '10.213.1.0/24', '--nmap-path=/x']);
    expect(p.command).toBe('scan');
    expect(p.flags).toEqual({ once: true, json: true });
    expect(p.optionFlags).toEqual(['--subnets', '10.213.1.0/24', '--nmap-path=/x']);
    const c = parseArgs(['compare', '3', '7', '--json', '--api-url', 'http://127.0.0.1:8099']);
    expect(c.positionals).toEqual(['3', '7']);
    expect(c.flags['api-url']).toBe('http://127.0.0.1:8099');
  });
  it('--ports is the scan command flag when bare, and the ports option otherwise', () => {
    expect(parseArgs(['scan', '--once', '--ports']).flags).toEqual({ once: true, ports: true });
    const s = parseArgs(['scan', '--once', '--ports', '22,80', '--json']);
    expect(s.flags).toEqual({ once: true, ports: true, json: true });
    expect(s.optionFlags).toEqual(['--ports', '22,80']);
    const r = parseArgs(['run', '--port-profile', 'custom', '--ports', '21,22']);
    expect(r.flags).toEqual({});
    expect(r.optionFlags).toEqual(['--port-profile', 'custom', '--ports', '21,22']);
  });
  it('rejects unknown commands and missing values', () => {
    expect(() => parseArgs(['sacn'])).toThrow(UsageError);
    expect(() => parseArgs(['sacn'])).toThrow(/commands: run, scan/);
    expect(() => parseArgs(['export', '--format'])).toThrow(/--format needs a value/);
  });
  it('routes --help and --version', () => {
    expect(parseArgs(['scan', '--help']).command).toBe('help');
    expect(parseArgs(['--version']).command).toBe('version');
  });
});

describe('table and csv', () => {
  it('aligns columns and neutralises control/bidi characters', () => {
    const t = renderTable(
      ['ip', 'name'],
      [
        ['10.0.0.1', 'evil\u202e\nname'],
        ['10.0.0.22', null],
      ],
    );
    expect(t).toBe(['IP         NAME', '10.0.0.1   evil??name', '10.0.0.22  -'].join('\n'));
  });
  it('fits the width by shortening only the shrinkable columns, with …', () => {
    const rows = [
      ['10.0.0.1', 'aa:bb:cc:dd:ee:ff', 'x'.repeat(80), 'Raspberry Pi Foundation Ltd and more'],
      ['10.0.0.200', '11:22:33:44:55:66', 'short', null],
    ];
    const t = renderTable(['ip', 'mac', 'name', 'vendor'], rows, { width: 60, shrink: ['name', 'vendor'] });
    const lines = t.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(60);
    // ip and mac are never cut
    expect(lines[1]).toContain('aa:bb:cc:dd:ee:ff');
    expect(lines[2]).toMatch(/^10\.0\.0\.200 {2}11:22:33:44:55:66/);
    expect(lines[1]).toContain('…');
    // a table that fits is left alone
    expect(renderTable(['a'], [['b']], { width: 100 })).toBe('A\nb');
  });
  it('keeps the layout when an age column grows (9s → 10s ago): minWidth reserves it', () => {
    const nameCell = (seen: string, minWidth?: Record<string, number>) =>
      renderTable(['name', 'seen'], [['Raspberry Pi Foundation server', seen]], {
        width: 30,
        shrink: ['name'],
        minWidth,
      })
        .split('\n')[1]!
        .split('  ')[0];
    expect(nameCell('10s ago', { seen: 8 })).toBe(nameCell('9s ago', { seen: 8 }));
    expect(nameCell('9s ago', { seen: 8 })).toBe('Raspberry Pi Founda…');
    // without it, the name loses a character when the age gains one
    expect(nameCell('10s ago')).not.toBe(nameCell('9s ago'));
  });
  it('right-aligns number columns', () => {
    expect(
      renderTable(
        ['id', 'n'],
        [
          [1, 5],
          [12, 100],
        ],
        { right: ['id', 'n'] },
      ),
    ).toBe(['ID    N', ' 1    5', '12  100'].join('\n'));
  });
  it('quotes CSV and defuses formulas', () => {
    expect(toCsv(['a', 'b'], [['=cmd()', 'x,"y"']])).toBe('a,b\r\n\'=cmd(),"x,""y"""\r\n');
  });
});
