import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KardClient as Client,
  environments,
  type KardClient,
  KardForbiddenError,
  KardNotFoundError,
} from '../src/index.js';
import { mockAndClient, mockConnection, txn } from './support.js';

let mock: MockKard;
let kard: KardClient;
beforeAll(async () => {
  ({ mock, kard } = await mockAndClient(
    {},
    { headers: { 'X-Kard-Target-Issuer': 'issuer-9', 'x-app': 'a' } },
  ));
});
afterAll(() => mock?.close());

describe('client and per-call options', () => {
  it('environments are the documented base URLs', () => {
    expect(environments).toEqual({
      production: 'https://rewards-api.getkard.com',
      sandbox: 'https://test-rewards-api.getkard.com',
    });
  });

  it('client headers go on every request; per-call headers win', async () => {
    mock.requests.length = 0;
    await kard.transactions.create([txn()], { headers: { 'X-App': 'b' } });
    await kard.subscriptions.list();
    const [post, list] = mock.requests.filter((r) => r.path.startsWith('/v2/issuers/'));
    expect(post!.headers['x-kard-target-issuer']).toBe('issuer-9');
    expect(post!.headers['x-app']).toBe('b');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers.accept).toBe('application/json');
    expect(list!.headers['x-kard-target-issuer']).toBe('issuer-9');
    expect(list!.headers['x-app']).toBe('a');
    expect(list!.headers['content-type']).toBeUndefined(); // no body, no content type
  });

  it('per-call organizationId overrides the default (and reaches the path)', async () => {
    const err = await kard.organizations.children
      .list(undefined, { organizationId: 'other-org' })
      .page()
      .catch((e) => e);
    expect(mock.requests.at(-1)!.path).toBe('/v2/issuers/other-org/children');
    // The mock's token is bound to its own organization (403 where openapi/kard.yaml documents
    // one for the operation, as for children): the override did reach the server.
    expect(err).toBeInstanceOf(KardForbiddenError);
    expect(err.status).toBe(403);
  });

  it('path parameters are URL-encoded', async () => {
    const err = await kard.users.get('a b/c').catch((e) => e);
    expect(err).toBeInstanceOf(KardNotFoundError);
    expect(mock.requests.at(-1)!.path).toBe(`/v2/issuers/${mock.organizationId}/users/a%20b%2Fc`);
  });

  it('the passthrough request() uses the same auth, retries and error mapping', async () => {
    const ok = await kard.request<{ data: unknown[] }>({
      method: 'GET',
      url: `/v2/issuers/${mock.organizationId}/subscriptions`,
    });
    expect(ok.status).toBe(200);
    expect(ok.data).toEqual({ data: [] });
    expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
    mock.requests.length = 0;
    mock.faults.set({ sequence: [{ status: 503 }], match: '/subscriptions' });
    const stats = { retried: 0 };
    try {
      await expect(
        kard.request({ method: 'GET', url: `/v2/issuers/${mock.organizationId}/subscriptions` }, {}, stats),
      ).resolves.toMatchObject({ status: 200, data: { data: [] } });
    } finally {
      mock.faults.clear();
    }
    expect(mock.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(stats.retried).toBe(1);
    const err = await kard.request({ method: 'GET', url: '/v2/issuers/nope/children/x' }).catch((e) => e);
    expect(err).toBeInstanceOf(KardForbiddenError);
    expect(err.message).toBe(
      `Kard API 403 on GET /v2/issuers/nope/children/x: Forbidden: the access token is not authorized for this organization [request ${err.requestId}]`,
    );
    expect(err.requestId).toBe(err.headers.get('x-request-id'));
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a custom fetch is used for every call (including the token request)', async () => {
    const seen: string[] = [];
    const k = new Client({
      ...mockConnection(mock),
      fetch: (input, init) => {
        seen.push(new URL(String(input)).pathname);
        return fetch(input, init);
      },
    });
    await k.ping();
    await k.subscriptions.list();
    expect(seen).toEqual(['/v2/ping', '/v2/auth/token', `/v2/issuers/${mock.organizationId}/subscriptions`]);
  });

  it('ping needs no token', async () => {
    mock.requests.length = 0;
    const k = new Client({ baseUrl: mock.url, token: 'whatever' });
    await expect(k.ping()).resolves.toEqual({ message: 'pong', status: 'OK', timestamp: expect.any(String) });
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]!.path).toBe('/v2/ping');
    expect(mock.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('a trailing slash on baseUrl is dropped', async () => {
    mock.requests.length = 0;
    const k = new Client({ baseUrl: `${mock.url}//`, token: 't' });
    await k.ping();
    expect(mock.requests.map((r) => r.path)).toEqual(['/v2/ping']);
  });
});
