/**
 * The presence feature (src/service/presence.ts) as main.ts attaches it, and the one helper that reads the
 * host's own MAC of an interface for both passive listening and NDP. Unprivileged only: passive listening with
 * root opens sockets on the machine's network, which is tested inside the simulated LAN (e2e passive-lan).
 * The interfaces are made up and the swept one has no IPv6, so NDP never pings anything here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { findTool, IP_CANDIDATES, PING_CANDIDATES } from '../../src/ndp/ndpTools.js';
import { type HostInterfaces, lanInterfaces, ownIpv4Mac } from '../../src/passive/passiveListening.js';
import { attachPresence } from '../../src/service/presence.js';
import { FindingsRepo } from '../../src/store/findingsRepo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { createLogger, silentLogger } from '../../src/util/logger.js';

const IFACES: HostInterfaces = {
  lo: [{ family: 'IPv4', address: '127.0.0.1', internal: true, mac: '00:00:00:00:00:00' }],
  eth0: [{ family: 'IPv4', address: '10.9.0.2', internal: false, mac: '02:AA:BB:00:00:02' }],
  wlan0: [{ family: 'IPv6', address: 'fd00::2', internal: false, mac: '02:aa:bb:00:00:07' }],
};
const DETECTED = [
  { iface: 'eth0', cidr: '10.9.0.0/24', address: '10.9.0.2' },
  { iface: 'lo', cidr: '127.0.0.0/8', address: '127.0.0.1' },
];

describe('own MAC of an interface', () => {
  it("is the IPv4 entry's MAC, lower case; none for all-zero, IPv6-only or unknown interfaces", () => {
    expect(ownIpv4Mac(IFACES, 'eth0')).toBe('02:aa:bb:00:00:02');
    expect(ownIpv4Mac(IFACES, 'lo')).toBeNull();
    expect(ownIpv4Mac(IFACES, 'wlan0')).toBeNull();
    expect(ownIpv4Mac(IFACES, 'nope')).toBeNull();
  });

  it('lanInterfaces: the interfaces overlapping a swept target, each with its own MAC', () => {
    expect(lanInterfaces(DETECTED, ['10.9.0.0/25'], IFACES)).toEqual([
      { iface: 'eth0', address: '10.9.0.2', mac: '02:aa:bb:00:00:02' },
    ]);
    expect(lanInterfaces(DETECTED, ['192.168.1.0/24'], IFACES)).toEqual([]);
  });
});

const defaultOptions = () => loadConfig({ flags: [], env: {}, fileExists: () => false }).options;

describe('presence feature', () => {
  let dir: string;
  let store: Store;
  let bus: EventBus;
  const logs: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-presence-'));
    store = openStore(join(dir, 'db.sqlite'), silentLogger);
    bus = new EventBus();
    logs.length = 0;
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const attach = (passive: boolean) =>
    attachPresence(
      {
        options: { ...defaultOptions(), passive, consider_home: 180 },
        db: store.db,
        store,
        findings: new FindingsRepo(store.db),
        bus,
        clock: new ManualClock(Date.parse('2026-12-04T12:00:00Z')),
        log: createLogger('debug', 'test', (l) => logs.push(l)),
      },
      {
        privileged: false,
        detected: DETECTED,
        initial: { targets: ['10.9.0.0/24'], exclude: [], attached: true },
      },
      { interfaces: () => IFACES },
    );

  it('unprivileged: passive listening says it is off; NDP (when ping and ip exist) follows sweeps until stop()', async () => {
    const p = attach(true);
    expect(logs.some((l) => l.includes('passive listening needs root: off'))).toBe(true);
    const tools = findTool(PING_CANDIDATES) !== null && findTool(IP_CANDIDATES) !== null;
    if (tools) {
      // eth0 has no IPv6 address: nothing to ping from, said so
      expect(logs.some((l) => l.includes('no IPv6 address on the LAN interfaces'))).toBe(true);
      expect(bus.listenerCount('scan:finished')).toBe(1);
    } else {
      expect(logs.some((l) => l.includes('IPv6 neighbour discovery off'))).toBe(true);
      expect(bus.listenerCount('scan:finished')).toBe(0);
    }
    await p.stop();
    expect(bus.listenerCount('scan:finished')).toBe(0);
  });

  it('option passive off: no passive-listening line at all', async () => {
    const p = attach(false);
    expect(logs.some((l) => l.includes('passive listening'))).toBe(false);
    await p.stop();
  });
});
