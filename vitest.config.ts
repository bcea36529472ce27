import { defineConfig } from 'vitest/config';

// One run covers unit tests, the integration suite on SQLite and on PostgreSQL, and the
// browser tests. Integration files start real processes, so they get generous timeouts.
const slow = { testTimeout: 90_000, hookTimeout: 90_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['server/src/**/*.test.ts', 'simulator/test/**/*.test.ts'] } },
      { test: { name: 'sqlite', include: ['server/test/**/*.test.ts'], env: { KEFU_TEST_DB: 'sqlite' }, ...slow } },
      { test: { name: 'postgres', include: ['server/test/**/*.test.ts'], env: { KEFU_TEST_DB: 'postgres' }, ...slow } },
      { test: { name: 'e2e', include: ['e2e/**/*.test.ts'], ...slow } },
    ],
  },
});
