import type { Migration } from './index.js';

// Scaffold: the owning module replaces this SQL with its tables.
export const m001Core: Migration = {
  version: 1,
  name: 'core',
  sql: ``,
};
