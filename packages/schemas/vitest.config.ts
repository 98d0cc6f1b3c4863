import { configDefaults, defineConfig } from 'vitest/config';

// Under Stryker (STRYKER_MUTATOR_WORKER is set in its test runner processes) the fast-check property
// tests are left out: they run every validator thousands of times, so they "cover" nearly every
// mutant and would make each mutant cost tens of seconds. The rule and schema tests judge mutants.
const propertyTests = process.env.STRYKER_MUTATOR_WORKER === undefined ? [] : ['src/properties.test.ts'];

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...propertyTests],
    testTimeout: 20_000,
    // Hooks start mock servers and webhook receivers; give them room on a loaded 2-core machine.
    hookTimeout: 60_000,
    // The json report feeds the one-line summary printed by scripts/test-summary.mjs.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
