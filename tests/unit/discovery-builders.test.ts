import { describe, expect, it } from 'vitest';
import { coreAtLeast, type DiscoveryCtx, deviceDiscovery, hubDiscovery } from '../../src/ha/discovery.js';
import { deviceState, eventPayload, hubState } from '../../src/ha/states.js';
import type { Device } from '../../src/inventory/types.js';
import type { StoredFinding } from '../../src/threats/types.js';
import { CHANGE_TYPES } from '../../src/vocabulary.js';
import {
  validateAttributesPayload,
  validateDiscovery,
  validateDiscoverySet,
} from '../helpers/discoveryValidator.js';
import { makeDevice } from '../helpers/makeDevice.js';

const ctx: DiscoveryCtx = {
  discoveryPrefix: 'homeassistant',
  baseTopic: 'lan_sentinel',
  swVersion: '0.1.0',
  ingressUrl: 'homeassistant://app/local_lan_sentinel',
};

function device(over: Partial<Device> = {}): Device {
  return makeDevice({
    mac: 'b8:27:eb:12:34:56',
    ip: '192.168.1.20',
    hostname: 'raspberrypi',
    vendor: 'Raspberry Pi Foundation',
    ...over,
  });
}

const pi = device({
  kind: 'server',
  kindConfidence: 55,
  ports: [
    {
      protocol: 'tcp',
      port: 22,
      service: 'ssh',
      product: 'OpenSSH',
      version: '9.2p1',
      cpe: [],
      firstSeen: 'x',
      lastSeen: 'x',
    },
    { protocol: 'tcp', port: 23, service: 'telnet', cpe: [], firstSeen: 'x', lastSeen: 'x' },
  ],
  risk: 'high',
  riskScore: 70,
});
const telnetFinding: StoredFinding = {
  id: 1,
  key: 'port:tcp/23',
  mac: pi.mac,
  kind: 'risky_port',
  severity: 'high',
  title: 'Telnet is open',
  detail: 'cleartext remote shell',
  remediation: 'disable telnet',
  port: 23,
  protocol: 'tcp',
  confidence: 1,
  firstSeen: '2026-08-21T10:00:00.000Z',
  lastSeen: '2026-08-21T10:15:00.000Z',
  resolvedAt: null,
};
const randomized = device({
  mac: 'da:a1:19:00:00:01',
  hostname: null,
  vendor: null,
  randomized: true,
  online: false,
  presence: 'not_home',
  known: false,
  isNew: true,
});
const hostile = device({
  mac: '00:11:22:33:44:55',
  hostname: '<img src=x onerror=alert(1)>',
  vendor: 'Evil\u0000Corp\n',
});
const huge = device({
  mac: '00:11:22:33:44:66',
  hostname: 'h'.repeat(10_000),
  name: 'n'.repeat(10_000),
  vendor: 'v'.repeat(10_000),
});

describe('hub discovery', () => {
  it('matches the DESIGN §7 contract', () => {
    const m = hubDiscovery(ctx);
    expect(m.topic).toBe('homeassistant/device/lan_sentinel_hub/config');
    expect(validateDiscovery(m.topic, JSON.stringify(m.payload))).toEqual([]);
    const comps = m.payload.components as Record<string, Record<string, unknown>>;
    expect(Object.keys(comps).sort()).toEqual(
      [
        'alert',
        'devices_known',
        'devices_new',
        'devices_online',
        'last_scan',
        'last_port_scan',
        'port_scans_pending',
        'network_event',
        'problem',
        'scan_now',
        'scanning',
        'threats_active',
      ].sort(),
    );
    expect(comps.network_event?.event_types).toEqual([...CHANGE_TYPES]);
    // issue 11: the alert rules' "HA event entity" channel (mqtt_event) has its own event entity
    expect(comps.alert).toMatchObject({
      platform: 'event',
      state_topic: 'lan_sentinel/alert',
      default_entity_id: 'event.lan_sentinel_alert',
    });
    expect(comps.alert?.event_types).toEqual([...CHANGE_TYPES, 'alert_summary']);
    expect(comps.scanning?.device_class).toBe('running');
    // issue 13: the service is degraded (failed sweep, failing writes), the problems as attributes
    expect(comps.problem).toMatchObject({
      platform: 'binary_sensor',
      device_class: 'problem',
      entity_category: 'diagnostic',
      default_entity_id: 'binary_sensor.lan_sentinel_problem',
      state_topic: 'lan_sentinel/hub/state',
      json_attributes_topic: 'lan_sentinel/hub/state',
    });
    expect(comps.last_scan?.device_class).toBe('timestamp');
    // issue 14: when the last port scan ran (unknown before the first) and how many devices wait for one
    expect(comps.last_port_scan?.device_class).toBe('timestamp');
    expect(comps.last_port_scan?.value_template).toContain("'None'");
    expect(comps.port_scans_pending?.value_template).toBe('{{ value_json.port_scans_pending }}');
    expect(comps.scan_now?.command_topic).toBe('lan_sentinel/hub/scan_now');
    expect(m.payload.availability).toEqual([
      { topic: 'lan_sentinel/status', payload_available: 'online', payload_not_available: 'offline' },
    ]);
  });
});

