import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { HEADER, recordRow, row, scoped, score } from '../mutate.mjs';

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
      'packages/processors',
      'apps/cli',
      'apps/express-sample',
    ]);
    for (const dir of scoped) expect(existsSync(join(root, dir, 'stryker.config.mjs'))).toBe(true);
  });
});

describe('pnpm mutate: the table in MUTATION.md', () => {
  const doc = (rows: string) => `# Scores\n\n<!-- mutate:begin -->\n${rows}\n<!-- mutate:end -->\n\nafter\n`;
  const s = { killed: 90, timeout: 1, survived: 9, noCoverage: 0, ignored: 4, score: 91 };

  it("a finished run writes its package's row with the commit it ran on; the other packages' rows stay", () => {
    const first = recordRow(
      doc('(no full-scope run recorded yet)'),
      'apps/cli',
      row('apps/cli', s, 'abc1234, 2026-12-07'),
    );
    const lines = first.split('\n');
    expect(lines).toContain('| apps/cli | 91.0 % | 90 | 1 | 9 | 0 | 4 | abc1234, 2026-12-07 |');
    expect(lines).toContain('| packages/sdk | not run yet | | | | | | |');
    expect(lines.slice(3, 5)).toEqual(HEADER);
    const second = recordRow(
      first,
      'packages/sdk',
      row('packages/sdk', { ...s, score: 80 }, 'def5678, 2026-12-08'),
    );
    expect(second).toContain('| apps/cli | 91.0 % | 90 | 1 | 9 | 0 | 4 | abc1234, 2026-12-07 |');
    expect(second).toContain('| packages/sdk | 80.0 % |');
    expect(second).not.toContain('packages/sdk | not run yet');
    // rows in the order of the scope, one per package, text outside the markers untouched
    const names = second
      .split('\n')
      .filter((l) => /^\| (packages|apps)\//.test(l))
      .map((l) => l.split(' | ')[0].slice(2));
    expect(names).toEqual(scoped);
    expect(second.endsWith('<!-- mutate:end -->\n\nafter\n')).toBe(true);
  });

  it('a row is replaced, not repeated, when its package runs again', () => {
    const once = recordRow(doc(''), 'apps/cli', row('apps/cli', s, 'a, d'));
    const twice = recordRow(once, 'apps/cli', row('apps/cli', { ...s, score: 95 }, 'b, d'));
    expect(twice.match(/\| apps\/cli \|/g)).toHaveLength(1);
    expect(twice).toContain('| apps/cli | 95.0 % |');
  });

  it('refuses a document without the markers', () => {
    expect(() => recordRow('# nothing here', 'apps/cli', 'x')).toThrow(/markers/);
  });
});

describe('vitest-load-failures.mjs (the reporter of the mutation configs)', () => {
  it('gives a file that failed to load one failed test carrying its error; other files are left alone', async () => {
    const { default: LoadFailures } = await import('../vitest-load-failures.mjs');
    const broken = {
      id: 'f1',
      tasks: [] as unknown[],
      result: { state: 'fail', errors: [{ message: 'boom' }] },
    };
    const hookFailed = {
      id: 'f2',
      tasks: [{ type: 'suite', tasks: [{ type: 'test', name: 't' }] }],
      result: { state: 'fail', errors: [{ message: 'hook' }] },
    };
    const passed = { id: 'f3', tasks: [] as unknown[], result: { state: 'pass' } };
    new LoadFailures().onTestRunEnd([broken, hookFailed, passed].map((task) => ({ task })));
    expect(broken.tasks).toEqual([
      expect.objectContaining({
        type: 'test',
        name: 'the test file loads',
        file: broken,
        suite: broken,
        result: { state: 'fail', errors: [{ message: 'boom' }] },
      }),
    ]);
    expect(hookFailed.tasks).toHaveLength(1); // its tests carry the suite's error already
    expect(passed.tasks).toEqual([]);
  });
});

describe('vitest-cheap-first.mjs (the sequencer of the mutation configs)', () => {
  it('runs files that failed last time first, then the cheapest; files never run come before known ones', async () => {
    const { default: CheapFirst } = await import('../vitest-cheap-first.mjs');
    const root = '/repo/pkg';
    const results: Record<string, { failed: boolean; duration: number }> = {
      'shared:test/slow.test.ts': { failed: false, duration: 9000 },
      'shared:test/quick.test.ts': { failed: false, duration: 50 },
      'shared:test/killer.test.ts': { failed: true, duration: 4000 },
      'isolated:test/mid.test.ts': { failed: false, duration: 700 },
    };
    const ctx = { config: { root }, cache: { getFileTestResults: (key: string) => results[key] } };
    const spec = (project: string, file: string) => ({
      project: { name: project },
      moduleId: `${root}/${file}`,
    });
    const files = [
      spec('shared', 'test/slow.test.ts'),
      spec('shared', 'test/quick.test.ts'),
      spec('isolated', 'test/mid.test.ts'),
      spec('shared', 'test/new.test.ts'),
      spec('shared', 'test/killer.test.ts'),
    ];
    const sorted = await new CheapFirst(ctx).sort(files);
    expect(sorted.map((s: { moduleId: string }) => s.moduleId.slice(root.length + 1))).toEqual([
      'test/killer.test.ts',
      'test/new.test.ts',
      'test/quick.test.ts',
      'test/mid.test.ts',
      'test/slow.test.ts',
    ]);
    expect(files[0]!.moduleId).toBe(`${root}/test/slow.test.ts`); // the list given is left as it was
    expect(await new CheapFirst(ctx).shard(files)).toBe(files);
  });
});
