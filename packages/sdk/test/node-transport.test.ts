import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import ky from 'ky';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeFetch } from '../src/core/node-fetch.js';
import { KardAbortError } from '../src/index.js';
// Imported by its own name: the node-http test project maps ../src/index.js to this file too.
import { KardClient } from '../src/index.node.js';
import { isolateKardEnv, mockConnection, txn } from './support.js';

/** Why the https test cannot run here, or '' when it can. */
const opensslMissing = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return '';
  } catch {
    return 'no openssl to make a test certificate';
  }
})();

isolateKardEnv();

let mock: MockKard;
beforeAll(async () => {
  mock = await startMockKard({ port: 0 });
});
afterAll(() => mock?.close());
afterEach(() => {
  vi.restoreAllMocks();
  mock.faults.clear();
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback server answering with `handle`; every request it saw is kept. */
async function server(handle: (seen: Seen, res: import('node:http').ServerResponse) => void) {
  const seen: Seen[] = [];
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      handle(s, res);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((resolve) => srv.close(resolve)) };
}

describe("'@kardkit/sdk' on Node sends with node:http keep-alive", () => {
  it('no request of the KardClient goes through global fetch', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    const kard = new KardClient(mockConnection(mock));
    expect((await kard.transactions.create([txn()])).accepted).toHaveLength(1);
    await kard.transactions.uploadFile([txn()], { stream: true });
    expect(spy).not.toHaveBeenCalled();
  });

  it('a ky of yours sees each request whole: its hooks read the body the SDK sends', async () => {
    const bodies: string[] = [];
    const hooked = ky.create({
      hooks: {
        beforeRequest: [
          async (request) => {
            if (request.method === 'POST' && request.url.endsWith('/transactions'))
              bodies.push(await request.clone().text());
          },
        ],
      },
    });
    const kard = new KardClient({ ...mockConnection(mock), ky: hooked });
    expect((await kard.transactions.create([txn({}, 'hooked-1')])).accepted).toHaveLength(1);
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!).data[0].id).toBe('hooked-1');
  });

  it('a fetch of yours wins over node:http', async () => {
    const calls: string[] = [];
    const mine: typeof fetch = (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    };
    const kard = new KardClient({ ...mockConnection(mock), fetch: mine });
    await kard.ping();
    expect(calls).toEqual([`${mock.url}/v2/ping`]);
    // Bodies go through it whole too.
    expect((await kard.transactions.create([txn({}, 'mine-1')])).accepted).toHaveLength(1);
    expect(mock.eventCount('mine-1')).toBe(1);
  });

  it('an abort in flight tears the socket down and rejects with KardAbortError', async () => {
    const s = await server(() => {}); // never answers
    try {
      const ctrl = new AbortController();
      const kard = new KardClient({ baseUrl: s.url, token: 't', organizationId: 'o', maxRetries: 0 });
      const pending = kard.request({ method: 'GET', url: '/slow' }, { signal: ctrl.signal });
      await vi.waitFor(() => expect(s.seen).toHaveLength(1), { timeout: 10_000 });
      ctrl.abort();
      await expect(pending).rejects.toBeInstanceOf(KardAbortError);
    } finally {
      await s.close();
    }
  });
});

