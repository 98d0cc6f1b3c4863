import { strykerConfig } from '../../stryker.base.mjs';

// Where an acknowledged event or an earned reward could be lost or doubled.
export default strykerConfig(['src/outbox.ts', 'src/forwarder.ts', 'src/webhooks.ts', 'src/kard.ts']);
