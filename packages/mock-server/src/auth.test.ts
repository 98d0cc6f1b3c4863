import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockKard } from './index.js';
import { conformance, getToken, type Harness, harness, org } from './test-support.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ clientId: 'cid', clientSecret: 'shh-secret' });
});
afterAll(() => h.mock.close());

const tokenUrl = () => `${h.mock.url}/v2/auth/token`;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
/** The Auth API v2 style: HTTP Basic credentials and a form body. */
const formToken = (authorization: string, grantType = 'client_credentials') =>
  fetch(tokenUrl(), {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=${grantType}`,
  });

describe('POST /v2/auth/token (openapi/kard.yaml auth.getToken)', () => {
  it('issues a token for HTTP Basic + form grant_type=client_credentials', async () => {
    const res = await formToken(basic('cid', 'shh-secret'));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ access_token: expect.any(String), expires_in: 3600, token_type: 'Bearer' });
    expect(conformance('POST', '/v2/auth/token', 200, body)).toEqual([]);
    const ping = await fetch(`${h.base}/subscriptions`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(ping.status).toBe(200);
  });

  it('issues a token for the SDK-style JSON {client_id, client_secret}', async () => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'cid', client_secret: 'shh-secret' }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(typeof body.access_token).toBe('string');
    expect(body.access_token.length).toBeGreaterThan(30);
  });

  it('issues a different random token each time', async () => {
    const a = await h.call('POST', '/v2/auth/token', { client_id: 'cid', client_secret: 'shh-secret' });
    const b = await h.call('POST', '/v2/auth/token', { client_id: 'cid', client_secret: 'shh-secret' });
    expect(a.body.access_token).not.toBe(b.body.access_token);
  });

  it('answers 401 on bad credentials (both styles) without echoing the secret', async () => {
    const a = await formToken(basic('cid', 'wrong'));
    expect(a.status).toBe(401);
    const b = await h.call('POST', '/v2/auth/token', { client_id: 'nope', client_secret: 'shh-secret' });
    expect(b.status).toBe(401);
    expect(b.body.errors[0].status).toBe('401');
    expect(b.text).not.toContain('shh-secret');
  });

  it('answers 400 on a bad grant_type and on missing credentials', async () => {
    const a = await formToken(basic('cid', 'shh-secret'), 'password');
    expect(a.status).toBe(400);
    expect((await a.json()).error).toBe('unsupported_grant_type');
    const b = await h.call('POST', '/v2/auth/token', { client_id: 'cid' });
    expect(b.status).toBe(400);
    expect(b.body.errors[0]).toMatchObject({
      status: '400',
      title: expect.any(String),
      detail: expect.any(String),
    });
  });

  it('answers 400, never 500, to a JSON body that is not an object or whose credentials are not strings', async () => {
    for (const body of [
      'null',
      '"cid:shh-secret"',
      '[]',
      '42',
      '{"client_id":"cid","client_secret":12345}',
      '{"client_id":["cid"],"client_secret":"shh-secret"}',
    ]) {
      const res = await fetch(tokenUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect([res.status, (await res.json()).error], body).toEqual([400, 'invalid_request']);
    }
  });

  it('counts token requests in stats()', async () => {
    expect(h.mock.stats().tokenRequests).toBeGreaterThanOrEqual(7);
  });
});

describe('bearer tokens', () => {
  it('401 with a JSON:API body for missing, unknown and malformed tokens on every non-ping route', async () => {
    const routes: [string, string][] = [
      ['POST', `${org(h)}/transactions`],
      ['GET', `${org(h)}/users/u1/offers`],
      ['GET', '/v2/issuer'],
      ['GET', `${org(h)}/notifications`],
      ['POST', `${org(h)}/users`],
    ];
    for (const [method, path] of routes) {
      for (const auth of [undefined, 'Bearer not-a-real-token', 'Token abc']) {
        const res = await fetch(`${h.mock.url}${path}`, {
          method,
          headers: auth ? { authorization: auth } : {},
          ...(method === 'POST' ? { body: '{"data":[]}' } : {}),
        });
        expect(res.status, `${method} ${path} ${auth}`).toBe(401);
        expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        const body = await res.json();
        expect(body.errors[0]).toMatchObject({
          status: '401',
          title: 'Unauthorized',
          detail:
            auth === 'Bearer not-a-real-token' ? 'unknown or revoked access token' : 'missing bearer token',
        });
      }
    }
  });

  it('legacy /transactions/incoming answers 401 {message}', async () => {
    const res = await fetch(`${h.mock.url}/transactions/incoming`, { method: 'POST', body: '[]' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: expect.any(String) });
  });

  it('ping needs no token (GET /v2/ping)', async () => {
    const res = await fetch(`${h.mock.url}/v2/ping`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ message: expect.any(String), status: 'OK', timestamp: expect.any(String) });
    expect(conformance('GET', '/v2/ping', 200, body)).toEqual([]);
  });

  it('expireTokens() invalidates every issued token; a new one works', async () => {
    const mock = await startMockKard();
    try {
      const token = await getToken(mock);
      const url = `${mock.url}/v2/issuers/${mock.organizationId}/subscriptions`;
      const get = (t: string) => fetch(url, { headers: { authorization: `Bearer ${t}` } });
      expect((await get(token)).status).toBe(200);
      mock.expireTokens();
      const res = await get(token);
      expect(res.status).toBe(401);
      expect((await res.json()).errors[0].detail).not.toContain(token);
      expect((await get(await getToken(mock))).status).toBe(200);
    } finally {
      await mock.close();
    }
  });

  it('tokens expire after tokenTtlSeconds (expires_in reflects it), measured on the `now` clock', async () => {
    let now = 1_800_000_000_000;
    const short = await harness({ tokenTtlSeconds: 60, now: () => now });
    try {
      const t = await short.call('POST', '/v2/auth/token', {
        client_id: short.mock.clientId,
        client_secret: short.mock.clientSecret,
      });
      expect(t.body.expires_in).toBe(60);
      short.token = t.body.access_token;
      expect((await short.call('GET', '/v2/issuer')).status).toBe(200);
      now += 59_999;
      expect((await short.call('GET', '/v2/issuer')).status).toBe(200);
      now += 1;
      const res = await short.call('GET', '/v2/issuer');
      expect(res.status).toBe(401);
      expect(res.body.errors[0].detail).toMatch(/expired/);
      // still expired (the token is forgotten) when the clock is set back
      now -= 60_000;
      expect((await short.call('GET', '/v2/issuer')).body.errors[0].detail).toMatch(/unknown or revoked/);
    } finally {
      await short.mock.close();
    }
  });

  it('tokenTtlSeconds defaults to an hour', async () => {
    let now = 1_800_000_000_000;
    const plain = await harness({ now: () => now });
    try {
      const t = await plain.call('POST', '/v2/auth/token', {
        client_id: plain.mock.clientId,
        client_secret: plain.mock.clientSecret,
      });
      expect(t.body.expires_in).toBe(3600);
      plain.token = t.body.access_token;
      now += 3_599_999;
      expect((await plain.call('GET', '/v2/issuer')).status).toBe(200);
      now += 1;
      expect((await plain.call('GET', '/v2/issuer')).status).toBe(401);
    } finally {
      await plain.mock.close();
    }
  });

  it('another organization id in the path: 403 where openapi/kard.yaml documents it, else 401', async () => {
    const res = await h.call('GET', '/v2/issuers/someone-else/subscriptions');
    expect(res.status).toBe(401); // subscriptions.list documents no 403
    expect(res.body.errors[0]).toMatchObject({ status: '401', source: { parameter: 'organizationId' } });
    const org403 = await h.call('GET', '/v2/issuers/someone-else/contentStrategies');
    expect(org403.status).toBe(403);
    expect(org403.body.errors[0]).toMatchObject({ status: '403', source: { parameter: 'organizationId' } });
    expect((await h.call('POST', '/v2/issuers/someone-else/transactions/uploads', {})).status).toBe(403);
    expect((await h.call('GET', '/v2/issuers/someone-else/users/u1/placements/p/content')).status).toBe(401);
  });

  it('unknown routes are 404 and wrong methods 405, both JSON:API', async () => {
    expect((await h.call('GET', '/v2/nothing-here')).status).toBe(404);
    const r = await h.call('DELETE', `${org(h)}/transactions`);
    expect(r.status).toBe(405);
    expect(r.body.errors[0].status).toBe('405');
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(new URL(h.mock.url).hostname).toBe('127.0.0.1');
    await expect(startMockKard({ host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1/);
  });
});
