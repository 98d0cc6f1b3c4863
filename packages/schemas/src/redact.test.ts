import { describe, expect, it } from 'vitest';
import {
  isCardDataKey,
  isSecretKey,
  isSensitiveHeader,
  isSensitiveQueryKey,
  REDACTED,
  redactCardNumbers,
  redactHeaders,
  redactText,
  redactUrl,
} from './redact.js';

// Every header name the policy masks (the official SDK's list, notify-signature, x-amz-security-token).
const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'cookie',
  'set-cookie',
  'notify-signature',
  'api-key',
  'apikey',
  'x-api-key',
  'x-apikey',
  'api-token',
  'x-api-token',
  'auth-token',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-session-token',
  'x-access-token',
  'x-amz-security-token',
];
// Close to a sensitive name, but not one.
const PLAIN_HEADERS = [
  'content-type',
  'accept',
  'x-request-id',
  'retry-after',
  'author',
  'authenticate',
  'x-www-authenticate',
  'www-authenticated',
  'x-session-token-ttl',
  'cookies',
  'x-cookie',
  'set-cookies',
  'notify-signature-version',
  'x-notify-signature',
  'x-api-keys',
  'api-keyring',
  'x-auth-tokens',
  'idempotency-key',
  'x-session',
  'x-session-id',
  'x-amz-date',
  'x-csrf',
];

// Every query parameter name the policy masks, and presigned-URL parameters of any name.
const SECRET_QUERY = [
  'X-Amz-Signature',
  'X-Amz-Credential',
  'x-amz-security-token',
  'X-Goog-Signature',
  'x-goog-credential',
  'api_key',
  'api-key',
  'apikey',
  'api_secret',
  'api-secret',
  'apisecret',
  'access_token',
  'access-token',
  'auth_token',
  'auth-token',
  'token',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'key',
  'session',
  'session_id',
  'session-id',
  'signature',
  'sig',
  'credential',
];
const PLAIN_QUERY = [
  'page[size]',
  'filter[state]',
  'x-amz',
  'amz-signature',
  'x-goog',
  'keys',
  'monkey',
  'keyword',
  'tokens',
  'token_type',
  'passwords',
  'secrets',
  'client',
  'client_secrets',
  'sessions',
  'session_key',
  'signed',
  'signatures',
  'sigma',
  'credentials',
  'api',
  'apikeys',
  'access',
  'auth',
];

// JSON field / log keys whose values are secrets (by word, header name or query name).
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'clientSecret',
  'client_secret',
  'webhookSecret',
  'secret',
  'access_token',
  'refreshToken',
  'idToken',
  'password',
  'dbPassword',
  'notify-signature',
  'signature',
  'apiKey',
  'merchantApiKey',
  'stripe_api_key',
  'api_key',
  'api-key',
  'x-api-key',
  'cookie',
  'set-cookie',
  'www-authenticate',
  'X-Amz-Credential',
  'passwd',
  'key',
  'session',
  'sig',
  'credential',
];
const PLAIN_FIELDS = [
  'amount',
  'id',
  'userId',
  'transactionId',
  'description',
  'status',
  'keyword',
  'monkey',
  'sessions',
  'author',
  'merchantName',
  'cardType',
];

const CARD_FIELDS = [
  'cardBIN',
  'cardbin',
  'cardLastFour',
  'cardLastFours',
  'bin',
  'BIN',
  'last4',
  'pan',
  'PAN',
  'cardNumber',
];
const PLAIN_CARD_FIELDS = [
  'binary',
  'cabin',
  'bins',
  'last',
  'last44',
  'panel',
  'span',
  'cardNumbers',
  'cardBINs',
  'mcc',
];

