import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrub } from '../src/logger.js';

// The sample's logs follow kardkit's one redaction policy (@kardkit/schemas/redact, shared with the SDK
// and the mock server). Each field below is a key of that policy; a logger that goes back to a private
// list missing one of them lets its value through, and this test names it.
const SECRET_FIELDS = [
  // secret-looking words, anywhere in the key
  'authorization',
  'clientSecret',
  'webhookSecret',
  'client_secret',
  'access_token',
  'refreshToken',
  'password',
  'dbPassword',
  'signature',
  'apiKey',
  'api-key',
  'cookie',
  // the credential headers
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'set-cookie',
  'notify-signature',
  'x-api-key',
  'apikey',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-session-token',
  'x-access-token',
  'x-amz-security-token',
  // the secret query parameters
  'X-Amz-Credential',
  'X-Goog-Signature',
  'passwd',
  'key',
  'session',
  'session_id',
  'sig',
  'credential',
  // card data
  'cardBIN',
  'cardLastFour',
  'cardLastFours',
  'bin',
  'last4',
  'pan',
  'cardNumber',
];
const secretValue = (field: string) => `v4lue-of-${field.toLowerCase()}`;

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('log lines follow the shared redaction policy', () => {
  it('masks the value of every secret and card-data key of the policy, at any depth, and keeps ordinary fields', () => {
    const out = sink();
    const logger = createLogger({ destination: out.stream });
    const fields = Object.fromEntries(SECRET_FIELDS.map((f) => [f, secretValue(f)]));
    logger.info(
      { ...fields, nested: { list: [fields] }, amount: 2599, eventId: 'evt-visible' },
      'event stored',
    );
    const line = out.text();
    for (const f of SECRET_FIELDS) expect(line, f).not.toContain(secretValue(f));
    const logged = JSON.parse(line);
    for (const f of SECRET_FIELDS) expect(logged[f], f).toBe('[REDACTED]');
    expect(logged).toMatchObject({ amount: 2599, eventId: 'evt-visible', msg: 'event stored' });
  });

  it('masks credentials in strings: bearer and basic values, URL userinfo and secret parameters, card numbers', () => {
    const out = sink();
    const logger = createLogger({ destination: out.stream });
    const texts = {
      err: new Error('connect to postgres://kard:pg-pa55word@127.0.0.1:5432/sample failed'),
      note: 'sent with Authorization: Bearer eyJ.t0ken.part and Basic dXNlcjpzZWNyZXQ=',
      url: 'https://bucket.example/f.jsonl?X-Amz-Signature=deadbeefcafe&X-Amz-Date=20261207',
      card: 'card 4111 1111 1111 1111 used',
    };
    logger.warn(
      texts,
      'upload to https://u:url-pa55@h.example/x?token=query-t0ken failed for 5500000000000004',
    );
    const line = out.text();
    for (const secret of [
      'pg-pa55word',
      'eyJ.t0ken.part',
      'dXNlcjpzZWNyZXQ=',
      'deadbeefcafe',
      '20261207',
      '4111 1111',
      'url-pa55',
      'query-t0ken',
      '5500000000000004',
    ]) {
      expect(line, secret).not.toContain(secret);
    }
    expect(line).toContain('127.0.0.1:5432/sample failed'); // the rest of the message stays readable
    expect(scrub('order 2599 for user-1')).toBe('order 2599 for user-1');
  });
});
