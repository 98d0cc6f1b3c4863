/**
 * '@kardkit/sdk' under the "node" export condition (Node.js): every export of src/index.ts, with the
 * KardClient of src/client.node.ts (node:http keep-alive under ky). Browsers, workers and edge
 * runtimes get src/index.ts, on global fetch. Both builds share their chunks: an error thrown here is
 * an instance of the classes '@kardkit/sdk/errors' exports.
 */
export { KardClient } from './client.node.js';
/** @internal The fetch the Node KardClient gives ky (bench/sdk.bench.mjs measures bare ky on it). */
export { nodeFetch } from './core/node-fetch.js';
export * from './exports.js';
