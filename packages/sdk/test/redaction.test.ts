import { startMockKard } from '@kardkit/mock-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSensitiveHeader, redactHeaders, redactText, redactUrl } from '../src/core/redact.js';
import { KardClient, signWebhook, verifyWebhook } from '../src/index.js';
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
