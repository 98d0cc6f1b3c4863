// `pnpm mutate`: Stryker on the code where a bug costs users most, one package after another (each
// package's stryker.config.mjs names its files; stryker.base.mjs holds the shared settings). Prints
// the score per package and writes it between the markers of MUTATION.md.
//   pnpm mutate                    every scoped package
//   pnpm mutate sdk cli            only the packages whose folder name is given
//   pnpm mutate -- --concurrency 2 extra flags go to every `stryker run`
//   pnpm mutate --from-reports     no run: the table from each package's last full report
// Not part of `pnpm test`: a full run takes a long time on two cores.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
export const scoped = [
  'packages/schemas',
  'packages/sdk',
  'packages/mock-server',
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const fromReports = process.argv.includes('--from-reports');
  const args = process.argv.slice(2).filter((a) => a !== '--' && a !== '--from-reports');
  const names = args.filter((a) => !a.startsWith('-') && scoped.some((d) => basename(d) === a));
  const flags = args.filter((a) => !names.includes(a));
  const dirs = names.length > 0 ? scoped.filter((d) => names.includes(basename(d))) : scoped;
  const rows = [];
  let failed = false;
  for (const dir of dirs) {
    let status = 0;
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
      rows.push(`| ${dir} | ${existsSync(file) ? `run failed (exit ${status})` : 'no report'} | | | | | |`);
      continue;
    }
    const s = score(JSON.parse(readFileSync(file, 'utf8')));
    rows.push(
      `| ${dir} | ${s.score === null ? 'n/a' : `${s.score.toFixed(1)} %`} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.ignored} |`,
    );
  }
  const table = [
    '| package | score | killed | timeout | survived | no coverage | ignored (static) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  console.log(`\n${table}`);
  // Only a run of every package rewrites the recorded table.
  const doc = join(root, 'MUTATION.md');
  if (dirs.length === scoped.length && existsSync(doc)) {
    const text = readFileSync(doc, 'utf8');
    const marked = /(<!-- mutate:begin -->\n)[\s\S]*?(\n<!-- mutate:end -->)/;
    writeFileSync(doc, text.replace(marked, `$1${table}$2`));
    console.log('recorded in MUTATION.md');
  }
  process.exit(failed ? 1 : 0);
}