describe('one redaction policy (@kardkit/schemas/redact)', () => {
  it('one mask for every secret', () => {
    expect(REDACTED).toBe('[REDACTED]');
  });

  it('masks every sensitive header name, in any case, and no near miss', () => {
    for (const h of SECRET_HEADERS) {
      expect(isSensitiveHeader(h), h).toBe(true);
      expect(isSensitiveHeader(h.toUpperCase()), h.toUpperCase()).toBe(true);
    }
    for (const h of PLAIN_HEADERS) expect(isSensitiveHeader(h), h).toBe(false);
  });

  it('masks every sensitive query parameter name, raw or percent-encoded, and no near miss', () => {
    for (const q of SECRET_QUERY) {
      expect(isSensitiveQueryKey(q), q).toBe(true);
      expect(isSensitiveQueryKey(q.toUpperCase()), q.toUpperCase()).toBe(true);
      expect(isSensitiveQueryKey(encodeURIComponent(q).replace(/_/g, '%5F')), q).toBe(true);
    }
    for (const q of PLAIN_QUERY) expect(isSensitiveQueryKey(q), q).toBe(false);
    // A name that is not valid percent-encoding is judged as it is written.
    expect(isSensitiveQueryKey('%E0%A4%A')).toBe(false);
    expect(isSensitiveQueryKey('token%')).toBe(false);
  });

  it('masks every secret-looking field or log key, every sensitive header and query name, and no near miss', () => {
    for (const k of [...SECRET_FIELDS, ...SECRET_HEADERS, ...SECRET_QUERY])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of [...PLAIN_FIELDS, ...CARD_FIELDS]) expect(isSecretKey(k), k).toBe(false);
  });

  it('card data keys: BIN, last four and card number, exactly', () => {
    for (const k of CARD_FIELDS) expect(isCardDataKey(k), k).toBe(true);
    for (const k of [...PLAIN_CARD_FIELDS, ...PLAIN_FIELDS]) expect(isCardDataKey(k), k).toBe(false);
  });

  it('card numbers: 13 to 19 digits, grouped by single spaces or dashes, anywhere in a text', () => {
    expect(redactCardNumbers('charged 4111111111111111 ok')).toBe('charged [REDACTED] ok');
    expect(redactCardNumbers('card 4111 1111 1111 1111 used')).toBe('card [REDACTED] used');
    expect(redactCardNumbers('4111-1111-1111-1111')).toBe('[REDACTED]');
    expect(redactCardNumbers('a 4111111111111 b 1234567890123456789 c')).toBe('a [REDACTED] b [REDACTED] c');
    expect(redactCardNumbers('x 4111111111111111 y 5500 0000 0000 0004')).toBe('x [REDACTED] y [REDACTED]');
    // Shorter runs (amounts, BIN-sized ids, 12 digits) and digits split by other characters stay.
    for (const plain of [
      'amount 2599',
      'id 411111',
      '411111111111',
      '4111.1111.1111.1111',
      '4111--1111-1111-1111',
      '',
    ]) {
      expect(redactCardNumbers(plain), plain).toBe(plain);
    }
    // 20 digits: the first 19 are masked.
    expect(redactCardNumbers('12345678901234567890')).toBe('[REDACTED]0');
  });

  it('redactHeaders copies a Headers object or a record with the sensitive values masked, and nothing else', () => {
    const record = Object.fromEntries([...SECRET_HEADERS, ...PLAIN_HEADERS].map((h, i) => [h, `value-${i}`]));
    const out = redactHeaders(record);
    expect(Object.keys(out)).toEqual(Object.keys(record));
    for (const h of SECRET_HEADERS) expect(out[h], h).toBe(REDACTED);
    for (const h of PLAIN_HEADERS) expect(out[h], h).toBe(record[h]);
    expect(redactHeaders(new Headers({ Authorization: 'Bearer x', 'X-Request-Id': 'r1' }))).toEqual({
      authorization: REDACTED,
      'x-request-id': 'r1',
    });
    expect(redactHeaders({ Cookie: 'c', Accept: 'a' })).toEqual({ Cookie: REDACTED, Accept: 'a' });
    expect(redactHeaders(undefined)).toEqual({});
  });

  it('redactUrl masks userinfo and every sensitive query value, keeping path, other parameters and fragment', () => {
    const query = SECRET_QUERY.map((q, i) => `${q}=v${i}`).join('&');
    const out = redactUrl(`https://h.example/p/a?${query}&page%5Bsize%5D=2&author=me#frag`);
    expect(out).toBe(
      `https://h.example/p/a?${SECRET_QUERY.map((q) => `${q}=${REDACTED}`).join('&')}&page%5Bsize%5D=2&author=me#frag`,
    );
    expect(
      redactUrl(
        'https://user:pw@bucket.s3.amazonaws.com/k/f.jsonl?X-Amz-Algorithm=AWS4&X-Amz-Signature=deadbeef&api%5Fkey=k1',
      ),
    ).toBe(
      `https://${REDACTED}@bucket.s3.amazonaws.com/k/f.jsonl?X-Amz-Algorithm=${REDACTED}&X-Amz-Signature=${REDACTED}&api%5Fkey=${REDACTED}`,
    );
    // Every URL of a text; a value may be empty; a fragment's look-alike parameters are masked too.
    expect(redactUrl('from http://a:b@h1/x to postgres://admin:hunter2@db:5432/app?token=&x=1')).toBe(
      `from http://${REDACTED}@h1/x to postgres://${REDACTED}@db:5432/app?token=${REDACTED}&x=1`,
    );
    expect(redactUrl('https://h/p?%E0%A4%A=1&x%20y=2&password=p')).toBe(
      `https://h/p?%E0%A4%A=1&x%20y=2&password=${REDACTED}`,
    );
    for (const plain of [
      'mailto:someone@example.com',
      'https://h.example/p?page%5Bsize%5D=2#x',
      'no url here',
    ]) {
      expect(redactUrl(plain), plain).toBe(plain);
    }
  });

  it('redactText masks Bearer and Basic credentials, JSON secret fields, URLs and every known secret', () => {
    expect(redactText('Authorization: Bearer eyJhbGciOi.payload.sig-_~+/=')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expect(redactText('authorization: basic dXNlcjpwdw== next')).toBe(
      `authorization: basic ${REDACTED} next`,
    );
    expect(redactText('BEARER   abc')).toBe(`BEARER ${REDACTED}`);
    expect(redactText('unbearer abc')).toBe('unbearer abc');
    expect(
      redactText(
        '{"access_token": "a1", "client_secret":"c2", "token" : "t3", "SECRET":"s4", "password":"p5", "id":"i6"}',
      ),
    ).toBe(
      `{"access_token": "${REDACTED}", "client_secret":"${REDACTED}", "token" : "${REDACTED}", "SECRET":"${REDACTED}", "password":"${REDACTED}", "id":"i6"}`,
    );
    expect(redactText('{"token":"","tokens":"kept"}')).toBe(`{"token":"${REDACTED}","tokens":"kept"}`);
    expect(redactText('GET https://u:p@h/x?access_token=abc&a=1 failed')).toBe(
      `GET https://${REDACTED}@h/x?access_token=${REDACTED}&a=1 failed`,
    );
    // Known secrets, wherever they appear and however often; too short ones (≤ 3 characters) and
    // undefined entries are ignored.
    expect(
      redactText('key k3y-secret-1 and k3y-secret-1 again; id abc', ['k3y-secret-1', 'abc', undefined]),
    ).toBe(`key ${REDACTED} and ${REDACTED} again; id abc`);
    expect(redactText('abcd', ['abcd'])).toBe(REDACTED);
    expect(redactText('nothing secret', [''])).toBe('nothing secret');
    expect(redactText('nothing secret')).toBe('nothing secret');
  });
});
