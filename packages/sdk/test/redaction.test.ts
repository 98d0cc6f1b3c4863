import { startMockKard } from '@kardkit/mock-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSensitiveHeader, redactHeaders, redactText, redactUrl } from '../src/core/redact.js';
import {
  KardBadRequestError,
  KardClient,
  KardConflictError,
  KardUnauthorizedError,
  signWebhook,
  verifyWebhook,
} from '../src/index.js';
import { captureLogger, mockConnection, txn } from './support.js';

describe('redaction: nothing secret in any log line or error message', () => {
  it('tokens, client secrets, webhook keys, Authorization headers and presigned URL signatures never leak', async () => {
    const mock = await startMockKard({ port: 0, uploadUrlTtlSeconds: 60 });
    const cap = captureLogger();
    const messages: string[] = [];
    const keep = (e: unknown) => {
      messages.push(String((e as Error).message), JSON.stringify((e as { body?: unknown }).body ?? ''));
    };
    const tokens = new Set<string>();
    const urls: string[] = [];
    // A pass-through fetch that only records the URLs, to learn the presigned signatures.
    const recordingFetch: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    try {
      const kard = new KardClient({ ...mockConnection(mock), logger: cap.logger, fetch: recordingFetch });
      const currentToken = () =>
        (kard as unknown as { transport: { config: { tokens: { current?: string } } } }).transport.config
          .tokens.current;
      await kard.transactions.create([txn()]);
      tokens.add(currentToken()!);
      mock.expireTokens();
      await kard.transactions.create([txn()]);
      tokens.add(currentToken()!);
      mock.faults.set({
        sequence: [{ status: 503 }, { status: 500 }, { drop: true }],
        match: '/transactions',
      });
      await kard.transactions.create([txn()], { maxRetries: 1 }).catch(keep);
      mock.faults.clear();
      await kard.transactions.create([txn({ amount: 'x' })], { validate: false }).catch(keep);
      await kard.users.get('ghost').catch(keep);
      await kard.transactions.uploadFile([txn()], { filename: 'a.jsonl.gz' });
      const bad = new KardClient({
        baseUrl: mock.url,
        organizationId: mock.organizationId,
        clientId: mock.clientId,
        clientSecret: 'a-wrong-but-secret-value',
        logger: cap.logger,
      });
      await bad.ping();
      await bad.subscriptions.list().catch(keep);
      const stat = new KardClient({
        baseUrl: mock.url,
        organizationId: mock.organizationId,
        token: 'static-secret-token-xyz',
        logger: cap.logger,
      });
      await stat.subscriptions.list().catch(keep);
      const expired = await startMockKard({ port: 0, uploadUrlTtlSeconds: 0 });
      try {
        const k3 = new KardClient({ ...mockConnection(expired), logger: cap.logger, fetch: recordingFetch });
        await k3.transactions.uploadFile([txn()]).catch(keep);
      } finally {
        await expired.close();
      }
      const hookSecret = 'webhook-key-should-not-leak';
      const raw = JSON.stringify({ data: { type: 'x' } });
      await verifyWebhook({
        rawBody: raw,
        signature: await signWebhook(raw, 'other'),
        secret: hookSecret,
      }).catch(keep);

      const signatures = urls
        .map((u) => new URL(u).searchParams.get('X-Amz-Signature'))
        .filter((s): s is string => !!s);
      expect(signatures.length).toBeGreaterThan(0);
      const secrets = [
        mock.clientSecret,
        'a-wrong-but-secret-value',
        'static-secret-token-xyz',
        hookSecret,
        ...tokens,
        ...signatures,
      ];
      expect(cap.lines.length).toBeGreaterThan(10);
      expect(messages.length).toBeGreaterThan(5);
      for (const text of [...cap.lines, ...messages]) {
        for (const s of secrets) expect(text).not.toContain(s);
        expect(text).not.toMatch(/Bearer (?!\[REDACTED\])\S/);
        expect(text).not.toMatch(/X-Amz-[A-Za-z-]+=(?!\[REDACTED\])/i);
      }
      // The logs did carry the interesting, non-secret facts.
      expect(cap.lines.some((l) => l.includes('"authorization":"[REDACTED]"'))).toBe(true);
      expect(cap.lines.some((l) => l.includes('X-Amz-Signature=[REDACTED]'))).toBe(true);
    } finally {
      await mock.close();
    }
  });

  it('logging is off by default (no logger → nothing printed)', async () => {
    const mock = await startMockKard({ port: 0 });
    const spies = ['log', 'debug', 'info', 'warn', 'error'] as const;
    const calls: unknown[] = [];
    const originals = spies.map((k) => console[k]);
    spies.forEach((k) => {
      console[k] = (...a: unknown[]) => calls.push(a);
    });
    try {
      const kard = new KardClient(mockConnection(mock));
      await kard.transactions.create([txn()]);
      await kard.users.get('ghost').catch(() => {});
    } finally {
      spies.forEach((k, i) => {
        console[k] = originals[i]!;
      });
      await mock.close();
    }
    expect(calls).toEqual([]);
  });
});

