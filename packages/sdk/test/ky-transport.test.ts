import type { MockKard } from '@kardkit/mock-server';
import type { Options as KyOptions } from 'ky';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// A pass-through spy on ky's default export: every call still goes to the real ky (and over
// loopback to the mock); the spy only records that it was called and with which options.
const kyCalls = vi.hoisted(() => [] as { input: unknown; options: KyOptions | undefined }[]);
vi.mock('ky', async (importOriginal) => {
  const real = (await importOriginal()) as typeof import('ky');
  const spy = Object.assign((input: Parameters<typeof real.default>[0], options?: KyOptions) => {
    kyCalls.push({ input, options });
    return real.default(input, options);
  }, real.default);
  return { ...real, default: spy };
});

// Counts generated clients made (pass-through too).
const createClientCalls = vi.hoisted(() => ({ n: 0 }));
vi.mock('../src/generated/client/index.js', async (importOriginal) => {
  const real = (await importOriginal()) as typeof import('../src/generated/client/index.js');
  return {
    ...real,
    createClient: (...args: Parameters<typeof real.createClient>) => {
      createClientCalls.n++;
      return real.createClient(...args);
    },
  };
});

const { default: ky } = await import('ky');
// ky 2 (what `npm i ky` installs today), installed beside ky 1 under the alias `ky2`.
const { default: ky2 } = await import('ky2');
const { KardClient, KardConnectionError, KardError, KardNotFoundError, KardServerError, KardTimeoutError } =
  await import('../src/index.js');
const { KardClient: LiteClient } = await import('../src/lite.js');
const { startMockKard } = await import('@kardkit/mock-server');
const { mockConnection, txn } = await import('./support.js');

let mock: MockKard;
const clientFor = (extra: Record<string, unknown> = {}) =>
  new KardClient({ ...mockConnection(mock), ...extra });

beforeAll(async () => {
  mock = await startMockKard({ port: 0 });
});
afterAll(() => mock?.close());
beforeEach(() => {
  kyCalls.length = 0;
  mock.faults.clear();
  mock.requests.length = 0;
});

describe('the main entry sends through the generated ky client', () => {
  it('every request of KardClient (token, API calls, 207 batches) goes through ky', async () => {
    const kard = clientFor();
    await kard.transactions.create([txn()]);
    await kard.users.get('ghost').catch(() => undefined);
    const urls = kyCalls.map((c) => (c.input instanceof Request ? c.input.url : String(c.input)));
    expect(urls).toEqual([
      `${mock.url}/v2/auth/token`,
      `${mock.url}/v2/issuers/${mock.organizationId}/transactions`,
      `${mock.url}/v2/issuers/${mock.organizationId}/users/ghost`,
    ]);
    // Exactly what reached the server: nothing bypassed ky.
    expect(mock.requests).toHaveLength(kyCalls.length);
  });

  it('ky is told to neither retry, nor time out, nor throw on HTTP errors (the SDK does those)', async () => {
    await clientFor().subscriptions.list();
    expect(kyCalls.length).toBeGreaterThan(0);
    for (const c of kyCalls) {
      expect(c.options).toMatchObject({ retry: 0, timeout: false, throwHttpErrors: false });
    }
  });

  it('the lite entry does not use ky', async () => {
    const lite = new LiteClient({ baseUrl: mock.url, organizationId: mock.organizationId, token: 't' });
    await lite.ping();
    expect(kyCalls).toHaveLength(0);
    expect(mock.requests).toHaveLength(1);
  });

  it('one generated client per KardClient, reused for every call (not one per request)', async () => {
    createClientCalls.n = 0;
    const kard = clientFor();
    expect(createClientCalls.n).toBe(1);
    await kard.ping();
    await kard.subscriptions.list();
    await kard.transactions.create([txn()]);
    expect(createClientCalls.n).toBe(1);
    expect(kyCalls).toHaveLength(4); // ping, token, list, create: all through that one client
  });
});

