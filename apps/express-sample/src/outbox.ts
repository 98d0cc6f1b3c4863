/**
 * The durable outbox. Every accepted event is a row keyed by its event id; the forwarder moves it
 * pending → sending → sent | rejected. All SQL here runs unchanged on PGlite and PostgreSQL.
 */
import type { Queryable } from './db.js';
import type { OutboxEvent } from './intake.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'rejected';

export interface OutboxRow {
  id: string;
  kind: 'v2' | 'legacy';
  payload: Record<string, unknown>;
  attempts: number;
}

/** A row as `claim` returns it: with its place in arrival order. */
export interface ClaimedRow extends OutboxRow {
  seq: number;
}

export interface OutboxRecord extends OutboxRow {
  status: OutboxStatus;
  user_id: string | null;
  transaction_id: string | null;
  event_status: string | null;
  last_error: string | null;
  reject_reason: unknown;
  kard_response: unknown;
  created_at: Date;
  sent_at: Date | null;
}

export interface EnqueueResult {
  queued: string[];
  duplicates: string[];
}

/** Inserts the events in one statement; an id already in the outbox is left as it is (no-op). */
export async function enqueue(db: Queryable, events: readonly OutboxEvent[]): Promise<EnqueueResult> {
  if (events.length === 0) return { queued: [], duplicates: [] };
  const rows = events.map((e) => ({
    id: e.id,
    kind: e.kind,
    payload: e.payload,
    user_id: e.userId,
    transaction_id: e.transactionId,
    event_status: e.eventStatus,
  }));
  const res = await db.query<{ id: string }>(
    `INSERT INTO outbox (id, kind, payload, user_id, transaction_id, event_status)
     SELECT e->>'id', e->>'kind', e->'payload', e->>'user_id', e->>'transaction_id', e->>'event_status'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n)
      ORDER BY n
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  const inserted = new Set(res.rows.map((r) => r.id));
  return {
    queued: events.filter((e) => inserted.has(e.id)).map((e) => e.id),
    duplicates: events.filter((e) => !inserted.has(e.id)).map((e) => e.id),
  };
}

/**
 * Claims up to `limit` rows for `worker`: rows that are due, plus rows another worker claimed more
 * than `leaseMs` ago (it crashed or hung). One statement, in two steps:
 *   1. outbox_claim_candidates (migration 6) reads up to `2 · limit` candidates in seq order,
 *      without locking anything: the first unfinished rows that are due and whose transactionId has
 *      no earlier unfinished row;
 *   2. of those, the first `limit` that no other claim is locking right now are locked (FOR UPDATE
 *      SKIP LOCKED), checked again on their current version (another forwarder may have claimed
 *      them since step 1) and marked 'sending'.
 * Locks are taken only in step 2, on at most `2 · limit` rows found by key, and released when the
 * statement ends, so several forwarders on one PostgreSQL database claim disjoint batches side by
 * side. Twice `limit` candidates leave a claim a full batch while another claim is locking the
 * first one.
 *
 * Order per transaction: a row is a candidate only when no earlier row of the same transactionId is
 * still unfinished (sent_at NULL: pending or sending). The SETTLED event of a transaction therefore
 * leaves only after its APPROVED event was recorded as sent (or rejected), whatever retries, backoff
 * or other forwarders do meanwhile. An earlier row that another forwarder is claiming at this very
 * moment still reads as unfinished, so the check holds under concurrency too; and a finished row
 * never becomes unfinished again, so the check made in step 1 still holds in step 2.
 *
 * Each claim adds 1 to `attempts`; the value returned with a row is the claim's fencing token (see
 * `complete`). The claim changes no indexed column, so on PostgreSQL it is an in-place (HOT) update.
 */
export async function claim(
  db: Queryable,
  worker: string,
  limit: number,
  leaseMs: number,
  /**
   * Rows (by seq) the caller is still sending itself: not taken again even when their lease ran
   * out. Passed as one comma-separated string, cheap to build for thousands of rows.
   */
  inFlight: readonly number[] = [],
  /**
   * Look only at rows from this seq on (default: the whole outbox). The forwarder's lanes pass the
   * seq after the last batch they claimed, so that a claim does not step again over the rows they
   * are still sending, nor over the index entries that rows already sent leave until a vacuum;
   * they look at the whole outbox again regularly (forwarder.ts, claimBatch).
   */
  fromSeq = 0,
): Promise<ClaimedRow[]> {
  const res = await db.query<OutboxRow & { seq: string }>(
    `UPDATE outbox
        SET status = 'sending', claimed_by = $1, claimed_at = now(), attempts = attempts + 1
      WHERE seq = ANY(ARRAY(
            SELECT c.seq FROM outbox c
             WHERE c.seq = ANY(ARRAY(SELECT outbox_claim_candidates(2 * $2::int, $3::int, string_to_array($4, ',')::bigint[], $5::bigint)))
               AND c.sent_at IS NULL
               AND ((c.status = 'pending' AND c.next_attempt_at <= now())
                 OR (c.status = 'sending' AND c.claimed_at < now() - $3::int * interval '1 millisecond'
                     AND c.seq <> ALL(string_to_array($4, ',')::bigint[])))
             ORDER BY c.seq
             LIMIT $2
             FOR UPDATE OF c SKIP LOCKED))
    RETURNING seq, id, kind, payload, attempts`,
    [worker, limit, leaseMs, inFlight.join(','), fromSeq],
  );
  // RETURNING does not promise an order; keep arrival order.
  return res.rows
    .map(({ seq, id, kind, payload, attempts }) => ({ seq: Number(seq), id, kind, payload, attempts }))
    .sort((a, b) => a.seq - b.seq);
}

/**
 * Extends the lease of rows `worker` is still sending (claimed_at = now()), so that a send slower
 * than the lease is not taken over while it runs. Fenced like `complete`: only rows still 'sending'
 * under this worker's claim with the given `attempts` move. Returns the ids renewed.
 */
export async function renew(
  db: Queryable,
  worker: string,
  rows: readonly { id: string; attempts: number }[],
): Promise<string[]> {
  const attempts: Record<string, number> = {};
  for (const r of rows) attempts[r.id] = r.attempts;
  const res = await db.query<{ id: string }>(
    `UPDATE outbox SET claimed_at = now()
      WHERE id = ANY($3::text[]) AND status = 'sending' AND claimed_by = $1
        AND attempts = ($2::jsonb ->> id)::int
    RETURNING id`,
    [worker, JSON.stringify(attempts), Object.keys(attempts)],
  );
  return res.rows.map((r) => r.id);
}

/** What happened to one claimed row; `attempts` is the value `claim` returned with it. */
export type Outcome = { id: string; attempts: number } & (
  | { result: 'sent'; response?: unknown }
  | { result: 'rejected'; reason: unknown }
  | { result: 'retry'; error: string; delayMs: number }
);

/**
 * Records outcomes, all in one statement: one JSON object keyed by event id carries every
 * outcome, and each row reads its own entry (`m -> id`, a keyed lookup), so the statement touches
 * only the rows it updates, found through the primary key, whatever the planner's statistics say.
 *
 * Fencing: a row changes only while it is still 'sending', claimed by `worker`, with the `attempts`
 * of the claim the outcome belongs to. When a lease expired during a slow send and another worker
 * (or this one, again) claimed the row meanwhile, the stale outcome changes nothing: the current
 * holder records its own. Returns the ids actually recorded. A missing `response` or `reason`
 * leaves the column empty (it reads back as null).
 */
export async function complete(
  db: Queryable,
  worker: string,
  outcomes: readonly Outcome[],
): Promise<string[]> {
  // The rows of one request share Kard's answer: each answer is sent once, in `answers`, and a
  // row names it by its index (k).
  const answers: unknown[] = [];
  const index = new Map<unknown, number>();
  const byId: Record<string, { a: number; r: string; e?: string; d?: number; k?: number }> = {};
  for (const o of outcomes) {
    if (o.result === 'retry') {
      byId[o.id] = { a: o.attempts, r: o.result, e: o.error, d: o.delayMs };
      continue;
    }
    const answer = o.result === 'sent' ? o.response : o.reason;
    let k = index.get(answer);
    if (k === undefined) {
      k = answers.push(answer === undefined ? null : answer) - 1;
      index.set(answer, k);
    }
    byId[o.id] = { a: o.attempts, r: o.result, k };
  }
  const res = await db.query<{ id: string }>(
    `WITH m AS (SELECT $2::jsonb AS m)
     UPDATE outbox o
        SET status          = CASE WHEN m -> o.id ->> 'r' = 'retry' THEN 'pending' ELSE m -> o.id ->> 'r' END,
            sent_at         = CASE WHEN m -> o.id ->> 'r' = 'retry' THEN NULL ELSE now() END,
            claimed_by      = CASE WHEN m -> o.id ->> 'r' = 'retry' THEN NULL ELSE o.claimed_by END,
            claimed_at      = CASE WHEN m -> o.id ->> 'r' = 'retry' THEN NULL ELSE o.claimed_at END,
            next_attempt_at = CASE WHEN m -> o.id ->> 'r' = 'retry'
                                   THEN now() + (m -> o.id ->> 'd')::float8 * interval '1 millisecond'
                                   ELSE o.next_attempt_at END,
            last_error      = CASE m -> o.id ->> 'r' WHEN 'retry' THEN m -> o.id ->> 'e'
                                   WHEN 'sent' THEN NULL ELSE o.last_error END,
            kard_response   = CASE WHEN m -> o.id ->> 'r' = 'sent'
                                   THEN nullif($4::jsonb -> (m -> o.id ->> 'k')::int, 'null')
                                   ELSE o.kard_response END,
            reject_reason   = CASE WHEN m -> o.id ->> 'r' = 'rejected'
                                   THEN nullif($4::jsonb -> (m -> o.id ->> 'k')::int, 'null')
                                   ELSE o.reject_reason END
       FROM m
      WHERE o.id = ANY($3::text[]) AND o.status = 'sending' AND o.claimed_by = $1
        AND o.attempts = (m -> o.id ->> 'a')::int
    RETURNING o.id`,
    [worker, JSON.stringify(byId), Object.keys(byId), JSON.stringify(answers)],
  );
  return res.rows.map((r) => r.id);
}

export async function counts(db: Queryable): Promise<Record<OutboxStatus, number>> {
  const res = await db.query<{ status: OutboxStatus; n: number }>(
    'SELECT status, count(*)::int AS n FROM outbox GROUP BY status',
  );
  const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, rejected: 0 };
  for (const r of res.rows) out[r.status] = r.n;
  return out;
}

export async function getEvent(db: Queryable, id: string): Promise<OutboxRecord | null> {
  const res = await db.query<OutboxRecord>(
    `SELECT id, kind, payload, attempts, status, user_id, transaction_id, event_status, last_error,
            reject_reason, kard_response, created_at, sent_at
       FROM outbox WHERE id = $1`,
    [id],
  );
  return res.rows[0] ?? null;
}
