// @kardkit/sdk figures (issue 5), measured on the BUILT packages (packages/*/dist):
//   sdk_vs_fetch_ratio          MAIN entry (KardClient from '@kardkit/sdk', sending through the generated ky
//                               client): transactions.create requests/s ÷ raw fetch requests/s, one event per
//                               request, sequential, same loopback mock server, interleaved rounds (goal ≥ 0.90)
//   sdk_lite_vs_fetch_ratio     (context) the same with the lite entry (fetch, no default validator)
//   bare_ky_vs_fetch_ratio      (context) the same with bare ky(url, { retry: 0, timeout: false, throwHttpErrors:
//                               false }): the floor of any client that sends through ky
//   bundle_one_call_gzip_bytes  esbuild --bundle --minify (no splitting) of a one-call app on '@kardkit/sdk/lite'
//                               (fetch only, no ky), gzip -9 (goal ≤ 6,600; the official SDK: 13.3 KB)
//   bundle_one_call_main_gzip_bytes  the same app on '@kardkit/sdk' (ky client, validating), no splitting: the
//                               whole app, the lazily loaded validators (@kardkit/schemas + zod) included
//   bundle_one_call_main_split_gzip_bytes  the same app on '@kardkit/sdk' with code splitting: what loads
//                               before the call (ky included; the validators' chunk loads on the first call)
//   import_ms_over_node         median cold `import('@kardkit/sdk')` (main entry, ky included) in a fresh node
//                               minus median `node -e 0` (goal ≤ 60)
//   node -e "import('./bench/sdk.bench.mjs').then(m => m.run()).then(console.log)"
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { startMockKard } from '../packages/mock-server/dist/index.js';
import { KardClient } from '../packages/sdk/dist/index.js';
import { KardClient as LiteClient } from '../packages/sdk/dist/lite.js';

const here = dirname(fileURLToPath(import.meta.url));
const sdkDir = join(here, '..', 'packages', 'sdk');
// The ky the SDK depends on (resolved from the SDK package, as the SDK itself resolves it).
const { default: ky } = await import(
  pathToFileURL(createRequire(join(sdkDir, 'package.json')).resolve('ky')).href
);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let seq = 0;
function event(prefix) {
  const id = `${prefix}-${++seq}`;
  return {
    type: 'transaction',
    id,
    attributes: {
      userId: 'user-1',
      transactionId: `txn-${id}`,
      amount: 2599,
      status: 'SETTLED',
      currency: 'USD',
      description: 'ACME HARDWARE 0042',
      authorizationDate: '2026-11-01T10:00:00Z',
      settledDate: '2026-11-02T10:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4242',
      direction: 'DEBIT',
      paymentType: 'CARD',
      merchant: { id: '123456789012345', name: 'Acme Hardware', addrCity: 'Austin', addrState: 'TX' },
      mcc: '5251',
    },
  };
}

