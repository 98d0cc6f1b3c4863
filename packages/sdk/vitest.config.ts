import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, type TestProjectConfiguration } from 'vitest/config';

// Under Stryker (which sets STRYKER_MUTATOR_WORKER in its test runner processes) the tests that only load
// the BUILT package are left out: mutants live in src/, so those tests cannot kill any of them, and they
// take most of a run's time (bundling, compiling the dist declarations).
const builtOnly =
  process.env.STRYKER_MUTATOR_WORKER === undefined
    ? []
    : ['test/package.test.ts', 'test/bundle-size.test.ts', 'test/deprecation-types.test.ts'];

// Every test of the client runs twice: on the default transport (ky on global fetch, as in browsers,
// workers and edge runtimes) and on Node's (ky on node:http keep-alive, src/index.node.ts), which tests
// get by importing ../src/index.js. Under Stryker only the first runs (mutants are the same code).
const nodeEntry = fileURLToPath(new URL('./src/index.node.ts', import.meta.url));
const projects: TestProjectConfiguration[] | undefined =
  process.env.STRYKER_MUTATOR_WORKER === undefined
    ? [
        { extends: true, test: { name: 'fetch' } },
        {
          extends: true,
          test: {
            name: 'node-http',
            exclude: [
              ...configDefaults.exclude,
              'test/package.test.ts',
              'test/bundle-size.test.ts',
              'test/deprecation-types.test.ts', // types: nothing transport-specific
            ],
          },
          resolve: { alias: [{ find: /^\.\.\/src\/index\.js$/, replacement: nodeEntry }] },
        },
      ]
    : undefined;

export default defineConfig({
  test: {
    projects,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...builtOnly],
    testTimeout: 20_000,
    // beforeAll/afterAll start and stop mock servers over loopback; on a loaded 2-core machine that can
    // take far longer than vitest's 10 s default.
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // The json report feeds the one-line summary printed by scripts/test-summary.mjs.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
