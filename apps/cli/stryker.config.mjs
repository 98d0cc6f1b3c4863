import { strykerConfig } from '../../stryker.base.mjs';

// Resumable sending: the checkpoint (what was acknowledged) and the send command.
export default strykerConfig(['src/checkpoint.ts', 'src/commands/send.ts']);
