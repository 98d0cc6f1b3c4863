import { createApiError, KardConnectionError, KardTimeoutError } from '../errors.js';
import { abortError, isRetryableStatus, parseRetryAfter, retryDelay, sleep } from './backoff.js';
import type { Logger } from './logger.js';
import { redactHeaders, redactText, redactUrl } from './redact.js';

/** Options accepted by every call (issue 5). */
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

export interface TransportConfig {
  baseUrl: string;
  fetch: typeof fetch;
  timeoutMs: number;
  maxRetries: number;
  headers: Record<string, string>;
  logger: Logger | undefined;
  tokens: TokenSource | undefined;
  secrets: () => (string | undefined)[];
}

/** Serialises a query object: arrays repeat the key, objects become deepObject (hey-api defaults). */
export function buildQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  const add = (k: string, v: unknown) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) for (const x of v) add(k, x);
    else if (typeof v === 'object' && !(v instanceof Date)) {
      for (const [kk, vv] of Object.entries(v as object)) add(`${k}[${kk}]`, vv);
    } else {
      parts.push(
        `${encodeURIComponent(k)}=${encodeURIComponent(v instanceof Date ? v.toISOString() : String(v))}`,
      );
    }
  };
  for (const [k, v] of Object.entries(query)) add(k, v);
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The one HTTP path every call takes: auth header, per-attempt timeout, retries with backoff and
 * Retry-After, one token refresh on 401, and error mapping. Built on fetch only, so it is small and
 * runs wherever fetch does.
 */
export class Transport {
  constructor(readonly config: TransportConfig) {}

  url(path: string, query?: Record<string, unknown>): string {
    const base = /^https?:\/\//i.test(path) ? path : this.config.baseUrl + path;
    return base + buildQuery(query);
  }

  async request<T = unknown>(
    spec: RequestSpec,
    opts: RequestOptions = {},
    stats?: Stats,
  ): Promise<KardResponse<T>> {
    const { config } = this;
    const logger = config.logger;
    const url = this.url(spec.url, spec.query);
    const signal = opts.signal;
    const timeoutMs = opts.timeoutMs ?? config.timeoutMs;
    const maxRetries = spec.retry === false ? 0 : (opts.maxRetries ?? config.maxRetries);
    const headers: Record<string, string> = { accept: 'application/json', ...config.headers };
    let body: BodyInit | undefined = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    }
    for (const h of [spec.headers, opts.headers]) if (h) for (const k in h) headers[k.toLowerCase()] = h[k]!;
    const tokens = spec.auth !== false && headers.authorization === undefined ? config.tokens : undefined;
    let attempt = 0;
    let refreshed = false;
    // Only ever called with a logger; nothing here is computed when logging is off.
    const log = (level: keyof Logger, message: string, meta: Record<string, unknown>) =>
      logger?.[level]?.(`kard: ${message}`, {
        method: spec.method,
        url: redactUrl(url),
        attempt: attempt + 1,
        ...meta,
      });
    const retry = async (delay: number, meta: Record<string, unknown>) => {
      if (logger) log('warn', 'retrying', { delayMs: delay, ...meta });
      await sleep(delay, signal);
      attempt++;
      if (stats) stats.retried++;
    };
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      let token: string | undefined;
      if (tokens) {
        token = await tokens.get(signal);
        headers.authorization = `Bearer ${token}`;
      }
      if (logger) log('debug', 'request', { headers: redactHeaders(headers), hasBody: body !== undefined });
      let res: Response;
      let text: string;
      try {
        ({ res, text } = await this.attempt(
          url,
          { ...spec.init, method: spec.method, headers, body },
          timeoutMs,
          signal,
        ));
      } catch (err) {
        if (err instanceof KardConnectionError && attempt < maxRetries) {
          await retry(retryDelay(attempt, undefined), { error: err.message });
          continue;
        }
        if (logger) log('error', 'failed', { error: (err as Error).message });
        throw err;
      }
      const status = res.status;
      if (logger) log('debug', 'response', { status, headers: redactHeaders(res.headers) });
      if (status < 300) return { status, headers: res.headers, data: parseBody(res, text) as T };
      if (status === 401 && token !== undefined && !refreshed && tokens!.invalidate(token)) {
        // A 401 with a cached OAuth token: drop it, fetch a new one and repeat, once (issue 5).
        refreshed = true;
        if (logger) log('info', '401, refreshing the token', {});
        continue;
      }
      if (isRetryableStatus(status) && attempt < maxRetries) {
        await retry(retryDelay(attempt, parseRetryAfter(res.headers.get('retry-after'))), { status });
        continue;
      }
      if (logger) log('error', 'failed', { status, headers: redactHeaders(res.headers) });
      throw createApiError({
        status,
        body: scrub(parseBody(res, text), config.secrets()),
        headers: res.headers,
        method: spec.method,
        path: redactUrl(url.startsWith(config.baseUrl) ? url.slice(config.baseUrl.length) : url).split(
          '?',
        )[0],
      });
    }
  }

  private async attempt(
    url: string,
    init: RequestInit,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ res: Response; text: string }> {
    const ctrl = new AbortController();
    let timedOut = false;
    const timer =
      timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            timedOut = true;
            ctrl.abort();
          }, timeoutMs)
        : undefined;
    const onAbort = () => ctrl.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.config.fetch(url, { ...init, signal: ctrl.signal });
      const text = res.status === 204 ? '' : await res.text();
      return { res, text };
    } catch (err) {
      if (timedOut) throw new KardTimeoutError(`Request timed out after ${timeoutMs} ms`, { cause: err });
      if (signal?.aborted) throw abortError(signal);
      const cause = err as { message?: string; cause?: { code?: string; message?: string } };
      const detail = cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? 'unknown error';
      throw new KardConnectionError(`Connection to Kard failed: ${redactText(String(detail))}`, {
        cause: err,
      });
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

function parseBody(res: Response, text: string): unknown {
  if (text === '') return undefined;
  const ct = res.headers.get('content-type') ?? '';
  if (ct.includes('json') || text[0] === '{' || text[0] === '[') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Servers may echo what they were sent; make sure no secret survives into an error. */
function scrub(body: unknown, secrets: (string | undefined)[]): unknown {
  if (body === undefined) return body;
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  const clean = redactText(json, secrets);
  if (clean === json) return body;
  if (typeof body === 'string') return clean;
  try {
    return JSON.parse(clean);
  } catch {
    return clean;
  }
}
