import type { KyInstance, Options as KyOptions } from 'ky';
import { KardError } from '../errors.js';
import { createClient, createConfig } from '../generated/client/index.js';
import { parseBody, readResponse, type Sender, type WireResponse } from './transport.js';

/** Wraps what the generated client's error path parsed, so that an empty body is not turned into `{}`. */
class ErrorBody {
  constructor(readonly value: unknown) {}
}

/** What the SDK passes its own transport fetch besides ky's Request (ky hands unknown options on to fetch). */
export interface TransportFetchOptions {
  /** The body is a stream (`duplex: 'half'`): send it as it comes, without a length. */
  streamBody?: boolean;
  /**
   * The built body, carried beside the Request rather than in it, with its content type; and the
   * answer may be a Response whose text is buffered (no body stream). Only when no code of the user's
   * (a ky instance, a fetch) can see the Request or the Response.
   */
  carried?: { body: string | Uint8Array; contentType: string | undefined } | null;
}

export interface KySenderOptions {
  baseUrl: string;
  /** A custom fetch, called as fetch(url, init) like the lite client does. */
  fetch?: typeof fetch | undefined;
  /** The user's ky instance, e.g. `ky.create({ hooks })`. */
  ky?: KyInstanceLike | undefined;
  /**
   * How to load the SDK's own ky when the user gives none, awaited by the first request (neither
   * build imports ky with the entry: src/client.default.ts, src/client.node.ts).
   */
  defaultKy: () => Promise<KyInstanceLike>;
  /** What ky is told on every call: `{ retry: 0, timeout: false, throwHttpErrors: false }` (see below). */
  kyDefaults: { retry: 0; timeout: false; throwHttpErrors: false };
  /** The fetch ky sends with when the user gives none (on Node: node-fetch.ts); default: ky's (global fetch). */
  transportFetch?: ((request: Request, options?: TransportFetchOptions) => Promise<Response>) | undefined;
}

/**
 * A ky instance of ky 1.x or 2.x, typed by what the SDK uses of it: it is called as
 * `instance(input, options)` and answers a Response. ky 2 changed the hook signatures (one state
 * object), `prefixUrl` (now `prefix`/`baseUrl`) and `.json()` on empty bodies; the SDK uses none of
 * those, so an instance of either major serves. Typed structurally so that both majors' `KyInstance`
 * types are accepted.
 */
export interface KyInstanceLike {
  // biome-ignore lint/suspicious/noExplicitAny: ky 1 and ky 2 declare different Options types
  (input: Request | URL | string, options?: any): PromiseLike<Response>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  extend(options: any): unknown;
}

/** Refuses what cannot be a ky instance (a module namespace, an axios instance, undefined…) up front. */
export function assertKyInstance(value: unknown): asserts value is KyInstanceLike {
  if (typeof value !== 'function' || typeof (value as { extend?: unknown }).extend !== 'function') {
    const got =
      value === null ? 'null' : typeof value === 'function' ? 'a function without .extend()' : typeof value;
    throw new KardError(
      `The ky option must be a ky instance (ky 1.x or 2.x: \`ky\`, \`ky.create(…)\` or \`ky.extend(…)\`); got ${got}`,
    );
  }
}

/**
 * The main entry's Sender: every attempt goes through ONE generated hey-api ky client
 * (createClient/createConfig from src/generated/client), made here once per KardClient and reused
 * for every call. An operation is sent by calling its generated sdk function (src/generated/sdk.gen.ts)
 * with that client, which fills the URL template, serialises the query and calls ky; the token request
 * and `request()` passthroughs go through the same client's `request`. The client is configured so that
 * Transport keeps everything it owns:
 * - `retry: 0`: ky would otherwise retry GETs on network errors and on some statuses by itself;
 * - `timeout: false`: per-attempt timeouts are Transport's (→ KardTimeoutError), not ky's TimeoutError.
 *   The generated client ignores ky's own `timeout`/`prefixUrl` settings, so these go in `kyOptions`
 *   (spread last into every ky call) and the base URL in `baseUrl` (src/generated/client/client.gen.ts);
 * - `throwHttpErrors: false` / `throwOnError: false`: non-2xx answers come back as values (with
 *   `throwOnError` the generated client would throw the parsed body, a plain object); Transport maps
 *   them to KardApiError subclasses;
 * - `parseAs: 'text'`, `bodySerializer: null`: Transport serialises the JSON once per call (not per
 *   attempt) and parses answers the same way in both entries; no default `Content-Type`;
 * - no `security`/`auth`: Transport sets the (cached) bearer header itself, so that a 401 can drop
 *   exactly the token that was sent.
 * Absolute URLs outside the API (presigned uploads) and streamed bodies go through the same ky
 * instance with the same options directly: the generated client only builds URLs under `baseUrl` and
 * makes its Request without `duplex`, which streamed bodies need.
 */
