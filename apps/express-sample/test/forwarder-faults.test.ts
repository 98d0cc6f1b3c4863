import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db.js';
import { type BatchReport, Forwarder, type Sender } from '../src/forwarder.js';
import { createKardPort } from '../src/kard.js';
import { createLogger } from '../src/logger.js';
import { migrate } from '../src/migrations.js';
import { claim, counts, enqueue, getEvent, type OutboxStatus } from '../src/outbox.js';
import { createKardClient } from '../src/sample.js';
import {
  enroll,
  get,
  type Harness,
  logSink,
  NO_OFFER,
  post,
  sampleConfig,
  startHarness,
  txEvent,
  waitFor,
} from './helpers.js';
import { lifecycleEvents, loggingSender, outOfOrder } from './order.js';

const outboxCounts = async (h: Harness) =>
  (await get(`${h.sample.url}/outbox/stats`)).body as Record<OutboxStatus, number>;

const claimedBy = async (h: Harness, id: string) =>
  (await h.sample.db.query<{ claimed_by: string }>('SELECT claimed_by FROM outbox WHERE id = $1', [id]))
    .rows[0]?.claimed_by;

/** Queues one no-offer transaction per id for `userId` (transaction ids `${txnPrefix}-0`, `-1`, …). */
async function queueTransactions(h: Harness, ids: readonly string[], userId: string, txnPrefix: string) {
  const events = ids.map((id, i) =>
    txEvent(id, { userId, transactionId: `${txnPrefix}-${i}`, merchant: NO_OFFER }),
  );
  expect((await post(`${h.sample.url}/transactions`, events)).status).toBe(202);
}

