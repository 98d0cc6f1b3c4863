// Bulk send throughput and memory of the BUILT `kard` CLI (apps/cli/dist/bin.js):
// `kard transactions send` of 1,000,000 and of 100,000 generated valid v2 events (NDJSON) to the
// built mock server running in its own process. Wall time and peak RSS (VmHWM / "Maximum resident
// set size") are those of the CLI process alone.
//   node -e "import('./bench/cli-bulk.bench.mjs').then(m => m.run()).then(console.log)"
// Env: KARD_BENCH_RECORDS (default 1000000), KARD_BENCH_CONCURRENCY (default 8), KARD_BENCH_RUNS
// (default 3; the median run is reported, every run is logged).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const CLI = join(root, 'apps/cli/dist/bin.js');
const MOCK = join(root, 'packages/mock-server/dist/index.js');

/** Streams `n` valid v2 `transaction` events to `path` as NDJSON (never held in memory). */
async function generate(path, n) {
  const out = createWriteStream(path);
  const chunk = 2000;
  for (let start = 0; start < n; start += chunk) {
    let text = '';
    const end = Math.min(n, start + chunk);
    for (let i = start; i < end; i++) {
      text += `${JSON.stringify({
        type: 'transaction',
        id: `evt-${i}`,
        attributes: {
          userId: `user-${i % 1000}`,
          transactionId: `txn-${i}`,
          amount: 1000 + (i % 5000),
          status: 'SETTLED',
          currency: 'USD',
          description: 'ACME HARDWARE 0042',
          mcc: '5251',
          cardBIN: '411111',
          cardLastFour: String(1000 + (i % 9000)),
          direction: 'DEBIT',
          paymentType: 'CARD',
          authorizationDate: '2026-11-01T10:00:00Z',
          settledDate: '2026-11-02T10:00:00Z',
          merchant: { id: '123456789012345', name: 'ACME HARDWARE' },
        },
      })}\n`;
    }
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

/** The built mock server in a child process; resolves to its credentials. */
function startMock() {
  const code = `import(${JSON.stringify(MOCK)}).then(async ({ startMockKard }) => {
    const m = await startMockKard({ maxRecordedRequests: 0 });
    process.stdout.write(JSON.stringify({ url: m.url, clientId: m.clientId, clientSecret: m.clientSecret, organizationId: m.organizationId }) + '\\n');
    process.on('SIGTERM', () => m.close().then(() => process.exit(0)));
  })`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl !== -1) resolve({ child, creds: JSON.parse(buf.slice(0, nl)) });
    });
  });
}

/** Runs the CLI under /usr/bin/time -v when available (peak RSS), else polls /proc/<pid>/status VmHWM. */
function sendFile(file, creds, concurrency) {
  const env = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    KARD_BASE_URL: creds.url,
    KARD_CLIENT_ID: creds.clientId,
    KARD_CLIENT_SECRET: creds.clientSecret,
    KARD_ORGANIZATION_ID: creds.organizationId,
    NO_COLOR: '1',
  };
  const args = [
    CLI,
    'transactions',
    'send',
    file,
    '--json',
    '--concurrency',
    String(concurrency),
    '--no-progress',
  ];
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
    : setInterval(async () => {
        try {
          const { readFileSync } = await import('node:fs');
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {}
      }, 20);
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const peakKb = m ? Number(m[1]) : polledKb;
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        return reject(new Error(`kard transactions send failed (exit ${code}): ${stderr.slice(-2000)}`));
      }
      if (code !== 0) return reject(new Error(`kard transactions send exit ${code}: ${stdout}`));
      resolve({ seconds, peakMb: peakKb / 1024, report });
    });
  });
}

export async function run() {
  const n = Number(process.env.KARD_BENCH_RECORDS ?? 1_000_000);
  const small = Math.max(1, Math.round(n / 10));
  const concurrency = Number(process.env.KARD_BENCH_CONCURRENCY ?? 8);
  const runs = Number(process.env.KARD_BENCH_RUNS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'kard-bulk-bench-'));
  const { child: mock, creds } = await startMock();
  try {
    const bigFile = join(dir, `tx-${n}.ndjson`);
    const smallFile = join(dir, `tx-${small}.ndjson`);
    await generate(smallFile, small);
    await generate(bigFile, n);
    // Each size is sent `runs` times (alternating, fresh checkpoint each time: the CLI deletes nothing,
    // so a completed checkpoint just gets overwritten) and the median run is reported: single runs of a
    // GC'd runtime vary by ±10% in peak RSS.
    const small_ = [];
    const big_ = [];
    for (let i = 0; i < runs; i++) {
      small_.push(await sendFile(smallFile, creds, concurrency));
      big_.push(await sendFile(bigFile, creds, concurrency));
    }
    for (const r of [...small_, ...big_]) {
      const want = small_.includes(r) ? small : n;
      if (r.report.accepted !== want)
        throw new Error(`not every record was accepted: ${r.report.accepted}/${want}`);
    }
    const median = (xs, f) => xs.map(f).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const bigSeconds = median(big_, (r) => r.seconds);
    const bigPeak = median(big_, (r) => r.peakMb);
    const smallPeak = median(small_, (r) => r.peakMb);
    const result = {
      bulk_tx_per_s: Math.round(n / bigSeconds),
      bulk_peak_rss_mb: Math.round(bigPeak * 10) / 10,
      bulk_peak_rss_mb_100k: Math.round(smallPeak * 10) / 10,
      bulk_rss_ratio_vs_100k: Math.round((bigPeak / smallPeak) * 100) / 100,
      bulk_records: n,
      bulk_runs: runs,
      bulk_seconds: Math.round(bigSeconds * 100) / 100,
      bulk_100k_tx_per_s: Math.round(small / median(small_, (r) => r.seconds)),
    };
    // Numbers only in the result (bench/results/latest.json); every run's figures go to the log.
    for (const [label, rs, count] of [
      ['100k', small_, small],
      ['1M', big_, n],
    ]) {
      for (const r of rs) {
        console.log(
          `   cli-bulk ${label}: ${Math.round(count / r.seconds)} records/s, peak RSS ${r.peakMb.toFixed(1)} MB`,
        );
      }
    }
    return result;
  } finally {
    mock.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
