import type { Migration } from './index.js';

/**
 * Passive listening (DESIGN §15): what a device says about itself on the link.
 * - device_identity: its DHCP request fields (hostname, client id, parameter-request list in order, vendor
 *   class, and the fingerprint made of them) and its mDNS host names, services and instance names, plus when
 *   and how it was last heard passively. Strings came from the network: cleaned and capped before storing.
 */
export const m011PassiveIdentity: Migration = {
  version: 11,
  name: 'passive_identity',
  sql: `
CREATE TABLE device_identity (
  mac               TEXT PRIMARY KEY REFERENCES devices (mac) ON DELETE CASCADE,
  dhcp_hostname     TEXT,
  dhcp_client_id    TEXT,
  dhcp_params       TEXT,
  dhcp_vendor_class TEXT,
  dhcp_fingerprint  TEXT,
  mdns_hosts        TEXT NOT NULL DEFAULT '[]',
  mdns_services     TEXT NOT NULL DEFAULT '[]',
  mdns_instances    TEXT NOT NULL DEFAULT '[]',
  heard_via         TEXT CHECK (heard_via IS NULL OR heard_via IN ('dhcp', 'mdns', 'arp')),
  heard_at          TEXT,
  updated_at        TEXT NOT NULL
);
CREATE INDEX device_identity_fingerprint ON device_identity (dhcp_fingerprint) WHERE dhcp_fingerprint IS NOT NULL;
`,
};
