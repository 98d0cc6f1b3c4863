import { strykerConfig } from '../../stryker.base.mjs';

// Resumable sending: the checkpoint (what was acknowledged) and the send command.
// Only the tests that run src/ in the vitest process can kill a mutant; the others start the built
// bin (dist/bin.js) as a child process and would only cost time, so they are left out.
export default {
  ...strykerConfig(['src/checkpoint.ts', 'src/commands/send.ts']),
  testFiles: ['test/checkpoint.test.ts', 'test/send-inprocess.test.ts', 'test/send-edges.test.ts'],
};
