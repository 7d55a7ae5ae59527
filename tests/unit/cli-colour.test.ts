/**
 * Colour in the CLI (issue 16, found in the tmux screenshots: no colour at all on a real terminal): when it is
 * on, and that tables and scan lines are painted without changing what is written or how wide it is.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceJson } from '../../src/api/schemas.js';
import { colourEnabled, levelStyle } from '../../src/cli/colour.js';
import { deviceTable } from '../../src/cli/commands/devices.js';
import { ScanProgress } from '../../src/cli/progress.js';
import { renderTable } from '../../src/cli/table.js';

const ESC = '\x1b[';
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('colourEnabled', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it('colours a terminal (tmux: TERM=xterm-256color / screen / tmux-256color), not a pipe or a dumb terminal', () => {
    for (const TERM of ['xterm-256color', 'screen-256color', 'tmux-256color', 'xterm', undefined])
      expect(colourEnabled(tty, { TERM }), String(TERM)).toBe(true);
    expect(colourEnabled(pipe, { TERM: 'xterm-256color' })).toBe(false);
    expect(colourEnabled({}, { TERM: 'xterm-256color' })).toBe(false);
    expect(colourEnabled(tty, { TERM: 'dumb' })).toBe(false);
  });
  it('NO_COLOR (non-empty) and --no-color turn it off; FORCE_COLOR turns it on, "0"/"false" off', () => {
    expect(colourEnabled(tty, { TERM: 'xterm', NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(tty, { TERM: 'xterm', NO_COLOR: '' })).toBe(true);
    expect(colourEnabled(tty, { TERM: 'xterm' }, true)).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(colourEnabled(tty, { TERM: 'xterm', FORCE_COLOR: '0' })).toBe(false);
    expect(colourEnabled(tty, { TERM: 'xterm', FORCE_COLOR: 'false' })).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });
});

const device = (over: Partial<DeviceJson>): DeviceJson =>
  ({
    ip: '10.213.7.30',
    mac: '00:11:32:aa:bb:cc',
    display_name: 'Synology NAS .30',
    vendor: 'Synology Incorporated',
    randomized: false,
    presence: 'home',
    online: true,
    risk: 'critical',
    open_ports: 2,
    last_seen: '2026-12-04T10:00:00.000Z',
    ...over,
  }) as DeviceJson;

describe('coloured tables', () => {
  const now = new Date('2026-12-04T10:00:05.000Z');
  const devices = [device({}), device({ ip: '10.213.7.40', mac: 'f0:18:98:11:22:33', risk: 'none' })];

  it('the header is bold, risk and state are painted; stripped, the text is exactly the plain table', () => {
    const plain = deviceTable(devices, { now, width: 100 });
    const coloured = deviceTable(devices, { now, width: 100, colour: true });
    expect(plain).not.toContain(ESC);
    expect(coloured.split('\n')[0]).toMatch(/^\x1b\[1mIP\x1b\[0m/);
    expect(coloured).toContain(`${ESC}1;31mcritical${ESC}0m`);
    expect(coloured).toContain(`${ESC}32mnone${ESC}0m`);
    expect(coloured).toContain(`${ESC}32mhome${ESC}0m`);
    expect(strip(coloured)).toBe(plain);
  });

  it('padding is outside the escapes: columns line up on screen, right-aligned numbers too', () => {
    const t = renderTable(
      ['sev', 'n'],
      [
        ['critical', 1],
        ['low', 22],
      ],
      { colour: true, style: { sev: levelStyle }, right: ['n'] },
    );
    const lines = strip(t).split('\n');
    expect(lines).toEqual(['SEV        N', 'critical   1', 'low       22']);
    expect(t.split('\n')[2]).toBe(`${ESC}36mlow${ESC}0m       22`);
  });

  it('a finished scan line is green on a colour terminal, plain into a pipe', () => {
    const write = (isTTY: boolean, colour: boolean) => {
      const out: string[] = [];
      const p = new ScanProgress({ write: (s) => out.push(s), isTTY, columns: 100 }, true, colour);
      p.event({ phase: 'started', scan_id: 3, kind: 'sweep' } as never);
      p.event({ phase: 'finished', scan_id: 3, kind: 'sweep', hosts_up: 4, changes: 0 } as never);
      p.stop();
      return out.join('');
    };
    expect(write(true, true)).toMatch(
      /\x1b\[32mscan 3 \(sweep\) finished in [^\n]*: 4 hosts up, 0 changes\x1b\[0m/,
    );
    expect(write(false, true)).not.toContain(ESC);
    expect(write(true, false)).not.toMatch(/\x1b\[3\dm/);
  });
});
