import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The simulated-LAN and browser suites share namespaces/ports: never run files in parallel there.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
