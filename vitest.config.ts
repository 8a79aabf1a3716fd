import { defineConfig } from 'vitest/config';

// Tests start real servers, browsers and databases: generous timeouts, two files at a time (2 cores).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Spawned servers run the compiled build, as `npm start` does.
    globalSetup: ['test/support/build-server.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
