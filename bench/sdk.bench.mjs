// @kardkit/sdk figures, measured on the BUILT packages (packages/*/dist). Every side (bench/sdk-client.mjs)
// is a client process of its own against ONE loopback mock server run here; rounds alternate between
// the sides (the first side rotates) and each side sums its wall time and its own CPU time
// (process.cpuUsage()). A figure is taken from RUNS independent runs (fresh processes each): its median,
// with the spread (min–max) beside it. Sides: raw fetch, node:http keep-alive (the floor), bare ky on
// the main entry's Node transport, bare ky on fetch, the main entry, the lite entry.
//   sdk_main_cpu_vs_fetch_seq / _16   client CPU per request of KardClient from '@kardkit/sdk' (Node build,
//                               validating, default options) ÷ raw fetch's, sequential / 16 in flight (goal ≤ 1.00)
//   sdk_main_vs_fetch_ratio / _16     requests/s of the main entry ÷ raw fetch's (goal ≥ 1.00)
//   sdk_main_cpu_over_ky        (main CPU − bare ky CPU on the same transport) ÷ raw fetch CPU, sequential:
//                               what the SDK's own layers add (goal ≤ 0.10)
//   sdk_vs_fetch_ratio          the same request-rate ratio for '@kardkit/sdk/lite' with validateRequest, sequential
//   sdk_lite_cpu_vs_fetch_seq   its CPU ratio; *_cpu_vs_fetch_* of the context sides (http, ky, kyFetch) too
//   bundle_one_call_gzip_bytes  esbuild --bundle --minify (no splitting) of a one-call app on '@kardkit/sdk/lite',
//                               gzip -9 (the official SDK: 13.3 KB)
//   bundle_one_call_main_gzip_bytes  the same app on '@kardkit/sdk' (browser build), no splitting: the whole app,
//                               the lazily loaded validators (@kardkit/schemas + zod) included
//   bundle_one_call_main_split_gzip_bytes  the same with code splitting as Vite/Rollup/webpack do: what loads
//                               before the call (goal ≤ 13 KB; ky's chunk starts loading when a KardClient is
//                               made, the validators' chunk on the first call)
//   bundle_one_call_main_split_with_ky_gzip_bytes  the same with ky's chunk: all a request needs but the validators
//   import_ms_over_node         median cold `import('@kardkit/sdk')` (Node build) in a fresh node minus
//                               `node -e 0`, the two run in pairs: the median of three runs of 21 pairs,
//                               with their spread as _min/_max (goal ≤ 40)
//   node -e "import('./bench/sdk.bench.mjs').then(m => m.run()).then(console.log)"
// KARD_BENCH_PARTS (comma-separated: ratios, bundle, import) runs only those parts; default all.
import { execFileSync, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMockKard } from '../packages/mock-server/dist/index.js';
import { KY_SOURCES, oneCallGzipBytes } from '../packages/sdk/scripts/one-call-bundle.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sdkDir = join(here, '..', 'packages', 'sdk');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const PARTS = new Set((process.env.KARD_BENCH_PARTS ?? 'ratios,bundle,import').split(','));
const SIDES = ['raw', 'http', 'ky', 'kyFetch', 'main', 'lite'];
const RUNS = 3;
const N = 200;

/**
 * One run: a fresh process per side, warm-up rounds (JIT tiers, keep-alive sockets, the lazy validator
 * load), then alternating rounds, sequential and 16 in flight. Returns per mode and side the request
 * rate and CPU per request as ratios to raw fetch.
 */
