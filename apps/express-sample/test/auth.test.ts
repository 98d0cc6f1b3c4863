import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startMockKard } from '@kardkit/mock-server';
import { signWebhook } from '@kardkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, hashKey, keyMatches, parseApiKeys } from '../src/auth.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { startSample } from '../src/sample.js';
import {
  AUTH,
  type Harness,
  type Loose,
  logSink,
  sampleConfig,
  startHarness,
  TEST_API_KEY,
  txEvent,
} from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const WRONG_KEY = 'wrong-key-fedcba9876543210';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Loose;
}

/** One HTTP request, optionally from another loopback address (127.0.0.2 is another client). */
function call(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
  localAddress?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ...(localAddress ? { localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as Loose });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const event = txEvent('evt-auth-1', { userId: 'auth-user', transactionId: 'txn-auth-1' });
/** Every route that changes or reveals data, with a body that would succeed with a key. */
const PROTECTED: { method: string; path: string; body?: unknown }[] = [
  { method: 'POST', path: '/transactions', body: event },
  { method: 'POST', path: '/users', body: { id: 'auth-user', email: 'a@example.com' } },
  { method: 'GET', path: '/users/auth-user/offers' },
  { method: 'GET', path: '/users/auth-user/rewards' },
  { method: 'GET', path: '/outbox/stats' },
  { method: 'GET', path: '/outbox/evt-auth-1' },
  { method: 'GET', path: '/no-such-route' },
];

describe('API keys on every route but health and webhooks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      forwarder: { enabled: false },
      auth: { mode: 'keys', keyHashes: [hashKey(TEST_API_KEY)], maxFailures: 1000 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const send = (r: (typeof PROTECTED)[number], headers: Record<string, string>) =>
    call(
      `${h.sample.url}${r.path}`,
      r.method,
      r.body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      r.body === undefined ? undefined : JSON.stringify(r.body),
    );

  it.each(PROTECTED)(
    '$method $path: 401 without a key and with a wrong one (JSON:API error, WWW-Authenticate: Bearer)',
    async (route) => {
      const missing = await send(route, {});
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="express-sample"$/);
      expect(missing.body).toEqual({
        errors: [expect.objectContaining({ status: '401', code: 'missing_api_key', title: 'Unauthorized' })],
      });
      for (const authorization of [`Bearer ${WRONG_KEY}`, `Basic ${TEST_API_KEY}`, TEST_API_KEY, 'Bearer']) {
        const wrong = await send(route, { authorization });
        expect(wrong.status).toBe(401);
        expect(wrong.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(wrong.body.errors[0].status).toBe('401');
      }
      expect(
        (await send(route, { authorization: `Bearer ${WRONG_KEY}` })).headers['www-authenticate'],
      ).toContain('error="invalid_token"');
    },
  );

  it('nothing was recorded or sent to Kard by the refused requests', async () => {
    const rows = await h.sample.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    expect(rows.rows[0]?.n).toBe(0);
    expect(h.mock.requests.filter((r) => r.path.includes('/users'))).toEqual([]);
  });

  it('the right key opens every route (scheme in any case); health, readiness and signed webhooks need none', async () => {
    for (const route of PROTECTED.filter((r) => r.path !== '/no-such-route')) {
      const res = await send(route, { authorization: `bearer ${TEST_API_KEY}` });
      expect([200, 201, 202]).toContain(res.status);
    }
    expect((await call(`${h.sample.url}/healthz`, 'GET')).status).toBe(200);
    expect((await call(`${h.sample.url}/readyz`, 'GET')).status).toBe(200);
    const body = JSON.stringify({
      data: {
        type: 'earnedRewardApproved',
        id: 'n-auth-1',
        attributes: {
          message: 'm',
          name: 'Bean & Leaf Coffee',
          attributionUrl: 'https://kard.example/a',
          transactionId: 'txn-auth-1',
          transactionAmountInCents: 100,
        },
        relationships: { user: { data: { type: 'user', id: 'auth-user' } } },
      },
    });
    const hook = await call(
      `${h.sample.url}/webhooks/kard`,
      'POST',
      {
        'content-type': 'application/json',
        'notify-signature': await signWebhook(body, h.mock.webhookSecret),
      },
      body,
    );
    expect(hook.status).toBe(200);
  });

  it('never logs a key, right or wrong, and logs each refusal without it', () => {
    const all = h.logs.join('\n');
    expect(all).not.toContain(TEST_API_KEY);
    expect(all).not.toContain(WRONG_KEY);
    expect(all).toContain('request refused: API key');
  });
});

describe('failed authentication is rate-limited per client address', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      forwarder: { enabled: false },
      auth: { mode: 'keys', keyHashes: [hashKey(TEST_API_KEY)], maxFailures: 3 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('after 3 failures an address gets 429 even with the right key; successes never count; another address is unaffected', async () => {
    const url = `${h.sample.url}/outbox/stats`;
    for (let i = 0; i < 5; i++) expect((await call(url, 'GET', AUTH)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      expect((await call(url, 'GET', { authorization: `Bearer ${WRONG_KEY}` })).status).toBe(401);
    }
    const limited = await call(url, 'GET', AUTH);
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0]).toMatchObject({ status: '429', code: 'auth_rate_limited' });
    expect((await call(url, 'GET', { authorization: `Bearer ${WRONG_KEY}` })).status).toBe(429);
    // Health stays open; another client address is not limited.
    expect((await call(`${h.sample.url}/healthz`, 'GET')).status).toBe(200);
    expect((await call(url, 'GET', AUTH, undefined, '127.0.0.2')).status).toBe(200);
  });
});