describe('nodeFetch behaves as fetch', () => {
  it('decodes gzip answers and keeps repeated headers', async () => {
    const s = await server((_, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(gzipSync('{"ok":true}'));
    });
    try {
      const res = await nodeFetch(new Request(`${s.url}/z`));
      expect(await res.json()).toEqual({ ok: true });
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(s.seen[0]!.headers['accept-encoding']).toContain('gzip');
    } finally {
      await s.close();
    }
  });

  it('follows redirects as fetch does: 307 keeps method and body, 303 becomes a GET, credentials stay on their origin', async () => {
    const other = await server((_, res) => res.end('elsewhere'));
    const s = await server((seen, res) => {
      if (seen.url === '/307') res.writeHead(307, { location: '/done' }).end();
      else if (seen.url === '/303') res.writeHead(303, { location: '/done' }).end();
      else if (seen.url === '/away') res.writeHead(302, { location: `${other.url}/x` }).end();
      else res.end(`${seen.method} ${seen.body}`);
    });
    try {
      const post = (path: string) =>
        nodeFetch(
          new Request(`${s.url}${path}`, {
            method: 'POST',
            body: 'payload',
            headers: { authorization: 'Bearer t' },
          }),
        );
      expect(await (await post('/307')).text()).toBe('POST payload');
      expect(await (await post('/303')).text()).toBe('GET ');
      const away = await nodeFetch(new Request(`${s.url}/away`, { headers: { authorization: 'Bearer t' } }));
      expect(await away.text()).toBe('elsewhere');
      expect(other.seen[0]!.headers.authorization).toBeUndefined();
      const manual = await nodeFetch(new Request(`${s.url}/307`, { redirect: 'manual' }));
      expect(manual.status).toBe(307);
      await expect(nodeFetch(new Request(`${s.url}/307`, { redirect: 'error' }))).rejects.toThrow(TypeError);
    } finally {
      await s.close();
      await other.close();
    }
  });

  it('redirects as fetch: 301/302 make a POST a GET without body or content headers, other methods and 307/308 keep theirs; 303 keeps HEAD; 304 and a 3xx without location are answers', async () => {
    const s = await server((seen, res) => {
      const m = /^\/(\d{3})(?:-(\w+))?$/.exec(seen.url);
      if (seen.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (seen.url === '/200' || seen.url === '/404')
        res.writeHead(Number(seen.url.slice(1)), { location: '/done' }).end('here');
      else if (seen.url === '/done-auth') res.end(`${seen.method} ${seen.headers.authorization ?? '-'}`);
      else if (m?.[2] === 'bare') res.writeHead(Number(m[1])).end('no location');
      else if (m?.[2] === 'auth') res.writeHead(Number(m[1]), { location: '/done-auth' }).end();
      else if (m) res.writeHead(Number(m[1]), { location: '/done' }).end();
      else res.end(`${seen.method} ${seen.body} ${seen.headers['content-type'] ?? '-'}`);
    });
    try {
      const call = async (path: string, method: string, body?: string) => {
        const init = {
          method,
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/plain' } }),
        };
        const res = await nodeFetch(new Request(`${s.url}${path}`, init));
        return method === 'HEAD' ? `${res.status}` : await res.text();
      };
      expect(await call('/301', 'POST', 'p')).toBe('GET  -');
      expect(await call('/302', 'POST', 'p')).toBe('GET  -');
      expect(await call('/302', 'PUT', 'p')).toBe('PUT p text/plain');
      expect(await call('/301', 'PUT', 'p')).toBe('PUT p text/plain');
      expect(await call('/308', 'POST', 'p')).toBe('POST p text/plain');
      expect(await call('/303', 'PUT', 'p')).toBe('GET  -');
      expect(await call('/303', 'HEAD')).toBe('200');
      expect(s.seen.at(-1)).toMatchObject({ method: 'HEAD', url: '/done' });
      expect((await nodeFetch(new Request(`${s.url}/304`))).status).toBe(304);
      expect(await (await nodeFetch(new Request(`${s.url}/200`))).text()).toBe('here');
      expect((await nodeFetch(new Request(`${s.url}/404`))).status).toBe(404);
      expect((await nodeFetch(new Request(`${s.url}/302-bare`))).status).toBe(302);
      expect((await nodeFetch(new Request(`${s.url}/300`))).status).toBe(200); // a 300 with a location is followed
      const seenBefore = s.seen.length;
      const loop = await nodeFetch(new Request(`${s.url}/loop`)).catch((e: unknown) => e);
      expect(loop).toBeInstanceOf(TypeError);
      expect((loop as TypeError).message).toBe('fetch failed');
      expect(((loop as TypeError).cause as Error).message).toBe('redirect count exceeded');
      expect(s.seen.length - seenBefore).toBe(21); // the first request and 20 redirects
      const refused = await nodeFetch(new Request(`${s.url}/302`, { redirect: 'error' })).catch(
        (e: unknown) => e,
      );
      expect((refused as TypeError).message).toBe('fetch failed');
      expect(((refused as TypeError).cause as Error).message).toBe('unexpected redirect');
      // A POST made a GET on the same origin keeps its other headers (only content-* go).
      const kept = await nodeFetch(
        new Request(`${s.url}/302-auth`, {
          method: 'POST',
          body: 'p',
          headers: { authorization: 'Bearer t' },
        }),
      );
      expect(await kept.text()).toBe('GET Bearer t');
    } finally {
      await s.close();
    }
  });

  it('a refused connection rejects with TypeError("fetch failed") carrying the code', async () => {
    const s = await server(() => {});
    await s.close();
    const err = (await nodeFetch(new Request(`${s.url}/`)).catch((e: unknown) => e)) as TypeError & {
      cause: { code: string };
    };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(err.cause.code).toBe('ECONNREFUSED');
  });

  // node:https is loaded on the first https request (src/core/node-fetch.ts), so this is the path that
  // would break silently if the lazy load did: a self-signed certificate made with openssl.
  const tlsIt = opensslMissing ? it.skip : it;
  tlsIt(
    `https: answers come back over TLS, also after a redirect from http${opensslMissing ? ` (skipped: ${opensslMissing})` : ''}`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kardkit-tls-'));
      const tls = createHttpsServer(selfSigned(dir), (req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ path: req.url, secure: true }));
      });
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      const httpsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const plain = await server((_, res) => {
        res.writeHead(307, { location: `${httpsUrl}/moved` }).end();
      });
      const trust = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the certificate is this test's own
      try {
        const direct = await nodeFetch(new Request(`${httpsUrl}/direct`));
        expect(await direct.json()).toEqual({ path: '/direct', secure: true });
        const redirected = await nodeFetch(new Request(`${plain.url}/old`));
        expect(await redirected.json()).toEqual({ path: '/moved', secure: true });
      } finally {
        if (trust === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        else process.env.NODE_TLS_REJECT_UNAUTHORIZED = trust;
        await plain.close();
        tls.closeAllConnections();
        await new Promise((resolve) => tls.close(resolve));
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

/** A throwaway key and certificate for 127.0.0.1. */
function selfSigned(dir: string): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}
