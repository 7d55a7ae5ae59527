import type { Migration } from './index.js';

/**
 * One index per device-list sort and direction, so a page is read in index order (no temp B-tree over
 * every device). Each index ends with `mac` ascending: the list's tie-break is always `mac ASC`, also for
 * descending sorts, so a descending sort needs its own index instead of a backward scan of the
 * ascending one. The expressions must match devicesRepo's SORT_SQL term for term (SQLite matches an
 * ORDER BY expression against an index expression structurally).
 *
 * `devices_ip_num` (001) is superseded by `devices_sort_ip_asc` and dropped. `devices_last_seen`,
 * `devices_first_seen` and `devices_risk` already serve their ascending sorts (secondary indexes of a
 * WITHOUT ROWID table end with the primary key); `devices_vendor` serves the exact-vendor filter.
 */
export const m004DeviceSort: Migration = {
  version: 4,
  name: 'device_sort',
  sql: `
CREATE INDEX devices_sort_name_asc ON devices (COALESCE(name, hostname, vendor, mac) COLLATE NOCASE ASC, mac ASC);
CREATE INDEX devices_sort_name_desc ON devices (COALESCE(name, hostname, vendor, mac) COLLATE NOCASE DESC, mac ASC);
CREATE INDEX devices_sort_ip_asc ON devices (ip_num IS NULL, ip_num ASC, mac ASC);
CREATE INDEX devices_sort_ip_desc ON devices (ip_num IS NULL, ip_num DESC, mac ASC);
CREATE INDEX devices_sort_vendor_asc ON devices (vendor IS NULL, vendor COLLATE NOCASE ASC, mac ASC);
CREATE INDEX devices_sort_vendor_desc ON devices (vendor IS NULL, vendor COLLATE NOCASE DESC, mac ASC);
CREATE INDEX devices_sort_last_seen_desc ON devices (last_seen DESC, mac ASC);
CREATE INDEX devices_sort_first_seen_desc ON devices (first_seen DESC, mac ASC);
CREATE INDEX devices_sort_risk_desc ON devices (risk_score DESC, mac ASC);
DROP INDEX devices_ip_num;
`,
};
