/**
 * '@kardkit/sdk' under the "node" export condition (Node.js): every export of the main entry
 * (src/index.ts, which this module imports as it is built: dist/index.js, dist/index.cjs), with a
 * KardClient whose generated ky client sends through node:http keep-alive (src/core/node-fetch.ts)
 * instead of WHATWG fetch, unless you give it a `fetch`. Browsers, workers and edge runtimes get
 * src/index.ts itself, on global fetch. One copy of every class serves both: an error thrown here is
 * an instance of the classes '@kardkit/sdk/errors' exports.
 */
import { nodeFetch } from './core/node-fetch.js';
import { KardClient as Base, type KardClientOptions } from './index.js';

// The main entry's KardClient takes the fetch ky sends with as a second, internal argument.
const WithTransport = Base as unknown as new (
  options: KardClientOptions,
  transportFetch: typeof nodeFetch,
) => Base;

class NodeKardClient extends WithTransport {
  constructor(options: KardClientOptions = {}) {
    super(options, nodeFetch);
  }
}

export type KardClient = Base;
export const KardClient = NodeKardClient as unknown as typeof Base;
export * from './index.js';
/** @internal The fetch the Node KardClient gives ky (bench/sdk.bench.mjs measures bare ky on it). */
export { nodeFetch };
