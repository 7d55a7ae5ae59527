/** Fake `hass.states` for the Lovelace card tests: device_tracker entities carrying the DESIGN §7 device state. */
export interface FakeEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
}

const VENDORS = [
  'Espressif Inc.',
  'Apple, Inc.',
  'Synology Incorporated',
  'Raspberry Pi Trading Ltd',
  'TP-LINK',
  'Sonos, Inc.',
];
const NAMES = [
  'Kitchen plug',
  'iPhone',
  'NAS',
  'Pi-hole',
  'Router',
  'Living room speaker',
  'Doorbell',
  'Printer',
];
const RISKS = ['none', 'none', 'none', 'low', 'medium', 'high', 'critical'] as const;

export function mac12(i: number): string {
  return (0x240ac4000000 + i).toString(16).padStart(12, '0');
}

export interface DeviceOpts {
  name?: string;
  hostname?: string | null;
  vendor?: string | null;
  ip?: string | null;
  online?: boolean;
  known?: boolean;
  is_new?: boolean;
  risk?: string;
  risk_score?: number;
  threats?: unknown[];
  last_seen?: string;
  state?: string;
  /** device kind (attributes `kind` + `kind_icon`, as src/ha/states.ts publishes them); default: none */
  kind?: string | null;
}

export function deviceEntity(
  i: number,
  o: DeviceOpts = {},
  now = Date.parse('2026-11-21T12:00:00Z'),
): FakeEntity {
  const m = mac12(i);
  const mac = m.match(/../g)!.join(':');
  const online = o.online ?? i % 3 !== 0;
  const risk = o.risk ?? RISKS[i % RISKS.length]!;
  const lastSeen =
    o.last_seen ?? new Date(now - (online ? 30_000 : (i % 50) * 3_600_000 + 120_000)).toISOString();
  const name = o.name ?? `${NAMES[i % NAMES.length]} ${i}`;
  const iso = new Date(now).toISOString();
  return {
    entity_id: `device_tracker.lan_sentinel_${m}`,
    state: o.state ?? (online ? 'home' : 'not_home'),
    attributes: {
      source_type: 'router',
      mac,
      ip: o.ip === undefined ? `10.213.${Math.floor(i / 250)}.${(i % 250) + 2}` : o.ip,
      hostname: o.hostname === undefined ? `host-${i}.lan` : o.hostname,
      name,
      vendor: o.vendor === undefined ? VENDORS[i % VENDORS.length] : o.vendor,
      randomized: false,
      online,
      presence: online ? 'home' : 'not_home',
      in_zones: online ? ['zone.home'] : [],
      first_seen: '2026-11-01T00:00:00Z',
      last_seen: lastSeen,
      kind: o.kind ?? null,
      open_ports: i % 5,
      ports: [],
      risk,
      risk_score: o.risk_score ?? RISKS.indexOf(risk as (typeof RISKS)[number]) * 20 + (i % 10),
      threats:
        o.threats ??
        (risk === 'medium' || risk === 'high' || risk === 'critical'
          ? [{ key: 'telnet', severity: risk, title: 'Telnet open', port: 23, cve: null }]
          : []),
      known: o.known ?? i % 7 !== 0,
      ...(o.is_new === undefined ? {} : { is_new: o.is_new }),
      source: 'lan_sentinel',
      friendly_name: name,
    },
    last_changed: iso,
    last_updated: iso,
  };
}

export function hubEntities(
  v: { online: number; known: number; new: number; threats: number } | 'unavailable',
): FakeEntity[] {
  const iso = '2026-11-21T12:00:00Z';
  const mk = (key: string, value: number | 'unavailable', label: string): FakeEntity => ({
    entity_id: `sensor.lan_sentinel_${key}`,
    state: String(value),
    attributes: {
      friendly_name: `LAN Sentinel ${label}`,
      unit_of_measurement: key === 'threats_active' ? 'findings' : 'devices',
    },
    last_changed: iso,
    last_updated: iso,
  });
  const val = (n: number) => (v === 'unavailable' ? 'unavailable' : n);
  const n = v === 'unavailable' ? { online: 0, known: 0, new: 0, threats: 0 } : v;
  return [
    mk('devices_online', val(n.online), 'Devices online'),
    mk('devices_known', val(n.known), 'Devices known'),
    mk('devices_new', val(n.new), 'New devices'),
    mk('threats_active', val(n.threats), 'Active threats'),
  ];
}

/** Some entities that are not ours (a busy HA). */
export function otherEntities(count: number): FakeEntity[] {
  const iso = '2026-11-21T12:00:00Z';
  return Array.from({ length: count }, (_, i) => ({
    entity_id: i % 4 === 0 ? `device_tracker.phone_${i}` : `sensor.other_${i}`,
    state: String(i),
    attributes: { friendly_name: `Other ${i}`, source_type: i % 4 === 0 ? 'gps' : undefined },
    last_changed: iso,
    last_updated: iso,
  }));
}

export function toStates(list: FakeEntity[]): Record<string, FakeEntity> {
  return Object.fromEntries(list.map((e) => [e.entity_id, e]));
}
