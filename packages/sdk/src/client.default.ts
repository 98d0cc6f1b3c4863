/**
 * KardClient of '@kardkit/sdk' (browsers, workers, edge runtimes, and Node through its own build,
 * src/client.node.ts): ky, imported with the entry, on global fetch.
 */
import ky from 'ky';
import { type KardClient as Client, KardClientImpl, type KardClientOptions } from './client.js';

class DefaultKardClient extends KardClientImpl {
  constructor(options: KardClientOptions = {}) {
    // ky neither retries, nor times out, nor throws on HTTP errors: the SDK does those (core/ky-client.ts).
    super(options, { defaultKy: ky, kyDefaults: { retry: 0, timeout: false, throwHttpErrors: false } });
  }
}

/**
 * The Kard API client: every operation of openapi/kard.yaml as a resource method, validation with
 * @kardkit/schemas on by default, and the bulk helpers.
 */
export type KardClient = Client;
export const KardClient = DefaultKardClient as unknown as new (options?: KardClientOptions) => KardClient;