describe('redaction helpers (unit and property)', () => {
  it('redacts the official header list case-insensitively, plus notify-signature', () => {
    const h = redactHeaders({
      Authorization: 'Bearer abc',
      'X-API-KEY': 'k',
      Cookie: 'c',
      'x-auth-token': 't',
      'Proxy-Authorization': 'p',
      'X-CSRF-Token': 'x',
      'WWW-Authenticate': 'w',
      'X-Session-Token': 's',
      'Set-Cookie': 'sc',
      'notify-signature': 'sig',
      'content-type': 'application/json',
      author: 'Jane',
    });
    expect(
      Object.entries(h)
        .filter(([, v]) => v !== '[REDACTED]')
        .map(([k]) => k),
    ).toEqual(['content-type', 'author']);
  });

  it('redacts presigned URL parameters, sensitive query keys and userinfo, keeping the rest', () => {
    const url =
      'https://user:pw@bucket.s3.amazonaws.com/k/f.jsonl?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef&X-Amz-Security-Token=tok&page%5Bsize%5D=2&api%5Fkey=k1&author=me#frag';
    const out = redactUrl(url);
    expect(out).toBe(
      'https://[REDACTED]@bucket.s3.amazonaws.com/k/f.jsonl?X-Amz-Algorithm=[REDACTED]&X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Security-Token=[REDACTED]&page%5Bsize%5D=2&api%5Fkey=[REDACTED]&author=me#frag',
    );
  });

  it('property: a value under any sensitive query key never survives redactUrl', () => {
    const keys = [
      'token',
      'access_token',
      'X-Amz-Signature',
      'x-amz-credential',
      'SECRET',
      'client_secret',
      'password',
      'api-key',
      'session_id',
      'key',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.stringMatching(/^[A-Za-z0-9%._~-]{6,40}$/),
        fc.boolean(),
        (key, value, first) => {
          const q = first ? `?${key}=${value}&a=1` : `?a=1&${key}=${value}`;
          expect(redactUrl(`https://h.example/p${q}`)).not.toContain(`=${value}`);
        },
      ),
    );
  });

  it('property: bearer tokens and known secrets never survive redactText', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,60}$/), fc.string(), (token, noise) => {
        const text = `${noise} Authorization: Bearer ${token} ${noise} {"client_secret":"${token}"}`;
        const out = redactText(text, [token]);
        expect(out).not.toContain(token);
      }),
    );
  });

  it('isSensitiveHeader does not flag ordinary headers', () => {
    for (const h of ['content-type', 'accept', 'x-request-id', 'retry-after', 'author'])
      expect(isSensitiveHeader(h)).toBe(false);
  });
});

