/**
 * How `devices` shares 100 columns (issue 16, found in the tmux screenshot: VENDOR cut to "Hangzho…",
 * "Raspber…" while the brand would have fitted): a vendor too long for its column shows its brand
 * ("Hikvision"), the column is sized so brands stay whole, and the name gives way before that.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceJson } from '../../src/api/schemas.js';
import { deviceTable } from '../../src/cli/commands/devices.js';
import { renderTable } from '../../src/cli/table.js';
import { defaultHosts } from '../lan/hosts.js';

// the simulated LAN's population with the display names the service gives it
const NAMES: Record<string, string> = {
  router: 'Ubiquiti access point .1',
  pi: 'Raspberry Pi server .10',
  pi4: 'Raspberry Pi server .11',
  esp: 'Espressif IoT device .20',
  nas: 'Synology NAS .30',
  mac: 'Apple .40',
  oldbox: 'TP-Link router .50',
  camera: 'Hikvision camera .60',
  sonos: 'Sonos speaker .70',
  nest: 'Google .80',
  phone: 'Private device .90',
};
const devices: DeviceJson[] = defaultHosts().map(
  (h) =>
    ({
      ip: `10.213.241.${h.ip}`,
      mac: h.mac,
      display_name: NAMES[h.name]!,
      vendor: h.vendor,
      randomized: h.randomized,
      presence: 'home',
      online: true,
      risk: h.name === 'nas' ? 'critical' : 'none',
      open_ports: h.services?.length ?? 0,
      last_seen: '2026-12-04T10:00:00.000Z',
    }) as DeviceJson,
);
const now = new Date('2026-12-04T10:00:28.000Z');

function column(table: string, header: string): string[] {
  const [head, ...rows] = table.split('\n');
  const start = head!.indexOf(header);
  const next = head!.slice(start + header.length).search(/\S/);
  return rows.map((r) => r.slice(start, start + header.length + next).trim());
}

describe('devices in 100 columns', () => {
  const t = deviceTable(devices, { now, width: 100 });

  it('fits 100 columns', () => {
    for (const l of t.split('\n')) expect([...l].length).toBeLessThanOrEqual(100);
  });

  it('every vendor shows whole: the full registry name where it fits, else its brand, never cut', () => {
    const vendors = column(t, 'VENDOR');
    for (const v of vendors) expect(v).not.toContain('…');
    const byHost = Object.fromEntries(defaultHosts().map((h, i) => [h.name, vendors[i]]));
    expect(byHost.camera).toBe('Hikvision');
    expect(byHost.pi).toMatch(/^Raspberry Pi/);
    expect(byHost.nas).toMatch(/^Synology/);
    expect(byHost.mac).toBe('Apple, Inc.');
    expect(byHost.phone).toBe('(random MAC)');
  });

  it('the name keeps most of its width (at least 16 of it), and shows whole where it is short', () => {
    const names = column(t, 'NAME');
    for (const [i, n] of names.entries()) {
      const full = devices[i]!.display_name;
      if (full.length <= 16) expect(n).toBe(full);
      else expect(n.replace('…', '').length).toBeGreaterThanOrEqual(15);
    }
  });

  it('with room to spare, full vendor names show', () => {
    const wide = deviceTable(devices, { now, width: 160 });
    expect(column(wide, 'VENDOR')).toContain('Hangzhou Hikvision Digital Technology Co.,Ltd.');
  });

  it('a short form longer than the room is cut as a last resort, and the table still fits', () => {
    const r = renderTable(['a', 'b'], [['x'.repeat(30), { text: 'y'.repeat(40), short: 'z'.repeat(20) }]], {
      width: 24,
    });
    for (const l of r.split('\n')) expect(l.length).toBeLessThanOrEqual(24);
    expect(r.split('\n')[1]).toMatch(/z+…$/);
  });
});

describe('a device identified by IP (routed subnet, DESIGN §15)', () => {
  it('shows "(by IP)" in the MAC column, never its key', () => {
    const routed = {
      ...devices[0]!,
      ip: '10.213.242.7',
      mac: 'ip_10_213_242_7',
      identified_by: 'ip',
      display_name: '10.213.242.7',
      vendor: null,
      randomized: false,
    } as DeviceJson;
    const t = deviceTable([devices[0]!, routed], { now, width: 100 });
    expect(column(t, 'MAC')).toEqual([devices[0]!.mac, '(by IP)']);
  });
});
