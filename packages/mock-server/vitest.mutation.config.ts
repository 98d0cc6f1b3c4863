import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The configuration Stryker runs each mutant with (stryker.config.mjs):
// - no isolation: the test files of one run share one module graph, so the mock's code is
//   imported once per run instead of once per file (about a second each); the files create their
//   own servers and state, and none mocks a module;
// - waitFor gives up after 3 s instead of 10 (test-support.ts): a mutant that stops a webhook
//   fails its test then, instead of holding the run for the whole ceiling. A webhook over
//   loopback arrives within milliseconds; the slowest wait (three deliveries with backoff) takes
//   about a second.
const sequencer = process.env.KARDKIT_VITEST_SEQUENCER;

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    isolate: false,
    env: { ...base.test?.env, KARDKIT_TEST_WAIT_MS: '3000' },
    // Under Stryker, a test file that fails to load counts as a failed test (stryker.base.mjs sets the
    // path of scripts/vitest-load-failures.mjs).
    reporters: [
      'default',
      ...(process.env.KARDKIT_VITEST_LOAD_FAILURES ? [process.env.KARDKIT_VITEST_LOAD_FAILURES] : []),
    ],
    // Cheap test files first, so that a mutant a unit test kills is not held up by the slow suites
    // (stryker.base.mjs sets the path of scripts/vitest-cheap-first.mjs).
    ...(sequencer && { sequence: { sequencer: (await import(sequencer)).default } }),
  },
});
