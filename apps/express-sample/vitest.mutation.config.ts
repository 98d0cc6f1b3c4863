import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The tests Stryker runs against each mutant of stryker.config.mjs's files: those that load src/
// in this process. The suites that only start dist/main.js as a child (crash, lock, start-up auth)
// cannot kill a mutant, and the reconciliation suite restarts whole samples; leaving them out keeps
// a mutation run within reach of a two-core machine.
// (The list replaces the base config's `include`; mergeConfig would append to it.)
const sequencer = process.env.KARDKIT_VITEST_SEQUENCER;

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/forwarder-unit.test.ts',
      'test/forwarder-faults.test.ts',
      'test/kard-port.test.ts',
      'test/webhooks-store.test.ts',
      'test/webhooks.test.ts',
      'test/units.test.ts',
      'test/happy.test.ts',
      'test/hostile.test.ts',
      'test/intake.test.ts',
      'test/postgres.test.ts',
    ],
    // Under Stryker, a test file that fails to load counts as a failed test (stryker.base.mjs sets the
    // path of scripts/vitest-load-failures.mjs).
    reporters: [
      'default',
      ...(process.env.KARDKIT_VITEST_LOAD_FAILURES ? [process.env.KARDKIT_VITEST_LOAD_FAILURES] : []),
    ],
    // Cheap test files first, so that a mutant a unit test kills is not held up by the slow suites
    // (stryker.base.mjs sets the path of scripts/vitest-cheap-first.mjs).
    ...(sequencer && { sequence: { sequencer: (await import(sequencer)).default } }),
    // One module graph per run instead of one per file (PGlite and the sample imported once, not ten
    // times); each file builds its own databases, mock servers and samples, and none mocks a module.
    isolate: false,
    // waitFor's default ceiling (test/helpers.ts): events over loopback are forwarded within a
    // second here; a mutant that stops them fails its test after 10 s instead of a minute.
    env: { ...base.test?.env, KARDKIT_TEST_WAIT_MS: '10000' },
  },
});
