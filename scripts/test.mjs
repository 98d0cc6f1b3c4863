// `pnpm test`: everything CI checks, in order, and always the closing line of
// scripts/test-summary.mjs, even when an earlier step failed. Exits non-zero if any step failed.
//  1. biome on the benchmarks and the shared Stryker settings (scripts/ lints as a workspace package);
//  2. turbo: lint (with the spec lint), typecheck, build and every package's tests (--continue, so
//     one failing package does not hide the others);
//  3. the packed-tarball checks (scripts/package-checks.mjs);
//  4. the summary.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testedPackages } from './test-summary.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
// A report left by an earlier run must not stand in for a suite that does not run this time.
for (const dir of testedPackages()) rmSync(join(root, dir, '.vitest-report.json'), { force: true });

const failedSteps = [];
const step = (name, cmd, args) => {
  const { status, error } = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) failedSteps.push(`${name} (${error ? error.message : `exit ${status}`})`);
};
step('biome', bin('biome'), ['check', 'bench', 'stryker.base.mjs']);
step('turbo', bin('turbo'), ['run', 'lint', 'typecheck', 'build', 'test', '--continue']);
step('package checks', process.execPath, [join(root, 'scripts/package-checks.mjs')]);
for (const s of failedSteps) console.log(`FAILED step: ${s}`);
step('summary', process.execPath, [join(root, 'scripts/test-summary.mjs')]);
process.exit(failedSteps.length > 0 ? 1 : 0);
