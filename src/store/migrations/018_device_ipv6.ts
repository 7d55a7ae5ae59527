import type { Migration } from './index.js';

/**
 * IPv6 addresses per device (DESIGN §15): found by NDP discovery (an all-nodes ping on the LAN interface,
 * then the kernel's neighbour table), keyed by the device's MAC. One address belongs to one device at a time;
 * each device keeps its most recently seen addresses (capped in IpV6Repo).
 */
export const m018DeviceIpv6: Migration = {
  version: 18,
  name: 'device_ipv6',
  sql: `
CREATE TABLE device_ipv6 (
  mac         TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  address     TEXT NOT NULL,
  scope       TEXT NOT NULL CHECK (scope IN ('link-local', 'unique-local', 'global')),
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL,
  PRIMARY KEY (mac, address)
) WITHOUT ROWID;
CREATE UNIQUE INDEX device_ipv6_address ON device_ipv6 (address);
`,
};
