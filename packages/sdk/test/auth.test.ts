import { startMockKard } from '@kardkit/mock-server';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientCredentials, REFRESH_BUFFER_MS } from '../src/core/auth.js';
import { KardClient, KardError, KardUnauthorizedError } from '../src/index.js';
import { mockAndClient } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('auth: OAuth client credentials (digest §1.2, §1.3)', () => {
  it('100 concurrent calls on a fresh client make exactly one token request', async () => {
    const { mock, kard } = await mockAndClient();
    closers.push(() => mock.close());
    const results = await Promise.all(Array.from({ length: 100 }, () => kard.ping()));
    expect(results).toHaveLength(100);
    const users = await Promise.all(
      Array.from({ length: 100 }, (_, i) => kard.users.get(`nobody-${i}`).catch((e) => e)),
    );
    expect(users.every((e) => e instanceof KardError)).toBe(true);
    expect(mock.stats().tokenRequests).toBe(1);
  });

  it('after the tokens expire, 100 concurrent calls refresh exactly once (401 → refresh once → retry)', async () => {
    const { mock, kard } = await mockAndClient();
    closers.push(() => mock.close());
    await kard.subscriptions.list();
    expect(mock.stats().tokenRequests).toBe(1);
    mock.expireTokens();
    const results = await Promise.all(Array.from({ length: 100 }, () => kard.subscriptions.list()));
    expect(results.every((r) => Array.isArray((r as { data: unknown[] }).data))).toBe(true);
    expect(mock.stats().tokenRequests).toBe(2);
  });

  it('sends the bearer token it got from /v2/auth/token', async () => {
    const { mock, kard } = await mockAndClient();
    closers.push(() => mock.close());
    await kard.subscriptions.list();
    const req = mock.requests.find((r) => r.path.endsWith('/subscriptions'))!;
    expect(req.headers.authorization).toBeDefined();
    expect(req.status).toBe(200);
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
      await expect(kard.subscriptions.list()).resolves.toBeDefined();
    } finally {
      delete process.env.KARD_CLIENT_ID;
      delete process.env.KARD_CLIENT_SECRET;
    }
  });

  it('without credentials the constructor throws a KardError', () => {
    expect(() => new KardClient({ baseUrl: 'http://127.0.0.1:1' })).toThrow(KardError);
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
    ).resolves.toBeDefined();
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
