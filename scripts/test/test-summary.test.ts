import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { summarize, testedPackages } from '../test-summary.mjs';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'fixtures/broken-suites');
const work = mkdtempSync(join(tmpdir(), 'kardkit-summary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs vitest on the given fixture files and returns its json report. */
function vitestReport(files: string[]) {
  const out = join(work, `report-${files.join('-')}.json`);
  spawnSync(join(root, 'node_modules/.bin/vitest'), ['run', '--config', 'vitest.config.mjs', ...files], {
    cwd: fixtures,
    env: { ...process.env, REPORT_FILE: out },
    encoding: 'utf8',
  });
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe('test summary: a suite that did not run is a failure', () => {
  let broken: unknown;
  let healthy: unknown;
  beforeAll(() => {
    broken = vitestReport(['load-error', 'hook-timeout', 'hook-error']);
    healthy = vitestReport(['healthy']);
  });

  it('counts a file that failed to load, its hook-timed-out tests and a throwing teardown as failed', () => {
    const s = summarize([{ dir: 'x', report: broken }], { ci: false });
    // load-error: 1 (the file); hook-timeout: 1 (the file) + 2 tests never run; hook-error: 1 (the
    // file; its one test passed).
    expect(s.failed).toBe(5);
    expect(s.passed).toBe(1);
    expect(s.skipped).toBe(0);
    expect(s.problems.join('\n')).toMatch(/load-error\.fixture\.ts: suite did not run \(.*no-such-sibling/);
    expect(s.problems.join('\n')).toMatch(
      /hook-timeout\.fixture\.ts: suite did not run .*2 test\(s\) not run/,
    );
  });

  it('counts a package that left no report as failed', () => {
    const s = summarize(
      [
        { dir: 'packages/a', report: healthy },
        { dir: 'packages/b', report: null },
      ],
      { ci: false },
    );
    expect(s.failed).toBe(1);
    expect(s.problems).toEqual(['packages/b: no test report (its tests did not run)']);
  });

  it('lists a skipped test by name outside CI, and fails it under CI', () => {
    const local = summarize([{ dir: 'x', report: healthy }], { ci: false });
    expect(local).toMatchObject({ passed: 1, failed: 0, skipped: 1 });
    expect(local.skips[0]).toMatch(
      /healthy\.fixture\.ts: a healthy suite cannot run here \(needs a browser\)$/,
    );
    const ci = summarize([{ dir: 'x', report: healthy }], { ci: true });
    expect(ci).toMatchObject({ passed: 1, failed: 1, skipped: 1 });
  });

  it('the script exits 1 and its closing line shows the failures', () => {
    const file = join(work, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    const r = spawnSync(process.execPath, [join(root, 'scripts/test-summary.mjs'), file], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').pop()).toBe('tests: 1 passed, 5 failed, 0 skipped');
  });

  it('the script exits 0 on a healthy report, and 1 on a missing one', () => {
    const file = join(work, 'healthy.json');
    writeFileSync(file, JSON.stringify(healthy));
    const ok = spawnSync(process.execPath, [join(root, 'scripts/test-summary.mjs'), file], {
      encoding: 'utf8',
      env: { ...process.env, CI: '' },
    });
    expect(ok.stdout).toContain('skipped: ');
    expect(ok.stdout.trim().split('\n').pop()).toBe('tests: 1 passed, 0 failed, 1 skipped');
    expect(ok.status).toBe(0);
    const missing = spawnSync(
      process.execPath,
      [join(root, 'scripts/test-summary.mjs'), join(work, 'none.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('no test report (its tests did not run)');
  });

  it('knows every workspace package that has tests', () => {
    expect(testedPackages()).toEqual(
      expect.arrayContaining(['openapi', 'scripts', 'packages/sdk', 'packages/schemas', 'apps/cli']),
    );
  });
});
