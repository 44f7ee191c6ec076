import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/decimal.ts'],
    globalSetup: ['test/setup/database.ts'],
    // Each DB test file gets its own database; two cores, so a small pool keeps PostgreSQL responsive.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
