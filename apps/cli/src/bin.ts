#!/usr/bin/env node
import { run } from './cli.js';

// `kard … | head`: once the reader has gone, there is no one left to tell; end quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets must not hold the process open once the command is done.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (e: unknown) => {
    process.stderr.write(`kard: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 3;
  },
);
