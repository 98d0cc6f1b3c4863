import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockKard } from './index.js';
import { type Harness, harness, org, txn } from './test-support.js';

const h: Harness = await harness();
afterAll(() => h.mock.close());
beforeEach(() => {
  h.mock.reset();
});

const send = () => h.call('POST', `${org(h)}/transactions`, { data: [txn(`f-${Math.random()}`)] });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const admin = (method: string, path: string, body?: unknown, authorization?: string) =>
  fetch(`${h.mock.url}/__admin${path}`, {
    method,
    headers: {
      authorization: authorization ?? basic(h.mock.clientId, h.mock.clientSecret),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('fault injection', () => {
  it('a scripted sequence is consumed one step per request: 429 with Retry-After, 500, 503, then normal', async () => {
    h.mock.faults.set({ sequence: [{ status: 429, retryAfter: 2 }, { status: 500 }, { status: 503 }] });
    const a = await send();
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('2');
    expect(a.body.errors[0]).toMatchObject({ status: '429', title: 'Too Many Requests' });
    expect((await send()).status).toBe(500);
    expect((await send()).status).toBe(503);
    expect((await send()).status).toBe(202);
    expect(h.mock.stats().transactions.accepted).toBe(1); // faulted requests never reach the handler
  });

  it('a step can carry its own body and an HTTP-date Retry-After', async () => {
    const date = new Date(Date.now() + 5000).toUTCString();
    h.mock.faults.set({ sequence: [{ status: 429, retryAfter: date, body: { message: 'slow down' } }] });
    const r = await send();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe(date);
    expect(r.body).toEqual({ message: 'slow down' });
  });

  it('a step can answer with a raw body, or none, and no content type', async () => {
    h.mock.faults.set({
      sequence: [
        { status: 409, raw: '' },
        { status: 400, raw: 'not json' },
      ],
    });
    const empty = await send();
    expect([empty.status, empty.body, empty.headers.get('content-type')]).toEqual([409, undefined, null]);
    const text = await send();
    expect([text.status, text.body, text.headers.get('content-type')]).toEqual([400, 'not json', null]);
    const bad = await admin('POST', '/faults', { sequence: [{ status: 409, raw: 42 }] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("a fault step's raw body must be a string");
  });

  it('a seeded random rate is reproducible', async () => {
    const run = async () => {
      h.mock.faults.set({ rate: 0.5, step: { status: 503 }, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await send()).status);
      return out;
    };
    const first = await run();
    const second = await run();
    expect(first).toEqual(second);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 202).length).toBeGreaterThan(3);
  });

  it('rate 1 faults everything and rate 0 nothing', async () => {
    h.mock.faults.set({ rate: 1 });
    expect((await send()).status).toBe(503);
    h.mock.faults.set({ rate: 0 });
    expect((await send()).status).toBe(202);
  });

  it('adds latency to matching requests (lower bound only)', async () => {
    h.mock.faults.set({ latencyMs: 200 });
    const t0 = performance.now();
    const r = await send();
    expect(r.status).toBe(202);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    h.mock.faults.set({ sequence: [{ latencyMs: 150 }] });
    const t1 = performance.now();
    expect((await send()).status).toBe(202);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(140);
  });

  it('drops the connection after reading the body', async () => {
    h.mock.faults.set({ sequence: [{ drop: true }] });
    await expect(send()).rejects.toThrow();
    expect((await send()).status).toBe(202);
    const dropped = h.mock.requests.find((r) => r.status === 0);
    expect(dropped?.body).toMatchObject({ data: [expect.any(Object)] }); // the body was read first
  });

  it('by default the token endpoint is not faulted; match can target it', async () => {
    h.mock.faults.set({ rate: 1, step: { status: 500 } });
    const tok = await h.call('POST', '/v2/auth/token', {
      client_id: h.mock.clientId,
      client_secret: h.mock.clientSecret,
    });
    expect(tok.status).toBe(200);
    h.mock.faults.set({ sequence: [{ status: 503 }], match: '/v2/auth/token' });
    expect((await send()).status).toBe(202); // not matched
    const t2 = await h.call('POST', '/v2/auth/token', {
      client_id: h.mock.clientId,
      client_secret: h.mock.clientSecret,
    });
    expect(t2.status).toBe(503);
  });

  it('match limits faults to paths containing the string', async () => {
    h.mock.faults.set({ rate: 1, step: { status: 500 }, match: '/offers' });
    expect((await send()).status).toBe(202);
    expect((await h.call('GET', `${org(h)}/users/u/offers`)).status).toBe(500);
  });

  it('faults.clear() restores normal service', async () => {
    h.mock.faults.set({ rate: 1 });
    h.mock.faults.clear();
    expect((await send()).status).toBe(202);
  });

  it('rejects invalid fault configs', () => {
    expect(() => h.mock.faults.set({ rate: 2 })).toThrow(/rate/);
    expect(() => h.mock.faults.set({ sequence: [{} as never] })).toThrow();
  });

  it('faults from options apply from the start', async () => {
    const m = await startMockKard({ faults: { sequence: [{ status: 500 }] } });
    try {
      const r = await fetch(`${m.url}/v2/ping`);
      expect(r.status).toBe(500);
      expect((await fetch(`${m.url}/v2/ping`)).status).toBe(200);
    } finally {
      await m.close();
    }
  });
});

describe('admin endpoints need the sandbox credentials', () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/faults', { rate: 1 }],
    ['DELETE', '/faults'],
    ['POST', '/tokens/expire'],
    ['GET', '/stats'],
    ['POST', '/reset'],
    ['GET', '/requests'],
    ['GET', '/nope'],
  ];
  const denied = (r: Response) => ({ status: r.status, www: r.headers.get('www-authenticate') });

  it.each(routes)(
    '%s /__admin%s answers 401 without credentials, with a wrong secret, a bearer token or a malformed header',
    async (method, path, body) => {
      for (const authorization of [
        '',
        basic(h.mock.clientId, 'wrong-secret'),
        basic('wrong-id', h.mock.clientSecret),
        basic(h.mock.clientId, `${h.mock.clientSecret}x`),
        `Basic ${Buffer.from(`${h.mock.clientId}${h.mock.clientSecret}`).toString('base64')}`,
        `Bearer ${h.token}`,
        `Basic`,
      ]) {
        const r = await admin(method, path, body, authorization);
        expect(denied(r)).toEqual({ status: 401, www: 'Basic realm="kard sandbox", charset="UTF-8"' });
        expect(await r.json()).toEqual({
          errors: [
            {
              status: '401',
              title: 'Unauthorized',
              detail: "the admin endpoints need HTTP Basic with the sandbox's client id and secret",
            },
          ],
        });
      }
      // Nothing changed: no fault set, the token still works, nothing reset.
      expect((await send()).status).toBe(202);
      expect(h.mock.stats().transactions.accepted).toBe(1);
    },
  );

  it('the scheme name is case-insensitive and the secret never appears in the answer', async () => {
    const r = await admin(
      'GET',
      '/stats',
      undefined,
      `basic ${basic(h.mock.clientId, h.mock.clientSecret).slice(6)}`,
    );
    expect(r.status).toBe(200);
    const bad = await admin('GET', '/stats', undefined, basic(h.mock.clientId, 'not-it'));
    expect(await bad.text()).not.toContain(h.mock.clientSecret);
  });

  it('the dashboard and the admin endpoints accept the same credentials', async () => {
    const auth = basic(h.mock.clientId, h.mock.clientSecret);
    const page = await fetch(`${h.mock.url}/`, { headers: { authorization: auth } });
    expect(page.status).toBe(200);
    expect((await admin('GET', '/stats', undefined, auth)).status).toBe(200);
  });
});

describe('admin endpoints (never faulted)', () => {
  it('POST/DELETE /__admin/faults', async () => {
    expect((await admin('POST', '/faults', { sequence: [{ status: 503 }] })).status).toBe(200);
    expect((await send()).status).toBe(503);
    expect((await admin('POST', '/faults', { rate: 1 })).status).toBe(200);
    expect((await admin('GET', '/stats')).status).toBe(200); // admin routes stay reachable
    expect((await admin('DELETE', '/faults')).status).toBe(200);
    expect((await send()).status).toBe(202);
    expect((await admin('POST', '/faults', { rate: 'x' })).status).toBe(400);
    // every write answers {ok: true}; a trailing slash names the same route; a body that is not JSON is named
    for (const [m, p, b] of [
      ['POST', '/faults/', { rate: 0 }],
      ['DELETE', '/faults'],
      ['POST', '/reset'],
    ] as const) {
      const r = await admin(m, p, b);
      expect([r.status, await r.json()]).toEqual([200, { ok: true }]);
    }
    const bad = await fetch(`${h.mock.url}/__admin/faults`, {
      method: 'POST',
      headers: {
        authorization: basic(h.mock.clientId, h.mock.clientSecret),
        'content-type': 'application/json',
      },
      body: '{not json',
    });
    expect([bad.status, (await bad.json()).errors[0].detail]).toEqual([
      400,
      'request body is not valid JSON',
    ]);
  });

  it('an unknown admin route is a 404 naming it', async () => {
    const r = await admin('GET', '/nope');
    expect([r.status, (await r.json()).errors[0].detail]).toEqual([
      404,
      'no such admin route: GET /__admin/nope',
    ]);
  });

  it('POST /__admin/tokens/expire makes the current token fail with 401', async () => {
    expect((await send()).status).toBe(202);
    const expired = await admin('POST', '/tokens/expire');
    expect([expired.status, await expired.json()]).toEqual([200, { ok: true }]);
    const r = await send();
    expect(r.status).toBe(401);
    h.token = (
      await h.call('POST', '/v2/auth/token', {
        client_id: h.mock.clientId,
        client_secret: h.mock.clientSecret,
      })
    ).body.access_token;
    expect((await send()).status).toBe(202);
  });

  it('GET /__admin/stats, GET /__admin/requests (redacted) and POST /__admin/reset', async () => {
    await send();
    const stats = await (await admin('GET', '/stats')).json();
    expect(stats.transactions.accepted).toBe(1);
    const reqs = await (await admin('GET', '/requests')).json();
    expect(reqs.data.at(-1)).toMatchObject({
      method: 'POST',
      status: 202,
      headers: { authorization: '[REDACTED]' },
    });
    expect(JSON.stringify(reqs)).not.toContain(h.token);
    expect((await admin('POST', '/reset')).status).toBe(200);
    expect((await (await admin('GET', '/stats')).json()).transactions.accepted).toBe(0);
    expect(h.mock.requests).toHaveLength(0);
    expect((await admin('GET', '/nope')).status).toBe(404);
  });

  it('bounds recorded requests to maxRecordedRequests', async () => {
    const m = await startMockKard({ maxRecordedRequests: 5 });
    try {
      for (let i = 0; i < 30; i++) await fetch(`${m.url}/v2/ping`);
      expect(m.requests).toHaveLength(5);
      expect(m.requests.every((r) => r.path === '/v2/ping')).toBe(true);
    } finally {
      await m.close();
    }
  });

  it('the request log option gets redacted lines (no query strings, no tokens)', async () => {
    const lines: string[] = [];
    const m = await startMockKard({ log: (l) => lines.push(l) });
    try {
      await fetch(`${m.url}/v2/ping?token=supersecret`);
      expect(lines[0]).toMatch(/^GET \/v2\/ping 200/);
      expect(lines.join('\n')).not.toContain('supersecret');
    } finally {
      await m.close();
    }
  });
});

describe('faults on upload URLs', () => {
  it('are off by default and apply when match names /__uploads', async () => {
    const mk = async () =>
      (
        await h.call('POST', `${org(h)}/transactions/uploads`, {
          data: [{ type: 'incomingTransactionsFile', attributes: { filename: 'a.jsonl' } }],
        })
      ).body;
    const first = (await mk()).data[0].attributes.url as string;
    h.mock.faults.set({ rate: 1, step: { status: 500 } });
    expect((await fetch(first, { method: 'PUT', body: `${JSON.stringify(txn('up-1'))}\n` })).status).toBe(
      200,
    );
    h.mock.faults.clear();
    const second = (await mk()).data[0].attributes.url as string;
    h.mock.faults.set({ sequence: [{ status: 503, retryAfter: 1 }], match: '/__uploads' });
    const r = await fetch(second, { method: 'PUT', body: `${JSON.stringify(txn('up-2'))}\n` });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect((await fetch(second, { method: 'PUT', body: `${JSON.stringify(txn('up-2'))}\n` })).status).toBe(
      200,
    );
    expect(h.mock.eventCount('up-2')).toBe(1);
  });
});