/** A sender that holds every send until `release()`; `entered` resolves when the first send arrives. */
function gated(send: Sender) {
  let enter = () => {};
  let release = () => {};
  const entered = new Promise<void>((r) => {
    enter = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  const held: Sender = async (kind, rows) => {
    enter();
    await released;
    return send(kind, rows);
  };
  return { send: held, entered, release };
}

describe('forwarder under injected faults: every event delivered, each counted once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      forwarder: {
        enabled: false,
        batchSize: 100,
        concurrency: 4,
        pollMs: 20,
        retryBaseMs: 10,
        maxRetryDelayMs: 100,
      },
    });
    for (const u of ['fu-1', 'fu-2', 'fu-3']) await enroll(h.sample.url, u);
  });
  afterEach(async () => {
    h?.mock.faults.clear(); // a failed test must not leave its faults to the next one
    await h?.sample.forwarder.stop();
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
  it('a send that outlives its lease records nothing: the new holder sent the rows, the stale 400 does not overwrite them', async () => {
    await queueTransactions(h, ['evt-fence-1', 'evt-fence-2'], 'fu-1', 'txn-fence');
    const slow = gated(h.sample.kard.sendTransactions);
    const logger = createLogger({ level: 'silent' });
    // maxSendMs: the hung send stops renewing its lease, as a frozen process would.
    const a = new Forwarder({
      db: h.sample.db,
      send: slow.send,
      logger,
      leaseMs: 100,
      maxSendMs: 100,
      workerId: 'slow-a',
    });
    const b = new Forwarder({
      db: h.sample.db,
      send: h.sample.kard.sendTransactions,
      logger,
      leaseMs: 100,
      workerId: 'b',
    });
    const aRun = a.runOnce();
    try {
      await slow.entered; // a claimed both rows; its send hangs
      // Once a's lease has expired, b claims the rows and delivers them.
      await waitFor('b delivers the rows a still holds', async () => (await b.runOnce()).sent === 2);
      // a's send finally goes out, and Kard refuses the request as a whole.
      h.mock.faults.set({ match: '/transactions', sequence: [{ status: 400 }] });
    } finally {
      slow.release();
    }
    expect(await aRun).toMatchObject({ claimed: 2, sent: 0, rejected: 0, retried: 0, superseded: 2 });
    for (const id of ['evt-fence-1', 'evt-fence-2']) {
      const row = await getEvent(h.sample.db, id);
      expect(row).toMatchObject({ status: 'sent', reject_reason: null, attempts: 2 });
      expect(h.mock.eventCount(id)).toBe(1);
    }
  });

  it('a send slower than the lease keeps its lease (renewed): no other forwarder takes the batch, Kard receives it once', async () => {
    const ids = ['evt-renew-1', 'evt-renew-2'];
    await queueTransactions(h, ids, 'fu-2', 'txn-renew');
    // Every send takes 4 s: four leases of 1 s (renewed every third of a lease).
    h.mock.faults.set({ match: '/transactions', latencyMs: 4000 });
    const logger = createLogger({ level: 'silent' });
    const send = h.sample.kard.sendTransactions;
    const a = new Forwarder({ db: h.sample.db, send, logger, leaseMs: 1000, workerId: 'renewing-a' });
    const b = new Forwarder({ db: h.sample.db, send, logger, leaseMs: 1000, pollMs: 20, workerId: 'b' });
    const aRun = a.runOnce();
    try {
      await waitFor('a has the batch on the wire', async () =>
        ids.every((id) => h.mock.receivedCount(id) === 0) &&
        (await getEvent(h.sample.db, 'evt-renew-2'))?.status === 'sending'
          ? true
          : null,
      );
      b.start(); // b looks for work every 20 ms for as long as a's send runs
      expect(await aRun).toMatchObject({ claimed: 2, sent: 2, superseded: 0 });
    } finally {
      await b.stop();
      h.mock.faults.clear();
    }
    for (const id of ids) {
      expect(await getEvent(h.sample.db, id)).toMatchObject({ status: 'sent', attempts: 1 });
      expect(await claimedBy(h, id)).toBe('renewing-a');
      expect(h.mock.receivedCount(id)).toBe(1);
    }
  });

  it('a send that outlives maxSendMs loses its lease to another forwarder, and fencing makes that harmless: Kard counts each event once', async () => {
    const ids = ['evt-lapse-1', 'evt-lapse-2'];
    await queueTransactions(h, ids, 'fu-3', 'txn-lapse');
    // The first request takes 3 s; every later one answers at once.
    h.mock.faults.set({ match: '/transactions', sequence: [{ latencyMs: 3000 }] });
    const logger = createLogger({ level: 'silent' });
    const send = h.sample.kard.sendTransactions;
    const a = new Forwarder({
      db: h.sample.db,
      send,
      logger,
      leaseMs: 150,
      maxSendMs: 150,
      workerId: 'lapsing-a',
    });
    const b = new Forwarder({ db: h.sample.db, send, logger, leaseMs: 150, pollMs: 20, workerId: 'b' });
    const aRun = a.runOnce();
    try {
      await waitFor('a has the batch on the wire', async () =>
        (await getEvent(h.sample.db, 'evt-lapse-2'))?.status === 'sending' ? true : null,
      );
      b.start();
      await waitFor('b takes the rows over and delivers them', async () =>
        (await getEvent(h.sample.db, 'evt-lapse-2'))?.status === 'sent' ? true : null,
      );
      expect(await aRun).toMatchObject({ claimed: 2, sent: 0, superseded: 2 });
    } finally {
      await b.stop();
      h.mock.faults.clear();
    }
    for (const id of ids) {
      expect(await getEvent(h.sample.db, id)).toMatchObject({ status: 'sent', attempts: 2 });
      expect(await claimedBy(h, id)).toBe('b');
      expect(h.mock.receivedCount(id)).toBe(2);
      expect(h.mock.eventCount(id)).toBe(1);
    }
  });

  it('fencing holds for one worker id too: an outcome of an older claim is dropped while a newer claim of the same worker is in flight', async () => {
    await queueTransactions(h, ['evt-fence-3'], 'fu-2', 'txn-fence-same');
    const logger = createLogger({ level: 'silent' });
    const first = gated(h.sample.kard.sendTransactions);
    const second = gated(h.sample.kard.sendTransactions);
    const options = { db: h.sample.db, logger, leaseMs: 100, maxSendMs: 100, workerId: 'one-id' };
    const a = new Forwarder({ ...options, send: first.send });
    const b = new Forwarder({ ...options, send: second.send });
    const aRun = a.runOnce();
    let bRun: Promise<unknown> | undefined;
    try {
      await first.entered;
      await waitFor('the same worker id claims the row again after the lease', async () => {
        const run = b.runOnce();
        const which = await Promise.race([run.then(() => 'idle'), second.entered.then(() => 'claimed')]);
        if (which === 'claimed') bRun = run;
        return which === 'claimed';
      });
      // The older claim's send ends with a whole-request 400: it must not mark the row rejected.
      h.mock.faults.set({ match: '/transactions', sequence: [{ status: 400 }] });
      first.release();
      expect(await aRun).toMatchObject({ claimed: 1, rejected: 0, superseded: 1 });
      expect(await getEvent(h.sample.db, 'evt-fence-3')).toMatchObject({ status: 'sending', attempts: 2 });
      h.mock.faults.clear();
    } finally {
      first.release();
      second.release();
    }
    expect(await bRun).toMatchObject({ claimed: 1, sent: 1, superseded: 0 });
    expect(await getEvent(h.sample.db, 'evt-fence-3')).toMatchObject({ status: 'sent', reject_reason: null });
    expect(h.mock.eventCount('evt-fence-3')).toBe(1);
  });

  it('a revoked token: the SDK fetches a new one and the events are delivered', async () => {
    await queueTransactions(h, ['evt-revoked-1'], 'fu-3', 'txn-revoked');
    const tokensBefore = h.mock.stats().tokenRequests;
    h.mock.expireTokens();
    expect(await h.sample.forwarder.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(h.mock.stats().tokenRequests).toBeGreaterThan(tokensBefore);
    expect(h.mock.eventCount('evt-revoked-1')).toBe(1);
  });

  it('401 and 403 from Kard: a new token for each next attempt, retried with backoff, delivered, never rejected', async () => {
    const ids = ['evt-auth-1', 'evt-auth-2'];
    await queueTransactions(h, ids, 'fu-3', 'txn-auth');
    const tokensBefore = h.mock.stats().tokenRequests;
    // 401, 401: the SDK refreshes once within the call, then gives up; 403, 403: two more refusals.
    h.mock.faults.set({
      match: '/transactions',
      sequence: [{ status: 401 }, { status: 401 }, { status: 403 }, { status: 403 }],
    });
    const reports: BatchReport[] = [];
    await waitFor('the events delivered', async () => {
      const report = await h.sample.forwarder.runOnce();
      if (report.claimed > 0) reports.push(report);
      const rows = await Promise.all(ids.map((id) => getEvent(h.sample.db, id)));
      return rows.every((r) => r?.status === 'sent');
    }).catch((error: Error) => {
      throw new Error(`${error.message}; batches: ${JSON.stringify(reports)}`);
    });
    // Three refused attempts for each event (each row's retry time has its own jitter, so the two
    // may come back in one batch or in two), never a rejection.
    expect(reports.every((r) => r.rejected === 0)).toBe(true);
    expect(reports.reduce((n, r) => n + r.retried, 0)).toBe(6);
    for (const id of ids) {
      expect(await getEvent(h.sample.db, id)).toMatchObject({
        status: 'sent',
        attempts: 4,
        reject_reason: null,
      });
      expect(h.mock.eventCount(id)).toBe(1);
    }
    // One token per refused attempt: the SDK's refresh after the first 401, then one per attempt after.
    expect(h.mock.stats().tokenRequests - tokensBefore).toBeGreaterThanOrEqual(4);
  });
});

describe('per-transaction order: APPROVED before SETTLED, across retries and several forwarders (PGlite)', () => {
  let mock: MockKard;
  let db: Database;
  const forwarders: Forwarder[] = [];
  beforeAll(async () => {
    mock = await startMockKard({ maxRecordedRequests: 10_000 });
    db = await openDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await Promise.all(forwarders.map((f) => f.stop()));
    await db?.close();
    await mock?.close();
  });

  it('every SETTLED event goes out only after its APPROVED event was delivered', async () => {
    const T = 60;
    await enqueue(db, lifecycleEvents('ord', T));
    // No retries inside the SDK: every failure becomes a forwarder retry with backoff.
    const config = sampleConfig(mock);
    const port = createKardPort(() =>
      createKardClient({ ...config, kard: { ...config.kard, maxRetries: 0 } }),
    );
    const sender = loggingSender(port.sendTransactions);
    mock.faults.set({ match: '/transactions', rate: 0.4, step: { status: 503 }, seed: 11 });
    const logger = createLogger({ destination: logSink().stream });
    for (let i = 0; i < 3; i++)
      forwarders.push(
        new Forwarder({
          db,
          send: sender.send,
          logger,
          batchSize: 7,
          concurrency: 2,
          pollMs: 10,
          retryBaseMs: 5,
          sweepMs: 50, // retries and successors are found again quickly (the default is 1 s)
          maxRetryDelayMs: 40,
          workerId: `ord-${i}`,
        }),
      );
    for (const f of forwarders) f.start();
    await waitFor('every event sent', async () => (await counts(db)).sent === 2 * T, 90_000);
    await Promise.all(forwarders.map((f) => f.stop()));
    mock.faults.clear();

    expect(outOfOrder('ord', T, sender.log, mock)).toEqual([]);
    // The faults really happened: some events needed more than one attempt.
    expect(sender.log.some((e) => e.what === 'failed')).toBe(true);
    const retried = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE attempts > 1');
    expect(retried.rows[0]?.n).toBeGreaterThan(0);
    const workers = await db.query<{ w: string }>('SELECT DISTINCT claimed_by AS w FROM outbox');
    expect(workers.rows.length).toBeGreaterThan(1); // several forwarders did the work
    for (const e of lifecycleEvents('ord', T)) expect(mock.eventCount(e.id)).toBe(1);
  });
});
