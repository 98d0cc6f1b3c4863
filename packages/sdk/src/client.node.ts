/**
 * KardClient of '@kardkit/sdk' on Node (src/index.node.ts): its generated ky client sends through
 * node:http keep-alive (src/core/node-fetch.ts) unless given a `fetch`, and ky loads with the first
 * request rather than with the import (importing ky builds a WHATWG Request, which makes Node load
 * its fetch implementation: tens of milliseconds of start-up).
 */
import { type KardClient as Client, KardClientImpl, type KardClientOptions } from './client.js';
import { loadKy } from './core/load-ky.js';
import { nodeFetch } from './core/node-fetch.js';

class NodeKardClient extends KardClientImpl {
  constructor(options: KardClientOptions = {}) {
    // ky neither retries, nor times out, nor throws on HTTP errors: the SDK does those (core/ky-client.ts).
    super(options, {
      defaultKy: loadKy,
      transportFetch: nodeFetch,
      kyDefaults: { retry: 0, timeout: false, throwHttpErrors: false },
    });
  }
}

/**
 * The Kard API client: every operation of openapi/kard.yaml as a resource method, validation with
 * @kardkit/schemas on by default, and the bulk helpers.
 */
export type KardClient = Client;
export const KardClient = NodeKardClient as unknown as new (options?: KardClientOptions) => KardClient;
