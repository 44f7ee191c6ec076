import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // RELIEF_TEST_INCLUDE runs other files through the very same set-up: the exit-status check runs a
    // known-failing fixture this way and expects `npm test` to fail.
    include: process.env.RELIEF_TEST_INCLUDE ? [process.env.RELIEF_TEST_INCLUDE] : ['test/**/*.test.ts'],
    setupFiles: ['test/setup/decimal.ts'],
    globalSetup: ['test/setup/database.ts'],
    reporters: ['default', './test/support/summary.reporter.ts'],
    // Each DB test file gets its own database; two cores, so a small pool keeps PostgreSQL responsive.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
