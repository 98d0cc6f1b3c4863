import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous ceilings: the tests start PGlite, mock servers and child processes, and must hold on a
    // loaded two-core machine. Nothing asserts on time; these only bound how long a hang can last.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // The json report feeds the one-line summary printed by scripts/test-summary.mjs.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