describe('a ky instance of yours (ky.create({ hooks }))', () => {
  it('sees every request and response, with the bearer token set by the SDK', async () => {
    const before: { method: string; url: string; auth: boolean }[] = [];
    const after: number[] = [];
    const hooked = ky.create({
      hooks: {
        beforeRequest: [
          (req) => {
            before.push({ method: req.method, url: req.url, auth: req.headers.has('authorization') });
          },
        ],
        afterResponse: [
          (_req, _opts, res) => {
            after.push(res.status);
          },
        ],
      },
    });
    const kard = clientFor({ ky: hooked });
    const r = await kard.transactions.create([txn()]);
    expect(r.status).toBe(202);
    expect(before).toEqual([
      { method: 'POST', url: `${mock.url}/v2/auth/token`, auth: false },
      { method: 'POST', url: `${mock.url}/v2/issuers/${mock.organizationId}/transactions`, auth: true },
    ]);
    expect(after).toEqual([200, 202]);
  });

  it('its own retry/timeout settings are overridden: a 503 is retried by the SDK only (maxRetries)', async () => {
    const eager = ky.create({ retry: { limit: 5, statusCodes: [503] }, timeout: 5 });
    const kard = clientFor({ ky: eager });
    await kard.ping(); // token-less warm-up
    mock.requests.length = 0;
    mock.faults.set({
      sequence: [{ status: 503 }, { status: 503 }, { status: 503 }],
      match: '/subscriptions',
    });
    const err = await kard.subscriptions.list(undefined, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KardServerError);
    // 1 attempt + 1 SDK retry; ky's own retry (limit 5 on 503) would have sent 6+.
    expect(mock.requests.filter((q) => q.path.endsWith('/subscriptions'))).toHaveLength(2);
  });

  it('a hook that throws a plain object never leaks it: the caller gets a KardError', async () => {
    const throwing = ky.create({
      hooks: {
        beforeRequest: [
          () => {
            throw { not: 'an Error' };
          },
        ],
      },
    });
    const kard = clientFor({ ky: throwing, token: 'static', maxRetries: 0 });
    const err = await kard.subscriptions.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KardConnectionError);
    expect(err).toBeInstanceOf(Error);
  });
});

describe('a ky 2 instance (the ky `npm i ky` installs today)', () => {
  it('type-checks as the ky option, and its hooks (one state object) see every request and response', async () => {
    const before: { method: string; path: string; auth: boolean; retryCount: number }[] = [];
    const after: number[] = [];
    const hooked = ky2.create({
      hooks: {
        beforeRequest: [
          ({ request, retryCount }) => {
            before.push({
              method: request.method,
              path: new URL(request.url).pathname,
              auth: request.headers.has('authorization'),
              retryCount,
            });
          },
        ],
        afterResponse: [
          ({ response }) => {
            after.push(response.status);
          },
        ],
      },
    });
    // Typed, not through clientFor: `pnpm typecheck` fails if the option accepts only ky 1's type.
    const kard = new KardClient({ ...mockConnection(mock), ky: hooked });
    const r = await kard.transactions.create([txn()]);
    expect(r.accepted).toHaveLength(1);
    const missing = await kard.users.get('nobody').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KardNotFoundError);
    const org = mock.organizationId;
    expect(before).toEqual([
      { method: 'POST', path: '/v2/auth/token', auth: false, retryCount: 0 },
      { method: 'POST', path: `/v2/issuers/${org}/transactions`, auth: true, retryCount: 0 },
      { method: 'GET', path: `/v2/issuers/${org}/users/nobody`, auth: true, retryCount: 0 },
    ]);
    expect(after).toEqual([200, 202, 404]);
    expect(kyCalls).toHaveLength(0); // the ky 1 the SDK depends on was not used
  });

  it('its own retry and timeout are overridden too: a 503 is retried by the SDK only', async () => {
    const eager = ky2.create({ retry: { limit: 5, statusCodes: [503] }, timeout: 5 });
    const kard = clientFor({ ky: eager, token: 'static' });
    mock.faults.set({
      sequence: [{ status: 503 }, { status: 503 }, { status: 503 }],
      match: '/subscriptions',
    });
    const err = await kard.subscriptions.list(undefined, { maxRetries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KardServerError);
    expect(mock.requests.filter((q) => q.path.endsWith('/subscriptions'))).toHaveLength(2);
  });

  it('streamed and built uploads to presigned URLs go through it', async () => {
    const puts: string[] = [];
    const hooked = ky2.create({
      hooks: { beforeRequest: [({ request }) => void (request.method === 'PUT' && puts.push(request.url))] },
    });
    const kard = clientFor({ ky: hooked });
    await kard.transactions.uploadFile([txn()]);
    await kard.transactions.uploadFile([txn()], { stream: true });
    expect(puts).toHaveLength(2);
  });
});

