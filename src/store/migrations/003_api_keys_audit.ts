import type { Migration } from './index.js';

// Scaffold: the owning module replaces this SQL with its tables.
export const m003Api: Migration = {
  version: 3,
  name: 'api_keys_audit',
  sql: ``,
};
