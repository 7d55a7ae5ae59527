import { defineConfig } from 'vitest/config';

/**
 * Coverage (v8) is collected in the same run as the tests when CI=true (`.ci/run` → `npm test`): no second run.
 * v8 coverage is the engine's own counters, so it adds little time. A single-file run on a laptop skips it
 * (a floor is meaningless for one file); `LSN_COVERAGE=1 npx vitest run` turns it on anywhere.
 */
const coverage = process.env.CI === 'true' || process.env.LSN_COVERAGE === '1';

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
    coverage: {
      enabled: coverage,
      provider: 'v8',
      // the server code; the card and ingress UI run in Chromium (browser tests), the service children of the
      // e2e suites in their own processes: neither is counted here
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportOnFailure: true,
      reportsDirectory: 'artifacts/coverage',
      // the floor, a little under what the unit + integration suites alone measured on 2026-12-03 (lines 82.7 %,
      // statements 80.5 %, functions 81.6 %, branches 71.5 %; the full run with e2e and browser suites covers
      // more): raise it when coverage grows, lower it only with a reason
      thresholds: { lines: 80, statements: 78, functions: 79, branches: 69 },
    },
  },
});
