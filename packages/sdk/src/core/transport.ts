import { createApiError, KardConnectionError, KardTimeoutError } from '../errors.js';
import { abortError, isRetryableStatus, parseRetryAfter, retryDelay, sleep } from './backoff.js';
import { createDeadlines, type Deadline } from './deadlines.js';
import type { Logger } from './logger.js';
import { isSensitiveQueryKey, REDACTED, redactHeaders, redactText, redactUrl } from './redact.js';

/** Options accepted by every call. */
export interface RequestOptions {
  /** Cancels the request, including the wait between retries (→ KardAbortError). */
  signal?: AbortSignal;
  /** Per-attempt timeout, covering the response body too. */
  timeoutMs?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
  organizationId?: string;
  /** Validate the request body with @kardkit/schemas before sending. */
  validate?: boolean;
}

export interface RequestSpec {
  method: string;
  /** Absolute URL, or a path joined to the base URL. */
  url: string;
  query?: Record<string, unknown>;
  /** JSON body (serialised here). */
  json?: unknown;
  /** Raw body (used as is). */
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Send the bearer token (default true). */
  auth?: boolean;
  /** Extra fetch init (e.g. duplex for streams). */
  init?: RequestInit & { duplex?: 'half' };
  /** Whether failures may be retried (default true; false for one-shot streaming bodies). */
  retry?: boolean;
  /**
   * @internal The generated sdk function this request is an operation of, and its path parameters:
   * the main entry sends each attempt by calling it with the KardClient's generated ky client.
   */
  operation?: { fn: unknown; path: Record<string, unknown> };
}

export interface Stats {
  retried: number;
}

export interface KardResponse<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
}

export interface TokenSource {
  /** Resolves the bearer token to send. */
  get(signal?: AbortSignal): Promise<string> | string;
  /** Drops `token` if it is still the cached one; returns true if a fresh token can be fetched. */
  invalidate(token: string): boolean;
}

/** What one attempt produced, whichever HTTP stack carried it: the status, headers and parsed body. */
export interface WireResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or text; undefined when empty. */
  body: unknown;
}

/**
 * Sends ONE attempt and reads its answer; no retries, no timeout, no error mapping (Transport does
 * those). `path` is the path + query relative to the base URL when the URL is under it (every Kard
 * API call), undefined for other absolute URLs (presigned uploads). Rejects only when no HTTP answer
 * came (connection failure, abort).
 * - '@kardkit/sdk': the generated hey-api ky client (see ky-sender.ts).
 * - '@kardkit/sdk/lite': plain fetch (fetchSender), for the smallest bundles.
 */
export type Sender = (
  url: string,
  path: string | undefined,
  init: RequestInit & { duplex?: 'half' },
  spec: RequestSpec,
) => Promise<WireResponse>;

/** The lite entry's sender: fetch(url, init), nothing else. */
export function fetchSender(fetchFn: typeof fetch): Sender {
  return (url, _path, init) => fetchFn(url, init).then(readResponse);
}

export interface TransportConfig {
  baseUrl: string;
  send: Sender;
  timeoutMs: number;
  maxRetries: number;
  headers: Record<string, string>;
  logger: Logger | undefined;
  tokens: TokenSource | undefined;
  secrets: () => (string | undefined)[];
}

/** Serialises a query object; arrays repeat the key (the generated client's default, `explode: true`). */
export function buildQuery(query: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k in query) {
    const v = query[k];
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x !== undefined && x !== null)
        parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The one HTTP path every call takes: auth header, per-attempt timeout, retries with backoff and
 * Retry-After, one token refresh on 401, and error mapping. Each attempt goes through the configured
 * Sender (the generated ky client in '@kardkit/sdk', fetch in '@kardkit/sdk/lite'), which is told to
 * do none of those things itself.
 */
export class Transport {
  /** The last bearer header built, reused while the token stays the same (no string per request). */
  private bearer: { token: string; header: string } | undefined;
  /** Every attempt's timeout, on one timer per client. */
  private readonly deadlines = createDeadlines();

