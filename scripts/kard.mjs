// `pnpm kard <args>`: runs the built CLI. On a checkout where the CLI has not been built yet, builds
// it (and what it depends on) first, with the build's output on stderr so `--json` stays clean.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const bin = join(import.meta.dirname, '..', 'apps', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) {
  process.stderr.write('kard: building the CLI once (turbo caches it)…\n');
  const built = spawnSync(
    'pnpm',
    ['-s', 'turbo', 'run', 'build', '--filter=@kardkit/cli...', '--output-logs=errors-only'],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', process.stderr, process.stderr],
    },
  );
  if (built.status !== 0) {
    process.stderr.write('kard: the build failed; run `pnpm build` to see why.\n');
    process.exit(2);
  }
}
// Same process: the CLI reads process.argv.slice(2), which holds the user's arguments here too.
await import(pathToFileURL(bin).href);
