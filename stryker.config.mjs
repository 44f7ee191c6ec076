// Mutation testing of the pure cores (`npm run mutate`). Not part of `npm test`: it runs the unit
// tests once per mutant and takes minutes. The machine has two cores shared with others, hence
// concurrency 2 and per-test coverage so each mutant runs only the tests that reach it.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.unit.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/claims/assessment.ts',
    'src/claims/assessment.items.ts',
    'src/claims/assessment.medical.ts',
    'src/claims/assessment.settlement.ts',
    'src/claims/assessment.types.ts',
    'src/claims/claim-status.ts',
    'src/claims/resident-id.ts',
    'src/stock/core/fefo.ts',
    'src/stock/core/chain.ts',
    'src/stock/core/posting.ts',
    'src/stock/core/transfer-posting.ts',
    'src/stock/core/movement.ts',
    'src/stock/core/nodes.ts',
    'src/stock/core/stocktake.ts',
    'src/stock/core/validation.ts',
  ],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) re-run every test for each mutant: three quarters of the time
  // for a quarter of the mutants. `STRYKER_STATIC=1 npm run mutate` counts them too.
  ignoreStatic: process.env.STRYKER_STATIC !== '1',
  concurrency: 2,
  incremental: true,
  incrementalFile: '.stryker/incremental.json',
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: '.stryker/mutation/index.html' },
  clearTextReporter: { allowColor: false, allowEmojis: false, logTests: false, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
