// Memory of the BUILT `kard transactions validate` (apps/cli/dist/bin.js) as files grow: peak RSS
// (VmHWM / "Maximum resident set size") of the CLI process checking 100,000 and 1,000,000 generated
// valid v2 events (NDJSON, bench/event.mjs), each run in its own child process. The R10 duplicate-id
// table (12 bytes per slot, sized from the file) is the one part that grows with the file.
//   node -e "import('./bench/cli-validate.bench.mjs').then(m => m.run()).then(console.log)"
// Env: KARD_BENCH_RECORDS (default 1000000; the small file has a tenth), KARD_BENCH_RUNS (default 3;
// the median run is reported, every run is logged).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEvent } from './event.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'apps/cli/dist/bin.js');

/** Streams `n` valid events to `path` (never held in memory). */
async function generate(path, n) {
  const out = createWriteStream(path);
  for (let start = 0; start < n; start += 2000) {
    let text = '';
    for (let i = start; i < Math.min(n, start + 2000); i++)
      text += `${JSON.stringify(benchEvent(`evt-${i}`, { userId: `user-${i % 1000}`, amount: 1000 + (i % 5000) }))}\n`;
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

/** One `kard transactions validate --json` run; peak RSS from /usr/bin/time -v, else polled VmHWM. */
function validate(file, n) {
  const env = { PATH: process.env.PATH, HOME: tmpdir(), NO_COLOR: '1' };
  const args = [CLI, 'transactions', 'validate', file, '--json'];
  const useTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const child = useTime
    ? spawn('/usr/bin/time', ['-v', process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let polledKb = 0;
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {}
      }, 20);
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        return reject(new Error(`kard transactions validate failed (exit ${code}): ${stderr.slice(-2000)}`));
      }
      if (code !== 0 || report.valid !== n)
        return reject(
          new Error(`expected ${n} valid records, exit 0; got exit ${code}: ${stdout.slice(0, 500)}`),
        );
      resolve({ seconds, peakMb: (m ? Number(m[1]) : polledKb) / 1024 });
    });
  });
}

export async function run() {
  const n = Number(process.env.KARD_BENCH_RECORDS ?? 1_000_000);
  const small = Math.max(1, Math.round(n / 10));
  const runs = Number(process.env.KARD_BENCH_RUNS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'kard-validate-bench-'));
  try {
    const smallFile = join(dir, 'small.ndjson');
    const bigFile = join(dir, 'big.ndjson');
    await generate(smallFile, small);
    await generate(bigFile, n);
    const small_ = [];
    const big_ = [];
    for (let i = 0; i < runs; i++) {
      small_.push(await validate(smallFile, small));
      big_.push(await validate(bigFile, n));
    }
    const median = (xs, f) => xs.map(f).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const smallPeak = median(small_, (r) => r.peakMb);
    const bigPeak = median(big_, (r) => r.peakMb);
    for (const [label, rs, count] of [
      ['100k', small_, small],
      ['1M', big_, n],
    ])
      for (const r of rs)
        console.log(
          `   cli-validate ${label}: ${Math.round(count / r.seconds)} records/s, peak RSS ${r.peakMb.toFixed(1)} MB`,
        );
    return {
      validate_peak_rss_mb_100k: Math.round(smallPeak * 10) / 10,
      validate_peak_rss_mb_1m: Math.round(bigPeak * 10) / 10,
      validate_rss_ratio_1m_vs_100k: Math.round((bigPeak / smallPeak) * 100) / 100,
      validate_records_per_s_1m: Math.round(n / median(big_, (r) => r.seconds)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
