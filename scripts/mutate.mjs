// `pnpm mutate`: Stryker on the code where a bug costs users most, one package after another (each
// package's stryker.config.mjs names its files; stryker.base.mjs holds the shared settings). Prints
// the score per package and writes it between the markers of MUTATION.md.
//   pnpm mutate                    every scoped package
//   pnpm mutate sdk cli            only the packages whose folder name is given
//   pnpm mutate -- --concurrency 2 extra flags go to every `stryker run`
//   pnpm mutate --from-reports     no run: the table from each package's last report, printed only
// A run of a package's whole scope (no --mutate flag) that finishes writes that package's row of
// MUTATION.md, with the commit it ran on; the other rows stay. Not part of `pnpm test`: a full run
// takes a long time on two cores.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
export const scoped = [
  'packages/schemas',
  'packages/sdk',
  'packages/mock-server',
  'packages/processors',
  'apps/cli',
  'apps/express-sample',
];

/** Stryker's mutation score from its json report: detected ÷ (detected + survived + no coverage). */
export function score(report) {
  const n = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) {
      if (m.status === 'Killed') n.killed++;
      else if (m.status === 'Timeout') n.timeout++;
      else if (m.status === 'Survived') n.survived++;
      else if (m.status === 'NoCoverage') n.noCoverage++;
      else if (m.status === 'Ignored') n.ignored++;
      else n.errors++;
    }
  }
  const detected = n.killed + n.timeout;
  const valid = detected + n.survived + n.noCoverage;
  return { ...n, score: valid === 0 ? null : (100 * detected) / valid };
}

export const HEADER = [
  '| package | score | killed | timeout | survived | no coverage | ignored (static) | run on |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];

/** One table row for a package's score `s`, run on `commit` (e.g. "a1b2c3d, 2026-12-07"). */
export function row(dir, s, commit) {
  const pct = s.score === null ? 'n/a' : `${s.score.toFixed(1)} %`;
  return `| ${dir} | ${pct} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.ignored} | ${commit} |`;
}

/**
 * The text of MUTATION.md with `dir`'s row between the markers replaced by `line` (or added), every
 * other package's row kept, rows in the order of `scoped`, packages never run shown as such.
 */
export function recordRow(text, dir, line) {
  const marked = /(<!-- mutate:begin -->\n)([\s\S]*?)(\n<!-- mutate:end -->)/;
  const m = marked.exec(text);
  if (!m) throw new Error('MUTATION.md has no <!-- mutate:begin --> … <!-- mutate:end --> markers');
  const kept = new Map();
  for (const l of m[2].split('\n')) {
    const name = /^\| ([\w/-]+) \|/.exec(l)?.[1];
    if (name && scoped.includes(name)) kept.set(name, l);
  }
  kept.set(dir, line);
  const rows = scoped.map((d) => kept.get(d) ?? `| ${d} | not run yet | | | | | | |`);
  return text.replace(marked, (_, begin, _rows, end) => `${begin}${[...HEADER, ...rows].join('\n')}${end}`);
}

/** The commit a run is on, and whether the package had changes not yet committed. */
function runOn(dir) {
  const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', dir) !== '';
  return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + changes' : ''}, ${new Date().toISOString().slice(0, 10)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fromReports = process.argv.includes('--from-reports');
  const args = process.argv.slice(2).filter((a) => a !== '--' && a !== '--from-reports');
  const names = args.filter((a) => !a.startsWith('-') && scoped.some((d) => basename(d) === a));
  const flags = args.filter((a) => !names.includes(a));
  // A narrowed run (--mutate / -m) is for writing tests: its score is not the package's. Neither is
  // an incremental one: with the vitest runner it reused earlier verdicts although the tests had
  // changed (a CLI run took 23 s and reported 85.9 % where a full run gave 89.2 %).
  const wholeScope = !flags.some(
    (f) => f === '--mutate' || f === '-m' || f.startsWith('--mutate=') || f.startsWith('--incremental'),
  );
  const dirs = names.length > 0 ? scoped.filter((d) => names.includes(basename(d))) : scoped;
  const doc = join(root, 'MUTATION.md');
  const rows = [];
  let failed = false;
  for (const dir of dirs) {
    let status = 0;
    // The commit the run starts from: Stryker copies the package into its sandbox at the start.
    const on = fromReports ? 'last report' : runOn(dir);
    if (!fromReports) {
      console.log(`\n== stryker run in ${dir}`);
      ({ status } = spawnSync(join(root, 'node_modules/.bin/stryker'), ['run', ...flags], {
        cwd: join(root, dir),
        stdio: 'inherit',
      }));
    }
    const file = join(root, dir, 'reports/mutation/mutation.json');
    if (status !== 0 || !existsSync(file)) {
      failed = true;
      rows.push(`| ${dir} | ${existsSync(file) ? `run failed (exit ${status})` : 'no report'} | | | | | | |`);
      continue;
    }
    const line = row(dir, score(JSON.parse(readFileSync(file, 'utf8'))), on);
    rows.push(line);
    if (!fromReports && wholeScope && existsSync(doc)) {
      writeFileSync(doc, recordRow(readFileSync(doc, 'utf8'), dir, line));
      console.log(`${dir}: recorded in MUTATION.md`);
    }
  }
  console.log(`\n${[...HEADER, ...rows].join('\n')}`);
  process.exit(failed ? 1 : 0);
}