describe('API key configuration', () => {
  const kard = {
    KARD_CLIENT_ID: 'id',
    KARD_CLIENT_SECRET: 'shh-client',
    KARD_ORGANIZATION_ID: 'org',
    KARD_WEBHOOK_SECRET: 'shh-webhook',
    KARD_ENVIRONMENT: 'sandbox',
  };

  it('refuses to start without keys and says how to set one (or SAMPLE_AUTH=off)', () => {
    try {
      loadConfig(kard);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/SAMPLE_API_KEYS is missing/);
      expect((error as Error).message).toContain('Authorization: Bearer <key>');
      expect((error as Error).message).toContain('SAMPLE_AUTH=off');
    }
    expect(loadConfig({ ...kard, SAMPLE_AUTH: 'off' }).auth).toEqual({ mode: 'off' });
    expect(() => loadConfig({ ...kard, SAMPLE_AUTH: 'maybe' })).toThrow(/SAMPLE_AUTH must be/);
  });

  it('keeps only hashes of the keys; short keys are refused without being quoted', () => {
    const config = loadConfig({ ...kard, SAMPLE_API_KEYS: ` ${TEST_API_KEY} , second-key-0123456789,` });
    expect(config.auth.mode).toBe('keys');
    const hashes = config.auth.mode === 'keys' ? config.auth.keyHashes : [];
    expect(hashes).toHaveLength(2);
    expect(JSON.stringify(config)).not.toContain(TEST_API_KEY);
    expect(keyMatches(hashes, TEST_API_KEY)).toBe(true);
    expect(keyMatches(hashes, 'second-key-0123456789')).toBe(true);
    expect(keyMatches(hashes, `${TEST_API_KEY}x`)).toBe(false);
    expect(keyMatches([], TEST_API_KEY)).toBe(false);
    expect(
      loadConfig({ ...kard, SAMPLE_API_KEYS: TEST_API_KEY, SAMPLE_AUTH_MAX_FAILURES: '7' }).auth,
    ).toMatchObject({
      maxFailures: 7,
    });
    const short = parseApiKeys('tiny-key');
    expect(short.hashes).toEqual([]);
    expect(short.problems.join()).toMatch(/key 1 is shorter than 16/);
    expect(short.problems.join()).not.toContain('tiny-key');
    expect(parseApiKeys('has a space in the key!').problems.join()).toMatch(/printable ASCII/);
    expect(() => loadConfig({ ...kard, SAMPLE_API_KEYS: 'tiny-key' })).toThrow(/shorter than 16/);
  });

  it('reads the bearer token strictly', () => {
    expect(bearerToken(`Bearer ${TEST_API_KEY}`)).toBe(TEST_API_KEY);
    expect(bearerToken(`BEARER  ${TEST_API_KEY} `)).toBe(TEST_API_KEY);
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(`Bearer a b`)).toBeNull();
    expect(bearerToken(`xBearer ${TEST_API_KEY}`)).toBeNull();
  });

  it('SAMPLE_AUTH=off opens the routes and is logged as a warning at start', async () => {
    const mock = await startMockKard();
    const sink = logSink();
    const sample = await startSample(
      { ...sampleConfig(mock), auth: { mode: 'off' }, forwarder: { enabled: false } },
      { logDestination: sink.stream },
    );
    try {
      expect((await call(`${sample.url}/outbox/stats`, 'GET')).status).toBe(200);
      const warning = sink.lines.map((l) => JSON.parse(l)).find((l) => /SAMPLE_AUTH=off/.test(l.msg));
      expect(warning?.level).toBe(40);
    } finally {
      await sample.close();
      await mock.close();
    }
  });

  it('dist/main.js exits 2 without keys, naming SAMPLE_API_KEYS', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ...kard, PGLITE_DATA_DIR: 'memory', PORT: '0' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('SAMPLE_API_KEYS is missing');
  });
});
