/**
 * One place that builds a `Device` for tests: a known, online, home device with no ports, with every field the
 * type asks for. A new field on `Device` is added here once instead of in every test file.
 */
import type { Device } from '../../src/inventory/types.js';

/** `02:00:00:xx:yy:zz` for n (a locally administered MAC, never a real vendor's). */
export function testMac(n: number): string {
  const hex = (n & 0xffffff).toString(16).padStart(6, '0');
  return `02:00:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

export function makeDevice(over: Partial<Device> = {}): Device {
  return {
    mac: 'b8:27:eb:12:34:56',
    ip: '10.213.0.20',
    hostname: null,
    name: null,
    vendor: null,
    randomized: false,
    firstSeen: '2026-08-01T10:00:00.000Z',
    lastSeen: '2026-08-21T10:15:00.000Z',
    online: true,
    presence: 'home',
    missedSweeps: 0,
    known: true,
    watched: false,
    ignored: false,
    notes: null,
    considerHome: null,
    ports: [],
    portsScannedAt: null,
    riskScore: 0,
    risk: 'none',
    isNew: false,
    ...over,
  };
}

/** A device seen for the first time and not yet acknowledged (what a sweep makes of a stranger). */
export function makeNewDevice(over: Partial<Device> = {}): Device {
  return makeDevice({ known: false, isNew: true, ...over });
}
