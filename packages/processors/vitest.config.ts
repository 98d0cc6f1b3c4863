import { configDefaults, defineConfig } from 'vitest/config';

// Under Stryker (STRYKER_MUTATOR_WORKER is set in its test runner processes) the fast-check property
// tests are left out: they run every mapping thousands of times, so they would cover nearly every
// mutant and make each one cost seconds. The fixture, edge and verification tests judge mutants.
const propertyTests = process.env.STRYKER_MUTATOR_WORKER === undefined ? [] : ['test/*.property.test.ts'];

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...propertyTests],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // The json report feeds the one-line summary printed by scripts/test-summary.mjs.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
