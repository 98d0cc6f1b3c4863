import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // The json report feeds the one-line summary printed by scripts/test-summary.mjs.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
