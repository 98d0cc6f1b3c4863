// Runs every bench/*.bench.mjs in its own child process (so one benchmark's heap and timers never
// disturb another's), prints a table and writes bench/results/latest.json.
//   pnpm bench                 all benchmarks
//   pnpm bench -- sdk mock     only the named ones (printed, not recorded)
//   pnpm bench -- sdk --record only the named ones, their figures merged into latest.json
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const record = process.argv.includes('--record');
const only = process.argv.slice(2).filter((a) => a !== '--' && a !== '--record');
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

// The figures each issue asks for; a missing one fails the run.
const required = [
  'sdk_vs_fetch_ratio',
  'validate_vs_stringify_ratio',
  'bundle_one_call_gzip_bytes',
  'import_ms_over_node',
  'bulk_tx_per_s',
  'bulk_peak_rss_mb',
  'bulk_peak_rss_mb_100k',
  'mock_ingest_events_per_s',
  'validate_peak_rss_mb_100k',
  'validate_peak_rss_mb_1m',
  'validate_rss_ratio_1m_vs_100k',
];

function runOne(file) {
  return new Promise((resolve, reject) => {
    const code = `import(${JSON.stringify(join(here, file))}).then(m => m.run()).then(r => process.stdout.write('\\n@@RESULT ' + JSON.stringify(r) + '\\n'))`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (status) => {
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (status !== 0 || !line) return reject(new Error(`${file} exited with ${status}\n${out}`));
      process.stdout.write(out.replace(/^@@RESULT .*$/m, ''));
      resolve(JSON.parse(line.slice('@@RESULT '.length)));
    });
  });
}

const results = {};
for (const file of files) {
  console.log(`\n== ${file}`);
  const started = Date.now();
  Object.assign(results, await runOne(file));
  console.log(`   (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// latest.json holds numbers only (spreads as `_min`/`_max` figures): a benchmark that returns
// anything else is a bug in that benchmark.
const notNumbers = Object.keys(results).filter(
  (k) => typeof results[k] !== 'number' || !Number.isFinite(results[k]),
);
if (notNumbers.length > 0) {
  console.error(`figures that are not finite numbers: ${notNumbers.join(', ')}`);
  process.exit(1);
}

console.log('\n| figure | value |\n| --- | ---: |');
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v} |`);

const latest = join(here, 'results', 'latest.json');
if (only.length > 0 && record) {
  // Each benchmark measures its ratios against its own baseline in its own run, so one benchmark's
  // figures can be refreshed without rerunning the others.
  const previous = existsSync(latest) ? JSON.parse(readFileSync(latest, 'utf8')) : {};
  writeFileSync(latest, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
  console.log(`\nmerged ${Object.keys(results).length} figures into bench/results/latest.json`);
}
if (only.length === 0) {
  const missing = required.filter((k) => typeof results[k] !== 'number');
  const machine = {
    node: process.version,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    date: new Date().toISOString(),
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  // latest.json holds numbers only; the machine it ran on sits beside it.
  writeFileSync(latest, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'machine.json'), `${JSON.stringify(machine, null, 2)}\n`);
  console.log('\nwrote bench/results/latest.json and bench/results/machine.json');
  if (missing.length > 0) {
    console.error(`missing figures: ${missing.join(', ')}`);
    process.exit(1);
  }
}
