import type { Migration } from './index.js';

// Scaffold: the owning module replaces this SQL with its tables.
export const m002Threats: Migration = {
  version: 2,
  name: 'threats_alerts',
  sql: ``,
};
