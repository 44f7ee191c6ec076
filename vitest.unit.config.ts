import { defineConfig } from 'vitest/config';

// The fast unit tests alone, without the embedded PostgreSQL of the global set-up: Stryker runs them
// once per mutant, so they must start in milliseconds and never touch a database.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['test/setup/decimal.ts'],
    pool: 'forks',
    maxWorkers: 1,
  },
});