describe('secrets a server echoes in an error body are scrubbed from the error', () => {
  it('the bearer token, the client secret (even with quotes and backslashes) and a static token never reach err.message, err.errors or err.body', async () => {
    const clientSecret = 'cs-"quoted"\\back\\slash-0123';
    const mock = await startMockKard({ port: 0, clientSecret });
    try {
      const kard = new KardClient(mockConnection(mock));
      await kard.subscriptions.list();
      const token = (kard as unknown as { transport: { config: { tokens: { current: string } } } }).transport
        .config.tokens.current;
      expect(token.length).toBeGreaterThan(8);
      const echo = {
        errors: [
          {
            status: '400',
            title: `Bad token ${token}`,
            detail: `you sent ${clientSecret} with Authorization: Bearer ${token}`,
            source: { pointer: '/data/0', header: `Bearer ${token}` },
            meta: { client_secret: clientSecret, access_token: token, nested: [{ echo: `x${token}x` }] },
          },
        ],
      };
      mock.faults.set({ sequence: [{ status: 400, body: echo }], match: '/subscriptions' });
      const err = await kard.subscriptions.list().catch((e) => e);
      expect(err).toBeInstanceOf(KardBadRequestError);
      const everything = [err.message, JSON.stringify(err.errors), JSON.stringify(err.body), String(err)];
      for (const text of everything) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(clientSecret);
        expect(text).not.toContain('cs-"quoted"');
        expect(text).not.toContain(JSON.stringify(clientSecret).slice(1, -1)); // its JSON spelling too
      }
      // The rest of the body is kept, with the secrets replaced in place.
      expect(err.body).toEqual({
        errors: [
          {
            status: '400',
            title: 'Bad token [REDACTED]',
            detail: 'you sent [REDACTED] with Authorization: Bearer [REDACTED]',
            source: { pointer: '/data/0', header: 'Bearer [REDACTED]' },
            meta: {
              client_secret: '[REDACTED]',
              access_token: '[REDACTED]',
              nested: [{ echo: 'x[REDACTED]x' }],
            },
          },
        ],
      });
      expect(err.message).toBe(
        `Kard API 400 on GET /v2/issuers/${mock.organizationId}/subscriptions: Bad token [REDACTED]: you sent [REDACTED] with Authorization: Bearer [REDACTED] [request ${err.requestId}]`,
      );

      const stat = new KardClient({
        baseUrl: mock.url,
        organizationId: mock.organizationId,
        token: 'static-tok-987',
      });
      mock.faults.set({
        sequence: [{ status: 401, body: 'token static-tok-987 is not valid' }],
        match: '/subscriptions',
      });
      const err2 = await stat.subscriptions.list().catch((e) => e);
      expect(err2).toBeInstanceOf(KardUnauthorizedError);
      expect(err2.body).toBe('token [REDACTED] is not valid');
      expect(err2.message).not.toContain('static-tok-987');
    } finally {
      await mock.close();
    }
  });

  it('a body with nothing secret is kept as sent (numbers, booleans, null)', async () => {
    const mock = await startMockKard({ port: 0 });
    try {
      const kard = new KardClient(mockConnection(mock));
      const body = {
        errors: [{ status: '409', title: 'Conflict', detail: 'busy', meta: { n: 3, ok: false, x: null } }],
      };
      mock.faults.set({ sequence: [{ status: 409, body }], match: '/subscriptions' });
      const err = await kard.subscriptions.list().catch((e) => e);
      expect(err).toBeInstanceOf(KardConflictError);
      expect(err.body).toEqual(body);
      expect(err.errors).toEqual(body.errors);
    } finally {
      await mock.close();
    }
  });
});

describe('redactUrl and redactHeaders edge cases', () => {
  it('every URL in a text loses its userinfo; a malformed percent-encoded key is kept as it is', () => {
    expect(redactUrl('from http://a:b@h1/x to https://c@h2/y?token=t')).toBe(
      'from http://[REDACTED]@h1/x to https://[REDACTED]@h2/y?token=[REDACTED]',
    );
    expect(redactUrl('https://h/p?%E0%A4%A=1&x%20y=2&password=p')).toBe(
      'https://h/p?%E0%A4%A=1&x%20y=2&password=[REDACTED]',
    );
    expect(redactUrl('mailto:someone@example.com')).toBe('mailto:someone@example.com');
  });

  it('redactHeaders reads a Headers object, a record, or nothing', () => {
    expect(redactHeaders(new Headers({ Authorization: 'Bearer x', 'X-Request-Id': 'r1' }))).toEqual({
      authorization: '[REDACTED]',
      'x-request-id': 'r1',
    });
    expect(redactHeaders({ Cookie: 'c', Accept: 'a' })).toEqual({ Cookie: '[REDACTED]', Accept: 'a' });
    expect(redactHeaders(undefined)).toEqual({});
  });
});

describe('redactText patterns, each on its own (no known secrets given)', () => {
  it('Bearer and Basic credentials, whatever the case', () => {
    expect(redactText('Authorization: Bearer abc.DEF-ghi_jk~l+m/n=')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
    expect(redactText('got bearer xyz123 twice: Bearer q')).toBe(
      'got bearer [REDACTED] twice: Bearer [REDACTED]',
    );
    expect(redactText('Basic dXNlcjpwYXNz')).toBe('Basic [REDACTED]');
    expect(redactText('Bearer   spaced.token')).toBe('Bearer [REDACTED]');
    expect(redactText('a Bearer-less text')).toBe('a Bearer-less text');
  });

  it('JSON secret fields', () => {
    expect(
      redactText(
        '{"access_token":"t1","client_secret" : "s1","token":"t2","secret":"s2","password":"p","id":"keep"}',
      ),
    ).toBe(
      '{"access_token":"[REDACTED]","client_secret" : "[REDACTED]","token":"[REDACTED]","secret":"[REDACTED]","password":"[REDACTED]","id":"keep"}',
    );
  });

  it('URLs inside text, and known secrets only when longer than 3 characters', () => {
    expect(redactText('see https://h.example/p?token=abc&x=1')).toBe(
      'see https://h.example/p?token=[REDACTED]&x=1',
    );
    expect(redactText('abc and abcd', ['abc', 'abcd', undefined, ''])).toBe('abc and [REDACTED]');
  });
});
