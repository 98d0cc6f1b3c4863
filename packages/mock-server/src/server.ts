import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { isSensitiveHeader, isSensitiveQueryKey, REDACTED } from '@kardkit/schemas/redact';
import { type ChangeTopic, MockCore } from './core.js';
import { applyCors, DEFAULT_CORS_ORIGINS, originMatcher } from './cors.js';
import { handleDashboard, isDashboardPath } from './dashboard.js';
import { announceSandbox, sandboxFile } from './discovery.js';
import { apiError, HttpError, type Reply } from './http.js';
import { MALFORMED, Router } from './router.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { notificationRoutes } from './routes/notifications.js';
import { organizationRoutes } from './routes/organizations.js';
import { rewardRoutes } from './routes/rewards.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { transactionRoutes } from './routes/transactions.js';
import { handleUploadPut, handleUploadResult, uploadRoutes } from './routes/uploads.js';
import { userRoutes } from './routes/users.js';
import { readStateFile, restore, StateSaver, snapshot, writeAtomic } from './state.js';
import type { FaultConfig, MockKard, MockKardOptions, RecordedRequest } from './types.js';

const MAX_BODY = 64 * 1024 * 1024;
const sleep = (ms: number) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    t.unref?.();
  });

// What a recorded request keeps: kardkit's one redaction policy (@kardkit/schemas/redact) masks the
// value of every credential header and every secret query parameter (token, X-Amz-Signature…).
function redactHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = isSensitiveHeader(k) ? REDACTED : Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function queryObject(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, raw] of q) {
    const v = isSensitiveQueryKey(k) ? REDACTED : raw;
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(buf: Buffer, contentType: string | undefined): unknown {
  if (buf.length === 0) return undefined;
  const text = buf.toString('utf8');
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch {
    return contentType?.includes('json') || /^\s*[[{]/.test(text) ? MALFORMED : text;
  }
}

/**
 * One request log line: `POST /v2/issuers/org-mock/transactions 207 12ms 1 issue: <first detail>`.
 * The path carries no query string; headers and bodies are never logged, only the error details the
 * sandbox itself wrote (rule messages such as R2's).
 */
export function logLine(method: string, path: string, status: number, ms: number, reply?: Reply): string {
  const line = `${method} ${path} ${status} ${ms}ms`;
  const errors = (reply?.body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return line;
  const first = errors[0] as { detail?: unknown; source?: { pointer?: unknown } } | string;
  let detail = typeof first === 'string' ? first : String(first?.detail ?? '');
  const pointer = typeof first === 'object' ? first?.source?.pointer : undefined;
  if (typeof pointer === 'string' && pointer !== '') detail = `${pointer}: ${detail}`;
  if (detail.length > 160) detail = `${detail.slice(0, 159)}…`;
  const n = errors.length;
  return `${line} ${n} issue${n === 1 ? '' : 's'}: ${detail}${n > 1 ? ' …' : ''}`;
}

/** Operations whose documented answers include 403 (openapi/kard.yaml): children, placements, contentStrategies, files, transactions/uploads. */
const ORG_FORBIDDEN_403 =
  /^\/v2\/issuers\/:org\/(children|placements|contentStrategies|files|transactions\/uploads)(\/|$)/;

/** Which part of the state a successful write to `path` changed (transactions report their own). */
function changeTopic(path: string): ChangeTopic | null {
  if (/\/users(\/[^/]+)?\/?$/.test(path)) return 'users';
  if (path.includes('/subscriptions')) return 'subscriptions';
  if (path.endsWith('/fraud') || path.includes('/audits')) return 'transactions';
  return null;
}

export async function startMockKard(options: MockKardOptions = {}): Promise<MockKard> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('@kardkit/mock-server listens on 127.0.0.1 only');
  const corsAllowed = originMatcher(options.corsOrigins ?? DEFAULT_CORS_ORIGINS);
  const stateFile = options.stateFile ? resolvePath(options.stateFile) : undefined;
  const saved = stateFile ? readStateFile(stateFile) : undefined;
  const creds = saved?.credentials;
  const core = new MockCore({
    organizationId: options.organizationId ?? creds?.organizationId ?? 'org-mock',
    clientId: options.clientId ?? creds?.clientId ?? 'mock-client-id',
    clientSecret: options.clientSecret ?? creds?.clientSecret ?? randomBytes(24).toString('base64url'),
    webhookSecret: options.webhookSecret ?? creds?.webhookSecret ?? randomBytes(32).toString('base64'),
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    uploadUrlTtlSeconds: options.uploadUrlTtlSeconds ?? 900,
    now: options.now ?? Date.now,
    webhookUrl: options.webhookUrl,
    webhookMaxAttempts: options.webhookMaxAttempts ?? 5,
    webhookBackoffMs: options.webhookBackoffMs ?? 100,
  });
  if (options.faults) core.faults.set(options.faults);
  if (saved) {
    restore(core, saved);
    core.seedSubscriptions();
  }
  let saver: StateSaver | undefined;
  if (stateFile) {
    try {
      writeAtomic(stateFile, JSON.stringify(snapshot(core)));
    } catch (e) {
      throw new Error(`cannot write the state file ${stateFile}: ${(e as Error).message}`);
    }
    saver = new StateSaver(core, stateFile, options.stateDebounceMs ?? 250, (err) =>
      (options.log ?? console.error)(`kard-mock: cannot save the state file ${stateFile}: ${err.message}`),
    );
  }
  const maxRecorded = options.maxRecordedRequests ?? 100;
  const requests: RecordedRequest[] = [];
  const log = options.log;

  const router = new Router();
  router.add(authRoutes);
  router.add(transactionRoutes);
  router.add(uploadRoutes);
  router.add(userRoutes);
  router.add(rewardRoutes);
  router.add(notificationRoutes);
  router.add(organizationRoutes);
  router.add(sandboxRoutes);

  // Recording is bounded (maxRecordedRequests, default 100) and cheap: the raw body bytes are kept
  // and parsed only when a test reads `body`, so bulk runs hold no parsed batches.
  const record = (
    req: IncomingMessage,
    path: string,
    url: URL | null,
    raw: Buffer | null,
    status: number,
    started: number,
    reply?: Reply,
  ) => {
    if (maxRecorded > 0) {
      const entry = {
        method: req.method ?? 'GET',
        path,
        query: url?.search ? queryObject(url.searchParams) : {},
        headers: redactHeaders(req.headers),
        status,
        at: new Date(started).toISOString(),
      } as RecordedRequest;
      const contentType = req.headers['content-type'];
      let parsed: { v: unknown } | undefined;
      Object.defineProperty(entry, 'body', {
        enumerable: true,
        get() {
          if (!parsed) {
            const v = raw ? parseBody(raw, contentType) : null;
            parsed = { v: v === MALFORMED ? (raw?.toString('utf8') ?? null) : (v ?? null) };
          }
          return parsed.v;
        },
      });
      requests.push(entry);
      if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
    }
    if (log) log(logLine(req.method ?? 'GET', path, status, Date.now() - started, reply));
  };

  const send = (res: ServerResponse, r: Reply) => {
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string | number> = { ...r.headers };
    let payload: string | Buffer = '';
    if (r.raw !== undefined) payload = r.raw;
    else if (r.body !== undefined) {
      payload = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    headers['content-length'] = Buffer.byteLength(payload);
    headers['x-request-id'] = randomUUID();
    res.writeHead(r.status, headers);
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const qi = rawUrl.indexOf('?');
    const path = qi === -1 ? rawUrl : rawUrl.slice(0, qi);

    // A preflight is answered here: no token, no fault step consumed, not recorded.
    if (applyCors(req, res, corsAllowed)) return;

    // The dashboard (GET /, /__dashboard/…): never faulted, never recorded.
    if (isDashboardPath(path)) {
      const raw = await readBody(req);
      const r = handleDashboard(
        req,
        res,
        path,
        raw ? parseBody(raw, req.headers['content-type']) : undefined,
        {
          core,
          clientId: core.opts.clientId,
          clientSecret: core.opts.clientSecret,
          port: Number(new URL(core.baseUrl).port),
        },
      );
      if (r) send(res, r);
      return;
    }

    // Decided before the body is read so a sequence step is consumed in arrival order.
    const fault = core.faults.active ? core.faults.decide(path) : null;

    /** Applies a fault; true when the request was answered (or dropped) by it. */
    const applyFault = async (url: URL | null, buf: Buffer | null): Promise<boolean> => {
      if (!fault) return false;
      if (fault.latencyMs) await sleep(fault.latencyMs);
      const step = fault.step;
      if (!step) return false;
      if ('drop' in step) {
        if (buf === null && !req.readableEnded) {
          req.resume(); // read the (streamed) body first, then drop
          await new Promise((r) => req.once('end', r).once('error', r));
        }
        record(req, path, url, buf, 0, started);
        req.socket.destroy();
        return true;
      }
      if ('latencyMs' in step) {
        await sleep(step.latencyMs);
        return false;
      }
      const headers: Record<string, string> = {};
      if (step.retryAfter !== undefined) headers['retry-after'] = String(step.retryAfter);
      const r: Reply =
        step.raw !== undefined
          ? { status: step.status, raw: step.raw, headers }
          : step.body !== undefined
            ? { status: step.status, body: step.body, headers }
            : { ...apiError(step.status, 'injected fault (mock server)'), headers };
      if (buf === null) req.resume();
      send(res, r);
      record(req, path, url, buf, r.status, started);
      return true;
    };

    if (path.startsWith('/__uploads/') || path.startsWith('/__files/')) {
      const url = new URL(`${core.baseUrl}${rawUrl}`);
      if (await applyFault(null, null)) return;
      const r =
        method === 'PUT' && path.startsWith('/__uploads/')
          ? await handleUploadPut(core, req, url)
          : method === 'GET'
            ? handleUploadResult(core, url)
            : apiError(405, 'method not allowed');
      send(res, r);
      record(req, path, null, null, r.status, started);
      return;
    }

    const buf = await readBody(req);
    if (buf === null) {
      const r = apiError(413, `request body larger than ${MAX_BODY} bytes`);
      send(res, r);
      record(req, path, null, null, r.status, started);
      return;
    }
    const body = parseBody(buf, req.headers['content-type']);
    const url = new URL(`${core.baseUrl}${rawUrl}`);

    if (path.startsWith('/__admin/')) {
      const r = await adminRoutes(core, method, path, body, requests, api, req.headers.authorization);
      send(res, r);
      return;
    }

    if (await applyFault(url, buf)) return;

    let r: Reply;
    try {
      r = await dispatch(method, path, url, body, req);
    } catch (err) {
      if (err instanceof HttpError) r = err.reply;
      else {
        r = apiError(500, 'internal mock server error');
        log?.(`mock error: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    send(res, r);
    record(req, path, url, buf, r.status, started, r);
    if (method !== 'GET' && r.status < 400) {
      const topic = changeTopic(path);
      if (topic) core.changed(topic);
    }
  };

  const dispatch = async (
    method: string,
    path: string,
    url: URL,
    body: unknown,
    req: IncomingMessage,
  ): Promise<Reply> => {
    const m = router.match(method, path);
    if (m === null) return apiError(404, `no such route: ${method} ${path}`);
    if (m === 'method') return apiError(405, `method ${method} not allowed on ${path}`);
    const { route, params } = m;
    if (route.auth !== 'none') {
      const h = req.headers.authorization;
      let token: string | undefined;
      if (h && /^bearer\s/i.test(h)) token = h.slice(7).trim();
      else if (route.auth === 'legacy' && h) token = h.trim(); // legacy recipes send the bare token
      const why = core.checkToken(token);
      if (why) {
        return route.auth === 'legacy'
          ? { status: 401, body: { message: `Unauthorized: ${why}` } }
          : { ...apiError(401, why), headers: { 'www-authenticate': 'Bearer' } };
      }
    }
    // A token is bound to the mock's organization. Another org id in the path is 403 where
    // openapi/kard.yaml documents a 403 for the operation (organization resources, bulk upload
    // URLs), else 401, the one the other operations document.
    if (params.org !== undefined && params.org !== core.opts.organizationId) {
      return apiError(
        ORG_FORBIDDEN_403.test(route.path) ? 403 : 401,
        'the access token is not authorized for this organization',
        { parameter: 'organizationId' },
      );
    }
    if (!route.successor)
      return route.handler({ core, method, url, path, params, body, headers: req.headers });
    // A deprecated operation says so on every answer: Deprecation, and a Link to its successor.
    const successor = `${core.baseUrl}${route.successor.replace(':org', encodeURIComponent(core.opts.organizationId))}`;
    const deprecation = (r: Reply): Reply => ({
      ...r,
      headers: { ...r.headers, deprecation: 'true', link: `<${successor}>; rel="successor-version"` },
    });
    try {
      return deprecation(
        await route.handler({ core, method, url, path, params, body, headers: req.headers }),
      );
    } catch (err) {
      if (err instanceof HttpError) return deprecation(err.reply);
      throw err;
    }
  };

  // Idle keep-alive sockets stay open for a minute: with a short timeout, a client on a busy machine
  // can reuse a socket just as the server closes it ("fetch failed"). close() destroys them all.
  const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, apiError(500, 'internal mock server error'));
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  core.baseUrl = `http://${host}:${port}`;

  let unannounce: (() => void) | undefined;
  let discoveryFile: string | undefined;
  if (options.announce) {
    const env = options.announce === true ? process.env : options.announce.env;
    try {
      unannounce = announceSandbox(
        {
          url: core.baseUrl,
          pid: process.pid,
          organizationId: core.opts.organizationId,
          clientId: core.opts.clientId,
          clientSecret: core.opts.clientSecret,
          webhookSecret: core.opts.webhookSecret,
          startedAt: new Date().toISOString(),
          ...(stateFile ? { stateFile } : {}),
        },
        env,
      );
      discoveryFile = sandboxFile(env);
    } catch (e) {
      saver?.close();
      await new Promise<void>((r) => server.close(() => r()));
      throw e;
    }
  }
  // A crash still removes the discovery file and writes the state.
  const onExit = () => {
    saver?.close();
    unannounce?.();
  };
  if (saver || unannounce) process.once('exit', onExit);

  let closed: Promise<void> | null = null;
  const api: MockKard = {
    url: core.baseUrl,
    organizationId: core.opts.organizationId,
    clientId: core.opts.clientId,
    clientSecret: core.opts.clientSecret,
    webhookSecret: core.opts.webhookSecret,
    requests,
    faults: {
      set: (cfg: FaultConfig) => {
        core.faults.set(cfg);
        core.changed('faults');
      },
      clear: () => {
        core.faults.clear();
        core.changed('faults');
      },
    },
    expireTokens: () => core.expireTokens(),
    stats: () => structuredClone(core.stats),
    eventCount: (id) => core.eventCount(id),
    receivedCount: (id) => core.receivedCount(id),
    reset: () => {
      core.reset();
      requests.length = 0;
    },
    stateFile,
    discoveryFile,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        process.off('exit', onExit);
        onExit();
        core.dispatcher.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
  return api;
}
