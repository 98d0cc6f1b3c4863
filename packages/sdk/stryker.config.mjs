import { strykerConfig } from '../../stryker.base.mjs';

// The request core (auth, retries, timeouts, errors, redaction, pagination, partial results), bulk
// sending and webhook verification.
const config = strykerConfig(['src/core/**/*.ts', 'src/bulk/**/*.ts', 'src/webhooks.ts']);
// Most test files without isolation (vitest.mutation.config.ts says why).
export default { ...config, vitest: { ...config.vitest, configFile: 'vitest.mutation.config.ts' } };
