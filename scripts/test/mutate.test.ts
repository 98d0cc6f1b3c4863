import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { scoped, score } from '../mutate.mjs';

const mutants = (...statuses: string[]) => statuses.map((status, i) => ({ id: String(i), status }));

describe('pnpm mutate: the recorded score', () => {
  it("is Stryker's: killed and timed-out mutants over all but the ignored ones", () => {
    const report = {
      files: {
        'a.ts': { mutants: mutants('Killed', 'Killed', 'Timeout', 'Survived', 'Ignored') },
        'b.ts': { mutants: mutants('NoCoverage', 'Killed', 'Ignored', 'Ignored') },
      },
    };
    expect(score(report)).toEqual({
      killed: 3,
      timeout: 1,
      survived: 1,
      noCoverage: 1,
      ignored: 3,
      errors: 0,
      score: (100 * 4) / 6,
    });
  });

  it('is n/a when no mutant could be judged', () => {
    expect(score({ files: { 'a.ts': { mutants: mutants('Ignored') } } }).score).toBeNull();
  });

  it('covers every package the mutation scope names, each with a config', async () => {
    const { existsSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    const root = resolve(import.meta.dirname, '../..');
    expect(scoped).toEqual([
      'packages/schemas',
      'packages/sdk',
      'packages/mock-server',
      'apps/cli',
      'apps/express-sample',
    ]);
    for (const dir of scoped) expect(existsSync(join(root, dir, 'stryker.config.mjs'))).toBe(true);
  });
});