describe('device discovery', () => {
  it('a device with rotated private MACs lists every MAC in its connections (one HA device)', () => {
    const m = deviceDiscovery({ ...pi, aliases: ['6A:00:00:00:00:02', '6a:00:00:00:00:03'] }, ctx);
    expect(validateDiscovery(m.topic, JSON.stringify(m.payload))).toEqual([]);
    const dev = (x: typeof m) => x.payload.device as { connections: string[][]; identifiers: string[] };
    expect(dev(m).connections).toEqual([
      ['mac', pi.mac.toLowerCase()],
      ['mac', '6a:00:00:00:00:02'],
      ['mac', '6a:00:00:00:00:03'],
    ]);
    expect(dev(m).identifiers).toEqual(dev(deviceDiscovery(pi, ctx)).identifiers);
  });

  it('every device has a Wake button (DESIGN §15): PRESS on <base>/device/<mac12>/wake', () => {
    const m = deviceDiscovery(pi, ctx);
    expect(validateDiscovery(m.topic, JSON.stringify(m.payload))).toEqual([]);
    const wake = (m.payload.components as Record<string, Record<string, unknown>>).wake;
    expect(wake).toEqual({
      platform: 'button',
      unique_id: 'lan_sentinel_b827eb123456_wake',
      default_entity_id: 'button.lan_sentinel_b827eb123456_wake',
      name: 'Wake',
      command_topic: 'lan_sentinel/device/b827eb123456/wake',
      payload_press: 'PRESS',
      icon: 'mdi:power',
    });
  });

  it('Raspberry Pi with ports and a finding', () => {
    const m = deviceDiscovery(pi, ctx);
    expect(validateDiscovery(m.topic, JSON.stringify(m.payload))).toEqual([]);
    expect(m).toMatchInlineSnapshot(`
      {
        "payload": {
          "availability": [
            {
              "payload_available": "online",
              "payload_not_available": "offline",
              "topic": "lan_sentinel/status",
            },
          ],
          "components": {
            "ip": {
              "default_entity_id": "sensor.lan_sentinel_b827eb123456_ip",
              "entity_category": "diagnostic",
              "icon": "mdi:ip-network",
              "name": "IP address",
              "platform": "sensor",
              "state_topic": "lan_sentinel/device/b827eb123456/state",
              "unique_id": "lan_sentinel_b827eb123456_ip",
              "value_template": "{{ value_json.ip }}",
            },
            "last_seen": {
              "default_entity_id": "sensor.lan_sentinel_b827eb123456_last_seen",
              "device_class": "timestamp",
              "entity_category": "diagnostic",
              "icon": "mdi:clock-outline",
              "name": "Last seen",
              "platform": "sensor",
              "state_topic": "lan_sentinel/device/b827eb123456/state",
              "unique_id": "lan_sentinel_b827eb123456_last_seen",
              "value_template": "{{ value_json.last_seen }}",
            },
            "online": {
              "default_entity_id": "binary_sensor.lan_sentinel_b827eb123456_online",
              "device_class": "connectivity",
              "name": "Online",
              "payload_off": "OFF",
              "payload_on": "ON",
              "platform": "binary_sensor",
              "state_topic": "lan_sentinel/device/b827eb123456/state",
              "unique_id": "lan_sentinel_b827eb123456_online",
              "value_template": "{{ 'ON' if value_json.online else 'OFF' }}",
            },
            "open_ports": {
              "default_entity_id": "sensor.lan_sentinel_b827eb123456_open_ports",
              "icon": "mdi:door-open",
              "name": "Open ports",
              "platform": "sensor",
              "state_class": "measurement",
              "state_topic": "lan_sentinel/device/b827eb123456/state",
              "unique_id": "lan_sentinel_b827eb123456_open_ports",
              "unit_of_measurement": "ports",
              "value_template": "{{ 'None' if value_json.risk == 'unknown' else value_json.open_ports }}",
            },
            "presence": {
              "default_entity_id": "device_tracker.lan_sentinel_b827eb123456",
              "icon": "mdi:server",
              "json_attributes_topic": "lan_sentinel/device/b827eb123456/state",
              "name": null,
              "payload_home": "home",
              "payload_not_home": "not_home",
              "platform": "device_tracker",
              "source_type": "router",
              "state_topic": "lan_sentinel/device/b827eb123456/state",
              "unique_id": "lan_sentinel_b827eb123456_presence",
              "value_template": "{{ value_json.presence }}",
            },
            "rescan": {
              "command_topic": "lan_sentinel/device/b827eb123456/rescan",
              "default_entity_id": "button.lan_sentinel_b827eb123456_rescan",
              "entity_category": "config",
              "icon": "mdi:radar",
              "name": "Rescan",
              "payload_press": "PRESS",
              "platform": "button",
              "unique_id": "lan_sentinel_b827eb123456_rescan",
            },
            "risk": {
              "default_entity_id": "sensor.lan_sentinel_b827eb123456_risk",
              "device_class": "enum",
              "icon": "mdi:shield-half-full",
              "name": "Risk",
              "options": [
                "none",
                "low",
                "medium",
                "high",
                "critical",
              ],
              "platform": "sensor",
              "state_topic": "lan_sentinel/device/b827eb123456/state",
              "unique_id": "lan_sentinel_b827eb123456_risk",
              "value_template": "{{ 'None' if value_json.risk == 'unknown' else value_json.risk }}",
            },
            "threat": {
              "default_entity_id": "binary_sensor.lan_sentinel_b827eb123456_threat",
              "device_class": "problem",
              "icon": "mdi:shield-alert",
              "name": "Threat",
              "payload_off": "OFF",
              "payload_on": "ON",
              "platform": "binary_sensor",
              "state_topic": "lan_sentinel/device/b827eb123456/state",
              "unique_id": "lan_sentinel_b827eb123456_threat",
              "value_template": "{{ 'None' if value_json.risk == 'unknown' else 'ON' if value_json.threats | selectattr('severity', 'in', ['medium', 'high', 'critical']) | list | count > 0 else 'OFF' }}",
            },
            "wake": {
              "command_topic": "lan_sentinel/device/b827eb123456/wake",
              "default_entity_id": "button.lan_sentinel_b827eb123456_wake",
              "icon": "mdi:power",
              "name": "Wake",
              "payload_press": "PRESS",
              "platform": "button",
              "unique_id": "lan_sentinel_b827eb123456_wake",
            },
          },
          "device": {
            "configuration_url": "homeassistant://app/local_lan_sentinel",
            "connections": [
              [
                "mac",
                "b8:27:eb:12:34:56",
              ],
            ],
            "identifiers": [
              "lan_sentinel_b827eb123456",
            ],
            "manufacturer": "Raspberry Pi Foundation",
            "model": "Server",
            "name": "raspberrypi",
            "via_device": "lan_sentinel_hub",
          },
          "origin": {
            "name": "LAN Sentinel",
            "support_url": "https://github.com/lan-sentinel/lan-sentinel",
            "sw_version": "0.1.0",
          },
        },
        "topic": "homeassistant/device/lan_sentinel_b827eb123456/config",
      }
    `);
    const s = deviceState(pi, [telnetFinding]);
    expect(validateAttributesPayload(JSON.stringify(s))).toEqual([]);
    expect(s).toMatchInlineSnapshot(`
      {
        "first_seen": "2026-08-01T10:00:00.000Z",
        "hostname": "raspberrypi",
        "identified_by": "mac",
        "in_zones": [
          "zone.home",
        ],
        "ip": "192.168.1.20",
        "ipv6_addresses": [],
        "is_new": false,
        "kind": "server",
        "kind_icon": "mdi:server",
        "known": true,
        "last_seen": "2026-08-21T10:15:00.000Z",
        "mac": "b8:27:eb:12:34:56",
        "name": "raspberrypi",
        "online": true,
        "open_ports": 2,
        "ports": [
          {
            "port": 22,
            "product": "OpenSSH",
            "protocol": "tcp",
            "service": "ssh",
            "version": "9.2p1",
          },
          {
            "port": 23,
            "product": null,
            "protocol": "tcp",
            "service": "telnet",
            "version": null,
          },
        ],
        "presence": "home",
        "presence_reason": null,
        "randomized": false,
        "risk": "high",
        "risk_score": 70,
        "source": "lan_sentinel",
        "source_type": "router",
        "threats": [
          {
            "cve": null,
            "cves": [],
            "key": "port:tcp/23",
            "known_exploited": 0,
            "more": 0,
            "port": 23,
            "severity": "high",
            "title": "Telnet is open",
          },
        ],
        "vendor": "Raspberry Pi Foundation",
      }
    `);
  });

  it('IPv6 addresses (NDP) are the ipv6_addresses attribute: capped, only address characters', () => {
    const many = Array.from({ length: 30 }, (_, i) => `fd00::${(i + 1).toString(16)}`);
    const s = deviceState(pi, [], null, [
      'fd00:213:9a::64',
      'fe80::ba27:ebff:fe12:3456',
      '<b>x</b>',
      ...many,
    ]);
    expect(s.ipv6_addresses.slice(0, 2)).toEqual(['fd00:213:9a::64', 'fe80::ba27:ebff:fe12:3456']);
    expect(s.ipv6_addresses).not.toContain('<b>x</b>');
    expect(s.ipv6_addresses.length).toBeLessThanOrEqual(16);
    expect(validateAttributesPayload(JSON.stringify(s))).toEqual([]);
    expect(deviceState(pi, []).ipv6_addresses).toEqual([]);
  });

  it('randomized MAC, unknown vendor: no manufacturer, not_home, empty in_zones', () => {
    const m = deviceDiscovery(randomized, ctx);
    expect(validateDiscovery(m.topic, JSON.stringify(m.payload))).toEqual([]);
    expect(m.payload.device).toMatchInlineSnapshot(`
      {
        "configuration_url": "homeassistant://app/local_lan_sentinel",
        "connections": [
          [
            "mac",
            "da:a1:19:00:00:01",
          ],
        ],
        "identifiers": [
          "lan_sentinel_daa119000001",
        ],
        "name": "Private device .20",
        "via_device": "lan_sentinel_hub",
      }
    `);
    const s = deviceState(randomized, []);
    expect(s.in_zones).toEqual([]);
    expect(s.presence).toBe('not_home');
    expect(s.randomized).toBe(true);
    expect(s.vendor).toBeNull();
  });

  it('hostile hostname is carried as inert text, control characters removed', () => {
    const m = deviceDiscovery(hostile, ctx);
    expect(validateDiscovery(m.topic, JSON.stringify(m.payload))).toEqual([]);
    expect(m.payload.device).toMatchInlineSnapshot(`
      {
        "configuration_url": "homeassistant://app/local_lan_sentinel",
        "connections": [
          [
            "mac",
            "00:11:22:33:44:55",
          ],
        ],
        "identifiers": [
          "lan_sentinel_001122334455",
        ],
        "manufacturer": "Evil Corp",
        "name": "<img src=x onerror=alert(1)>",
        "via_device": "lan_sentinel_hub",
      }
    `);
    expect(m.topic).toBe('homeassistant/device/lan_sentinel_001122334455/config');
    expect(JSON.stringify(m.payload)).not.toContain('\\u0000');
  });

  it('10 kB names are capped; discovery and state stay far below 16 KiB', () => {
    const m = deviceDiscovery(huge, ctx);
    const text = JSON.stringify(m.payload);
    expect(validateDiscovery(m.topic, text)).toEqual([]);
    expect(Buffer.byteLength(text)).toBeLessThan(6000);
    const dev = m.payload.device as Record<string, string>;
    expect(Array.from(dev.name ?? '').length).toBeLessThanOrEqual(64);
    const bigPorts = Array.from({ length: 500 }, (_, i) => ({
      protocol: 'tcp' as const,
      port: i + 1,
      service: 's'.repeat(500),
      product: 'p'.repeat(5000),
      version: 'v'.repeat(500),
      cpe: [],
      firstSeen: 'x',
      lastSeen: 'x',
    }));
    const findings = Array.from({ length: 300 }, (_, i) => ({
      ...telnetFinding,
      id: i,
      key: `k${i}${'x'.repeat(900)}`,
      title: 't'.repeat(2000),
      mac: huge.mac,
    }));
    const s = deviceState({ ...huge, ports: bigPorts }, findings);
    const st = JSON.stringify(s);
    expect(validateAttributesPayload(st)).toEqual([]);
    expect(Buffer.byteLength(st)).toBeLessThan(16384);
    expect(s.open_ports).toBe(500);
    expect(s.ports.length).toBeGreaterThan(0);
    expect(s.threats.length).toBeGreaterThan(0);
  });

  it('a rename changes only device.name (unique_ids and default_entity_ids stable)', () => {
    const a = deviceDiscovery(pi, ctx).payload;
    const b = deviceDiscovery({ ...pi, name: 'Kitchen Pi' }, ctx).payload;
    expect((b.device as { name: string }).name).toBe('Kitchen Pi');
    expect({ ...b, device: { ...(b.device as object), name: 'x' } }).toEqual({
      ...a,
      device: { ...(a.device as object), name: 'x' },
    });
  });

  it('every id, default_entity_id and topic is colon-free and domain-correct; the whole set validates', () => {
    const all = [hubDiscovery(ctx), ...[pi, randomized, hostile, huge].map((d) => deviceDiscovery(d, ctx))];
    expect(validateDiscoverySet(all)).toEqual([]);
    const comps = deviceDiscovery(pi, ctx).payload.components as Record<string, Record<string, unknown>>;
    expect(comps.presence?.default_entity_id).toBe('device_tracker.lan_sentinel_b827eb123456');
    expect(comps.presence?.json_attributes_topic).toBe('lan_sentinel/device/b827eb123456/state');
    expect(comps.risk?.options).toEqual(['none', 'low', 'medium', 'high', 'critical']);
    for (const c of Object.values(comps)) {
      expect(c.unique_id).toMatch(/^lan_sentinel_b827eb123456_[a-z_]+$/);
      if (c.platform === 'sensor' || c.platform === 'binary_sensor')
        expect(c.entity_category).not.toBe('config');
    }
  });

  it('configuration_url is omitted without an ingress URL and uses http in standalone', () => {
    const none = deviceDiscovery(pi, { ...ctx, ingressUrl: undefined }).payload.device as Record<
      string,
      unknown
    >;
    expect(none.configuration_url).toBeUndefined();
    const http = deviceDiscovery(pi, { ...ctx, ingressUrl: 'http://127.0.0.1:8099/' }).payload
      .device as Record<string, unknown>;
    expect(http.configuration_url).toBe('http://127.0.0.1:8099/#/devices/b827eb123456');
  });

  it('device tracker: legacy keys only for Core < 2026.7 or an unknown Core', () => {
    const tracker = (v: string | null | undefined) =>
      (
        deviceDiscovery(pi, { ...ctx, coreVersion: v }).payload.components as Record<
          string,
          Record<string, unknown>
        >
      ).presence!;
    const legacy = ['state_topic', 'value_template', 'payload_home', 'payload_not_home'];
    for (const v of ['2026.7.0', '2026.7.0b3', '2026.12.1', '2027.1.0']) {
      const t = tracker(v);
      for (const k of legacy) expect(t, `${v} ${k}`).not.toHaveProperty(k);
      expect(t.json_attributes_topic, v).toBe('lan_sentinel/device/b827eb123456/state');
      expect(t.source_type, v).toBe('router');
    }
    for (const v of ['2026.6.4', '2025.10.0', null, undefined, 'garbage']) {
      const t = tracker(v);
      expect(t.state_topic, String(v)).toBe('lan_sentinel/device/b827eb123456/state');
      expect(t.payload_home).toBe('home');
      expect(t.payload_not_home).toBe('not_home');
      expect(t.value_template).toBe('{{ value_json.presence }}');
    }
    expect(coreAtLeast('2026.10.0', 2026, 7)).toBe(true);
    expect(coreAtLeast('2026.1.0', 2026, 7)).toBe(false);
  });

  it('add-on configuration_url is the ingress panel of the real slug, without a fragment that never arrives', () => {
    const dev = deviceDiscovery(pi, { ...ctx, ingressUrl: 'homeassistant://app/5c53de3b_lan_sentinel' })
      .payload.device as Record<string, unknown>;
    expect(dev.configuration_url).toBe('homeassistant://app/5c53de3b_lan_sentinel');
  });

  it('refuses a non-MAC', () => {
    expect(() => deviceDiscovery(device({ mac: 'aa:bb/+#' }), ctx)).toThrow(/not a MAC/);
  });
});

