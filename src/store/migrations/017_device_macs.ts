import type { Migration } from './index.js';

/**
 * Rotated private MACs (DESIGN §15): further MACs of one device. A phone that joins with a new private MAC but
 * the same DHCP fingerprint (parameter-request list, hostname, client id) is linked here instead of becoming a
 * new device; the user can merge two devices (the second one's MAC is linked) or split a MAC off again.
 */
export const m017DeviceMacs: Migration = {
  version: 17,
  name: 'device_macs',
  sql: `
CREATE TABLE device_macs (
  mac         TEXT PRIMARY KEY,
  device_mac  TEXT NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  linked_by   TEXT NOT NULL CHECK (linked_by IN ('dhcp', 'manual')),
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL
);
CREATE INDEX device_macs_device ON device_macs (device_mac);
`,
};
