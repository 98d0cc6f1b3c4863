import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, enqueue, getEvent, type OutboxStatus } from '../src/outbox.js';
import { enroll, get, type Harness, NO_OFFER, post, startHarness, txEvent, waitFor } from './helpers.js';

const outboxCounts = async (h: Harness) =>
  (await get(`${h.sample.url}/outbox/stats`)).body as Record<OutboxStatus, number>;

/** Queues one no-offer transaction per id for `userId` (transaction ids `${txnPrefix}-0`, `-1`, …). */
async function queueTransactions(h: Harness, ids: readonly string[], userId: string, txnPrefix: string) {
  const events = ids.map((id, i) =>
    txEvent(id, { userId, transactionId: `${txnPrefix}-${i}`, merchant: NO_OFFER }),
  );
  expect((await post(`${h.sample.url}/transactions`, events)).status).toBe(202);
}

describe('forwarder under injected faults: every event delivered, each counted once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      forwarder: { enabled: false, batchSize: 100, pollMs: 20, retryBaseMs: 10, maxRetryDelayMs: 100 },
    });
    for (const u of ['fu-1', 'fu-2', 'fu-3']) await enroll(h.sample.url, u);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('500s, 429s and dropped connections: 600 events, mock.eventCount === 1 for each, none missing', async () => {
    const ids = Array.from({ length: 600 }, (_, i) => `evt-fault-${i}`);
    const events = ids.map((id, i) =>
      txEvent(id, { userId: `fu-${(i % 3) + 1}`, transactionId: `txn-fault-${i}`, merchant: NO_OFFER }),
    );
    expect((await post(`${h.sample.url}/transactions`, events)).status).toBe(202);

    h.mock.faults.set({
      match: '/transactions',
      sequence: [
        { status: 500 },
        { status: 429, retryAfter: 0 },
        { drop: true },
        { status: 503 },
        { drop: true },
        { status: 500 },
        { status: 429, retryAfter: 0 },
        { drop: true },
        { status: 500 },
        { status: 500 },
        { status: 500 },
        { drop: true },
      ],
    });
    h.sample.forwarder.start();
    await waitFor('600 events sent', async () => (await outboxCounts(h)).sent === 600, 30_000);
    await h.sample.forwarder.stop();

    const counts = await outboxCounts(h);
    expect(counts).toEqual({ pending: 0, sending: 0, sent: 600, rejected: 0 });
    const missing = ids.filter((id) => h.mock.eventCount(id) !== 1);
    expect(missing).toEqual([]);
    expect(h.mock.stats().transactions.accepted).toBe(600);
    // The faults really happened: some batch needed more than one forwarder attempt.
    const attempts = await h.sample.db.query<{ n: number }>('SELECT max(attempts)::int AS n FROM outbox');
    expect(attempts.rows[0]?.n).toBeGreaterThan(1);
    h.mock.faults.clear();
  }, 60_000);

  it("a 207 rejection is final: the event is marked rejected with Kard's reason, the others are sent, nothing is retried", async () => {
    const ids = ['evt-207-a', 'evt-207-b', 'evt-207-c'];
    await queueTransactions(h, ids, 'fu-1', 'txn-207');
    const reason = {
      status: '400',
      title: 'Invalid transaction',
      detail: 'merchant.id unknown to Kard',
      id: 'evt-207-b',
    };
    h.mock.faults.set({
      match: '/transactions',
      sequence: [
        {
          status: 207,
          body: { errors: [reason], data: { type: 'job', id: 'job-1', attributes: { status: 'queued' } } },
        },
      ],
    });
    await h.sample.forwarder.runOnce();
    h.mock.faults.clear();

    const b = await getEvent(h.sample.db, 'evt-207-b');
    expect(b?.status).toBe('rejected');
    expect(b?.reject_reason).toMatchObject({ detail: 'merchant.id unknown to Kard', id: 'evt-207-b' });
    expect((await getEvent(h.sample.db, 'evt-207-a'))?.status).toBe('sent');
    expect((await getEvent(h.sample.db, 'evt-207-c'))?.status).toBe('sent');
    // Nothing is due any more: a further run claims nothing and the rejected row stays as it is.
    expect((await h.sample.forwarder.runOnce()).claimed).toBe(0);
    expect((await getEvent(h.sample.db, 'evt-207-b'))?.attempts).toBe(1);
  });

  it('an outbox row that no longer passes validation is rejected on its own with the issues, without sinking its batch', async () => {
    const good = txEvent('evt-valid-x', { userId: 'fu-2', transactionId: 'txn-x', merchant: NO_OFFER });
    const bad = txEvent('evt-invalid-x', { userId: 'fu-2', transactionId: 'txn-y', status: 'SETTLED' });
    delete (bad.attributes as Record<string, unknown>).settledDate; // R2
    // Written straight to the outbox, as if stored by an older version with looser rules.
    await enqueue(h.sample.db, [
      {
        id: 'evt-valid-x',
        kind: 'v2',
        payload: good,
        userId: 'fu-2',
        transactionId: 'txn-x',
        eventStatus: 'APPROVED',
      },
      {
        id: 'evt-invalid-x',
        kind: 'v2',
        payload: bad,
        userId: 'fu-2',
        transactionId: 'txn-y',
        eventStatus: 'SETTLED',
      },
    ]);
    const report = await h.sample.forwarder.runOnce();
    expect(report).toMatchObject({ claimed: 2, sent: 1, rejected: 1 });
    expect(h.mock.eventCount('evt-valid-x')).toBe(1);
    expect(h.mock.receivedCount('evt-invalid-x')).toBe(0);
    const row = await getEvent(h.sample.db, 'evt-invalid-x');
    expect(row?.reject_reason).toMatchObject({ issues: [expect.objectContaining({ rule: 'R2' })] });
  });

  it('a claim whose lease expired (its forwarder died) is taken over and re-sent; Kard counts it once', async () => {
    await queueTransactions(h, ['evt-lease-1', 'evt-lease-2'], 'fu-3', 'txn-lease');
    // A "dead" worker claimed the rows and sent them, then crashed before recording the outcome.
    const claimed = await claim(h.sample.db, 'dead-worker', 10, 60_000);
    expect(claimed.map((r) => r.id)).toEqual(['evt-lease-1', 'evt-lease-2']);
    await h.sample.kard.sendTransactions('v2', claimed);
    expect(h.mock.eventCount('evt-lease-1')).toBe(1);
    // Within the lease nobody else touches them.
    expect((await h.sample.forwarder.runOnce()).claimed).toBe(0);
    await h.sample.db.query(
      `UPDATE outbox SET claimed_at = now() - interval '1 hour' WHERE claimed_by = 'dead-worker'`,
    );
    expect((await h.sample.forwarder.runOnce()).sent).toBe(2);
    expect(h.mock.receivedCount('evt-lease-1')).toBe(2);
    expect(h.mock.eventCount('evt-lease-1')).toBe(1);
    expect(h.mock.eventCount('evt-lease-2')).toBe(1);
    expect((await getEvent(h.sample.db, 'evt-lease-2'))?.status).toBe('sent');
  });

  it('graceful stop: stop() returns only after the batch in flight is sent and recorded', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `evt-stop-${i}`);
    h.mock.faults.set({ match: '/transactions', latencyMs: 500 });
    await queueTransactions(h, ids, 'fu-2', 'txn-stop');
    h.sample.forwarder.start();
    await waitFor('a batch on the wire', async () => (await outboxCounts(h)).sending > 0);
    await h.sample.forwarder.stop();
    h.mock.faults.clear();
    const counts = await outboxCounts(h);
    expect(counts.sending).toBe(0);
    expect(ids.filter((id) => h.mock.eventCount(id) !== 1)).toEqual([]);
    const stopped = await h.sample.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE id LIKE 'evt-stop-%' AND status = 'sent'`,
    );
    expect(stopped.rows[0]?.n).toBe(50);
  });

  it('409 (Kard already has these event ids, e.g. a re-send after a lost answer) counts as delivered, not rejected', async () => {
    await queueTransactions(h, ['evt-409-a', 'evt-409-b'], 'fu-1', 'txn-409');
    const duplicate = {
      status: '409',
      title: 'Conflict',
      detail: 'event id already received',
      id: 'evt-409-a',
    };
    h.mock.faults.set({ match: '/transactions', sequence: [{ status: 409, body: { errors: [duplicate] } }] });
    const report = await h.sample.forwarder.runOnce();
    h.mock.faults.clear();
    expect(report).toMatchObject({ claimed: 2, sent: 2, rejected: 0, retried: 0 });
    expect((await getEvent(h.sample.db, 'evt-409-a'))?.kard_response).toMatchObject({ status: 409 });

    await queueTransactions(h, ['evt-409-c', 'evt-409-d'], 'fu-1', 'txn-409b');
    const partial = {
      errors: [
        { status: '409', title: 'Conflict', detail: 'event id already received', id: 'evt-409-c' },
        { status: '400', title: 'Invalid transaction', detail: 'unknown card product', id: 'evt-409-d' },
      ],
      data: { type: 'job', id: 'job-2', attributes: { status: 'queued', message: '0 queued' } },
    };
    h.mock.faults.set({ match: '/transactions', sequence: [{ status: 207, body: partial }] });
    expect(await h.sample.forwarder.runOnce()).toMatchObject({ claimed: 2, sent: 1, rejected: 1 });
    h.mock.faults.clear();
    expect((await getEvent(h.sample.db, 'evt-409-c'))?.status).toBe('sent');
    expect((await getEvent(h.sample.db, 'evt-409-d'))?.status).toBe('rejected');
  });
});