describe('states and events', () => {
  it('device state has exactly the DESIGN §7 keys', () => {
    expect(Object.keys(deviceState(pi, [])).sort()).toEqual(
      [
        'mac',
        // DESIGN §15: "mac", or "ip" for a routed host whose MAC cannot be learned (then mac is null)
        'identified_by',
        'ip',
        // DESIGN §15: IPv6 addresses per device (NDP discovery)
        'ipv6_addresses',
        'hostname',
        'name',
        'vendor',
        'randomized',
        'online',
        'presence',
        // DESIGN §15: why home/away (sweep answer, confirmation probe, passive sighting, unanswered probes)
        'presence_reason',
        'in_zones',
        'source_type',
        'first_seen',
        'last_seen',
        'open_ports',
        'ports',
        'risk',
        'risk_score',
        'threats',
        'known',
        // the hub's devices_new counts these (true until acknowledged; untrusting later does not make new again)
        'is_new',
        'kind',
        'kind_icon',
        'source',
      ].sort(),
    );
  });

  it('resolved findings and other devices’ findings are not threats', () => {
    const s = deviceState(pi, [
      { ...telnetFinding, resolvedAt: '2026-08-21T11:00:00Z' },
      { ...telnetFinding, id: 2, mac: '00:00:00:00:00:01' },
    ]);
    expect(s.threats).toEqual([]);
  });

  it('hub state and event payload', () => {
    expect(
      hubState({
        online: 3,
        total: 5,
        new: 1,
        threatsActive: 2,
        lastScan: '2026-08-21T10:15:00.000Z',
        scanning: true,
      }),
    ).toEqual({
      devices_online: 3,
      devices_known: 5,
      devices_new: 1,
      threats_active: 2,
      last_scan: '2026-08-21T10:15:00.000Z',
      last_port_scan: null,
      port_scans_pending: 0,
      scanning: true,
      scan_kind: null,
      scan_percent: null,
      scan_hosts_done: null,
      scan_hosts_total: null,
      scan_eta_s: null,
      problem: false,
      problems: [],
    });
    // degraded: the problem binary sensor is on, its attributes say why (bounded)
    const idle = { online: 3, total: 5, new: 1, threatsActive: 2, lastScan: null, scanning: false };
    expect(
      hubState({ ...idle, problems: ['sweep #4 failed: nmap exited with code 1', 'x'.repeat(1000)] }),
    ).toMatchObject({
      problem: true,
      problems: ['sweep #4 failed: nmap exited with code 1', expect.stringMatching(/^x{299}…?$/)],
    });
    expect(
      hubState({
        online: 3,
        total: 5,
        new: 1,
        threatsActive: 2,
        lastScan: null,
        scanning: true,
        scan: { kind: 'ports', percent: 41.6, hostsDone: 12, hostsTotal: 30, etaSeconds: 95 },
      }),
    ).toMatchObject({
      scan_kind: 'ports',
      scan_percent: 42,
      scan_hosts_done: 12,
      scan_hosts_total: 30,
      scan_eta_s: 95,
    });
    // idle: no stale progress
    expect(
      hubState({
        ...idle,
        scan: { kind: 'ports', percent: 100, hostsDone: 30, hostsTotal: 30, etaSeconds: 0 },
      }).scan_percent,
    ).toBeNull();
    expect(
      eventPayload({
        type: 'new_device',
        mac: pi.mac,
        ip: pi.ip,
        name: 'raspberrypi\u001b[31m',
        vendor: 'Raspberry Pi Foundation',
        severity: 'info',
        message: 'New device',
        time: '2026-08-21T10:15:00.000Z',
        before: { x: 1 },
      }),
    ).toEqual({
      event_type: 'new_device',
      mac: 'b8:27:eb:12:34:56',
      ip: '192.168.1.20',
      name: 'raspberrypi [31m',
      vendor: 'Raspberry Pi Foundation',
      severity: 'info',
      message: 'New device',
      time: '2026-08-21T10:15:00.000Z',
    });
  });
});
