import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig([
  'src/**/*.ts',
  '!src/**/*.test.ts',
  '!src/generated/**',
  // The rule table's text: strings only, no behaviour (RULES.md and its test keep it honest).
  '!src/rule-text.ts',
  // Sample bodies the tests share; not exported from the package.
  '!src/testing.ts',
]);
