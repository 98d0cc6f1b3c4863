// One side of the request-rate ratios in bench/sdk.bench.mjs, in a process of its own (the bench forks
// one per side): on each { run: n } message it sends n `transactions.create`-shaped requests, one event
// each, sequentially, and answers { ms } with the time they took. The mock server runs in the parent.
//   raw      fetch(url, init), reading the JSON answer: the baseline
//   sdk      KardClient from '@kardkit/sdk/lite' with validateRequest (validation on, as in the main entry)
//   main     KardClient from '@kardkit/sdk' (the generated ky client), default options
//   ky       bare ky(url, { retry: 0, timeout: false, throwHttpErrors: false }) with the same body and headers
//   kyFloor  ky with nothing to carry (no body) and a `fetch` option that ignores the Request ky built and
//            sends the raw side's fetch(url, init): what ky's own per-call machinery costs
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchEvent } from './event.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const side = process.argv[2];
const { baseUrl, organizationId, clientId, clientSecret, token } = JSON.parse(process.env.KARD_BENCH_CONN);
const url = `${baseUrl}/v2/issuers/${organizationId}/transactions`;
const headers = {
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json',
};
const connection = { baseUrl, organizationId, clientId, clientSecret };

let seq = 0;
const event = () => benchEvent(`${side}-${process.pid}-${++seq}`);

const expect202 = (status) => {
  if (status !== 202) throw new Error(`${side} got ${status}`);
};

async function makeSide() {
  const sdkDist = join(here, '..', 'packages', 'sdk', 'dist');
  if (side === 'raw') {
    return async () => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ data: [event()] }) });
      await res.json();
      expect202(res.status);
    };
  }
  if (side === 'sdk') {
    const { KardClient, validateRequest } = await import(pathToFileURL(join(sdkDist, 'lite.js')).href);
    const kard = new KardClient({ ...connection, validator: validateRequest });
    return async () => expect202((await kard.transactions.create([event()])).status);
  }
  if (side === 'main') {
    const { KardClient } = await import(pathToFileURL(join(sdkDist, 'index.js')).href);
    const kard = new KardClient(connection);
    return async () => expect202((await kard.transactions.create([event()])).status);
  }
  // The ky the SDK depends on (resolved from the SDK package, as the SDK itself resolves it).
  const kyPath = createRequire(join(sdkDist, '..', 'package.json')).resolve('ky');
  const { default: ky } = await import(pathToFileURL(kyPath).href);
  const kyOptions = { method: 'POST', headers, retry: 0, timeout: false, throwHttpErrors: false };
  if (side === 'ky') {
    return async () => {
      const res = await ky(url, { ...kyOptions, body: JSON.stringify({ data: [event()] }) });
      await res.json();
      expect202(res.status);
    };
  }
  if (side === 'kyFloor') {
    return async () => {
      const init = { method: 'POST', headers, body: JSON.stringify({ data: [event()] }) };
      const res = await ky(url, { ...kyOptions, fetch: () => fetch(url, init) });
      await res.json();
      expect202(res.status);
    };
  }
  throw new Error(`unknown side ${side}`);
}

const send = await makeSide();
process.on('message', async (msg) => {
  if (msg.run === undefined) return;
  const t0 = performance.now();
  for (let i = 0; i < msg.run; i++) await send();
  process.send({ ms: performance.now() - t0 });
});
process.send({ ready: true });