export function createKySender(options: KySenderOptions): Sender {
  let instance = options.ky as KyInstance | undefined;
  const base = options.kyDefaults;
  // A fetch of the user's is called as fetch(url, init); the transport fetch (Node) takes ky's Request.
  const send = options.fetch ? urlInitFetch(options.fetch, false) : options.transportFetch;
  const kyOptions: KyOptions = send ? { ...base, fetch: send as typeof fetch } : base;
  const streamOptions: KyOptions = options.fetch
    ? { ...base, fetch: urlInitFetch(options.fetch, true) }
    : send
      ? ({ ...kyOptions, streamBody: true } as KyOptions) // passed on to the transport fetch by ky
      : kyOptions;
  const lean = !options.ky && !options.fetch && options.transportFetch !== undefined;
  const leanOptions = { ...kyOptions, carried: null } as KyOptions;
  const client = createClient(
    createConfig({
      baseUrl: options.baseUrl,
      ky: instance,
      kyOptions,
      throwOnError: false,
      responseStyle: 'fields',
      parseAs: 'text',
      bodySerializer: null,
      headers: { 'Content-Type': null },
    }),
  );
  client.interceptors.error.use((error) => new ErrorBody(error));

  return async (url, path, init, spec): Promise<WireResponse> => {
    instance ??= (await options.defaultKy()) as KyInstance;
    const signal = init.signal ?? undefined;
    if (path === undefined || init.duplex !== undefined) {
      const res = await instance(url, {
        // A custom fetch gets a stream only for a streamed body; a built one keeps its length.
        ...(init.duplex !== undefined ? streamOptions : kyOptions),
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal,
      });
      return readResponse(res);
    }
    const sent = init.headers as Record<string, string>;
    const body = init.body ?? undefined;
    // The SDK's own ky and transport fetch, and nothing of the user's between them: the body rides
    // beside the Request (a Request body is a stream, which ky would copy and tee on every call).
    const carried =
      lean && (typeof body === 'string' || body instanceof Uint8Array)
        ? { ...kyOptions, carried: { body, contentType: sent['content-type'] } }
        : lean
          ? leanOptions
          : undefined;
    const call = carried
      ? { client, ky: instance, headers: sent, body: undefined, signal, kyOptions: carried }
      : { client, ky: instance, headers: sent, body, signal };
    const op = spec.operation;
    const r = (await (op
      ? (op.fn as (o: object) => Promise<unknown>)({ ...call, path: op.path, query: spec.query })
      : client.request({ ...call, method: init.method as 'GET', url: path }))) as {
      data?: unknown;
      error?: unknown;
      response: Response;
    };
    const { status, headers } = r.response;
    if (r.error instanceof ErrorBody) {
      const v = r.error.value;
      return { status, headers, body: v === '' ? undefined : v };
    }
    return { status, headers, body: parseBody(headers.get('content-type'), r.data as string) };
  };
}

/**
 * ky calls fetch(request). A custom `fetch` given to KardClient is documented (and used by the lite
 * client) as fetch(url, init), so ky's Request is handed over in that form: the body as bytes (a
 * known length, as presigned PUTs need), or as the stream itself for streamed uploads.
 */
function urlInitFetch(userFetch: typeof fetch, stream: boolean): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (!(input instanceof Request)) return userFetch(input, init);
    const body = input.body === null ? undefined : stream ? input.body : await input.arrayBuffer();
    const out: RequestInit & { duplex?: 'half' } = {
      ...init,
      method: input.method,
      headers: input.headers,
      body,
      signal: input.signal,
      redirect: input.redirect,
    };
    if (stream && body !== undefined) out.duplex = 'half';
    return userFetch(input.url, out);
  }) as typeof fetch;
}
