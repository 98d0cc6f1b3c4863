import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockKard } from './server.js';
import type { MockKard } from './types.js';

// The recorded requests (`mock.requests`, GET /__admin/requests) and the request log follow kardkit's
// one redaction policy (@kardkit/schemas/redact): every credential header and secret query parameter
// of that policy is masked, not only `authorization`.
const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'cookie',
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
const SECRET_QUERY = [
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Goog-Signature',
  'api_key',
  'apikey',
  'api_secret',
  'access_token',
  'auth_token',
  'token',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'key',
  'session_id',
  'signature',
  'sig',
  'credential',
];
const secretValue = (name: string) => `s3cr3t-${name.toLowerCase()}-value`;

/** One GET over loopback with exactly these headers (node:http: no header is refused or added). */
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

let mock: MockKard;
const lines: string[] = [];

beforeAll(async () => {
  mock = await startMockKard({ port: 0, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await mock?.close();
});

describe('recorded requests and the request log keep no secret (the shared redaction policy)', () => {
  it('masks every sensitive header and query value of the policy, and keeps the rest', async () => {
    const headers = Object.fromEntries(SECRET_HEADERS.map((h) => [h, secretValue(h)]));
    const query = SECRET_QUERY.map((q) => `${q}=${secretValue(q)}`).join('&');
    const status = await get(`${mock.url}/v2/ping?${query}&page%5Bsize%5D=2`, {
      ...headers,
      'x-request-id': 'req-visible',
      'x-kard-target-issuer': 'issuer-visible',
    });
    expect(status).toBe(200);

    const recorded = mock.requests.at(-1)!;
    expect(recorded.path).toBe('/v2/ping');
    for (const h of SECRET_HEADERS) expect(recorded.headers[h], h).toBe('[REDACTED]');
    for (const q of SECRET_QUERY) expect(recorded.query[q], q).toBe('[REDACTED]');
    expect(recorded.headers['x-request-id']).toBe('req-visible');
    expect(recorded.headers['x-kard-target-issuer']).toBe('issuer-visible');
    expect(recorded.query['page[size]']).toBe('2');

    const basic = `Basic ${Buffer.from(`${mock.clientId}:${mock.clientSecret}`).toString('base64')}`;
    const listed = await (
      await fetch(`${mock.url}/__admin/requests`, { headers: { authorization: basic } })
    ).text();
    const everything = [JSON.stringify(mock.requests), listed, lines.join('\n')].join('\n');
    for (const name of [...SECRET_HEADERS, ...SECRET_QUERY])
      expect(everything).not.toContain(secretValue(name));
    expect(everything).not.toContain(mock.clientSecret);
  });

  it('a repeated secret parameter is masked in each of its values', async () => {
    expect(await get(`${mock.url}/v2/ping?token=first-t0ken&token=second-t0ken&a=1&a=2`, {})).toBe(200);
    const recorded = mock.requests.at(-1)!;
    expect(recorded.query).toEqual({ token: ['[REDACTED]', '[REDACTED]'], a: ['1', '2'] });
  });
});
