// One side of bench/sdk.bench.mjs, in a process of its own (the bench forks one per side): on each
// { run: n, inFlight: c } message it sends n `transactions.create`-shaped requests, one event each,
// c at a time, and answers { ms, cpuUs } with the wall time and this process's CPU time
// (process.cpuUsage(), user + system) they took. The mock server runs in the parent.
//   raw    fetch(url, init), reading the JSON answer: the baseline
//   http   node:http request with a keep-alive agent, reading the answer: the machine's floor
//   ky     bare ky(url, { retry: 0, timeout: false, throwHttpErrors: false }) on the transport the main
//          entry uses on Node (its node:http fetch): what ky itself costs there
//   kyFetch  the same bare ky on global fetch (ky's default)
//   main   KardClient from '@kardkit/sdk' (Node build: ky on node:http), validating, default options
//   lite   KardClient from '@kardkit/sdk/lite' with validateRequest (validating, as main does)
import http from 'node:http';
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
  const load = (file) => import(pathToFileURL(join(sdkDist, file)).href);
  if (side === 'raw') {
    return async () => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ data: [event()] }) });
      await res.json();
      expect202(res.status);
    };
  }
  if (side === 'http') {
    const agent = new http.Agent({ keepAlive: true });
    const target = new URL(url);
    return () =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({ data: [event()] });
        const req = http.request(
          {
            hostname: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            agent,
            headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c) => (text += c));
            res.on('end', () => {
              try {
                JSON.parse(text);
                expect202(res.statusCode);
                resolve();
              } catch (err) {
                reject(err);
              }
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
  }
  if (side === 'main') {
    // The Node build, as `import('@kardkit/sdk')` resolves it on Node (the "node" export condition).
    const { KardClient } = await load('index.node.js');
    const kard = new KardClient(connection);
    return async () => expect202((await kard.transactions.create([event()])).status);
  }
  if (side === 'lite') {
    const { KardClient, validateRequest } = await load('lite.js');
    const kard = new KardClient({ ...connection, validator: validateRequest });
    return async () => expect202((await kard.transactions.create([event()])).status);
  }
  // The ky the SDK depends on (resolved from the SDK package, as the SDK itself resolves it).
  const kyPath = createRequire(join(sdkDist, '..', 'package.json')).resolve('ky');
  const { default: ky } = await import(pathToFileURL(kyPath).href);
  const kyOptions = { method: 'POST', headers, retry: 0, timeout: false, throwHttpErrors: false };
  if (side === 'ky') kyOptions.fetch = (await load('index.node.js')).nodeFetch;
  else if (side !== 'kyFetch') throw new Error(`unknown side ${side}`);
  return async () => {
    const res = await ky(url, { ...kyOptions, body: JSON.stringify({ data: [event()] }) });
    await res.json();
    expect202(res.status);
  };
}

const send = await makeSide();
process.on('message', async (msg) => {
  if (msg.run === undefined) return;
  const inFlight = msg.inFlight ?? 1;
  let left = msg.run;
  const worker = async () => {
    while (left > 0) {
      left--;
      await send();
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.send({ ms, cpuUs: cpu.user + cpu.system });
});
process.send({ ready: true });
