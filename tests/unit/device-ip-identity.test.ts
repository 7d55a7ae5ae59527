/**
 * Identity by IP (DESIGN §15), the pure parts: the key form, the sweep that creates a device from a MAC-less host
 * only on routed targets, and how such a device reaches Home Assistant (no MAC connection, no wake button, an
 * identifier HA's topic and id rules accept) and the API (the key is a valid device parameter).
 */
import { describe, expect, it } from 'vitest';
import { deviceKeySchema, macSchema } from '../../src/api/wirePrimitives.js';
import { type DiscoveryCtx, deviceDiscovery } from '../../src/ha/discovery.js';
import { deviceState, eventPayload } from '../../src/ha/states.js';
import { DEFAULT_TOPIC_CTX, deviceId, macOfDeviceCommandTopic } from '../../src/ha/topics.js';
import { identityOf, ipKey, ipOfKey, isIpKey } from '../../src/inventory/deviceKey.js';
import { normalizeMac } from '../../src/inventory/mac.js';
import { applySweep } from '../../src/inventory/sweep.js';
import { displayName, mac12 } from '../../src/inventory/types.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import { routedAddressTest } from '../../src/scan/targets.js';
import type { ScanResult } from '../../src/scan/types.js';
import { validateDiscovery } from '../helpers/discoveryValidator.js';
import { makeDevice } from '../helpers/makeDevice.js';

const ctx: DiscoveryCtx = { ...DEFAULT_TOPIC_CTX, swVersion: '0.1.0' };

describe('the key', () => {
  it('ip_<a>_<b>_<c>_<d>: round trip, never a MAC, unchanged by mac12', () => {
    expect(ipKey('192.168.20.7')).toBe('ip_192_168_20_7');
    expect(ipOfKey('ip_192_168_20_7')).toBe('192.168.20.7');
    expect(isIpKey('ip_192_168_20_7')).toBe(true);
    for (const bad of [
      'ip_192_168_20',
      'ip_192_168_020_7',
      'ip_256_1_1_1',
      'IP_1_2_3_4',
      'aa:bb:cc:dd:ee:ff',
      'ip_1_2_3_4_',
    ])
      expect(isIpKey(bad), bad).toBe(false);
    expect(() => ipKey('not an ip')).toThrow();
    expect(normalizeMac('ip_192_168_20_7')).toBeNull();
    expect(lookupVendor('ip_192_168_20_7')).toBeNull();
    expect(mac12('ip_192_168_20_7')).toBe('ip_192_168_20_7');
    expect(identityOf('ip_10_0_0_1')).toBe('ip');
    expect(identityOf('b8:27:eb:12:34:56')).toBe('mac');
    expect(
      displayName({ mac: 'ip_10_0_0_1', ip: '10.0.0.1', name: null, hostname: null, vendor: null }),
    ).toBe('10.0.0.1');
  });

  it('the API takes it wherever it takes a device; the MAC-only schema does not', () => {
    expect(deviceKeySchema.parse('ip_10_0_0_1')).toBe('ip_10_0_0_1');
    expect(deviceKeySchema.parse('B8-27-EB-12-34-56')).toBe('b8:27:eb:12:34:56');
    expect(deviceKeySchema.safeParse('ip_10_0_0').success).toBe(false);
    expect(deviceKeySchema.safeParse('10.0.0.1').success).toBe(false);
    expect(macSchema.safeParse('ip_10_0_0_1').success).toBe(false);
  });
});

