import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  KardAbortError,
  type KardClient,
  KardConnectionError,
  KardError,
  KardRateLimitError,
  KardServerError,
  KardTimeoutError,
} from '../src/index.js';
import { captureLogger, mockAndClient, txn } from './support.js';

let mock: MockKard;
let kard: KardClient;
const cap = captureLogger();
const txPath = () => `/v2/issuers/${mock.organizationId}/transactions`;
const txRequests = () => mock.requests.filter((r) => r.path === txPath());

beforeAll(async () => {
  ({ mock, kard } = await mockAndClient({}, { logger: cap.logger }));
});
afterAll(() => mock?.close());
beforeEach(() => {
  mock.faults.clear();
  mock.requests.length = 0;
  cap.lines.length = 0;
});

describe('retries (408, 429, 5xx, connection errors)', () => {
  it('503, 503, 202 → success after two retries', async () => {
    mock.faults.set({ sequence: [{ status: 503 }, { status: 503 }], match: '/transactions' });
    const e = txn();
    const r = await kard.transactions.create([e]);
    expect(r.status).toBe(202);
    expect(txRequests().map((q) => q.status)).toEqual([503, 503, 202]);
    expect(mock.eventCount(e.id)).toBe(1);
  });

  it('gives up after maxRetries with a typed KardServerError', async () => {
    mock.faults.set({
      sequence: [{ status: 500 }, { status: 502 }, { status: 503 }],
      match: '/transactions',
    });
    const err = await kard.transactions.create([txn()], { maxRetries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardServerError);
    expect(err.status).toBe(502);
    expect(txRequests()).toHaveLength(2);
  });

  it('408 is retried', async () => {
    mock.faults.set({ sequence: [{ status: 408 }], match: '/transactions' });
    await expect(kard.transactions.create([txn()])).resolves.toMatchObject({ status: 202 });
    expect(txRequests().map((q) => q.status)).toEqual([408, 202]);
  });

  it('429 with Retry-After: 1 waits the server-given second (logged delay 1000 ms)', async () => {
    mock.faults.set({ sequence: [{ status: 429, retryAfter: 1 }], match: '/transactions' });
    await expect(kard.transactions.create([txn()])).resolves.toMatchObject({ status: 202 });
    const retryLine = cap.lines.find((l) => l.includes('kard: retrying'))!;
    expect(JSON.parse(retryLine.slice(retryLine.indexOf('{'))).delayMs).toBe(1000);
  });

  it('429 with Retry-After as an HTTP date is honoured too', async () => {
    // Thirty seconds ahead (whole seconds in an HTTP date): the logged wait is what is left of them. The
    // wait is then cancelled instead of sat through.
    const when = new Date(Date.now() + 30_000).toUTCString();
    mock.faults.set({ sequence: [{ status: 429, retryAfter: when }], match: '/transactions' });
    const ctrl = new AbortController();
    const p = kard.transactions.create([txn()], { signal: ctrl.signal }).catch((e) => e);
    await vi.waitFor(() => expect(cap.lines.some((l) => l.includes('kard: retrying'))).toBe(true), {
      timeout: 15_000,
      interval: 5,
    });
    ctrl.abort();
    expect(await p).toBeInstanceOf(KardAbortError);
    const retryLine = cap.lines.find((l) => l.includes('kard: retrying'))!;
    const delay = JSON.parse(retryLine.slice(retryLine.indexOf('{'))).delayMs;
    expect(delay).toBeGreaterThan(15_000); // far more than any backoff of a first retry (≤ 500 ms)
    expect(delay).toBeLessThanOrEqual(30_000);
  });

  it('429 that persists → KardRateLimitError', async () => {
    mock.faults.set({ sequence: [{ status: 429 }, { status: 429 }], match: '/transactions' });
    const err = await kard.transactions.create([txn()], { maxRetries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardRateLimitError);
  });

  it('a dropped connection is retried, and the event is still counted once', async () => {
    mock.faults.set({ sequence: [{ drop: true }, { drop: true }], match: '/transactions' });
    const e = txn();
    const r = await kard.transactions.create([e]);
    expect(r.status).toBe(202);
    expect(mock.eventCount(e.id)).toBe(1);
  });

  it('dropped connections beyond maxRetries → KardConnectionError', async () => {
    mock.faults.set({ sequence: [{ drop: true }, { drop: true }], match: '/transactions' });
    const err = await kard.transactions.create([txn()], { maxRetries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardConnectionError);
    expect(err).toBeInstanceOf(KardError);
  });

  it('a 400 is not retried', async () => {
    const err = await kard.transactions.create([txn({ amount: 'abc' })], { validate: false }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(txRequests()).toHaveLength(1);
  });

  it('a retried batch is counted once: the same events re-sent are duplicates, not new events', async () => {
    const events = [txn(), txn(), txn()];
    await kard.transactions.create(events);
    const before = mock.stats().transactions;
    // As if the first response was lost and the caller (or a crash-restart) sent the batch again.
    await kard.transactions.create(events);
    for (const e of events) {
      expect(mock.eventCount(e.id)).toBe(1);
      expect(mock.receivedCount(e.id)).toBe(2);
    }
    const after = mock.stats().transactions;
    expect(after.accepted - before.accepted).toBe(0);
    expect(after.duplicates - before.duplicates).toBe(3);
  });
});

describe('timeouts and aborts', () => {
  it('a slow answer → KardTimeoutError (not a generic error)', async () => {
    mock.faults.set({ latencyMs: 2000, match: '/transactions' });
    const err = await kard.transactions.create([txn()], { timeoutMs: 100, maxRetries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardTimeoutError);
    expect(err.message).toContain('100 ms');
  });

  it('abort during the backoff wait → KardAbortError at once (not after Retry-After: 30)', async () => {
    mock.faults.set({ sequence: [{ status: 503, retryAfter: 30 }], match: '/transactions' });
    const ctrl = new AbortController();
    const p = kard.transactions.create([txn()], { signal: ctrl.signal }).catch((e) => e);
    // Abort once the client has logged that it is waiting 30 s before the next attempt.
    await vi.waitFor(() => expect(cap.lines.some((l) => l.includes('kard: retrying'))).toBe(true), {
      timeout: 15_000,
      interval: 5,
    });
    ctrl.abort();
    const err = await p;
    expect(err).toBeInstanceOf(KardAbortError);
    // Settled at all means the 30 s wait was cancelled: waiting it out would exceed the test timeout.
    expect(txRequests().map((q) => q.status)).toEqual([503]); // no second attempt
  });

  it('abort during the request → KardAbortError', async () => {
    mock.faults.set({ latencyMs: 30_000, match: '/transactions' });
    const ctrl = new AbortController();
    const p = kard.transactions.create([txn()], { signal: ctrl.signal }).catch((e) => e);
    // Abort once the attempt is under way (logged just before it is sent); the mock holds it 30 s.
    await vi.waitFor(
      () =>
        expect(cap.lines.some((l) => l.includes('kard: request') && l.includes('/transactions'))).toBe(true),
      { timeout: 15_000, interval: 5 },
    );
    ctrl.abort();
    const err = await p;
    expect(err).toBeInstanceOf(KardAbortError);
    expect(cap.lines.some((l) => l.includes('kard: retrying'))).toBe(false); // an abort is not retried
  });

  it('an already aborted signal sends nothing', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const err = await kard.transactions.create([txn()], { signal: ctrl.signal }).catch((e) => e);
    expect(err).toBeInstanceOf(KardAbortError);
    expect(txRequests()).toHaveLength(0);
  });
});
