// @kardkit/sdk figures (issues 5 and 8), measured on the BUILT packages (packages/*/dist):
//   sdk_vs_fetch_ratio          KardClient from '@kardkit/sdk/lite' with the SDK's validator on
//                               (`validator: validateRequest`, the same check the main entry runs by default):
//                               transactions.create requests/s ÷ raw fetch requests/s, one event per request,
//                               sequential, same loopback mock server, same run, alternating rounds, each
//                               side a client process of its own (bench/sdk-client.mjs) (goal ≥ 0.90). The
//                               entry a one-call app uses: bundle_one_call_gzip_bytes is measured on it too
//   sdk_main_vs_fetch_ratio     (context) the same with the MAIN entry ('@kardkit/sdk'), which sends through the
//                               generated ky client (issue 5)
//   bare_ky_vs_fetch_ratio      (context) bare ky(url, { retry: 0, timeout: false, throwHttpErrors: false }) with
//                               the same body and headers: the ceiling of any client that sends through ky
//   ky_floor_vs_fetch_ratio     (context) ky with nothing to carry: no body, and a `fetch` option that ignores the
//                               Request ky built and sends the raw side's fetch(url, init). What ky's own
//                               per-call machinery (Request, clone, AbortSignals, hooks loop) costs on its own
//   bundle_one_call_gzip_bytes  esbuild --bundle --minify (no splitting) of a one-call app on '@kardkit/sdk/lite'
//                               (fetch only, no ky), gzip -9 (goal ≤ 6,600; the official SDK: 13.3 KB)
//   bundle_one_call_main_gzip_bytes  the same app on '@kardkit/sdk' (ky client, validating), no splitting: the
//                               whole app, the lazily loaded validators (@kardkit/schemas + zod) included
//   bundle_one_call_main_split_gzip_bytes  the same app on '@kardkit/sdk' with code splitting: what loads
//                               before the call (ky included; the validators' chunk loads on the first call)
//   import_ms_over_node         median cold `import('@kardkit/sdk')` (main entry, ky included) in a fresh node
//                               minus median `node -e 0` (goal ≤ 60)
//   node -e "import('./bench/sdk.bench.mjs').then(m => m.run()).then(console.log)"
import { execFileSync, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMockKard } from '../packages/mock-server/dist/index.js';
import { oneCallGzipBytes } from '../packages/sdk/scripts/one-call-bundle.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sdkDir = join(here, '..', 'packages', 'sdk');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The request-rate ratios. The mock server runs here; every side (bench/sdk-client.mjs) is a client
 * process of its own, as an issuer's app is, so no side shares a heap, a JIT or a garbage collector
 * with another side or with the server. Rounds of 200 requests alternate between the sides (the
 * first side rotates), and each side's times are summed: machine noise falls on every side alike,
 * and a ratio is total raw time ÷ total time of the side for the same request count. Two phases,
 * each with its own raw side: the figure (raw vs sdk), then the context sides.
 */
async function ratios() {
  const mock = await startMockKard({ port: 0, maxRecordedRequests: 0 });
  const children = [];
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
    const N = 200;
    // A side that fails a request (not 202) exits: the round rejects instead of waiting forever.
    const run = (child) =>
      new Promise((resolve, reject) => {
        const onExit = (code) => reject(new Error(`a bench side exited with ${code} during a round`));
        child.once('exit', onExit);
        child.once('message', (m) => {
          child.off('exit', onExit);
          resolve(m.ms);
        });
        child.send({ run: N });
      });
    const phase = async (names, warmups, rounds) => {
      const sides = {};
      for (const n of names) sides[n] = await start(n);
      // Warm-up (JIT tiers, keep-alive sockets, the lazy validator load): round times keep falling for
      // the first ~20 rounds of 200 requests, so 25 are spent before anything is counted.
      for (let i = 0; i < warmups; i++) {
        for (const n of names) await run(sides[n]);
      }
      const ms = Object.fromEntries(names.map((n) => [n, 0]));
      for (let round = 0; round < rounds; round++) {
        for (let j = 0; j < names.length; j++) {
          const n = names[(round + j) % names.length];
          ms[n] += await run(sides[n]);
        }
      }
      for (const n of names) sides[n].kill();
      const total = N * rounds;
      console.log(
        `   req/s: ${names.map((n) => `${n} ${((total / ms[n]) * 1000).toFixed(0)}`).join(', ')} (${rounds} alternating rounds × ${N} requests each)`,
      );
      return Object.fromEntries(names.map((n) => [n, ms.raw / ms[n]]));
    };
    const figure = await phase(['raw', 'sdk'], 25, 120);
    const context = await phase(['raw', 'main', 'ky', 'kyFloor'], 15, 40);
    console.log('   sdk = @kardkit/sdk/lite with validateRequest; main = @kardkit/sdk (generated ky client)');
    return { sdk: figure.sdk, main: context.main, ky: context.ky, kyFloor: context.kyFloor };
  } finally {
    for (const child of children) child.kill();
    await mock.close();
  }
}

function importMs() {
  const target = pathToFileURL(join(sdkDir, 'dist', 'index.js')).href;
  const time = (args) => {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const base = [];
  const withSdk = [];
  time(['-e', '0']); // warm the file cache
  time(['--input-type=module', '-e', `await import(${JSON.stringify(target)})`]);
  for (let i = 0; i < 21; i++) {
    base.push(time(['-e', '0']));
    withSdk.push(time(['--input-type=module', '-e', `await import(${JSON.stringify(target)})`]));
  }
  const baseline = median(base);
  const mean = median(withSdk);
  console.log(
    `   node -e 0: ${baseline.toFixed(1)} ms; import('@kardkit/sdk'): ${mean.toFixed(1)} ms (medians of 21)`,
  );
  return mean - baseline;
}

export async function run() {
  const r = await ratios();
  const sdk_vs_fetch_ratio = Number(r.sdk.toFixed(3));
  const sdk_main_vs_fetch_ratio = Number(r.main.toFixed(3));
  const bare_ky_vs_fetch_ratio = Number(r.ky.toFixed(3));
  const ky_floor_vs_fetch_ratio = Number(r.kyFloor.toFixed(3));
  const bundle_one_call_gzip_bytes = await oneCallGzipBytes('@kardkit/sdk/lite', false);
  const bundle_one_call_main_gzip_bytes = await oneCallGzipBytes('@kardkit/sdk', false);
  const bundle_one_call_main_split_gzip_bytes = await oneCallGzipBytes('@kardkit/sdk', true);
  const import_ms_over_node = Number(importMs().toFixed(1));
  return {
    sdk_vs_fetch_ratio,
    sdk_main_vs_fetch_ratio,
    bare_ky_vs_fetch_ratio,
    ky_floor_vs_fetch_ratio,
    bundle_one_call_gzip_bytes,
    bundle_one_call_main_gzip_bytes,
    bundle_one_call_main_split_gzip_bytes,
    import_ms_over_node,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then((r) => console.log(r));
}
