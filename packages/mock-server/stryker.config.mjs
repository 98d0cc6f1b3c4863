import { strykerConfig } from '../../stryker.base.mjs';

// The sandbox's state and every route: what the SDK, the CLI and the sample are tested against.
const config = strykerConfig(['src/core.ts', 'src/routes/**/*.ts']);
// Test files without isolation (vitest.mutation.config.ts says why).
export default { ...config, vitest: { ...config.vitest, configFile: 'vitest.mutation.config.ts' } };
