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
 * Claims up to `limit` rows for `worker` in one statement: rows that are due, plus rows another
 * worker claimed more than `leaseMs` ago (it crashed or hung). FOR UPDATE SKIP LOCKED lets several
 * forwarders on one PostgreSQL database claim disjoint batches without waiting on each other.
 *
 * Order per transaction: a row is claimed only when no earlier row of the same transactionId is
 * still unfinished (pending or sending). The SETTLED event of a transaction therefore leaves only
 * after its APPROVED event was recorded as sent (or rejected), whatever retries, backoff or other
 * forwarders do meanwhile. An earlier row that another forwarder is claiming at this very moment
 * still reads as pending, so the check holds under concurrency too.
 *
 * Each claim adds 1 to `attempts`; the value returned with a row is the claim's fencing token (see
 * `complete`).
 */
export async function claim(
  db: Queryable,
  worker: string,
  limit: number,
  leaseMs: number,
  /** Rows the caller is still sending itself: not taken again even when their lease ran out. */
  inFlight: readonly string[] = [],
): Promise<OutboxRow[]> {
  const res = await db.query<OutboxRow & { seq: string }>(
    `UPDATE outbox
        SET status = 'sending', claimed_by = $1, claimed_at = now(), attempts = attempts + 1
      WHERE id IN (
            SELECT o.id FROM outbox o
             WHERE ((o.status = 'pending' AND o.next_attempt_at <= now())
                 OR (o.status = 'sending' AND o.claimed_at < now() - $3::int * interval '1 millisecond'))
               AND o.id <> ALL($4::text[])
               AND NOT EXISTS (
                   SELECT 1 FROM outbox p
                    WHERE p.transaction_id = o.transaction_id AND p.seq < o.seq
                      AND p.status IN ('pending', 'sending'))
             ORDER BY o.seq
             LIMIT $2
             FOR UPDATE OF o SKIP LOCKED)
    RETURNING seq, id, kind, payload, attempts`,
    [worker, limit, leaseMs, inFlight],
  );
  // RETURNING does not promise an order; keep arrival order.
  return res.rows
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map(({ id, kind, payload, attempts }) => ({ id, kind, payload, attempts }));
}

/** What happened to one claimed row; `attempts` is the value `claim` returned with it. */
export type Outcome = { id: string; attempts: number } & (
  | { result: 'sent'; response?: unknown }
  | { result: 'rejected'; reason: unknown }
  | { result: 'retry'; error: string; delayMs: number }
);

/**
 * Records outcomes, all in one statement. Fencing: a row changes only while it is still 'sending',
 * claimed by `worker`, with the `attempts` of the claim the outcome belongs to. When a lease expired
 * during a slow send and another worker (or this one, again) claimed the row meanwhile, the stale
 * outcome changes nothing: the current holder records its own. Returns the ids actually recorded.
 * A missing `response` or `reason` leaves the column NULL.
 */
export async function complete(
  db: Queryable,
  worker: string,
  outcomes: readonly Outcome[],
): Promise<string[]> {
  if (outcomes.length === 0) return [];
  const res = await db.query<{ id: string }>(
    `UPDATE outbox o
        SET status          = CASE WHEN u.result = 'retry' THEN 'pending' ELSE u.result END,
            sent_at         = CASE WHEN u.result = 'retry' THEN o.sent_at ELSE now() END,
            claimed_by      = CASE WHEN u.result = 'retry' THEN NULL ELSE o.claimed_by END,
            claimed_at      = CASE WHEN u.result = 'retry' THEN NULL ELSE o.claimed_at END,
            next_attempt_at = CASE WHEN u.result = 'retry'
                                   THEN now() + u."delayMs" * interval '1 millisecond'
                                   ELSE o.next_attempt_at END,
            last_error      = CASE u.result WHEN 'retry' THEN u.error WHEN 'sent' THEN NULL
                                   ELSE o.last_error END,
            kard_response   = CASE WHEN u.result = 'sent' THEN u.response ELSE o.kard_response END,
            reject_reason   = CASE WHEN u.result = 'rejected' THEN u.reason ELSE o.reject_reason END
       FROM jsonb_to_recordset($2::jsonb)
            AS u(id text, attempts int, result text, error text, "delayMs" float8, response jsonb, reason jsonb)
      WHERE o.id = u.id AND o.status = 'sending' AND o.claimed_by = $1 AND o.attempts = u.attempts
    RETURNING o.id`,
    [worker, JSON.stringify(outcomes)],
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