async function ratios() {
  const mock = await startMockKard({ port: 0, maxRecordedRequests: 0 });
  try {
    const options = {
      baseUrl: mock.url,
      organizationId: mock.organizationId,
      clientId: mock.clientId,
      clientSecret: mock.clientSecret,
    };
    const kard = new KardClient(options);
    const lite = new LiteClient(options);
    const tokenRes = await fetch(`${mock.url}/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: mock.clientId, client_secret: mock.clientSecret }),
    });
    const { access_token } = await tokenRes.json();
    const url = `${mock.url}/v2/issuers/${mock.organizationId}/transactions`;
    const headers = {
      authorization: `Bearer ${access_token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    const raw = async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ data: [event('raw')] }),
      });
      const body = await res.json();
      if (res.status !== 202) throw new Error(`raw fetch got ${res.status}`);
      return body;
    };
    // The figure: the MAIN entry's default client (generated ky client, validation on, token cached, 207 handling).
    const sdk = async () => {
      const r = await kard.transactions.create([event('sdk')]);
      if (r.status !== 202) throw new Error(`sdk got ${r.status}`);
      return r;
    };
    // For context only: the lite entry (fetch, no default validator) and bare ky with the same settings the
    // SDK gives it (no retry, no timeout, no throw): the floor any client built on ky starts from.
    const liteCall = async () => {
      const r = await lite.transactions.create([event('lite')]);
      if (r.status !== 202) throw new Error(`lite got ${r.status}`);
      return r;
    };
    const kyCall = async () => {
      const res = await ky(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ data: [event('ky')] }),
        retry: 0,
        timeout: false,
        throwHttpErrors: false,
      });
      const body = await res.json();
      if (res.status !== 202) throw new Error(`bare ky got ${res.status}`);
      return body;
    };
    // Fine-grained interleaving: 60 rounds of 200 requests per side, rotating which side goes first,
    // summing time per side. Machine noise (other processes, GC, the mock's growing dedupe set) then
    // falls on every side alike; a ratio is total raw time ÷ total time of the side for the same request count.
    const sides = { raw, sdk, lite: liteCall, ky: kyCall };
    const names = Object.keys(sides);
    const N = 200;
    const ROUNDS = 60;
    const time = async (fn) => {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await fn();
      return performance.now() - t0;
    };
    for (let i = 0; i < 5; i++) {
      for (const n of names) await time(sides[n]); // warm-up (JIT, keep-alive sockets, lazy validator load)
    }
    const ms = Object.fromEntries(names.map((n) => [n, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < names.length; j++) {
        const n = names[(round + j) % names.length];
        ms[n] += await time(sides[n]);
      }
    }
    const total = N * ROUNDS;
    console.log(
      `   req/s: ${names.map((n) => `${n} ${((total / ms[n]) * 1000).toFixed(0)}`).join(', ')} (${ROUNDS} interleaved rounds × ${N} requests each; sdk = main entry on ky)`,
    );
    return { sdk: ms.raw / ms.sdk, lite: ms.raw / ms.lite, ky: ms.raw / ms.ky };
  } finally {
    await mock.close();
  }
}

async function bundle(entry, splitting) {
  const dir = mkdtempSync(join(os.tmpdir(), 'kardkit-sdk-bundle-'));
  try {
    const result = await esbuild.build({
      stdin: {
        contents: `import { KardClient } from '${entry}';
const kard = new KardClient({ organizationId: 'org-1', clientId: process.env.KARD_ID, clientSecret: process.env.KARD_SECRET });
console.log(await kard.transactions.create([{ type: 'transaction', id: 'evt-1', attributes: {} }]));
`,
        resolveDir: sdkDir, // '@kardkit/sdk' resolves to the built package through its own exports
        loader: 'js',
      },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      splitting,
      outdir: dir,
      entryNames: 'app',
      metafile: true,
      write: true,
      logLevel: 'error',
    });
    const outputs = result.metafile.outputs;
    const entryOut = Object.keys(outputs).find((k) => outputs[k].entryPoint);
    for (const k of Object.keys(outputs)) {
      for (const input of Object.keys(outputs[k].inputs)) {
        if (input.includes('packages/sdk/src/')) throw new Error(`bundled sources, not dist: ${input}`);
      }
    }
    // Everything reachable through static imports: what loads before the call is made.
    const seen = new Set();
    const stack = [entryOut];
    while (stack.length) {
      const k = stack.pop();
      if (seen.has(k)) continue;
      seen.add(k);
      for (const i of outputs[k].imports)
        if (i.kind === 'import-statement' && outputs[i.path]) stack.push(i.path);
    }
    const code = Buffer.concat([...seen].map((k) => readFileSync(join(process.cwd(), k))));
    return gzipSync(code, { level: 9 }).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
  const sdk_lite_vs_fetch_ratio = Number(r.lite.toFixed(3));
  const bare_ky_vs_fetch_ratio = Number(r.ky.toFixed(3));
  const bundle_one_call_gzip_bytes = await bundle('@kardkit/sdk/lite', false);
  const bundle_one_call_main_gzip_bytes = await bundle('@kardkit/sdk', false);
  const bundle_one_call_main_split_gzip_bytes = await bundle('@kardkit/sdk', true);
  const import_ms_over_node = Number(importMs().toFixed(1));
  return {
    sdk_vs_fetch_ratio,
    sdk_lite_vs_fetch_ratio,
    bare_ky_vs_fetch_ratio,
    bundle_one_call_gzip_bytes,
    bundle_one_call_main_gzip_bytes,
    bundle_one_call_main_split_gzip_bytes,
    import_ms_over_node,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then((r) => console.log(r));
}
