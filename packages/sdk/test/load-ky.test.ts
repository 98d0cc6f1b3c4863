import type { MockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// When '@kardkit/sdk' loads its own ky: the default build (src/client.default.ts) as a KardClient is
// made, the Node build (src/client.node.ts) with the first request; never with the import, and not
// at all when a ky instance is given. A pass-through spy on the loader: it loads the real ky unless a
// test makes it fail (`failures` times).
const loader = vi.hoisted(() => ({ calls: 0, failures: 0 }));
vi.mock('../src/core/load-ky.js', async (importOriginal) => {
  const real = (await importOriginal()) as typeof import('../src/core/load-ky.js');
  return {
    loadKy: () => {
      loader.calls++;
      if (loader.failures > 0) {
        loader.failures--;
        return Promise.reject(new Error('Failed to fetch dynamically imported module: ky'));
      }
      return real.loadKy();
    },
  };
});

const { default: ky } = await import('ky');
// Each build by its own module: the test projects alias ../src/index.js to one build or the other.
const { KardClient } = await import('../src/client.default.js');
const { KardClient: NodeKardClient } = await import('../src/client.node.js');
const { KardConnectionError } = await import('../src/errors.js');
const { startMockKard } = await import('@kardkit/mock-server');
const { mockConnection, txn } = await import('./support.js');

let mock: MockKard;
beforeAll(async () => {
  mock = await startMockKard({ port: 0 });
});
afterAll(() => mock?.close());
afterEach(() => {
  loader.calls = 0;
  loader.failures = 0;
});

describe("the default build's own ky", () => {
  it('is not loaded by the import, starts loading when a KardClient is made, and is loaded once', async () => {
    expect(loader.calls).toBe(0);
    const kard = new KardClient(mockConnection(mock));
    expect(loader.calls).toBe(1);
    const r = await kard.transactions.create([txn()]);
    expect(r.accepted).toHaveLength(1);
    await kard.users.get('ghost').catch(() => undefined);
    expect(loader.calls).toBe(1);
  });

  it('is never loaded when a ky instance is given', async () => {
    const kard = new KardClient({ ...mockConnection(mock), ky: ky.create({}) });
    expect((await kard.transactions.create([txn()])).accepted).toHaveLength(1);
    expect(loader.calls).toBe(0);
  });

  it('a load that fails (a chunk that could not be fetched) is loaded again by the retry', async () => {
    loader.failures = 1;
    const kard = new KardClient(mockConnection(mock));
    expect((await kard.transactions.create([txn()])).accepted).toHaveLength(1);
    expect(loader.calls).toBe(2);
  });

  it('a load that keeps failing fails the request as a connection error, not the constructor, and is never left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      loader.failures = Number.POSITIVE_INFINITY;
      const kard = new KardClient({ ...mockConnection(mock), maxRetries: 0 });
      // Let the rejected load settle with nobody awaiting it yet.
      await new Promise((resolve) => setImmediate(resolve));
      const before = mock.requests.length;
      const error = await kard.transactions.create([txn()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KardConnectionError);
      expect((error as Error).message).toBe(
        `Connection to ${new URL(mock.url).host} failed: Failed to fetch dynamically imported module: ky`,
      );
      expect(mock.requests.length).toBe(before);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe("the Node build's own ky", () => {
  it('loads with the first request, once', async () => {
    const kard = new NodeKardClient(mockConnection(mock));
    expect(loader.calls).toBe(0);
    expect((await kard.transactions.create([txn()])).accepted).toHaveLength(1);
    await kard.users.get('ghost').catch(() => undefined);
    expect(loader.calls).toBe(1);
  });
});
