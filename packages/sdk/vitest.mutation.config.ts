import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The configuration Stryker runs each mutant with (stryker.config.mjs). The two files that mock
// modules (vi.mock of ky) keep their isolation; the others share one module graph per run, so the
// SDK's code is imported once per run instead of once per file: they build their own clients and
// mock servers. (Each project is spelled out: `extends` would append to the base's file lists.)
const mocksModules = ['test/ky-transport.test.ts', 'test/load-ky.test.ts'];
const { projects: _, reporters: __, ...shared } = base.test ?? {};

const sequencer = process.env.KARDKIT_VITEST_SEQUENCER;

export default defineConfig({
  test: {
    // Under Stryker, a test file that fails to load counts as a failed test (stryker.base.mjs sets the
    // path of scripts/vitest-load-failures.mjs).
    reporters: [
      'default',
      ...(process.env.KARDKIT_VITEST_LOAD_FAILURES ? [process.env.KARDKIT_VITEST_LOAD_FAILURES] : []),
    ],
    // Cheap test files first, so that a mutant a unit test kills is not held up by the slow suites
    // (stryker.base.mjs sets the path of scripts/vitest-cheap-first.mjs).
    ...(sequencer && { sequence: { sequencer: (await import(sequencer)).default } }),
    projects: [
      {
        test: {
          ...shared,
          name: 'shared',
          isolate: false,
          exclude: [...(shared.exclude ?? configDefaults.exclude), ...mocksModules],
        },
      },
      { test: { ...shared, name: 'isolated', include: mocksModules } },
    ],
  },
});
