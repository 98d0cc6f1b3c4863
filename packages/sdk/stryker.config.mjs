import { strykerConfig } from '../../stryker.base.mjs';

// The request core (auth, retries, timeouts, errors, redaction, pagination, partial results), bulk
// sending and webhook verification.
export default strykerConfig(['src/core/**/*.ts', 'src/bulk/**/*.ts', 'src/webhooks.ts']);
