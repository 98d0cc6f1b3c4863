/**
 * The fetch ky sends with on Node ('@kardkit/sdk' under the "node" export condition, src/index.node.ts):
 * node:http / node:https with keep-alive agents instead of WHATWG fetch, which costs several times
 * more CPU per request. It takes what ky gives a fetch (a Request) and answers a Response, with fetch's
 * behaviour where a caller can see it:
 * - the request body is sent with its length (a built body) or streamed (a `duplex: 'half'` stream);
 * - the request's signal aborts it (the socket is destroyed; the promise rejects with the signal's reason);
 * - redirects follow `request.redirect`: 'follow' (at most 20; 303, and 301/302 after a POST, become a
 *   GET without body; a streamed body cannot be replayed; credentials are dropped across origins),
 *   'manual' answers the 3xx itself, 'error' rejects;
 * - `accept-encoding: gzip, deflate, br` is sent unless set, and gzip/deflate/br answers are decoded;
 * - a connection failure rejects with `TypeError('fetch failed', { cause })` as fetch does (cause.code:
 *   ECONNREFUSED, ECONNRESET…).
 * The answer body is read whole before the Response is made (every SDK call reads it whole).
 * Idle sockets do not keep the process alive (the agent unrefs them) and honour the server's
 * Keep-Alive timeout.
 */
import http from 'node:http';
import type https from 'node:https';
import zlib from 'node:zlib';
import type { TransportFetchOptions } from './ky-client.js';

const httpAgent = new http.Agent({ keepAlive: true });
/**
 * node:https (with TLS) is loaded on the first https request, not at import: it is a third of the
 * entry's import time, and local work (the sandbox, tests) is plain http.
 */
let tls: { request: typeof https.request; agent: https.Agent } | undefined;
async function loadTls(): Promise<NonNullable<typeof tls>> {
  const { default: mod } = await import('node:https');
  tls ??= { request: mod.request, agent: new mod.Agent({ keepAlive: true }) };
  return tls;
}

const MAX_REDIRECTS = 20;
const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const CROSS_ORIGIN_DROPPED = ['authorization', 'proxy-authorization', 'cookie'];

interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  /** A built body, or the stream of a `duplex: 'half'` request; undefined for none. */
  body: string | Uint8Array | ReadableStream<Uint8Array> | undefined;
  redirect: RequestRedirect;
  signal: AbortSignal;
}

/** What ky passes a fetch besides the Request: the SDK's options that are not Request options. */
export type NodeFetchOptions = TransportFetchOptions;

/** ky's `fetch` option on Node: `fetch(request)` over node:http keep-alive. */
export async function nodeFetch(request: Request, options?: NodeFetchOptions): Promise<Response> {
  const { signal } = request;
  if (signal.aborted) throw signal.reason;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  let body: Outgoing['body'];
  const carried = options?.carried;
  if (carried) {
    // A string is written with the request head in one write (node:http joins them; bytes take two).
    body = carried.body;
    if (carried.contentType !== undefined) headers['content-type'] = carried.contentType;
  } else if (request.body !== null) {
    // A built body is read whole and sent with its length; a streamed one is sent as it comes.
    body = options?.streamBody ? request.body : new Uint8Array(await request.arrayBuffer());
  }
  const buffered = carried !== undefined;
  let out: Outgoing = {
    url: new URL(request.url),
    method: request.method,
    headers,
    body,
    redirect: request.redirect,
    signal,
  };
  for (let redirects = 0; ; redirects++) {
    if (out.url.protocol === 'https:' && tls === undefined) await loadTls();
    const res = await send(out, buffered);
    const location = res.headers.get('location');
    const redirected = location !== null && res.status >= 300 && res.status < 400 && res.status !== 304;
    if (!redirected || out.redirect === 'manual') return res;
    if (out.redirect === 'error')
      throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    if (redirects === MAX_REDIRECTS) {
      throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
    }
    out = follow(out, res.status, new URL(location, out.url));
  }
}

function follow(prev: Outgoing, status: number, url: URL): Outgoing {
  const headers = { ...prev.headers };
  let { method, body } = prev;
  if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
    method = 'GET';
    body = undefined;
    for (const name of Object.keys(headers)) if (name.startsWith('content-')) delete headers[name];
  } else if (body instanceof ReadableStream) {
    throw new TypeError('fetch failed', {
      cause: new Error('cannot follow a redirect with a streamed body'),
    });
  }
  if (url.origin !== prev.url.origin) for (const name of CROSS_ORIGIN_DROPPED) delete headers[name];
  return { ...prev, url, method, headers, body };
}

