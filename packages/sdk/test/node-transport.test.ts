import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeFetch } from '../src/core/node-fetch.js';
import { KardClient as DefaultClient, KardAbortError } from '../src/index.js';
// Imported by its own name: the node-http test project maps ../src/index.js to this file too.
import { KardClient } from '../src/index.node.js';
import { isolateKardEnv, mockConnection, txn } from './support.js';

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

  it('a fetch of yours wins over node:http', async () => {
    const calls: string[] = [];
    const mine: typeof fetch = (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    };
    const kard = new KardClient({ ...mockConnection(mock), fetch: mine });
    await kard.ping();
    expect(calls).toEqual([`${mock.url}/v2/ping`]);
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
});
