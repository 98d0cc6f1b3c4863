import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyMarqetaBasicAuth, verifyMarqetaWebhook, WebhookSignatureError } from '../src/index.js';

// Marqeta's scheme (Signature Verification guide): X-Marqeta-Signature is the lower-case hex
// HMAC of the raw request body under the webhook's `config.secret`, SHA-1 or SHA-256 as the
// webhook's `signature_algorithm` says; every webhook also sends HTTP Basic credentials.
const SECRET = 'whsec-Test-0123456789-abcdef';
const RAW = readFileSync(new URL('./fixtures/marqeta/authorization.json', import.meta.url), 'utf8');
const CREDENTIALS = { username: 'marqeta-hook', password: 'Str0ng#Passw0rd-For-Hooks' };

function sign(body: string | Uint8Array, algorithm: 'sha1' | 'sha256' = 'sha256', secret = SECRET): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** The error a rejected promise gives, to check its type and message. */
async function rejection(p: Promise<unknown>): Promise<WebhookSignatureError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookSignatureError);
  const e = err as WebhookSignatureError;
  expect(e.processor).toBe('marqeta');
  expect(e.message).not.toContain(SECRET);
  expect(e.message).not.toContain(CREDENTIALS.password);
  return e;
}

describe('verifyMarqetaWebhook', () => {
  it('a body signed with HMAC-SHA256 verifies and comes back parsed', async () => {
    const parsed = await verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': sign(RAW) }, SECRET);
    expect(parsed).toEqual(JSON.parse(RAW));
  });

  it('a body signed with HMAC-SHA1 verifies', async () => {
    await expect(
      verifyMarqetaWebhook(RAW, { 'X-Marqeta-Signature': sign(RAW, 'sha1') }, SECRET),
    ).resolves.toEqual(JSON.parse(RAW));
  });

  it('takes a Uint8Array body, fetch Headers, and an upper-case hex signature with spaces around', async () => {
    const bytes = new TextEncoder().encode(RAW);
    const headers = new Headers({ 'X-Marqeta-Signature': ` ${sign(bytes).toUpperCase()} ` });
    await expect(verifyMarqetaWebhook(bytes, headers, SECRET)).resolves.toEqual(JSON.parse(RAW));
  });

  it('signs the raw bytes: a non-ASCII body verifies as sent', async () => {
    const raw = '{"transactions":[{"type":"authorization","card_acceptor":{"name":"Café Øst"}}]}';
    await expect(verifyMarqetaWebhook(raw, { 'x-marqeta-signature': sign(raw) }, SECRET)).resolves.toEqual(
      JSON.parse(raw),
    );
  });

  it('a wrong secret is refused', async () => {
    const e = await rejection(
      verifyMarqetaWebhook(
        RAW,
        { 'x-marqeta-signature': sign(RAW, 'sha256', 'another-secret-0123456789') },
        SECRET,
      ),
    );
    expect(e.message).toBe(
      'marqeta webhook signature: the signature does not match the body (wrong secret, or the body was changed)',
    );
  });

  it('an altered body is refused', async () => {
    const altered = RAW.replace('"amount": 10.1', '"amount": 1.1');
    expect(altered).not.toBe(RAW);
    await rejection(verifyMarqetaWebhook(altered, { 'x-marqeta-signature': sign(RAW) }, SECRET));
    await rejection(verifyMarqetaWebhook(altered, { 'x-marqeta-signature': sign(RAW, 'sha1') }, SECRET));
  });

  it('a missing or empty signature header is refused', async () => {
    expect((await rejection(verifyMarqetaWebhook(RAW, {}, SECRET))).message).toBe(
      'marqeta webhook signature: missing X-Marqeta-Signature header',
    );
    await rejection(verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': '  ' }, SECRET));
    await rejection(verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': undefined }, SECRET));
  });

  it.each([
    ['not hex', 'z'.repeat(64)],
    ['hex of another length', 'ab'.repeat(16)],
    ['a base64 digest', createHmac('sha256', SECRET).update(RAW).digest('base64')],
    ['two signatures', `${sign(RAW)},${sign(RAW)}`],
  ])('a signature that is %s is refused as malformed', async (_what, value) => {
    const e = await rejection(verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': value }, SECRET));
    expect(e.message).toBe(
      'marqeta webhook signature: X-Marqeta-Signature is not a hex HMAC-SHA1 or HMAC-SHA256',
    );
  });

  it('algorithms: ["sha256"] refuses a valid SHA-1 signature and accepts SHA-256', async () => {
    const e = await rejection(
      verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': sign(RAW, 'sha1') }, SECRET, {
        algorithms: ['sha256'],
      }),
    );
    expect(e.message).toBe('marqeta webhook signature: HMAC-SHA1 signatures are not accepted');
    await expect(
      verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': sign(RAW) }, SECRET, { algorithms: ['sha256'] }),
    ).resolves.toBeTruthy();
    await rejection(
      verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': sign(RAW) }, SECRET, { algorithms: ['sha1'] }),
    );
  });

  it('an empty secret is refused before anything else', async () => {
    const e = await rejection(
      verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': sign(RAW, 'sha256', '') }, ''),
    );
    expect(e.message).toBe('marqeta webhook signature: no webhook secret given');
  });

  it('a signed body that is not JSON is refused', async () => {
    const raw = 'not json';
    const e = await rejection(verifyMarqetaWebhook(raw, { 'x-marqeta-signature': sign(raw) }, SECRET));
    expect(e.message).toBe('marqeta webhook signature: the body verifies but is not JSON');
  });

  it('with basicAuth, the Basic credentials are checked too', async () => {
    const headers = {
      'x-marqeta-signature': sign(RAW),
      authorization: basic(CREDENTIALS.username, CREDENTIALS.password),
    };
    await expect(verifyMarqetaWebhook(RAW, headers, SECRET, { basicAuth: CREDENTIALS })).resolves.toEqual(
      JSON.parse(RAW),
    );
    const wrong = { ...headers, authorization: basic(CREDENTIALS.username, 'not-the-password') };
    const e = await rejection(verifyMarqetaWebhook(RAW, wrong, SECRET, { basicAuth: CREDENTIALS }));
    expect(e.message).toBe('marqeta webhook signature: the HTTP Basic credentials do not match');
  });

  it('without basicAuth, the Authorization header is not looked at', async () => {
    await expect(
      verifyMarqetaWebhook(RAW, { 'x-marqeta-signature': sign(RAW), authorization: 'Bearer x' }, SECRET),
    ).resolves.toBeTruthy();
  });
});

describe('verifyMarqetaBasicAuth', () => {
  it('accepts the configured username and password', async () => {
    await expect(
      verifyMarqetaBasicAuth(
        { Authorization: basic(CREDENTIALS.username, CREDENTIALS.password) },
        CREDENTIALS,
      ),
    ).resolves.toBeUndefined();
    await expect(
      verifyMarqetaBasicAuth(
        new Headers({
          authorization: `basic  ${basic(CREDENTIALS.username, CREDENTIALS.password).slice(6)}`,
        }),
        CREDENTIALS,
      ),
    ).resolves.toBeUndefined();
  });

  it.each([
    [
      'another password',
      basic(CREDENTIALS.username, `${CREDENTIALS.password}x`),
      'the HTTP Basic credentials do not match',
    ],
    ['another username', basic('someone', CREDENTIALS.password), 'the HTTP Basic credentials do not match'],
    [
      'the pair swapped',
      basic(CREDENTIALS.password, CREDENTIALS.username),
      'the HTTP Basic credentials do not match',
    ],
    ['no password', basic(CREDENTIALS.username, ''), 'the HTTP Basic credentials do not match'],
    ['a Bearer token', 'Bearer abc', 'the Authorization header is not HTTP Basic'],
    ['Basic without credentials', 'Basic', 'the Authorization header is not HTTP Basic'],
    ['Basic with a non-base64 value', 'Basic a:b', 'the Authorization header is not HTTP Basic'],
    ['nothing', '', 'missing Authorization header (HTTP Basic credentials)'],
  ])('refuses %s', async (_what, value, message) => {
    const e = await rejection(verifyMarqetaBasicAuth({ authorization: value }, CREDENTIALS));
    expect(e.message).toBe(`marqeta webhook signature: ${message}`);
  });

  it('refuses a request without an Authorization header', async () => {
    await rejection(verifyMarqetaBasicAuth({}, CREDENTIALS));
  });
});
