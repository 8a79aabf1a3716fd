import { defineConfig } from 'vitest/config';

// Tests start real servers, browsers and databases: generous timeouts, two files at a time (2 cores).
// A `*.alone.test.ts` file times latency under load it makes itself (the siege test): it runs
// after every other file, with the machine to itself, so another file's Chromium cannot be
// mistaken for the server's stall.
export default defineConfig({
  test: {
    // Spawned servers run the compiled build, as `npm start` does.
    globalSetup: ['test/support/build-server.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/**/*.alone.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ['test/**/*.alone.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
