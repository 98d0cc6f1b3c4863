// Shared Stryker settings for `pnpm mutate` (scripts/mutate.mjs). Each scoped package has a
// stryker.config.mjs that adds the files to mutate: the code where a bug costs users most.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// pnpm keeps the runner out of Stryker's own node_modules, so name it by its resolved path.
const vitestRunner = createRequire(import.meta.url).resolve('@stryker-mutator/vitest-runner');

// The vitest reporter the packages' vitest.mutation.config.ts add (the file says why), by an absolute
// path: Stryker runs the tests in a copy of the package, where a path into the repo would not resolve.
// Stryker's test runner processes inherit this environment.
process.env.KARDKIT_VITEST_LOAD_FAILURES = fileURLToPath(
  new URL('./scripts/vitest-load-failures.mjs', import.meta.url),
);
// And the order they run a mutant's test files in (scripts/vitest-cheap-first.mjs says why).
process.env.KARDKIT_VITEST_SEQUENCER = fileURLToPath(
  new URL('./scripts/vitest-cheap-first.mjs', import.meta.url),
);

/** @param {string[]} mutate @returns {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export function strykerConfig(mutate) {
  return {
    testRunner: 'vitest',
    plugins: [
      vitestRunner,
      fileURLToPath(new URL('./scripts/stryker-survivors-reporter.mjs', import.meta.url)),
    ],
    vitest: { configFile: 'vitest.config.ts' },
    coverageAnalysis: 'perTest',
    mutate,
    // A mutant in module-level code (a zod schema built at import, a constant table) is "static":
    // Stryker must rerun every test for it, which takes hours per package on two cores. Those
    // mutants are left out of the score (counted as ignored); the rule tests exercise the schemas.
    ignoreStatic: true,
    // Two cores: one mutant at a time by default; `pnpm mutate -- --concurrency 2` on a quiet machine.
    concurrency: 1,
    timeoutMS: 20_000,
    timeoutFactor: 3,
    // survivors: reports/mutation/survivors.txt, written while the run goes on.
    reporters: ['clear-text', 'progress', 'json', 'html', 'survivors'],
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    htmlReporter: { fileName: 'reports/mutation/mutation.html' },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    thresholds: { high: 90, low: 80, break: null },
  };
}
