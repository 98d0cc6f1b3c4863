import { startMockKard } from '@kardkit/mock-server';
import ky from 'ky';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientCredentials, REFRESH_BUFFER_MS, StaticToken } from '../src/core/auth.js';
import {
  KardAbortError,
  KardClient,
  KardError,
  KardNotFoundError,
  KardUnauthorizedError,
} from '../src/index.js';
import { isolateKardEnv, mockAndClient } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

isolateKardEnv();

describe('auth: OAuth client credentials (openapi/kard.yaml auth.getToken)', () => {
  it('100 concurrent calls on a fresh client make exactly one token request', async () => {
    const { mock, kard } = await mockAndClient();
    closers.push(() => mock.close());
    const results = await Promise.all(Array.from({ length: 100 }, () => kard.ping()));
    expect(results).toHaveLength(100);
    for (const r of results)
      expect(r).toEqual({ message: 'pong', status: 'OK', timestamp: expect.any(String) });
    const users = await Promise.all(
      Array.from({ length: 100 }, (_, i) => kard.users.get(`nobody-${i}`).catch((e) => e)),
    );
    expect(users.every((e) => e instanceof KardNotFoundError)).toBe(true);
    expect(mock.stats().tokenRequests).toBe(1);
  });

  it('after the tokens expire, 100 concurrent calls refresh exactly once (401 → refresh once → retry)', async () => {
    const { mock, kard } = await mockAndClient({ maxRecordedRequests: 1_000 });
    closers.push(() => mock.close());
    await kard.subscriptions.list();
    expect(mock.stats().tokenRequests).toBe(1);
    mock.expireTokens();
    const results = await Promise.all(Array.from({ length: 100 }, () => kard.subscriptions.list()));
    expect(results).toEqual(Array(100).fill({ data: [] }));
    expect(mock.stats().tokenRequests).toBe(2);
    // Each call was answered 401 once with the expired token, then 200 with the fresh one.
    const statuses = mock.requests.filter((r) => r.path.endsWith('/subscriptions')).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(100);
    expect(statuses.filter((s) => s === 200)).toHaveLength(101);
  });

  it('sends the bearer token it got from /v2/auth/token, and the client credentials only to that endpoint', async () => {
    // A ky instance with hooks sees the exact requests and answers on the wire (the mock's own record
    // redacts authorization).
    const sent: { path: string; authorization: string | null; body: string }[] = [];
    const issued: string[] = [];
    const hooked = ky.create({
      hooks: {
        beforeRequest: [
          async (req) => {
            const body = req.body ? await req.clone().text() : '';
            sent.push({
              path: new URL(req.url).pathname,
              authorization: req.headers.get('authorization'),
              body,
            });
          },
        ],
        afterResponse: [
          async (req, _opts, res) => {
            if (req.url.endsWith('/v2/auth/token')) issued.push((await res.clone().json()).access_token);
          },
        ],
      },
    });
    const { mock, kard } = await mockAndClient({}, { ky: hooked });
    closers.push(() => mock.close());
    await expect(kard.subscriptions.list()).resolves.toEqual({ data: [] });
    await expect(kard.subscriptions.list()).resolves.toEqual({ data: [] });
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatch(/\S{8,}/);
    expect(sent).toEqual([
      {
        path: '/v2/auth/token',
        authorization: null,
        body: JSON.stringify({ client_id: mock.clientId, client_secret: mock.clientSecret }),
      },
      {
        path: `/v2/issuers/${mock.organizationId}/subscriptions`,
        authorization: `Bearer ${issued[0]}`,
        body: '',
      },
      {
        path: `/v2/issuers/${mock.organizationId}/subscriptions`,
        authorization: `Bearer ${issued[0]}`,
        body: '',
      },
    ]);
    expect(mock.requests.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('a static token is sent as is, and a per-call authorization header wins over it', async () => {
    const auths: (string | null)[] = [];
    const hooked = ky.create({
      hooks: { beforeRequest: [(req) => void auths.push(req.headers.get('authorization'))] },
    });
    const mock = await startMockKard({ port: 0 });
    closers.push(() => mock.close());
    const kard = new KardClient({
      baseUrl: mock.url,
      organizationId: mock.organizationId,
      token: 'tok-static-1',
      ky: hooked,
    });
    await kard.subscriptions.list().catch(() => undefined);
    await kard.subscriptions
      .list(undefined, { headers: { Authorization: 'Bearer tok-per-call' } })
      .catch(() => undefined);
    await kard.ping();
    expect(auths).toEqual(['Bearer tok-static-1', 'Bearer tok-per-call', null]);
    expect(mock.stats().tokenRequests).toBe(0);
  });

  it('a static token is never refreshed: a 401 is final (KardUnauthorizedError)', async () => {
    const mock = await startMockKard({ port: 0 });
    closers.push(() => mock.close());
    const kard = new KardClient({
      baseUrl: mock.url,
      organizationId: mock.organizationId,
      token: 'not-a-real-token',
    });
    const err = await kard.subscriptions.list().catch((e) => e);
    expect(err).toBeInstanceOf(KardUnauthorizedError);
    expect(err.status).toBe(401);
    expect(mock.stats().tokenRequests).toBe(0);
    expect(mock.requests.map((r) => r.status)).toEqual([401]); // not repeated
    expect(String(err.message)).not.toContain('not-a-real-token');
  });

  it('wrong client secret → KardUnauthorizedError without the secret in the message', async () => {
    const mock = await startMockKard({ port: 0 });
    closers.push(() => mock.close());
    const secret = 'wrong-secret-value-123';
    const kard = new KardClient({
      baseUrl: mock.url,
      organizationId: mock.organizationId,
      clientId: mock.clientId,
      clientSecret: secret,
    });
    const err = await kard.subscriptions.list().catch((e) => e);
    expect(err).toBeInstanceOf(KardUnauthorizedError);
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err.body ?? '')).not.toContain(secret);
  });

  it('falls back to KARD_CLIENT_ID / KARD_CLIENT_SECRET', async () => {
    const mock = await startMockKard({ port: 0 });
    closers.push(() => mock.close());
    process.env.KARD_CLIENT_ID = mock.clientId;
    process.env.KARD_CLIENT_SECRET = mock.clientSecret;
    try {
      const kard = new KardClient({ baseUrl: mock.url, organizationId: mock.organizationId });
      await expect(kard.subscriptions.list()).resolves.toEqual({ data: [] });
      expect(mock.stats().tokenRequests).toBe(1);
      expect(mock.requests[0]!.body).toEqual({ client_id: mock.clientId, client_secret: mock.clientSecret });
    } finally {
      delete process.env.KARD_CLIENT_ID;
      delete process.env.KARD_CLIENT_SECRET;
    }
  });

  it('without credentials the constructor throws a KardError', () => {
    expect(() => new KardClient({ baseUrl: 'http://127.0.0.1:1' })).toThrow(KardError);
    expect(() => new KardClient({ baseUrl: 'http://127.0.0.1:1', clientId: 'only-id' })).toThrow(
      /Missing credentials/,
    );
    expect(() => new KardClient({ baseUrl: 'http://127.0.0.1:1', clientSecret: 'only-secret' })).toThrow(
      /Missing credentials/,
    );
  });

  it('organizationId is required for org-scoped calls and can be overridden per call', async () => {
    const mock = await startMockKard({ port: 0 });
    closers.push(() => mock.close());
    const kard = new KardClient({
      baseUrl: mock.url,
      clientId: mock.clientId,
      clientSecret: mock.clientSecret,
    });
    await expect(kard.subscriptions.list()).rejects.toThrow(/organizationId is required/);
    await expect(
      kard.subscriptions.list(undefined, { organizationId: mock.organizationId }),
    ).resolves.toEqual({ data: [] });
    expect(mock.requests.at(-1)!.path).toBe(`/v2/issuers/${mock.organizationId}/subscriptions`);
  });
});

describe('auth: token cache (unit)', () => {
  function fakeTransport(expiresIn: number) {
    let n = 0;
    return {
      count: () => n,
      transport: {
        request: async () => {
          n++;
          return {
            status: 200,
            headers: new Headers(),
            data: { access_token: `t${n}`, expires_in: expiresIn },
          };
        },
      },
    };
  }

  it(`refreshes ${REFRESH_BUFFER_MS / 60000} minutes before expiry, not before`, async () => {
    let now = 1_000_000;
    const f = fakeTransport(3600);
    const cc = new ClientCredentials('id', 'secret', () => now);
    cc.transport = f.transport as never;
    expect(await cc.get()).toBe('t1');
    now += 3600_000 - REFRESH_BUFFER_MS - 1;
    expect(await cc.get()).toBe('t1');
    now += 2;
    expect(await cc.get()).toBe('t2');
    expect(f.count()).toBe(2);
  });

  it('single-flight: concurrent callers share one refresh', async () => {
    const f = fakeTransport(3600);
    const cc = new ClientCredentials('id', 'secret');
    cc.transport = f.transport as never;
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cc.get()));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(f.count()).toBe(1);
  });

  it('refreshes exactly at the refresh instant (expiry minus the buffer)', async () => {
    let now = 5_000;
    const f = fakeTransport(3600);
    const cc = new ClientCredentials('id', 'secret', () => now);
    cc.transport = f.transport as never;
    expect(await cc.get()).toBe('t1');
    now += 3600_000 - REFRESH_BUFFER_MS;
    expect(await cc.get()).toBe('t2');
  });

  it('short-lived tokens stay usable for half their life; a missing expires_in means 3600 s', async () => {
    let now = 0;
    const short = fakeTransport(60);
    const a = new ClientCredentials('id', 'secret', () => now);
    a.transport = short.transport as never;
    expect(await a.get()).toBe('t1');
    now = 29_999;
    expect(await a.get()).toBe('t1');
    now = 30_000;
    expect(await a.get()).toBe('t2');

    now = 0;
    let n = 0;
    const b = new ClientCredentials('id', 'secret', () => now);
    b.transport = {
      request: async () => ({ status: 200, headers: new Headers(), data: { access_token: `u${++n}` } }),
    } as never;
    expect(await b.get()).toBe('u1');
    now = 3600_000 - REFRESH_BUFFER_MS - 1;
    expect(await b.get()).toBe('u1');
    now += 1;
    expect(await b.get()).toBe('u2');
  });

  it('a token answer without access_token is a KardError, and the next call tries again', async () => {
    const answers: unknown[] = [{ token_type: 'Bearer' }, null, { access_token: 'ok-1' }];
    const cc = new ClientCredentials('id', 'secret');
    cc.transport = {
      request: async () => ({ status: 200, headers: new Headers(), data: answers.shift() }),
    } as never;
    for (let i = 0; i < 2; i++) {
      const err = await Promise.resolve(cc.get()).catch((e) => e);
      expect(err).toBeInstanceOf(KardError);
      expect(err.message).toBe('Kard token response has no access_token');
    }
    expect(await cc.get()).toBe('ok-1');
    expect(cc.current).toBe('ok-1');
  });

  it('a waiter whose signal fires gives up alone; an already aborted signal rejects at once', async () => {
    let release!: () => void;
    const cc = new ClientCredentials('id', 'secret');
    cc.transport = {
      request: () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 200, headers: new Headers(), data: { access_token: 'late' } });
        }),
    } as never;
    const ctrl = new AbortController();
    const mine = Promise.resolve(cc.get(ctrl.signal)).catch((e) => e);
    const other = cc.get();
    const aborted = AbortSignal.abort('stop');
    const early = await Promise.resolve(cc.get(aborted)).catch((e) => e);
    expect(early).toBeInstanceOf(KardAbortError);
    expect(early.cause).toBe('stop');
    ctrl.abort();
    expect(await mine).toBeInstanceOf(KardAbortError);
    release();
    expect(await other).toBe('late');
  });

  it('a waiter with a signal that never fires gets the token', async () => {
    const cc = new ClientCredentials('id', 'secret');
    cc.transport = {
      request: async () => ({ status: 200, headers: new Headers(), data: { access_token: 'with-signal' } }),
    } as never;
    expect(await cc.get(new AbortController().signal)).toBe('with-signal');
  });

  it('a static token is never invalidated and reports no cached token', () => {
    const st = new StaticToken('s-1');
    expect(st.get()).toBe('s-1');
    expect(st.invalidate()).toBe(false);
    expect(st.current).toBeUndefined();
  });

  it('invalidate drops only the token that failed', async () => {
    const f = fakeTransport(3600);
    const cc = new ClientCredentials('id', 'secret');
    cc.transport = f.transport as never;
    await cc.get();
    cc.invalidate('t1');
    expect(await cc.get()).toBe('t2');
    cc.invalidate('t1'); // stale: a request that raced the refresh
    expect(await cc.get()).toBe('t2');
    expect(f.count()).toBe(2);
  });
});