  constructor(readonly config: TransportConfig) {}

  async request<T = unknown>(
    spec: RequestSpec,
    opts: RequestOptions = {},
    stats?: Stats,
  ): Promise<KardResponse<T>> {
    const { config } = this;
    const logger = config.logger;
    const query = spec.query ? buildQuery(spec.query) : '';
    const path = spec.url[0] === '/' ? spec.url + query : undefined;
    const url = path !== undefined ? config.baseUrl + path : spec.url + query;
    const signal = opts.signal;
    const timeoutMs = opts.timeoutMs ?? config.timeoutMs;
    const maxRetries = spec.retry === false ? 0 : (opts.maxRetries ?? config.maxRetries);
    const headers: Record<string, string> = { accept: 'application/json', ...config.headers };
    let body: BodyInit | undefined = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    }
    // (for…in over undefined runs no iteration)
    for (const k in spec.headers) headers[k.toLowerCase()] = spec.headers[k]!;
    for (const k in opts.headers) headers[k.toLowerCase()] = opts.headers[k]!;
    const tokens = spec.auth !== false && headers.authorization === undefined ? config.tokens : undefined;
    const init: RequestInit = spec.init
      ? { ...spec.init, method: spec.method, headers, body }
      : { method: spec.method, headers, body };
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      let token: string | undefined;
      if (tokens) {
        const t = tokens.get(signal); // a string while cached: no await, no extra tick
        token = typeof t === 'string' ? t : await t;
        let b = this.bearer;
        if (b?.token !== token) this.bearer = b = { token, header: `Bearer ${token}` };
        headers.authorization = b.header;
      }
      if (logger)
        this.log('debug', 'request', spec, url, attempt, {
          headers: redactHeaders(headers),
          hasBody: body !== undefined,
        });
      let res: WireResponse | undefined;
      let retry: { delayMs: number; status?: number; error?: string } | undefined;
      try {
        res = await this.attempt(url, path, init, spec, timeoutMs, signal);
      } catch (err) {
        if (!(err instanceof KardConnectionError && attempt < maxRetries)) {
          if (logger) this.log('error', 'failed', spec, url, attempt, { error: (err as Error).message });
          throw err;
        }
        retry = { delayMs: retryDelay(attempt, undefined), error: err.message };
      }
      if (res) {
        const status = res.status;
        if (logger)
          this.log('debug', 'response', spec, url, attempt, { status, headers: redactHeaders(res.headers) });
        if (status < 300) return { status, headers: res.headers, data: res.body as T };
        if (status === 401 && token !== undefined && !refreshed && tokens!.invalidate(token)) {
          // A 401 with a cached OAuth token: drop it, fetch a new one and repeat, once.
          refreshed = true;
          if (logger) this.log('info', '401, refreshing the token', spec, url, attempt, {});
          continue;
        }
        if (!(isRetryableStatus(status) && attempt < maxRetries)) {
          if (logger)
            this.log('error', 'failed', spec, url, attempt, { status, headers: redactHeaders(res.headers) });
          throw createApiError({
            status,
            body: scrub(res.body, config.secrets()),
            headers: res.headers,
            method: spec.method,
            path: redactUrl(url.startsWith(config.baseUrl) ? url.slice(config.baseUrl.length) : url).split(
              '?',
            )[0],
          });
        }
        retry = { delayMs: retryDelay(attempt, parseRetryAfter(res.headers.get('retry-after'))), status };
      }
      // A connection failure or a retryable status, with attempts left: wait (cancelled by the signal), repeat.
      if (logger) this.log('warn', 'retrying', spec, url, attempt, retry!);
      await sleep(retry!.delayMs, signal);
      attempt++;
      if (stats) stats.retried++;
    }
  }

  /** Only called when a logger is set: nothing is computed for logging otherwise. */
  private log(
    level: keyof Logger,
    message: string,
    spec: RequestSpec,
    url: string,
    attempt: number,
    meta: Record<string, unknown>,
  ): void {
    this.config.logger?.[level]?.(`kard: ${message}`, {
      method: spec.method,
      url: redactUrl(url),
      attempt: attempt + 1,
      ...meta,
    });
  }

  /**
   * One attempt, with the timeout covering headers and body. Without a caller signal no AbortSignal
   * of ours is given to the sender: on Node, a signal per request costs undici about as much CPU as
   * all the rest of the SDK's per-request work (listeners, WeakRef, FinalizationRegistry, GC). The
   * timeout is a deadline on the client's one timer instead (deadlines.ts); a timed-out request is
   * abandoned (its late answer discarded; undici's own headers/body timeouts bound the socket). With
   * the caller's signal, fetch gets a signal that follows it and the timeout, and is cancelled for real.
   */
  private async attempt(
    url: string,
    path: string | undefined,
    init: RequestInit,
    spec: RequestSpec,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<WireResponse> {
    let ctrl: AbortController | undefined;
    const onAbort = () => ctrl!.abort(signal!.reason);
    if (signal) {
      ctrl = new AbortController();
      signal.addEventListener('abort', onAbort, { once: true });
      init.signal = ctrl.signal;
    }
    const work = this.config.send(url, path, init, spec);
    let deadline: Deadline | undefined;
    try {
      if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) return await work;
      return await new Promise((resolve, reject) => {
        deadline = this.deadlines.add(timeoutMs, () => {
          ctrl?.abort();
          work.catch(() => {}); // the abandoned attempt's late outcome is ignored
          reject(new KardTimeoutError(`Request timed out after ${timeoutMs} ms`));
        });
        work.then(resolve, reject);
      });
    } catch (err) {
      // Only the deadline rejects with this (first, so a late failure of the abandoned work is ignored).
      if (err instanceof KardTimeoutError) throw err;
      if (signal?.aborted) throw abortError(signal);
      // Whatever the HTTP stack threw (fetch's TypeError, anything a ky hook throws, even a plain
      // object) becomes a KardConnectionError: nothing else reaches callers.
      // The message names the host tried (no userinfo, path or query; 'Kard' when the URL does not
      // parse) and the cause, redacted. The HTTP
      // stack's own error is not attached: its message may hold the full URL (userinfo included).
      const cause = err as { message?: string; cause?: { code?: string; message?: string } };
      const detail = String(cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? 'unknown error');
      let host = 'Kard';
      try {
        host = new URL(url).host;
      } catch {}
      throw new KardConnectionError(
        `Connection to ${host} failed: ${redactText(detail, this.config.secrets()).split('?')[0]}`,
      );
    } finally {
      if (deadline) this.deadlines.clear(deadline);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * Status, headers and parsed body of a fetch Response (both entries read answers this way). A 204 has
 * an empty text, so its body is undefined like any empty answer.
 */
export function readResponse(res: Response): Promise<WireResponse> {
  const { status, headers } = res;
  return res.text().then((text) => ({ status, headers, body: parseBody(headers.get('content-type'), text) }));
}

/** JSON when the content type says so or the text looks like it; text otherwise; undefined when empty. */
export function parseBody(contentType: string | null, text: string): unknown {
  if (text === '') return undefined;
  const ct = contentType ?? '';
  if (ct.includes('json') || text[0] === '{' || text[0] === '[') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Servers may echo what they were sent; make sure no secret survives into an error. Walks the parsed
 * body (not its JSON text, where a secret with a quote or backslash would be spelled differently):
 * every string is redacted, and every value under a sensitive key (client_secret, token…) is dropped.
 */
function scrub(body: unknown, secrets: (string | undefined)[]): unknown {
  if (typeof body === 'string') return redactText(body, secrets);
  if (!body || typeof body !== 'object') return body;
  const out = (Array.isArray(body) ? [] : {}) as Record<string, unknown>;
  for (const k in body)
    out[k] = isSensitiveQueryKey(k) ? REDACTED : scrub((body as Record<string, unknown>)[k], secrets);
  return out;
}