describe('the ky option refuses what is not a ky instance', () => {
  for (const [name, value, got] of [
    ['a module namespace object', { default: ky }, 'object'],
    ['a plain function', () => Promise.resolve(new Response()), 'a function without .extend()'],
    ['null', null, 'null'],
    [
      'a function whose extend is not one',
      Object.assign(() => {}, { extend: 'x' }),
      'a function without .extend()',
    ],
  ] as const) {
    it(`${name}: a KardError naming the supported majors and what it got, before any request`, () => {
      expect(() => clientFor({ ky: value })).toThrow(KardError);
      expect(() => clientFor({ ky: value })).toThrow(/ky option must be a ky instance \(ky 1\.x or 2\.x/);
      expect(() => clientFor({ ky: value })).toThrow(new RegExp(`; got ${got.replace(/[.()]/g, '\\$&')}$`));
      expect(mock.requests).toHaveLength(0);
    });
  }
});

describe('a custom fetch under ky', () => {
  it('is called as fetch(url, init); a built upload keeps a known length, a streamed one streams', async () => {
    const calls: { url: unknown; method?: string; body: string; duplex?: string }[] = [];
    const recording: typeof fetch = (input, init) => {
      const b = init?.body;
      calls.push({
        url: input,
        method: init?.method,
        body:
          b == null
            ? 'none'
            : b instanceof ReadableStream
              ? 'stream'
              : b instanceof ArrayBuffer
                ? 'bytes'
                : typeof b,
        duplex: (init as { duplex?: string } | undefined)?.duplex,
      });
      return fetch(input, init);
    };
    const kard = clientFor({ fetch: recording });
    await kard.transactions.uploadFile([txn()]);
    await kard.transactions.uploadFile([txn()], { stream: true });
    expect(calls.every((c) => typeof c.url === 'string')).toBe(true);
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts).toEqual([
      { url: expect.any(String), method: 'PUT', body: 'bytes', duplex: undefined },
      { url: expect.any(String), method: 'PUT', body: 'stream', duplex: 'half' },
    ]);
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const p of posts) expect(p.body).toBe('bytes');
    expect(kyCalls.length).toBe(calls.length); // all of them went through ky first
  });
});

describe('outcomes through ky map to the SDK error classes', () => {
  it('4xx → typed KardApiError with the parsed JSON:API errors (not the thrown body)', async () => {
    const err = await clientFor()
      .users.get('nobody')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KardNotFoundError);
    expect((err as InstanceType<typeof KardNotFoundError>).errors.length).toBeGreaterThan(0);
  });

  it('a timeout is the SDK’s KardTimeoutError (ky’s own timeout is off)', async () => {
    mock.faults.set({ latencyMs: 1500, match: '/subscriptions' });
    const kard = clientFor({ token: 'static' });
    const err = await kard.subscriptions
      .list(undefined, { timeoutMs: 100, maxRetries: 0, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KardTimeoutError);
  });
});
