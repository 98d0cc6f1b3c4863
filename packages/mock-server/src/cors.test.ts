import { afterAll, describe, expect, it } from 'vitest';
import { startMockKard } from './index.js';
import { type Harness, harness, org } from './test-support.js';

const h: Harness = await harness();
afterAll(() => h.mock.close());

const preflight = (mockUrl: string, path: string, origin: string, headers: Record<string, string> = {}) =>
  fetch(`${mockUrl}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', ...headers },
  });

describe('CORS (corsOrigins)', () => {
  it('answers a preflight from any localhost or 127.0.0.1 port with 204, without a token', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://localhost']) {
      const r = await preflight(h.mock.url, `${org(h)}/transactions`, origin, {
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      });
      expect(r.status, origin).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe(origin);
      expect(r.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, DELETE');
      expect(r.headers.get('access-control-allow-headers')).toBe(
        'authorization,content-type,idempotency-key',
      );
      expect(r.headers.get('access-control-max-age')).toBe('600');
      expect(r.headers.get('vary')).toBe('Origin');
      expect(await r.text()).toBe('');
    }
    const plain = await preflight(h.mock.url, '/v2/issuer', 'http://localhost:8080');
    expect(plain.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
  });

  it('refuses a preflight from other origins (403, no CORS headers)', async () => {
    for (const origin of [
      'https://localhost:5173',
      'http://localhost.evil.example:5173',
      'http://evil.example',
      'http://127.0.0.2:3000',
      'null',
      'http://localhost:5173/path',
    ]) {
      const r = await preflight(h.mock.url, '/v2/issuer', origin);
      expect(r.status, origin).toBe(403);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
      expect((await r.json()).errors[0]).toMatchObject({
        status: '403',
        detail: expect.stringMatching(/origin/),
      });
    }
  });

  it('an allowed origin may read every answer, errors included, and the request id', async () => {
    const origin = 'http://localhost:5173';
    const ok = await h.call('GET', '/v2/issuer', undefined, { origin });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
    expect(ok.headers.get('access-control-expose-headers')).toBe(
      'x-request-id, retry-after, www-authenticate, deprecation, link',
    );
    expect(ok.headers.get('vary')).toBe('Origin');
    const denied = await fetch(`${h.mock.url}/v2/issuer`, { headers: { origin } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(origin);
    const other = await h.call('GET', '/v2/issuer', undefined, { origin: 'http://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const none = await h.call('GET', '/v2/issuer');
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an OPTIONS request that is not a preflight is routed as usual', async () => {
    const r = await fetch(`${h.mock.url}/v2/issuer`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:1' },
    });
    expect(r.status).toBe(405);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:1');
  });

  it('a preflight consumes no fault step and is not recorded', async () => {
    h.mock.reset();
    h.mock.faults.set({ sequence: [{ status: 503 }] });
    try {
      expect((await preflight(h.mock.url, '/v2/issuer', 'http://localhost:5173')).status).toBe(204);
      expect(h.mock.requests).toHaveLength(0);
      expect((await h.call('GET', '/v2/issuer')).status).toBe(503);
    } finally {
      h.mock.faults.clear();
    }
  });

  it('takes its own list: exact origins, any-port origins, or none', async () => {
    const m = await startMockKard({ corsOrigins: ['https://app.example', 'http://devbox:*'] });
    const off = await startMockKard({ corsOrigins: [] });
    try {
      expect((await preflight(m.url, '/v2/issuer', 'https://app.example')).status).toBe(204);
      expect((await preflight(m.url, '/v2/issuer', 'https://app.example:8443')).status).toBe(403);
      expect((await preflight(m.url, '/v2/issuer', 'http://devbox:9000')).status).toBe(204);
      expect((await preflight(m.url, '/v2/issuer', 'http://localhost:5173')).status).toBe(403);
      const r = await preflight(off.url, '/v2/issuer', 'http://localhost:5173');
      expect(r.status).toBe(403);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await m.close();
      await off.close();
    }
  });

  it('rejects a pattern that is not an origin', async () => {
    for (const bad of ['localhost:5173', 'http://localhost:5173/app', '*', 'http://user@localhost']) {
      await expect(startMockKard({ corsOrigins: [bad] }), bad).rejects.toThrow(
        /corsOrigins: .* is not an origin/,
      );
    }
  });
});
