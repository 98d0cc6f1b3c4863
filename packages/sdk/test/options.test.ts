import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KardClient as Client, environments, type KardClient, KardNotFoundError } from '../src/index.js';
import { mockAndClient, mockConnection, txn } from './support.js';

let mock: MockKard;
let kard: KardClient;
beforeAll(async () => {
  ({ mock, kard } = await mockAndClient(
    {},
    { headers: { 'X-Kard-Target-Issuer': 'issuer-9', 'x-app': 'a' } },
  ));
});
afterAll(() => mock.close());

describe('client and per-call options', () => {
  it('environments are the documented base URLs', () => {
    expect(environments).toEqual({
      production: 'https://rewards-api.getkard.com',
      sandbox: 'https://test-rewards-api.getkard.com',
    });
  });

  it('client headers go on every request; per-call headers win', async () => {
    await kard.transactions.create([txn()], { headers: { 'X-App': 'b' } });
    const req = mock.requests.findLast((r) => r.path.endsWith('/transactions'))!;
    expect(req.headers['x-kard-target-issuer']).toBe('issuer-9');
    expect(req.headers['x-app']).toBe('b');
    expect(req.headers['content-type']).toContain('application/json');
  });

  it('per-call organizationId overrides the default (and reaches the path)', async () => {
    await kard.subscriptions.list(undefined, { organizationId: 'other-org' }).catch(() => undefined);
    expect(mock.requests.at(-1)!.path).toBe('/v2/issuers/other-org/subscriptions');
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
    expect(Array.isArray(ok.data.data)).toBe(true);
    mock.faults.set({ sequence: [{ status: 503 }], match: '/subscriptions' });
    await expect(
      kard.request({ method: 'GET', url: `/v2/issuers/${mock.organizationId}/subscriptions` }),
    ).resolves.toMatchObject({ status: 200 });
    mock.faults.clear();
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
    expect(seen).toContain('/v2/auth/token');
    expect(seen).toContain(`/v2/issuers/${mock.organizationId}/subscriptions`);
  });

  it('ping needs no token', async () => {
    const k = new Client({ baseUrl: mock.url, token: 'whatever' });
    await expect(k.ping()).resolves.toBeDefined();
  });
});
