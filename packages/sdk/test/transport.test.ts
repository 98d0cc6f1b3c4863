import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseBody } from '../src/core/transport.js';
import {
  KardAbortError,
  KardClient,
  KardConnectionError,
  KardError,
  KardNotFoundError,
  KardServerError,
  KardTimeoutError,
  KardValidationError,
} from '../src/index.js';
import { KardClient as LiteClient } from '../src/lite.js';
import { isolateKardEnv, mockConnection, txn } from './support.js';

isolateKardEnv();

let mock: MockKard;
beforeAll(async () => {
  mock = await startMockKard({ port: 0 });
});
afterAll(() => mock?.close());
beforeEach(() => {
  mock.faults.clear();
  mock.reset();
});

/** A logger that keeps each call as { level, message, meta }. */
function recordingLogger() {
  const calls: { level: string; message: string; meta: Record<string, unknown> | undefined }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    void calls.push({ level, message, meta });
  return { calls, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A loopback port nothing listens on (a server is opened, its port noted, and closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('what the logger receives', () => {
  it('request, response, retrying and failed lines carry method, redacted URL, attempt, status and redacted headers', async () => {
    const rec = recordingLogger();
    const kard = new KardClient({ ...mockConnection(mock), logger: rec.logger, token: 'tok-log-1' });
    const url = `${mock.url}/v2/issuers/${mock.organizationId}/subscriptions`;
    mock.faults.set({ sequence: [{ status: 503, retryAfter: 0 }, { status: 404 }], match: '/subscriptions' });
    const err = await kard.subscriptions.list({ 'filter[eventName]': 'auditUpdate' }).catch((e) => e);
    expect(err).toBeInstanceOf(KardNotFoundError);
    const full = `${url}?filter%5BeventName%5D=auditUpdate`;
    const base = { method: 'GET', url: full };
    expect(rec.calls.map((c) => [c.level, c.message])).toEqual([
      ['debug', 'kard: request'],
      ['debug', 'kard: response'],
      ['warn', 'kard: retrying'],
      ['debug', 'kard: request'],
      ['debug', 'kard: response'],
      ['error', 'kard: failed'],
    ]);
    const [req1, res1, retry, req2, res2, failed] = rec.calls.map((c) => c.meta!);
    expect(req1).toEqual({
      ...base,
      attempt: 1,
      headers: { accept: 'application/json', authorization: '[REDACTED]' },
      hasBody: false,
    });
    expect(res1).toMatchObject({ ...base, attempt: 1, status: 503 });
    expect((res1!.headers as Record<string, string>)['retry-after']).toBe('0');
    expect(retry).toEqual({ ...base, attempt: 1, delayMs: 0, status: 503 });
    expect(req2).toMatchObject({ ...base, attempt: 2, hasBody: false });
    expect(res2).toMatchObject({ ...base, attempt: 2, status: 404 });
    expect(failed).toMatchObject({ ...base, attempt: 2, status: 404 });
    expect(JSON.stringify(rec.calls)).not.toContain('tok-log-1');
  });

  it('a body is logged as hasBody, a connection failure as an error line with its message', async () => {
    const rec = recordingLogger();
    const kard = new KardClient({ ...mockConnection(mock), logger: rec.logger, token: 't', maxRetries: 1 });
    mock.faults.set({ sequence: [{ drop: true }, { drop: true }], match: '/transactions' });
    const err = await kard.transactions.create([txn()]).catch((e) => e);
    expect(err).toBeInstanceOf(KardConnectionError);
    expect(rec.calls.map((c) => [c.level, c.message])).toEqual([
      ['debug', 'kard: request'],
      ['warn', 'kard: retrying'],
      ['debug', 'kard: request'],
      ['error', 'kard: failed'],
    ]);
    expect(rec.calls[0]!.meta).toMatchObject({ method: 'POST', attempt: 1, hasBody: true });
    expect(rec.calls[1]!.meta).toMatchObject({ attempt: 1, error: err.message });
    expect(rec.calls[1]!.meta!.delayMs).toBeGreaterThanOrEqual(250);
    expect(rec.calls[1]!.meta!.delayMs).toBeLessThanOrEqual(500);
    expect(rec.calls[3]!.meta).toMatchObject({ attempt: 2, error: err.message });
  });

  it('a 401 with a cached OAuth token logs the refresh', async () => {
    const rec = recordingLogger();
    const kard = new KardClient({ ...mockConnection(mock), logger: rec.logger });
    await kard.subscriptions.list();
    mock.expireTokens();
    rec.calls.length = 0;
    await kard.subscriptions.list();
    expect(rec.calls.filter((c) => c.level === 'info').map((c) => [c.message, c.meta!.attempt])).toEqual([
      ['kard: 401, refreshing the token', 1],
    ]);
  });
});

describe('timeouts, aborts and connection failures', () => {
  it('timeoutMs 0 or Infinity means no timeout', async () => {
    mock.faults.set({ latencyMs: 300, match: '/ping' });
    const kard = new KardClient({ ...mockConnection(mock), token: 't' });
    await expect(kard.ping({ timeoutMs: 0 })).resolves.toMatchObject({ message: 'pong' });
    await expect(kard.ping({ timeoutMs: Number.POSITIVE_INFINITY })).resolves.toMatchObject({
      message: 'pong',
    });
    const err = await kard.ping({ timeoutMs: 50, maxRetries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardTimeoutError);
    expect(err.message).toBe('Request timed out after 50 ms');
  });

  it('the client-level timeoutMs and maxRetries apply when a call sets none', async () => {
    mock.faults.set({ latencyMs: 2_000, match: '/ping' });
    const kard = new KardClient({ ...mockConnection(mock), token: 't', timeoutMs: 60, maxRetries: 0 });
    const err = await kard.ping().catch((e) => e);
    expect(err).toBeInstanceOf(KardTimeoutError);
    expect(err.message).toBe('Request timed out after 60 ms');
    expect(mock.requests).toHaveLength(0); // abandoned before the mock answered
  });

  it('a timeout is final, with or without a caller signal (never retried)', async () => {
    mock.faults.set({ latencyMs: 2_000, match: '/ping' });
    const rec = recordingLogger();
    const kard = new KardClient({ ...mockConnection(mock), token: 't', logger: rec.logger });
    for (const signal of [undefined, new AbortController().signal]) {
      rec.calls.length = 0;
      const err = await kard.ping({ timeoutMs: 100, maxRetries: 2, signal }).catch((e) => e);
      expect(err).toBeInstanceOf(KardTimeoutError);
      expect(rec.calls.map((c) => c.message)).toEqual(['kard: request', 'kard: failed']);
    }
  });

  it('a refused connection → KardConnectionError naming the cause, retried maxRetries times', async () => {
    const port = await closedPort();
    const rec = recordingLogger();
    const kard = new KardClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: 't',
      maxRetries: 1,
      logger: rec.logger,
    });
    const err = await kard.ping().catch((e) => e);
    expect(err).toBeInstanceOf(KardConnectionError);
    expect(err.message).toBe(`Connection to 127.0.0.1:${port} failed: ECONNREFUSED`);
    expect(rec.calls.filter((c) => c.message === 'kard: request')).toHaveLength(2);
  });

  it('a connection error names the host, never userinfo, path or query, nor a secret', async () => {
    const port = await closedPort();
    for (const Client of [KardClient, LiteClient]) {
      const kard = new Client({
        baseUrl: `http://user:pw-in-url-123@127.0.0.1:${port}`,
        token: 'tok-xyz-789',
        maxRetries: 0,
      });
      const err = await kard
        .request({ method: 'GET', url: '/v2/ping', query: { note: 'q-value' } })
        .catch((e) => e);
      expect(err).toBeInstanceOf(KardConnectionError);
      expect(err.message).toMatch(new RegExp(`^Connection to 127\\.0\\.0\\.1:${port} failed: `));
      for (const s of ['pw-in-url-123', 'tok-xyz-789', 'q-value', 'user:'])
        expect(err.message).not.toContain(s);
      expect(err.cause).toBeUndefined(); // the HTTP stack's error may quote the whole URL
      const plain = new Client({ baseUrl: `http://127.0.0.1:${port}`, token: 't', maxRetries: 0 });
      const err2 = await plain
        .request({ method: 'GET', url: '/v2/ping', query: { note: 'q-value' } })
        .catch((e) => e);
      expect(err2.message).toBe(`Connection to 127.0.0.1:${port} failed: ECONNREFUSED`);
    }
  });

  it('abort while waiting for the shared token refresh → KardAbortError for that caller only', async () => {
    mock.faults.set({ sequence: [{ latencyMs: 2_000 }], match: '/v2/auth/token' });
    const kard = new KardClient(mockConnection(mock));
    const before = mock.stats().tokenRequests;
    const ctrl = new AbortController();
    const mine = kard.subscriptions.list(undefined, { signal: ctrl.signal }).catch((e) => e);
    const other = kard.subscriptions.list();
    ctrl.abort();
    expect(await mine).toBeInstanceOf(KardAbortError);
    await expect(other).resolves.toEqual({ data: [] });
    expect(mock.stats().tokenRequests - before).toBe(1);
  });
});

describe('answers', () => {
  it('a 204 resolves to undefined in both entries', async () => {
    mock.faults.set({ sequence: [{ status: 204 }, { status: 204 }], match: '/ping' });
    const conn = { ...mockConnection(mock), token: 't' };
    await expect(new KardClient(conn).ping()).resolves.toBeUndefined();
    await expect(new LiteClient(conn).ping()).resolves.toBeUndefined();
  });

  it('the error message names the path without its query string', async () => {
    mock.faults.set({ sequence: [{ status: 404 }], match: '/offers' });
    const kard = new KardClient(mockConnection(mock));
    const err = await kard.users.offers
      .list('ghost-user', { 'page[size]': 2 })
      .page()
      .catch((e) => e);
    expect(err).toBeInstanceOf(KardNotFoundError);
    expect(err.message).toMatch(
      new RegExp(`^Kard API 404 on GET /v2/issuers/${mock.organizationId}/users/ghost-user/offers: `),
    );
    expect(err.message).not.toContain('page');
  });

  it('a text error body is kept as text; a 5xx is a KardServerError', async () => {
    mock.faults.set({ sequence: [{ status: 502, body: 'upstream down' }], match: '/ping' });
    const err = await new KardClient({ ...mockConnection(mock), token: 't', maxRetries: 0 })
      .ping()
      .catch((e) => e);
    expect(err).toBeInstanceOf(KardServerError);
    expect(err.body).toBe('upstream down');
    expect(err.errors).toEqual([{ detail: 'upstream down' }]);
  });

  it('parseBody: JSON by content type or by shape, text otherwise, undefined when empty', () => {
    expect(parseBody('application/json', '{"a":1}')).toEqual({ a: 1 });
    expect(parseBody('text/plain', '{"a":1}')).toEqual({ a: 1 });
    expect(parseBody(null, '[1,2]')).toEqual([1, 2]);
    expect(parseBody('application/json', 'not json')).toBe('not json');
    expect(parseBody('application/json; charset=utf-8', '"s"')).toBe('s');
    expect(parseBody('text/plain', 'hello')).toBe('hello');
    expect(parseBody(null, '{broken')).toBe('{broken');
    expect(parseBody('application/json', '')).toBeUndefined();
  });
});

describe('resource methods: path parameters, per-call options and HTTP methods', () => {
  it('an empty or missing path parameter is refused before sending', async () => {
    const kard = new KardClient(mockConnection(mock));
    for (const id of ['', undefined, null]) {
      const err = await kard.users.get(id as never).catch((e) => e);
      expect(err).toBeInstanceOf(KardError);
      expect(err.message).toBe('Missing path parameter userId');
    }
    expect(mock.requests).toHaveLength(0);
  });

  it('per-call options reach calls without a body and list calls', async () => {
    const kard = new KardClient(mockConnection(mock));
    await kard.users
      .get('x', { organizationId: 'org-other', headers: { 'x-trace': 'g' } })
      .catch(() => undefined);
    await kard.users.offers
      .list('x', { 'page[size]': 1 }, { headers: { 'x-trace': 'l' } })
      .page()
      .catch(() => undefined);
    const seen = mock.requests
      .filter((r) => r.path !== '/v2/auth/token')
      .map((r) => [r.path, r.headers['x-trace']]);
    expect(seen).toEqual([
      // Another organization's 401 is retried once after a token refresh, with the same options.
      ['/v2/issuers/org-other/users/x', 'g'],
      ['/v2/issuers/org-other/users/x', 'g'],
      [`/v2/issuers/${mock.organizationId}/users/x/offers`, 'l'],
    ]);
  });

  it('PUT, PATCH and DELETE operations are sent with their methods', async () => {
    const kard = new KardClient(mockConnection(mock));
    await kard.users.create([{ type: 'user', id: 'pd-1', attributes: { enrolledRewards: ['CARDLINKED'] } }]);
    await expect(
      kard.users.update('pd-1', { data: { type: 'user', id: 'pd-1', attributes: { enrolledRewards: [] } } }),
    ).resolves.toEqual({ data: { type: 'user', id: 'pd-1', attributes: { enrolledRewards: [] } } });
    await expect(kard.users.delete('pd-1')).resolves.toEqual({
      data: { type: 'user', id: 'pd-1', attributes: {} },
    });
    const created = (await kard.subscriptions.create([
      {
        type: 'subscription',
        attributes: {
          eventName: 'auditUpdate',
          webhookUrl: 'https://issuer.example.com/hook',
          enabled: true,
        },
      },
    ])) as { data: { id: string }[] };
    const id = created.data[0]!.id;
    const updated = await kard.subscriptions.update(id, {
      data: { type: 'subscription', id, attributes: { enabled: false } },
    } as never);
    expect(updated).toMatchObject({ data: { id, attributes: { enabled: false } } });
    expect(
      mock.requests.filter((r) => /\/users\/pd-1|\/subscriptions/.test(r.path)).map((r) => r.method),
    ).toEqual(['PUT', 'DELETE', 'POST', 'PATCH']);
  });

  it('validate: false on the client sends invalid bodies for the API to judge; the default validates', async () => {
    const loose = new KardClient({ ...mockConnection(mock), validate: false });
    const err = await loose.transactions.create([txn({ cardBIN: 'x' })]).catch((e) => e);
    expect(err.status).toBe(400);
    const strict = new KardClient(mockConnection(mock));
    const verr = await strict.transactions.create([txn({ cardBIN: 'x' })]).catch((e) => e);
    expect(verr).toBeInstanceOf(KardValidationError);
    // Per call, validate: true wins over the client's false.
    const perCall = await loose.transactions
      .create([txn({ cardBIN: 'x' })], { validate: true })
      .catch((e) => e);
    expect(perCall).toBeInstanceOf(KardValidationError);
  });
});

describe('client configuration', () => {
  const configOf = (k: unknown) => (k as { transport: { config: Record<string, unknown> } }).transport.config;

  it('environment picks the base URL (production by default); baseUrl overrides it', () => {
    expect(configOf(new KardClient({ token: 't' })).baseUrl).toBe('https://rewards-api.getkard.com');
    expect(configOf(new KardClient({ token: 't', environment: 'sandbox' })).baseUrl).toBe(
      'https://test-rewards-api.getkard.com',
    );
    expect(
      configOf(new KardClient({ token: 't', environment: 'sandbox', baseUrl: 'http://127.0.0.1:1/' }))
        .baseUrl,
    ).toBe('http://127.0.0.1:1');
  });

  it('defaults: 60 s per attempt, 2 retries; client header names are lower-cased', () => {
    const c = configOf(new KardClient({ token: 't', headers: { 'X-Trace-Id': 'a' } }));
    expect(c.timeoutMs).toBe(60_000);
    expect(c.maxRetries).toBe(2);
    expect(c.headers).toEqual({ 'x-trace-id': 'a' });
  });

  it('the lite entry sends through a custom fetch (as fetch(url, init)) or the global one', async () => {
    const seen: string[] = [];
    const lite = new LiteClient({
      ...mockConnection(mock),
      fetch: (input, init) => {
        seen.push(`${init?.method} ${new URL(String(input)).pathname}`);
        return fetch(input, init);
      },
    });
    await expect(lite.subscriptions.list()).resolves.toEqual({ data: [] });
    expect(seen).toEqual(['POST /v2/auth/token', `GET /v2/issuers/${mock.organizationId}/subscriptions`]);
    await expect(new LiteClient({ ...mockConnection(mock) }).subscriptions.list()).resolves.toEqual({
      data: [],
    });
  });
});

describe('the main entry over a custom fetch and empty error bodies', () => {
  it('an abort reaches a custom fetch (the request is cancelled, not awaited)', async () => {
    mock.faults.set({ latencyMs: 30_000, match: '/ping' });
    const rec = recordingLogger();
    const kard = new KardClient({
      ...mockConnection(mock),
      token: 't',
      logger: rec.logger,
      fetch: (input, init) => fetch(input, init),
    });
    const ctrl = new AbortController();
    const p = kard.ping({ signal: ctrl.signal }).catch((e) => e);
    await vi.waitFor(() => expect(rec.calls.some((c) => c.message === 'kard: request')).toBe(true), {
      timeout: 15_000,
      interval: 5,
    });
    ctrl.abort();
    expect(await p).toBeInstanceOf(KardAbortError);
  });

  it('an error answer with an empty body has body undefined and a message with the status only', async () => {
    mock.faults.set({ sequence: [{ status: 400, body: '' }], match: '/ping' });
    const err = await new KardClient({ ...mockConnection(mock), token: 't' }).ping().catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.body).toBeUndefined();
    expect(err.errors).toEqual([]);
    expect(err.message).toMatch(/^Kard API 400 on GET \/v2\/ping \[request [0-9a-f-]+\]$/);
  });
});
