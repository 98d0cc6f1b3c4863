/**
 * The durable outbox. Every accepted event is a row keyed by its event id; the forwarder moves it
 * pending → sending → sent | rejected. All SQL here runs unchanged on PGlite and PostgreSQL.
 */
import type { Database, Queryable } from './db.js';
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
 * Claims up to `limit` rows for `worker`, in one transaction: rows that are due, plus rows another
 * worker claimed more than `leaseMs` ago (it crashed or hung). FOR UPDATE SKIP LOCKED lets several
 * forwarders on one PostgreSQL database claim disjoint batches without waiting on each other.
 */
export async function claim(
  db: Database,
  worker: string,
  limit: number,
  leaseMs: number,
): Promise<OutboxRow[]> {
  return db.transaction(async (tx) => {
    const res = await tx.query<OutboxRow & { seq: string }>(
      `UPDATE outbox
          SET status = 'sending', claimed_by = $1, claimed_at = now(), attempts = attempts + 1
        WHERE id IN (
              SELECT id FROM outbox
               WHERE (status = 'pending' AND next_attempt_at <= now())
                  OR (status = 'sending' AND claimed_at < now() - $3::int * interval '1 millisecond')
               ORDER BY seq
               LIMIT $2
               FOR UPDATE SKIP LOCKED)
      RETURNING seq, id, kind, payload, attempts`,
      [worker, limit, leaseMs],
    );
    // RETURNING does not promise an order; keep arrival order (APPROVED before its SETTLED).
    return res.rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map(({ id, kind, payload, attempts }) => ({ id, kind, payload, attempts }));
  });
}

export type Outcome =
  | { id: string; result: 'sent'; response?: unknown }
  | { id: string; result: 'rejected'; reason: unknown }
  | { id: string; result: 'retry'; error: string; delayMs: number };

/**
 * How each kind of outcome changes its row. `u.e` is the outcome as JSON; a missing `response` or
 * `reason` leaves the column NULL.
 */
const RECORD: Record<Outcome['result'], string> = {
  sent: `status = 'sent', sent_at = now(), last_error = NULL, kard_response = u.e->'response'`,
  rejected: `status = 'rejected', sent_at = now(), reject_reason = u.e->'reason'`,
  retry: `status = 'pending', claimed_by = NULL, claimed_at = NULL, last_error = u.e->>'error',
          next_attempt_at = now() + (u.e->>'delayMs')::float8 * interval '1 millisecond'`,
};

/**
 * Records the outcome of one send, in one transaction. Only rows still claimed by `worker` are
 * touched: if a lease expired and another worker took a row over, that worker records it.
 */
export async function complete(db: Database, worker: string, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.transaction(async (tx) => {
    for (const [result, set] of Object.entries(RECORD)) {
      const group = outcomes.filter((o) => o.result === result);
      if (group.length === 0) continue;
      await tx.query(
        `UPDATE outbox o SET ${set}
           FROM jsonb_array_elements($2::jsonb) AS u(e)
          WHERE o.id = u.e->>'id' AND o.status = 'sending' AND o.claimed_by = $1`,
        [worker, JSON.stringify(group)],
      );
    }
  });
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