async function oneRun(mock, conn, warmups, rounds) {
  const children = [];
  try {
    const start = (side) =>
      new Promise((resolve, reject) => {
        const child = fork(join(here, 'sdk-client.mjs'), [side], {
          env: { ...process.env, KARD_BENCH_CONN: conn },
          execArgv: [], // not the parent's --input-type (run.mjs starts each bench with -e)
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(child);
        child.once('message', () => resolve(child));
        child.once('exit', (code) => reject(new Error(`bench side ${side} exited with ${code}`)));
      });
    // A side that fails a request (not 202) exits: the round rejects instead of waiting forever.
    const round = (child, inFlight) =>
      new Promise((resolve, reject) => {
        const onExit = (code) => reject(new Error(`a bench side exited with ${code} during a round`));
        child.once('exit', onExit);
        child.once('message', (m) => {
          child.off('exit', onExit);
          resolve(m);
        });
        child.send({ run: N, inFlight });
      });
    const procs = {};
    for (const n of SIDES) procs[n] = await start(n);
    const out = {};
    for (const inFlight of [1, 16]) {
      for (let i = 0; i < warmups; i++) for (const n of SIDES) await round(procs[n], inFlight);
      const ms = Object.fromEntries(SIDES.map((n) => [n, 0]));
      const cpu = Object.fromEntries(SIDES.map((n) => [n, 0]));
      for (let r = 0; r < rounds; r++) {
        for (let j = 0; j < SIDES.length; j++) {
          const n = SIDES[(r + j) % SIDES.length];
          const m = await round(procs[n], inFlight);
          ms[n] += m.ms;
          cpu[n] += m.cpuUs;
        }
      }
      const total = N * rounds;
      console.log(
        `   ${inFlight === 1 ? 'sequential' : `${inFlight} in flight`}: ${SIDES.map((n) => `${n} ${((total / ms[n]) * 1000).toFixed(0)} req/s ${(cpu[n] / total).toFixed(0)} µs CPU/req`).join('; ')}`,
      );
      out[inFlight] = Object.fromEntries(
        SIDES.map((n) => [n, { rate: ms.raw / ms[n], cpu: cpu[n] / cpu.raw }]),
      );
    }
    return out;
  } finally {
    for (const child of children) child.kill();
  }
}

async function ratios() {
  const mock = await startMockKard({ port: 0, maxRecordedRequests: 0 });
  try {
    const tokenRes = await fetch(`${mock.url}/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: mock.clientId, client_secret: mock.clientSecret }),
    });
    const { access_token } = await tokenRes.json();
    const conn = JSON.stringify({
      baseUrl: mock.url,
      organizationId: mock.organizationId,
      clientId: mock.clientId,
      clientSecret: mock.clientSecret,
      token: access_token,
    });
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      console.log(`   run ${i + 1} of ${RUNS} (${SIDES.length} sides, ${N} requests a round)`);
      runs.push(await oneRun(mock, conn, 6, 10));
    }
    return runs;
  } finally {
    await mock.close();
  }
}

/** Median of a figure over the runs, and its spread (the lowest and highest run). */
function figure(runs, pick) {
  const xs = runs.map(pick);
  const round = (x) => Number(x.toFixed(3));
  return { value: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) };
}

function importMs() {
  const target = pathToFileURL(join(sdkDir, 'dist', 'index.node.js')).href;
  const time = (args) => {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const load = ['--input-type=module', '-e', `await import(${JSON.stringify(target)})`];
  time(['-e', '0']); // warm the file cache
  time(load);
  // Pairs: each import is timed right after a `node -e 0`, so machine load falls on both alike.
  const diffs = [];
  const base = [];
  for (let i = 0; i < 21; i++) {
    const b = time(['-e', '0']);
    base.push(b);
    diffs.push(time(load) - b);
  }
  console.log(
    `   node -e 0: ${median(base).toFixed(1)} ms; import('@kardkit/sdk') (Node build) minus it, paired: ${median(diffs).toFixed(1)} ms (medians of 21)`,
  );
  return median(diffs);
}

export async function run() {
  const out = {};
  if (PARTS.has('ratios')) {
    const runs = await ratios();
    const put = (name, pick) => {
      const f = figure(runs, pick);
      // latest.json holds numbers only: the spread as the lowest and highest run.
      out[name] = f.value;
      out[`${name}_min`] = f.min;
      out[`${name}_max`] = f.max;
    };
    put('sdk_main_cpu_vs_fetch_seq', (r) => r[1].main.cpu);
    put('sdk_main_cpu_vs_fetch_16', (r) => r[16].main.cpu);
    put('sdk_main_vs_fetch_ratio', (r) => r[1].main.rate);
    put('sdk_main_vs_fetch_ratio_16', (r) => r[16].main.rate);
    put('sdk_main_cpu_over_ky', (r) => r[1].main.cpu - r[1].ky.cpu);
    put('sdk_main_cpu_over_ky_16', (r) => r[16].main.cpu - r[16].ky.cpu);
    put('sdk_vs_fetch_ratio', (r) => r[1].lite.rate);
    put('sdk_lite_cpu_vs_fetch_seq', (r) => r[1].lite.cpu);
    put('sdk_lite_cpu_vs_fetch_16', (r) => r[16].lite.cpu);
    for (const side of ['http', 'ky', 'kyFetch']) {
      put(`${side}_cpu_vs_fetch_seq`, (r) => r[1][side].cpu);
      put(`${side}_vs_fetch_ratio`, (r) => r[1][side].rate);
    }
  }
  if (PARTS.has('bundle')) {
    out.bundle_one_call_gzip_bytes = await oneCallGzipBytes('@kardkit/sdk/lite', false);
    out.bundle_one_call_main_gzip_bytes = await oneCallGzipBytes('@kardkit/sdk', false);
    out.bundle_one_call_main_split_gzip_bytes = await oneCallGzipBytes('@kardkit/sdk', true);
    out.bundle_one_call_main_split_with_ky_gzip_bytes = await oneCallGzipBytes(
      '@kardkit/sdk',
      true,
      KY_SOURCES,
    );
  }
  if (PARTS.has('import')) {
    // Three runs of 21 pairs each: the median run, and the spread of the three.
    const ms = [importMs(), importMs(), importMs()].map((x) => Number(x.toFixed(1)));
    out.import_ms_over_node = median(ms);
    out.import_ms_over_node_min = Math.min(...ms);
    out.import_ms_over_node_max = Math.max(...ms);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then((r) => console.log(r));
}