describe('the sweep', () => {
  const result = (hosts: ScanResult['hosts']): ScanResult => ({
    kind: 'sweep',
    targets: ['10.0.1.0/24', '10.0.2.0/24'],
    startedAt: new Date('2026-03-01T12:00:00Z'),
    finishedAt: new Date('2026-03-01T12:00:05Z'),
    hosts,
    hostsUp: hosts.length,
    hostsTotal: 512,
    args: 'nmap',
  });
  const host = (ip: string) => ({
    ip,
    hostnames: [],
    status: 'up' as const,
    reason: 'echo-reply',
    ports: [],
    portsScanned: false,
  });
  const base = { now: new Date('2026-03-01T12:00:05Z'), considerHome: 180, lookupVendor };

  it('a MAC-less host becomes a device only when its address is on a routed target', () => {
    const identifyByIp = routedAddressTest(['10.0.2.0/24'])!;
    const out = applySweep([], result([host('10.0.1.9'), host('10.0.2.9')]), { ...base, identifyByIp });
    expect(out.devices.map((d) => [d.mac, d.ip, d.vendor, d.randomized])).toEqual([
      ['ip_10_0_2_9', '10.0.2.9', null, false],
    ]);
    expect(out.skipped).toEqual([{ ip: '10.0.1.9', reason: 'no MAC and no known device at this IP' }]);
    expect(out.changes.map((c) => c.type)).toEqual(['new_device']);
    // without routed targets: identity is the MAC, as before
    expect(applySweep([], result([host('10.0.2.9')]), base).devices).toEqual([]);
    expect(routedAddressTest([])).toBeNull();
  });

  it("a device (any scanner's) at that address wins: the host is attributed to it or skipped", () => {
    const identifyByIp = routedAddressTest(['10.0.2.0/24'])!;
    const esp = makeDevice({ mac: '24:0a:c4:00:00:01', ip: '10.0.2.9' });
    const mine = applySweep([esp], result([host('10.0.2.9')]), { ...base, identifyByIp });
    expect(mine.devices.map((d) => d.mac)).toEqual(['24:0a:c4:00:00:01']);
    const agents = applySweep([esp], result([host('10.0.2.9')]), {
      ...base,
      identifyByIp,
      owns: () => false,
    });
    expect(agents.devices).toEqual([]);
    expect(agents.skipped.map((s) => s.ip)).toEqual(['10.0.2.9']);
  });
});

describe('Home Assistant', () => {
  const dev = makeDevice({ mac: 'ip_10_0_2_9', ip: '10.0.2.9', vendor: null });

  it('a device identified by IP claims no MAC: an identifier, no connection, no wake button; valid discovery', () => {
    const m = deviceDiscovery(dev, ctx);
    expect(m.topic).toBe('homeassistant/device/lan_sentinel_ip_10_0_2_9/config');
    expect(validateDiscovery(m.topic, JSON.stringify(m.payload))).toEqual([]);
    const p = m.payload as {
      device: Record<string, unknown>;
      components: Record<string, { unique_id: string; default_entity_id: string; command_topic?: string }>;
    };
    expect(p.device.identifiers).toEqual(['lan_sentinel_ip_10_0_2_9']);
    expect(p.device).not.toHaveProperty('connections');
    expect(p.device.model).toBe('Identified by IP (routed subnet)');
    expect(p.components.wake).toBeUndefined();
    expect(p.components.presence?.default_entity_id).toBe('device_tracker.lan_sentinel_ip_10_0_2_9');
    expect(p.components.rescan?.command_topic).toBe('lan_sentinel/device/ip_10_0_2_9/rescan');
    expect(macOfDeviceCommandTopic(ctx, 'lan_sentinel/device/ip_10_0_2_9/rescan', 'rescan')).toBe(
      'ip_10_0_2_9',
    );
    expect(deviceId('ip_10_0_2_9')).toBe('lan_sentinel_ip_10_0_2_9');
    // a MAC device keeps its connection and its wake button
    const mac = deviceDiscovery(makeDevice(), ctx).payload as {
      device: { connections: string[][] };
      components: Record<string, unknown>;
    };
    expect(mac.device.connections).toEqual([['mac', 'b8:27:eb:12:34:56']]);
    expect(mac.components.wake).toBeDefined();
  });

  it('its events name no MAC, only its address', () => {
    const e = eventPayload({
      type: 'new_device',
      mac: 'ip_10_0_2_9',
      ip: '10.0.2.9',
      name: '10.0.2.9',
      vendor: null,
      severity: 'low',
      message: 'New device on your network: 10.0.2.9 (identified by IP)',
      time: '2026-03-01T12:00:05.000Z',
    });
    expect(e).toMatchObject({ mac: null, ip: '10.0.2.9', event_type: 'new_device' });
  });

  it('its state says identified_by ip and shows no MAC', () => {
    expect(deviceState(dev, [])).toMatchObject({ identified_by: 'ip', mac: null, ip: '10.0.2.9' });
    expect(deviceState(makeDevice(), [])).toMatchObject({ identified_by: 'mac', mac: 'b8:27:eb:12:34:56' });
  });
});
