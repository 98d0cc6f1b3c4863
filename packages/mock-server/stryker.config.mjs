import { strykerConfig } from '../../stryker.base.mjs';

// The sandbox's state and every route: what the SDK, the CLI and the sample are tested against.
export default strykerConfig(['src/core.ts', 'src/routes/**/*.ts']);
