/**
 * KardClient of '@kardkit/sdk' (browsers, workers, edge runtimes, and Node through its own build,
 * src/client.node.ts): ky on global fetch. ky is a chunk of its own that starts loading when a
 * KardClient is made (unless one is given), not with the import: a bundler splits it off, so an app
 * that imports the SDK does not load ky before its first page is up, and the first request finds it
 * loaded (or waits for it, beside the validators' chunk).
 */
import { type KardClient as Client, KardClientImpl, type KardClientOptions } from './client.js';
import type { KyInstanceLike } from './core/ky-client.js';
import { loadKy } from './core/load-ky.js';

class DefaultKardClient extends KardClientImpl {
  constructor(options: KardClientOptions = {}) {
    // One load per client at a time; a failed one (a chunk that could not be fetched) is forgotten,
    // so that the request it fails, or the next, loads again.
    let loading: Promise<KyInstanceLike> | undefined;
    const load = () =>
      (loading ??= loadKy().catch((error: unknown) => {
        loading = undefined;
        throw error;
      }));
    // Start now; a failure is reported by the first request, which awaits the same load.
    if (options.ky === undefined) load().catch(() => {});
    // ky neither retries, nor times out, nor throws on HTTP errors: the SDK does those (core/ky-client.ts).
    super(options, {
      defaultKy: load,
      kyDefaults: { retry: 0, timeout: false, throwHttpErrors: false },
    });
  }
}

/**
 * The Kard API client: every operation of openapi/kard.yaml as a resource method, validation with
 * @kardkit/schemas on by default, and the bulk helpers.
 */
export type KardClient = Client;
export const KardClient = DefaultKardClient as unknown as new (options?: KardClientOptions) => KardClient;
