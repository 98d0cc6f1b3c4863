import { strykerConfig } from '../../stryker.base.mjs';

// Where an acknowledged event or an earned reward could be lost or doubled.
const config = strykerConfig(['src/outbox.ts', 'src/forwarder.ts', 'src/webhooks.ts', 'src/kard.ts']);
// Only the suites that load src/ in process (vitest.mutation.config.ts says why).
export default { ...config, vitest: { ...config.vitest, configFile: 'vitest.mutation.config.ts' } };
