import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('pnpm run docs', () => {
  it('builds the API reference of every published package without errors', () => {
    // --emit none: the whole conversion runs (every entry point, every package), nothing is written.
    const r = spawnSync(join(root, 'node_modules/.bin/typedoc'), ['--emit', 'none', '--logLevel', 'Error'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect({ status: r.status, output: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({
      status: 0,
      output: '',
    });
  }, 620_000);
});