function send(o: Outgoing, buffered: boolean): Promise<Response> {
  return new Promise((resolve, reject) => {
    const secure = o.url.protocol === 'https:' ? tls! : undefined;
    const headers = o.headers;
    if (typeof o.body === 'string') headers['content-length'] = String(Buffer.byteLength(o.body));
    else if (o.body instanceof Uint8Array) headers['content-length'] = String(o.body.byteLength);
    const req = (secure ? secure.request : http.request)({
      protocol: o.url.protocol,
      hostname: o.url.hostname.replace(/^\[|\]$/g, ''),
      port: o.url.port,
      path: o.url.pathname + o.url.search,
      method: o.method,
      headers,
      agent: secure ? secure.agent : httpAgent,
    });
    let settled = false;
    const fail = (cause: unknown) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      reject(o.signal.aborted ? o.signal.reason : new TypeError('fetch failed', { cause }));
    };
    const onAbort = () => {
      req.destroy();
      fail(o.signal.reason);
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        o.signal.removeEventListener('abort', onAbort);
        try {
          resolve(toResponse(res, chunks, o.method, buffered));
        } catch (err) {
          reject(new TypeError('fetch failed', { cause: err }));
        }
      });
    });
    if (o.body instanceof ReadableStream)
      pipe(o.body, req).catch((err) => {
        req.destroy();
        fail(err);
      });
    else req.end(o.body);
  });
}

async function pipe(body: ReadableStream<Uint8Array>, req: http.ClientRequest): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!req.write(value)) await new Promise((resolve) => req.once('drain', resolve));
  }
  req.end();
}

function toResponse(
  res: http.IncomingMessage,
  chunks: Buffer[],
  method: string,
  buffered: boolean,
): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  let body: Uint8Array | null = null;
  if (!NO_BODY_STATUS.has(status) && method !== 'HEAD') {
    body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    body = decode(body, headers.get('content-encoding'));
  }
  const init = { status, statusText: res.statusMessage ?? '', headers };
  return buffered ? new (bufferedResponse())(body, init) : new Response(body as BodyInit | null, init);
}

let BufferedResponse: (new (bytes: Uint8Array | null, init: ResponseInit) => Response) | undefined;

/**
 * A Response whose body is already in memory and read as text, JSON or bytes without a body stream
 * (making one costs more than the rest of the answer). Given only to the SDK's own generated client
 * (TransportFetchOptions.carried), which reads answers with text(). Defined on first use: touching
 * `Response` at import would make Node load its fetch implementation.
 */
function bufferedResponse() {
  BufferedResponse ??= class extends Response {
    readonly #bytes: Uint8Array | null;
    constructor(bytes: Uint8Array | null, init: ResponseInit) {
      super(null, init);
      this.#bytes = bytes;
    }
    override text(): Promise<string> {
      return Promise.resolve(this.#bytes === null ? '' : Buffer.from(this.#bytes).toString('utf8'));
    }
    override json(): Promise<unknown> {
      return this.text().then(JSON.parse);
    }
    override arrayBuffer(): Promise<ArrayBuffer> {
      const b = this.#bytes ?? new Uint8Array(0);
      return Promise.resolve(b.slice().buffer as ArrayBuffer);
    }
    override clone(): Response {
      return new (bufferedResponse())(this.#bytes, this);
    }
  };
  return BufferedResponse;
}

function decode(body: Uint8Array, encoding: string | null): Uint8Array {
  if (!encoding || body.byteLength === 0) return body;
  // Codings are listed in the order applied: undo them from the last.
  for (const coding of encoding.toLowerCase().split(',').reverse()) {
    const c = coding.trim();
    if (c === 'gzip' || c === 'x-gzip')
      body = zlib.gunzipSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    else if (c === 'deflate')
      body = (body[0]! & 0x0f) === 8 ? zlib.inflateSync(body) : zlib.inflateRawSync(body);
    else if (c === 'br') body = zlib.brotliDecompressSync(body);
    else if (c !== 'identity' && c !== '') return body;
  }
  return body;
}
