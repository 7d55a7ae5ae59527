/** What each device said about itself on the link (DHCP request fields, mDNS names): device_identity. */
import type { SightingSource } from '../inventory/sighting.js';
import type { Db } from './db.js';

export interface DeviceIdentity {
  mac: string;
  dhcpHostname: string | null;
  dhcpClientId: string | null;
  /** DHCP option 55, in the client's order */
  dhcpParams: number[];
  dhcpVendorClass: string | null;
  dhcpFingerprint: string | null;
  mdnsHosts: string[];
  mdnsServices: string[];
  mdnsInstances: string[];
  heardVia: SightingSource | null;
  heardAt: string | null;
}

export interface IdentityPatch {
  dhcp?: {
    hostname: string | null;
    clientId: string | null;
    params: number[];
    vendorClass: string | null;
    fingerprint: string | null;
  };
  mdns?: { hosts: string[]; services: string[]; instances: string[] };
  heardVia: SightingSource;
  heardAt: string;
}

interface Row {
  mac: string;
  dhcp_hostname: string | null;
  dhcp_client_id: string | null;
  dhcp_params: string | null;
  dhcp_vendor_class: string | null;
  dhcp_fingerprint: string | null;
  mdns_hosts: string;
  mdns_services: string;
  mdns_instances: string;
  heard_via: SightingSource | null;
  heard_at: string | null;
}

/** Lists stored per device stay short: the newest names first, at most this many. */
const LIST_MAX = 16;

function list(json: string | null): string[] {
  try {
    const v = JSON.parse(json ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function merged(old: string[], add: string[]): string[] {
  const out = [...add.filter((x, i) => add.indexOf(x) === i)];
  for (const x of old) if (!out.includes(x)) out.push(x);
  return out.slice(0, LIST_MAX);
}

function toIdentity(r: Row): DeviceIdentity {
  return {
    mac: r.mac,
    dhcpHostname: r.dhcp_hostname,
    dhcpClientId: r.dhcp_client_id,
    dhcpParams: r.dhcp_params
      ? r.dhcp_params
          .split(',')
          .map(Number)
          .filter((n) => Number.isInteger(n))
      : [],
    dhcpVendorClass: r.dhcp_vendor_class,
    dhcpFingerprint: r.dhcp_fingerprint,
    mdnsHosts: list(r.mdns_hosts),
    mdnsServices: list(r.mdns_services),
    mdnsInstances: list(r.mdns_instances),
    heardVia: r.heard_via,
    heardAt: r.heard_at,
  };
}

export class IdentityRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT * FROM device_identity WHERE mac = ?'),
      all: db.prepare<[], Row>('SELECT * FROM device_identity'),
      byFingerprint: db.prepare<[string], Row>(
        'SELECT * FROM device_identity WHERE dhcp_fingerprint = ? ORDER BY heard_at DESC',
      ),
      upsert: db.prepare(`INSERT INTO device_identity (mac, dhcp_hostname, dhcp_client_id, dhcp_params,
          dhcp_vendor_class, dhcp_fingerprint, mdns_hosts, mdns_services, mdns_instances, heard_via, heard_at, updated_at)
        VALUES (@mac, @dhcp_hostname, @dhcp_client_id, @dhcp_params, @dhcp_vendor_class, @dhcp_fingerprint,
          @mdns_hosts, @mdns_services, @mdns_instances, @heard_via, @heard_at, @heard_at)
        ON CONFLICT (mac) DO UPDATE SET dhcp_hostname = excluded.dhcp_hostname,
          dhcp_client_id = excluded.dhcp_client_id, dhcp_params = excluded.dhcp_params,
          dhcp_vendor_class = excluded.dhcp_vendor_class, dhcp_fingerprint = excluded.dhcp_fingerprint,
          mdns_hosts = excluded.mdns_hosts, mdns_services = excluded.mdns_services,
          mdns_instances = excluded.mdns_instances, heard_via = excluded.heard_via, heard_at = excluded.heard_at,
          updated_at = excluded.updated_at`),
    };
  }

  get(mac: string): DeviceIdentity | null {
    const r = this.stmts.get.get(mac);
    return r ? toIdentity(r) : null;
  }

  all(): DeviceIdentity[] {
    return this.stmts.all.all().map(toIdentity);
  }

  /** Devices whose last DHCP request carried this fingerprint, most recently heard first. */
  withFingerprint(fingerprint: string): DeviceIdentity[] {
    return this.stmts.byFingerprint.all(fingerprint).map(toIdentity);
  }

  /** Merge what was heard into the device's record (DHCP fields replace, mDNS names accumulate). */
  record(mac: string, p: IdentityPatch): DeviceIdentity {
    const old = this.get(mac);
    const dhcp = p.dhcp;
    const row: Row = {
      mac,
      dhcp_hostname: dhcp ? dhcp.hostname : (old?.dhcpHostname ?? null),
      dhcp_client_id: dhcp ? dhcp.clientId : (old?.dhcpClientId ?? null),
      dhcp_params: dhcp ? dhcp.params.join(',') : (old?.dhcpParams.join(',') ?? null),
      dhcp_vendor_class: dhcp ? dhcp.vendorClass : (old?.dhcpVendorClass ?? null),
      dhcp_fingerprint: dhcp ? dhcp.fingerprint : (old?.dhcpFingerprint ?? null),
      mdns_hosts: JSON.stringify(merged(old?.mdnsHosts ?? [], p.mdns?.hosts ?? [])),
      mdns_services: JSON.stringify(merged(old?.mdnsServices ?? [], p.mdns?.services ?? [])),
      mdns_instances: JSON.stringify(merged(old?.mdnsInstances ?? [], p.mdns?.instances ?? [])),
      heard_via: p.heardVia,
      heard_at: p.heardAt,
    };
    this.stmts.upsert.run(row);
    return toIdentity(row);
  }
}
