import type { Migration } from './index.js';

/**
 * Device kinds (DESIGN §5): the guess from the pattern table with its confidence and reasons, the user's
 * override, and an index on the kind as shown (override first) for the device list's kind filter. Ports keep
 * the evidence nmap gives beyond the service: its device type, the HTTP title and `Server` header.
 * Existing devices get their guess at the next sweep or port scan that sees them.
 */
export const m008DeviceKinds: Migration = {
  version: 8,
  name: 'device_kinds',
  sql: `
ALTER TABLE devices ADD COLUMN kind TEXT;
ALTER TABLE devices ADD COLUMN kind_confidence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN kind_reasons TEXT;
ALTER TABLE devices ADD COLUMN kind_override TEXT;
CREATE INDEX devices_kind ON devices (coalesce(kind_override, kind));
ALTER TABLE device_ports ADD COLUMN devicetype TEXT;
ALTER TABLE device_ports ADD COLUMN http_title TEXT;
ALTER TABLE device_ports ADD COLUMN http_server TEXT;
`,
};
