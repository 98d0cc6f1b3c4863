// The closing line of `pnpm test`: sums the vitest json report of every workspace package that has
// tests, and never hides a suite that did not run. Counted as failed, beside failed tests:
//  - a test file that failed to load, or whose suite errored in a hook (vitest marks the file
//    failed but no test: its tests show as "skipped", so each of those counts as failed too);
//  - a package with a `test` script that left no report (its tests never ran).
// Skipped tests are listed by name: a test that cannot run here names what it needs in its title.
// Under CI (CI=true), where .ci/run provides every service, a skipped test is a failure.
// Exits 1 when anything failed or nothing passed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
/** Workspace packages (openapi, scripts, packages/*, apps/*) whose package.json has a `test` script. */
export function testedPackages() {
  const dirs = [
    'openapi',
    'scripts',
    ...['packages', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((n) => join(d, n))),
  ];
  return dirs.filter((dir) => {
    const file = join(root, dir, 'package.json');
    return existsSync(file) && Boolean(JSON.parse(readFileSync(file, 'utf8')).scripts?.test);
  });
}

/**
 * @param {{ dir: string, report: any }[]} reports one entry per tested package; `report` null when missing
 * @param {{ ci: boolean }} opts
 */
export function summarize(reports, { ci }) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  const skips = [];
  for (const { dir, report } of reports) {
    if (!report) {
      failed++;
      problems.push(`${dir}: no test report (its tests did not run)`);
      continue;
    }
    for (const file of report.testResults ?? []) {
      const name = relative(root, file.name);
      const tests = file.assertionResults ?? [];
      const failedTests = tests.filter((t) => t.status === 'failed');
      const notRun = tests.filter((t) => t.status !== 'passed' && t.status !== 'failed');
      passed += tests.length - failedTests.length - notRun.length;
      failed += failedTests.length;
      for (const t of failedTests) problems.push(`${name}: ${t.fullName}`);
      if (file.status === 'failed' && failedTests.length === 0) {
        // The file failed without a failing test: it did not load, or a hook threw or timed out.
        failed += 1 + notRun.length;
        const why = (file.message ?? '').split('\n')[0] || 'a hook failed or timed out';
        problems.push(`${name}: suite did not run (${why}); ${notRun.length} test(s) not run`);
        continue;
      }
      skipped += notRun.length;
      for (const t of notRun) skips.push(`${name}: ${t.fullName}`);
    }
  }
  if (ci && skipped > 0) {
    failed += skipped;
    problems.push(`${skipped} test(s) skipped under CI, where everything they need is provided`);
  }
  return { passed, failed, skipped, problems, skips };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Report files may be named on the command line (the summary's own tests do); by default, one
  // per tested package.
  const named = process.argv.slice(2);
  const files =
    named.length > 0 ? named : testedPackages().map((dir) => join(root, dir, '.vitest-report.json'));
  const reports = files.map((file) => ({
    dir: relative(root, file),
    report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null,
  }));
  const { passed, failed, skipped, problems, skips } = summarize(reports, {
    ci: Boolean(process.env.CI) && process.env.CI !== 'false',
  });
  for (const s of skips) console.log(`skipped: ${s}`);
  for (const p of problems) console.log(`FAILED: ${p}`);
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}
