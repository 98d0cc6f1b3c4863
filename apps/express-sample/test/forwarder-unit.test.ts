/**
 * The forwarder's own promises, in process on an in-memory PGlite outbox: batch limits, lanes,
 * backoff bounds, lease defaults, wake-up and stop, what it logs, and complete()'s fencing. The send
 * is the `Sender` seam itself (the loopback tests against the mock are in forwarder-faults.test.ts).
 */
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db.js';
import {
  DEFAULT_CONCURRENCY,
  Forwarder,
  MAX_BATCH,
  type Sender,
  type SendResult,
  SWEEP_MS,
} from '../src/forwarder.js';
import { createLogger } from '../src/logger.js';
import { migrate } from '../src/migrations.js';
import { claim, complete, counts, enqueue, getEvent, renew } from '../src/outbox.js';
import { logSink, NO_OFFER, txEvent, waitFor } from './helpers.js';

const silent = createLogger({ level: 'silent' });
const accept: Sender = async () => ({ rejected: [] });

/** Rejects after `ms` so that a hang fails the test quickly instead of running into its timeout. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A promise the test settles by hand: a send awaiting `gate` hangs until `release()`. */
function gated(): { gate: Promise<void>; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  return { gate, release };
}

describe('Forwarder (in process)', () => {
  let db: Database;
  const started: Forwarder[] = [];
  let n = 0;
  const queue = async (count: number, kind: 'v2' | 'legacy' = 'v2') => {
    const events = Array.from({ length: count }, () => {
      const id = `fu-${n++}`;
      return {
        id,
        kind,
        payload: txEvent(id, { userId: 'u', transactionId: `t-${id}`, merchant: NO_OFFER }),
        userId: 'u',
        transactionId: `t-${id}`,
        eventStatus: 'APPROVED',
      };
    });
    await enqueue(db, events);
    return events.map((e) => e.id);
  };
  const make = (opts: Partial<ConstructorParameters<typeof Forwarder>[0]> = {}) => {
    const f = new Forwarder({ db, send: accept, logger: silent, ...opts });
    started.push(f);
    return f;
  };

  beforeAll(async () => {
    db = await openDatabase();
    await migrate(db);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((f) => f.stop()));
    // Each test starts from an empty outbox.
    await db.query('DELETE FROM outbox');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('batches hold at most 500 events (R11), whatever is asked; at least 1', async () => {
    expect(MAX_BATCH).toBe(500);
    await queue(502);
    expect((await make({ batchSize: 1000 }).runOnce()).claimed).toBe(500);
    expect((await make({ batchSize: 0 }).runOnce()).claimed).toBe(1);
    expect((await make({ batchSize: 1 }).runOnce()).claimed).toBe(1);
    await queue(501);
    expect((await make().runOnce()).claimed).toBe(500);
  });

  it('sends v2 and legacy rows of one batch to their own endpoints, and records each', async () => {
    const v2 = await queue(2, 'v2');
    const legacy = await queue(1, 'legacy');
    const calls: [string, string[]][] = [];
    const send: Sender = async (kind, rows) => {
      calls.push([kind, rows.map((r) => r.id)]);
      return { rejected: [], response: { kind } };
    };
    expect(await make({ send }).runOnce()).toEqual({
      claimed: 3,
      sent: 3,
      rejected: 0,
      retried: 0,
      superseded: 0,
    });
    expect(calls.sort()).toEqual([
      ['legacy', legacy],
      ['v2', v2],
    ]);
    expect((await getEvent(db, legacy[0]!))?.kard_response).toEqual({ kind: 'legacy' });
    expect((await getEvent(db, v2[1]!))?.kard_response).toEqual({ kind: 'v2' });
  });

  it('a sender that throws is a transient failure: rows retried, not lost', async () => {
    const [id] = await queue(1);
    const report = await make({
      send: async () => {
        throw new Error('bug in a sender');
      },
    }).runOnce();
    expect(report).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    expect(await getEvent(db, id!)).toMatchObject({ status: 'pending', last_error: 'bug in a sender' });
    const other = await queue(1);
    await make({
      send: async () => {
        throw 'a string'; // not an Error
      },
    }).runOnce();
    expect((await getEvent(db, other[0]!))?.last_error).toBe('a string');
  });

  it('backoff: the first retry waits between half and all of retryBaseMs, doubling per attempt up to maxRetryDelayMs', async () => {
    const fail: Sender = async () => ({ rejected: [], transientError: 'down' });
    const delay = async (id: string) =>
      (
        await db.query<{ ms: number }>(
          `SELECT (extract(epoch FROM next_attempt_at - now()) * 1000)::float8 AS ms FROM outbox WHERE id = $1`,
          [id],
        )
      ).rows[0]!.ms;
    const [a] = await queue(1);
    await make({ send: fail, retryBaseMs: 60_000, maxRetryDelayMs: 10 * 60_000 }).runOnce();
    const first = await delay(a!);
    expect(first).toBeGreaterThan(29_000);
    expect(first).toBeLessThanOrEqual(60_000);
    // Third attempt: base · 2² = 240 s, so between 120 s and 240 s.
    await db.query(`UPDATE outbox SET attempts = 2, next_attempt_at = now() WHERE id = $1`, [a]);
    await make({ send: fail, retryBaseMs: 60_000, maxRetryDelayMs: 10 * 60_000 }).runOnce();
    const third = await delay(a!);
    expect(third).toBeGreaterThan(119_000);
    expect(third).toBeLessThanOrEqual(240_000);
    // Capped: attempt 30 waits at most maxRetryDelayMs (and at least half of it).
    await db.query(`UPDATE outbox SET attempts = 29, next_attempt_at = now() WHERE id = $1`, [a]);
    await make({ send: fail, retryBaseMs: 60_000, maxRetryDelayMs: 100_000 }).runOnce();
    const capped = await delay(a!);
    expect(capped).toBeGreaterThan(49_000);
    expect(capped).toBeLessThanOrEqual(100_000);
  });

  it('default backoff: 1 s base, 5 min ceiling', async () => {
    const fail: Sender = async () => ({ rejected: [], transientError: 'down' });
    const [a] = await queue(1);
    const delay = async () =>
      (
        await db.query<{ ms: number }>(
          `SELECT (extract(epoch FROM next_attempt_at - now()) * 1000)::float8 AS ms FROM outbox WHERE id = $1`,
          [a],
        )
      ).rows[0]!.ms;
    await make({ send: fail }).runOnce();
    const first = await delay();
    expect(first).toBeGreaterThan(400);
    expect(first).toBeLessThanOrEqual(1000);
    await db.query(`UPDATE outbox SET attempts = 40, next_attempt_at = now() WHERE id = $1`, [a]);
    await make({ send: fail }).runOnce();
    const capped = await delay();
    expect(capped).toBeGreaterThan(149_000);
    expect(capped).toBeLessThanOrEqual(300_000);
  });

  it('default lease: 5 minutes; a claim older than that is taken over, a younger one is not', async () => {
    const [id] = await queue(1);
    await claim(db, 'gone', 10, 60_000);
    await db.query(`UPDATE outbox SET claimed_at = now() - interval '4 minutes'`);
    expect((await make().runOnce()).claimed).toBe(0);
    await db.query(`UPDATE outbox SET claimed_at = now() - interval '6 minutes'`);
    expect((await make().runOnce()).claimed).toBe(1);
    expect((await getEvent(db, id!))?.status).toBe('sent');
  });

  it('settings: the defaults, and the options given (batchSize and concurrency clamped)', () => {
    expect(make().settings).toEqual({
      batchSize: MAX_BATCH,
      concurrency: DEFAULT_CONCURRENCY,
      leaseMs: 5 * 60_000,
      maxSendMs: 15 * 60_000,
      sweepMs: SWEEP_MS,
      pollMs: 1000,
      retryBaseMs: 1000,
      maxRetryDelayMs: 5 * 60_000,
    });
    const given = {
      leaseMs: 1,
      maxSendMs: 2,
      sweepMs: 3,
      pollMs: 4,
      retryBaseMs: 5,
      maxRetryDelayMs: 6,
    };
    expect(make({ ...given, batchSize: 7, concurrency: 9 }).settings).toEqual({
      ...given,
      batchSize: 7,
      concurrency: 9,
    });
    expect(make({ batchSize: 0, concurrency: 0 }).settings).toMatchObject({ batchSize: 1, concurrency: 1 });
    expect(make({ batchSize: 10_000 }).settings.batchSize).toBe(MAX_BATCH);
  });

  it('runOnce looks at the whole outbox; the lanes look behind their last batch only when they sweep', async () => {
    const sent: string[] = [];
    const f = make({
      concurrency: 1,
      pollMs: 10,
      sweepMs: 3_600_000, // no sweep during this test but the first claim's
      send: async (_kind, rows) => {
        sent.push(...rows.map((r) => r.id));
        return { rejected: [] };
      },
    });
    const [first] = await queue(1);
    f.start();
    await waitFor('the first event sent', async () => sent.includes(first!), 10_000);
    await f.stop();
    // A row behind the lane's cursor, then one ahead of it: the lane finds only the one ahead.
    const [behind] = await queue(1);
    await db.query(`UPDATE outbox SET seq = 0 WHERE id = $1`, [behind]);
    const [ahead] = await queue(1);
    f.start();
    await waitFor('the event ahead sent', async () => sent.includes(ahead!), 10_000);
    await f.stop();
    expect(sent).not.toContain(behind);
    expect(await f.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(sent.at(-1)).toBe(behind);
  });

  it('the default worker id names the host and process', async () => {
    await queue(1);
    const f = make();
    expect(f.workerId).toMatch(
      new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}:[a-z0-9]+$`),
    );
    await f.runOnce();
    const row = await db.query<{ claimed_by: string }>('SELECT claimed_by FROM outbox');
    expect(row.rows[0]?.claimed_by).toBe(f.workerId);
    expect(make({ workerId: 'mine' }).workerId).toBe('mine');
  });

  it(`runs ${DEFAULT_CONCURRENCY} batches at once by default, and \`concurrency\` of them when set`, async () => {
    for (const [concurrency, lanes] of [
      [undefined, DEFAULT_CONCURRENCY],
      [2, 2],
      [0, 1],
    ] as const) {
      await queue(8);
      let inFlight = 0;
      let most = 0;
      const { gate, release } = gated();
      const send: Sender = async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await gate;
        inFlight -= 1;
        return { rejected: [] };
      };
      const f = make({
        send,
        batchSize: 1,
        pollMs: 10,
        ...(concurrency === undefined ? {} : { concurrency }),
      });
      f.start();
      await waitFor(`${lanes} sends in flight`, () => inFlight === lanes, 30_000);
      // Every lane is blocked in its send: the rows in 'sending' are exactly one per lane.
      expect((await counts(db)).sending).toBe(lanes);
      release();
      await waitFor('all sent', async () => (await counts(db)).sent === 8, 30_000);
      await f.stop();
      expect(most).toBe(lanes);
      await db.query('DELETE FROM outbox');
    }
  });

  it('lanes look past their last batch, and at the whole outbox every SWEEP_MS: an event behind them is still sent', async () => {
    const [first] = await queue(1);
    const sent: string[] = [];
    const f = make({
      concurrency: 1,
      pollMs: 10,
      send: async (_kind, rows) => {
        sent.push(...rows.map((r) => r.id));
        return { rejected: [] };
      },
    });
    f.start();
    await waitFor('the first event sent', async () => sent.includes(first!), 10_000);
    // A row that lands behind the lanes' cursor (as a retry, a lapsed lease or an insert that
    // committed late does): the next look at the whole outbox finds it.
    const [behind] = await queue(1);
    await db.query(`UPDATE outbox SET seq = 0 WHERE id = $1`, [behind]);
    const [ahead] = await queue(1);
    await waitFor('the later event sent', async () => sent.includes(ahead!), 10_000);
    await waitFor('the event behind the cursor sent', async () => sent.includes(behind!), 10_000);
    expect(SWEEP_MS).toBeLessThanOrEqual(1000);
  });

  it('never claims again rows its own other lane is still sending, even past the lease', async () => {
    const [id] = await queue(1);
    const { gate: inSend, release: entered } = gated();
    const { gate, release } = gated();
    const f = make({
      leaseMs: 100,
      send: async () => {
        entered();
        await gate;
        return { rejected: [] };
      },
    });
    const first = f.runOnce();
    await inSend;
    await db.query(`UPDATE outbox SET claimed_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    expect((await f.runOnce()).claimed).toBe(0); // its own send is still going on
    release();
    expect(await first).toMatchObject({ claimed: 1, sent: 1, superseded: 0 });
    // Once recorded, nothing is left in flight: another expired claim is taken again.
    const [other] = await queue(1);
    await claim(db, f.workerId, 10, 60_000);
    await db.query(`UPDATE outbox SET claimed_at = now() - interval '1 minute' WHERE id = $1`, [other]);
    expect((await f.runOnce()).claimed).toBe(1);
  });

  it('renews the lease of a batch while its send runs, so no other worker can take it over', async () => {
    const [id] = await queue(1);
    const { gate, release } = gated();
    let entered = () => {};
    const inSend = new Promise<void>((r) => {
      entered = r;
    });
    const f = make({
      leaseMs: 150,
      send: async () => {
        entered();
        await gate;
        return { rejected: [] };
      },
    });
    const run = f.runOnce();
    try {
      await inSend;
      // Make the claim look old; the renewal (every 50 ms) makes it fresh again.
      await db.query(`UPDATE outbox SET claimed_at = now() - interval '1 hour' WHERE id = $1`, [id]);
      await waitFor('the lease renewed', async () => {
        const r = await db.query<{ fresh: boolean }>(
          `SELECT claimed_at > now() - interval '10 seconds' AS fresh FROM outbox WHERE id = $1`,
          [id],
        );
        return r.rows[0]?.fresh === true;
      });
      // Another worker finds nothing to take over.
      expect(await claim(db, 'other', 10, 150)).toEqual([]);
    } finally {
      release();
    }
    expect(await run).toMatchObject({ claimed: 1, sent: 1, superseded: 0 });
    expect((await getEvent(db, id as string))?.status).toBe('sent');
  });

  it('stops renewing a send that runs past maxSendMs (hung): the lease lapses, and it says so', async () => {
    const [id] = await queue(1);
    const sink = logSink();
    const { gate, release } = gated();
    const f = make({
      leaseMs: 150,
      maxSendMs: 200,
      logger: createLogger({ level: 'warn', destination: sink.stream }),
      send: async () => {
        await gate;
        return { rejected: [] };
      },
    });
    const run = f.runOnce();
    try {
      // Once renewal has stopped, the lease runs out and another worker takes the row over.
      const taken = await waitFor('the hung send loses its lease', async () => {
        const rows = await claim(db, 'other', 10, 150);
        return rows.length > 0 ? rows : null;
      });
      expect(taken?.map((r) => r.id)).toEqual([id]);
      expect(sink.lines.some((l) => l.includes('no longer renewed') && l.includes('"maxSendMs":200'))).toBe(
        true,
      );
    } finally {
      release();
    }
    expect(await run).toMatchObject({ claimed: 1, sent: 0, superseded: 1 });
  });

  it('a failed lease renewal is logged and tried again; the batch is still sent and recorded', async () => {
    await queue(1);
    const sink = logSink();
    let failures = 0;
    const flaky = {
      kind: db.kind,
      transaction: db.transaction.bind(db),
      exec: db.exec.bind(db),
      close: db.close.bind(db),
      query: async (sql: string, params?: readonly unknown[]) => {
        if (sql.includes('SET claimed_at = now()') && failures < 2) {
          failures += 1;
          throw new Error('connection reset');
        }
        return db.query(sql, params);
      },
    } as Database;
    const { gate, release } = gated();
    const f = make({
      db: flaky,
      leaseMs: 150,
      logger: createLogger({ level: 'warn', destination: sink.stream }),
      send: async () => {
        await gate;
        return { rejected: [] };
      },
    });
    const run = f.runOnce();
    try {
      await waitFor(
        'two failed renewals logged',
        () => sink.lines.filter((l) => l.includes('lease renewal failed')).length >= 2,
      );
      await db.query(`UPDATE outbox SET claimed_at = now() - interval '1 hour' WHERE status = 'sending'`);
      await waitFor('a later renewal that works', async () => {
        const r = await db.query<{ fresh: boolean }>(
          `SELECT claimed_at > now() - interval '1 minute' AS fresh FROM outbox WHERE status = 'sending'`,
        );
        return r.rows[0]?.fresh === true;
      });
    } finally {
      release();
    }
    expect(await run).toMatchObject({ claimed: 1, sent: 1, superseded: 0 });
    expect(sink.lines.find((l) => l.includes('lease renewal failed'))).toContain('connection reset');
  });

  it('start() twice runs one set of lanes', async () => {
    await queue(8);
    let inFlight = 0;
    const { gate, release } = gated();
    const f = make({
      concurrency: 2,
      batchSize: 1,
      send: async () => {
        inFlight += 1;
        await gate;
        inFlight -= 1;
        return { rejected: [] };
      },
    });
    f.start();
    f.start();
    await waitFor('two sends in flight', () => inFlight === 2, 30_000);
    expect((await counts(db)).sending).toBe(2);
    release();
    await waitFor('all sent', async () => (await counts(db)).sent === 8, 30_000);
  });

  it('wake() starts a sleeping forwarder at once; stop() does not wait for the poll timer', async () => {
    const f = make({ pollMs: 600_000, concurrency: 2 });
    f.start();
    await within(
      20_000,
      'an idle pass',
      waitFor('lanes asleep', async () => (await counts(db)).pending === 0),
    );
    const ids = await queue(3);
    f.wake();
    await within(
      20_000,
      'delivery after wake()',
      waitFor('sent', async () => (await counts(db)).sent === 3),
    );
    expect((await getEvent(db, ids[2]!))?.status).toBe('sent');
    await within(20_000, 'stop()', f.stop());
    // Stopped means stopped: new rows stay pending, and a later start() picks them up.
    await queue(1);
    f.wake();
    expect((await counts(db)).pending).toBe(1);
    f.start();
    f.wake();
    await within(
      20_000,
      'delivery after a restart',
      waitFor('sent', async () => (await counts(db)).sent === 4),
    );
  });

  it('stop() waits for the batch in flight to be sent and recorded', async () => {
    await queue(2);
    const { gate: inSend, release: entered } = gated();
    const { gate, release } = gated();
    const f = make({
      concurrency: 1,
      send: async () => {
        entered();
        await gate;
        return { rejected: [] };
      },
    });
    f.start();
    await inSend;
    let stopped = false;
    const stopping = f.stop().then(() => {
      stopped = true;
    });
    expect((await counts(db)).sending).toBe(2);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await counts(db)).toMatchObject({ sent: 2, sending: 0 });
  });

  it('a failing iteration (database gone) is logged and retried, not fatal', async () => {
    const sink = logSink();
    const broken = {
      ...db,
      kind: 'pglite' as const,
      query: async () => {
        throw new Error('connection refused');
      },
      transaction: async () => {
        throw new Error('connection refused');
      },
    } as unknown as Database;
    const f = new Forwarder({
      db: broken,
      send: accept,
      logger: createLogger({ destination: sink.stream }),
      pollMs: 10,
      concurrency: 1,
    });
    started.push(f);
    f.start();
    await waitFor(
      'two failed iterations logged',
      () => sink.lines.filter((l) => l.includes('forwarder iteration failed')).length >= 2,
    );
    const line = JSON.parse(sink.lines.find((l) => l.includes('forwarder iteration failed'))!);
    expect(line.level).toBe(50); // error
    expect(line.err.message).toBe('connection refused');
  });

  it('logs each batch, each rejection, each retry and each superseded outcome (no payloads)', async () => {
    const sink = logSink();
    const logger = createLogger({ destination: sink.stream });
    const [a, b] = await queue(2);
    const send: Sender = async (): Promise<SendResult> => ({
      rejected: [{ id: a!, reason: { detail: 'no' } }],
      transientError: 'HTTP 503: down',
    });
    const report = await make({ send, logger, workerId: 'log-w' }).runOnce();
    expect(report).toMatchObject({ claimed: 2, rejected: 1, retried: 1 });
    const lines = sink.lines.map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        rejected: 1,
        msg: 'Kard rejected events; kept as rejected with the reason',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        events: 1,
        error: 'HTTP 503: down',
        msg: 'send failed, will retry',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 30,
        worker: 'log-w',
        claimed: 2,
        rejected: 1,
        retried: 1,
        msg: 'forwarder batch done',
      }),
    );
    expect(sink.lines.join('\n')).not.toContain('411111');
    expect((await getEvent(db, b!))?.last_error).toBe('HTTP 503: down');

    // A clean batch logs no warning.
    sink.lines.length = 0;
    await queue(1);
    await make({ logger }).runOnce();
    expect(sink.lines.map((l) => JSON.parse(l).level)).toEqual([30]);

    // Superseded: the lease expired during the send and another worker holds the row now.
    sink.lines.length = 0;
    const [c] = await queue(1);
    const slow: Sender = async () => {
      await db.query(`UPDATE outbox SET claimed_by = 'other', attempts = attempts + 1 WHERE id = $1`, [c]);
      return { rejected: [] };
    };
    expect(await make({ send: slow, logger, workerId: 'log-w' }).runOnce()).toMatchObject({
      claimed: 1,
      sent: 0,
      superseded: 1,
    });
    expect(sink.lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({
        level: 40,
        worker: 'log-w',
        superseded: 1,
        msg: 'lease expired during the send: those rows have a new holder, which records them',
      }),
    );
  });
});

describe('outbox complete(): what each outcome writes, and fencing', () => {
  let db: Database;
  const event = (id: string, transactionId = `t-${id}`) => ({
    id,
    kind: 'v2' as const,
    payload: { id },
    userId: 'u',
    transactionId,
    eventStatus: 'APPROVED',
  });
  beforeAll(async () => {
    db = await openDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('sent, rejected and retry each write their columns; the others keep theirs', async () => {
    await enqueue(db, [event('c-sent'), event('c-rej'), event('c-retry')]);
    await db.query(`UPDATE outbox SET last_error = 'earlier', kard_response = '"old"'::jsonb`);
    const rows = await claim(db, 'w', 10, 60_000);
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1]);
    const recorded = await complete(db, 'w', [
      { id: 'c-sent', attempts: 1, result: 'sent', response: { ok: true } },
      { id: 'c-rej', attempts: 1, result: 'rejected', reason: { why: 'no' } },
      { id: 'c-retry', attempts: 1, result: 'retry', error: 'HTTP 503', delayMs: 60_000 },
    ]);
    expect(recorded.sort()).toEqual(['c-rej', 'c-retry', 'c-sent']);
    const all = await db.query<Record<string, unknown>>(
      `SELECT id, status, claimed_by, claimed_at IS NOT NULL AS claimed, sent_at IS NOT NULL AS has_sent_at,
              last_error, kard_response, reject_reason,
              next_attempt_at > now() + interval '50 seconds' AS later,
              next_attempt_at <= now() + interval '61 seconds' AS not_too_late
         FROM outbox ORDER BY id`,
    );
    expect(all.rows).toEqual([
      {
        id: 'c-rej',
        status: 'rejected',
        claimed_by: 'w',
        claimed: true,
        has_sent_at: true,
        last_error: 'earlier',
        kard_response: 'old',
        reject_reason: { why: 'no' },
        later: false,
        not_too_late: true,
      },
      {
        id: 'c-retry',
        status: 'pending',
        claimed_by: null,
        claimed: false,
        has_sent_at: false,
        last_error: 'HTTP 503',
        kard_response: 'old',
        reject_reason: null,
        later: true,
        not_too_late: true,
      },
      {
        id: 'c-sent',
        status: 'sent',
        claimed_by: 'w',
        claimed: true,
        has_sent_at: true,
        last_error: null,
        kard_response: { ok: true },
        reject_reason: null,
        later: false,
        not_too_late: true,
      },
    ]);
    // Missing response / reason: NULL.
    await enqueue(db, [event('c-bare-sent'), event('c-bare-rej')]);
    await claim(db, 'w', 10, 60_000);
    await complete(db, 'w', [
      { id: 'c-bare-sent', attempts: 1, result: 'sent' },
      { id: 'c-bare-rej', attempts: 1, result: 'rejected', reason: undefined },
    ]);
    expect((await getEvent(db, 'c-bare-sent'))?.kard_response).toBeNull();
    expect((await getEvent(db, 'c-bare-rej'))?.reject_reason).toBeNull();
    expect(await complete(db, 'w', [])).toEqual([]);
  });

  it('changes nothing for another worker, another claim (attempts) or a row no longer sending', async () => {
    await enqueue(db, [event('f-1'), event('f-2'), event('f-3')]);
    await claim(db, 'holder', 10, 60_000);
    const before = await db.query('SELECT * FROM outbox WHERE id LIKE $1 ORDER BY id', ['f-%']);
    expect(
      await complete(db, 'intruder', [{ id: 'f-1', attempts: 1, result: 'rejected', reason: 'x' }]),
    ).toEqual([]);
    expect(await complete(db, 'holder', [{ id: 'f-2', attempts: 2, result: 'sent' }])).toEqual([]);
    expect(await complete(db, 'holder', [{ id: 'f-3', attempts: 0, result: 'sent' }])).toEqual([]);
    expect((await db.query('SELECT * FROM outbox WHERE id LIKE $1 ORDER BY id', ['f-%'])).rows).toEqual(
      before.rows,
    );
    expect(await complete(db, 'holder', [{ id: 'f-1', attempts: 1, result: 'sent' }])).toEqual(['f-1']);
    // Recorded once: a second outcome for the same claim finds the row no longer sending.
    expect(
      await complete(db, 'holder', [{ id: 'f-1', attempts: 1, result: 'retry', error: 'x', delayMs: 1 }]),
    ).toEqual([]);
    expect((await getEvent(db, 'f-1'))?.status).toBe('sent');
  });

  it('renew: moves claimed_at of rows still sending under this worker and claim, and of no other row', async () => {
    await db.query('DELETE FROM outbox');
    await enqueue(db, [event('r-1'), event('r-2'), event('r-3'), event('r-4')]);
    await claim(db, 'holder', 3, 60_000); // r-1..r-3 sending, r-4 pending
    await db.query(`UPDATE outbox SET claimed_at = now() - interval '1 minute' WHERE id <> 'r-4'`);
    const renewed = await renew(db, 'holder', [
      { id: 'r-1', attempts: 1 },
      { id: 'r-2', attempts: 2 }, // another claim
      { id: 'r-4', attempts: 0 }, // not sending
    ]);
    expect(renewed).toEqual(['r-1']);
    expect(await renew(db, 'intruder', [{ id: 'r-3', attempts: 1 }])).toEqual([]);
    expect(await renew(db, 'holder', [])).toEqual([]);
    const fresh = await db.query<{ id: string; fresh: boolean }>(
      `SELECT id, claimed_at > now() - interval '30 seconds' AS fresh FROM outbox
        WHERE claimed_at IS NOT NULL ORDER BY id`,
    );
    expect(fresh.rows).toEqual([
      { id: 'r-1', fresh: true },
      { id: 'r-2', fresh: false },
      { id: 'r-3', fresh: false },
    ]);
    // The renewed row is no longer up for a takeover; the stale ones are.
    expect((await claim(db, 'other', 10, 30_000)).map((r) => r.id)).toEqual(['r-2', 'r-3', 'r-4']);
  });

  it('a row is finished (sent_at set) exactly when it is sent or rejected: the database refuses anything else', async () => {
    await enqueue(db, [event('inv-1')]);
    await expect(db.query(`UPDATE outbox SET status = 'sent' WHERE id = 'inv-1'`)).rejects.toThrow(
      /outbox_finished_when_sent_at/,
    );
    await expect(db.query(`UPDATE outbox SET sent_at = now() WHERE id = 'inv-1'`)).rejects.toThrow(
      /outbox_finished_when_sent_at/,
    );
    expect((await getEvent(db, 'inv-1'))?.status).toBe('pending');
  });

  it('claim: due rows in arrival order, not rows waiting for their retry time, not rows under a live lease', async () => {
    await db.query('DELETE FROM outbox');
    await enqueue(db, [event('k-1'), event('k-2'), event('k-3'), event('k-4')]);
    await db.query(`UPDATE outbox SET next_attempt_at = now() + interval '1 hour' WHERE id = 'k-2'`);
    const first = await claim(db, 'a', 2, 60_000);
    expect(first.map((r) => r.id)).toEqual(['k-1', 'k-3']);
    expect(first[0]).toEqual({
      seq: expect.any(Number),
      id: 'k-1',
      kind: 'v2',
      payload: { id: 'k-1' },
      attempts: 1,
    });
    expect((await claim(db, 'b', 10, 60_000)).map((r) => r.id)).toEqual(['k-4']);
    expect(await claim(db, 'b', 10, 60_000)).toEqual([]);
    await db.query(`UPDATE outbox SET claimed_at = now() - interval '2 seconds' WHERE id = 'k-1'`);
    expect(await claim(db, 'b', 10, 5_000)).toEqual([]);
    expect((await claim(db, 'b', 10, 1_000)).map((r) => [r.id, r.attempts])).toEqual([['k-1', 2]]);
    const row = await db.query<{ claimed_by: string; status: string }>(
      `SELECT claimed_by, status FROM outbox WHERE id = 'k-1'`,
    );
    expect(row.rows[0]).toEqual({ claimed_by: 'b', status: 'sending' });
  });

  it('claim: from a given seq on only, and never a held row (by seq) even past its lease', async () => {
    await db.query('DELETE FROM outbox');
    await enqueue(db, [event('s-1'), event('s-2'), event('s-3')]);
    const seqs = (await db.query<{ seq: string }>(`SELECT seq FROM outbox ORDER BY seq`)).rows.map((r) =>
      Number(r.seq),
    );
    const later = await claim(db, 'a', 10, 60_000, [], seqs[1]);
    expect(later.map((r) => [r.id, r.seq])).toEqual([
      ['s-2', seqs[1]],
      ['s-3', seqs[2]],
    ]);
    await db.query(`UPDATE outbox SET claimed_at = now() - interval '1 hour' WHERE id IN ('s-2', 's-3')`);
    // s-3 is still being sent by its holder: only s-1 and the lapsed s-2 are taken.
    expect((await claim(db, 'a', 10, 60_000, [seqs[2]!])).map((r) => r.id)).toEqual(['s-1', 's-2']);
  });

  it('claim: a later event of a transaction waits while an earlier one is pending or sending, not after it is sent or rejected', async () => {
    await db.query('DELETE FROM outbox');
    await enqueue(db, [
      event('o-1', 'T'),
      event('o-2', 'T'),
      event('o-3', 'T'),
      event('o-x', 'U'),
      event('o-n1', null as never),
      event('o-n2', null as never),
    ]);
    // Rows without a transactionId never wait for each other.
    expect((await claim(db, 'a', 10, 60_000)).map((r) => r.id)).toEqual(['o-1', 'o-x', 'o-n1', 'o-n2']);
    expect(await claim(db, 'a', 10, 60_000)).toEqual([]); // o-2 waits: o-1 is sending
    await complete(db, 'a', [{ id: 'o-1', attempts: 1, result: 'retry', error: 'x', delayMs: 0 }]);
    expect((await claim(db, 'a', 10, 60_000)).map((r) => r.id)).toEqual(['o-1']); // o-1 pending: o-2 still waits
    await complete(db, 'a', [{ id: 'o-1', attempts: 2, result: 'rejected', reason: 'r' }]);
    expect((await claim(db, 'a', 10, 60_000)).map((r) => r.id)).toEqual(['o-2']);
    await complete(db, 'a', [{ id: 'o-2', attempts: 1, result: 'sent' }]);
    expect((await claim(db, 'a', 10, 60_000)).map((r) => r.id)).toEqual(['o-3']);
  });
});
