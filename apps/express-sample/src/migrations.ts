import type { Database } from './db.js';

/**
 * Schema migrations, applied in order at start-up. Append new entries; never edit an applied one.
 * They run in one transaction under an advisory lock, so instances starting together against one
 * PostgreSQL database do not race each other.
 */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'outbox and webhook notifications',
    sql: `
      CREATE TABLE outbox (
        seq             BIGSERIAL UNIQUE,               -- arrival order; batches are sent in this order
        id              TEXT PRIMARY KEY,               -- the event id (Kard's data[].id): the dedupe key end to end
        kind            TEXT NOT NULL CHECK (kind IN ('v2', 'legacy')),
        payload         JSONB NOT NULL,                 -- exactly what will be sent to Kard
        user_id         TEXT,
        transaction_id  TEXT,
        event_status    TEXT,                           -- APPROVED, SETTLED, ...
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'rejected')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        claimed_by      TEXT,
        claimed_at      TIMESTAMPTZ,
        last_error      TEXT,
        reject_reason   JSONB,
        kard_response   JSONB,
        created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        sent_at         TIMESTAMPTZ
      );
      CREATE INDEX outbox_ready ON outbox (status, next_attempt_at, seq);

      CREATE TABLE webhook_notifications (
        id                  TEXT PRIMARY KEY,           -- data.id: the notification id, Kard's key for redeliveries (openapi/kard.yaml: WebhookNotification)
        type                TEXT NOT NULL,
        user_id             TEXT,
        transaction_id      TEXT,
        offer_id            TEXT,
        merchant_name       TEXT,
        amount_cents        BIGINT,
        commission_cents    BIGINT,
        user_reward         JSONB,
        payload             JSONB NOT NULL,
        received_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
        duplicate_deliveries INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX webhook_notifications_user ON webhook_notifications (user_id, received_at);
    `,
  },
  {
    version: 2,
    name: 'outbox: unfinished events by transaction (per-transaction order)',
    // The forwarder claims an event only when no earlier event of its transactionId is unfinished
    // (outbox.ts, claim); this index answers that check.
    sql: `
      CREATE INDEX outbox_unfinished_by_transaction ON outbox (transaction_id, seq)
        WHERE status IN ('pending', 'sending');
    `,
  },
  {
    version: 3,
    name: 'rewards keyed by transaction and state; reconciliation cursor',
    sql: `
      -- One row per (transaction, reward state), however many notification ids carried it.
      CREATE TABLE rewards (
        transaction_id   TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('APPROVED', 'SETTLED', 'REJECTED')),
        user_id          TEXT,
        notification_id  TEXT NOT NULL,              -- the first notification that carried it
        offer_id         TEXT,
        merchant_name    TEXT,
        amount_cents     BIGINT,
        commission_cents BIGINT,
        user_reward      JSONB,
        recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (transaction_id, state)
      );
      CREATE INDEX rewards_user ON rewards (user_id, recorded_at);
      INSERT INTO rewards (transaction_id, state, user_id, notification_id, offer_id, merchant_name,
                           amount_cents, commission_cents, user_reward, recorded_at)
      SELECT COALESCE(transaction_id, 'notification:' || id),
             upper(substring(type FROM 'earnedReward(.*)')), user_id, id, offer_id, merchant_name,
             amount_cents, commission_cents, user_reward, received_at
        FROM webhook_notifications
       WHERE type IN ('earnedRewardApproved', 'earnedRewardSettled', 'earnedRewardRejected')
       ORDER BY received_at, id
      ON CONFLICT (transaction_id, state) DO NOTHING;

      -- Small named values that must survive restarts (the reconciliation cursor).
      CREATE TABLE kardkit_state (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 4,
    name: 'outbox: unfinished events in arrival order (claim without scanning sent rows)',
    // claim() walks unfinished rows in seq order; without this index it steps over every row
    // already sent or rejected, which grows with the outbox.
    sql: `
      CREATE INDEX outbox_unfinished ON outbox (seq) WHERE status IN ('pending', 'sending');
    `,
  },
  {
    version: 5,
    name: 'outbox: claims that rewrite no index entry (drain speed)',
    // A row is unfinished exactly while sent_at is NULL (complete() sets it for 'sent' and
    // 'rejected'; the CHECK keeps it so). Indexing on sent_at instead of status means a claim
    // (pending → sending) and a retry (sending → pending) change no indexed column, so PostgreSQL
    // updates the row in place on its page (a HOT update) without new index entries; fillfactor 50
    // leaves room on each page for that. outbox_ready (status, next_attempt_at, seq) no longer
    // served any query and cost an index entry per state change.
    // outbox_open_by_transaction answers claim()'s order check, one probe per candidate row. Its
    // predicate is written differently from outbox_open's on purpose: the planner then cannot
    // answer that check by walking outbox_open, a plan it would pick whenever its statistics were
    // taken while the outbox was empty (usual for a queue), and which costs every unfinished row
    // for each candidate (quadratic in the backlog).
    sql: `
      UPDATE outbox SET sent_at = COALESCE(created_at, now())
       WHERE status IN ('sent', 'rejected') AND sent_at IS NULL;
      UPDATE outbox SET sent_at = NULL WHERE status IN ('pending', 'sending') AND sent_at IS NOT NULL;
      ALTER TABLE outbox ADD CONSTRAINT outbox_finished_when_sent_at
        CHECK ((status IN ('sent', 'rejected')) = (sent_at IS NOT NULL));
      DROP INDEX outbox_ready;
      DROP INDEX outbox_unfinished;
      DROP INDEX outbox_unfinished_by_transaction;
      CREATE INDEX outbox_open ON outbox (seq) WHERE sent_at IS NULL;
      CREATE INDEX outbox_open_by_transaction ON outbox (transaction_id, seq)
        WHERE coalesce(sent_at, 'infinity') = 'infinity';
      ALTER TABLE outbox SET (fillfactor = 50);
    `,
  },
  {
    version: 6,
    name: 'outbox: claim candidates read without locks; vacuum the outbox as it churns',
    // claim() locks only rows this function found, so its locks last one short step and several
    // forwarders on one outbox do not hold each other up. The function walks outbox_open in seq
    // order from `from_seq` and stops after `max_rows`; its SET clause keeps the planner from collecting and sorting
    // the whole backlog instead, a plan it would pick whenever its statistics were taken while the
    // outbox was empty (usual for a queue), and whose cost grows with the backlog on every claim.
    // The order check (the candidate is the earliest unfinished event of its transactionId, or has
    // none) reads the first entry of outbox_open_by_transaction for that transactionId (migration 5).
    // It is a scalar subquery on purpose: the planner runs it once per candidate with the key as an
    // index condition, whereas a NOT EXISTS is turned into an anti-join that, on statistics taken
    // while the outbox was nearly empty, walks the whole index for every candidate (seconds per
    // claim with a backlog). A finished row never becomes unfinished again, so a candidate that
    // passes the check here still passes when claim() locks it.
    // Every event leaves the outbox's indexes a dead entry when it is recorded as sent; vacuuming
    // after 1 % of the table (instead of 20 %) keeps the walk over outbox_open short.
    sql: `
      CREATE FUNCTION outbox_claim_candidates(max_rows int, lease_ms int, in_flight bigint[], from_seq bigint)
        RETURNS SETOF bigint LANGUAGE sql STABLE SET enable_sort = off AS $fn$
        SELECT c.seq FROM outbox c
         WHERE c.sent_at IS NULL AND c.seq >= from_seq
           AND ((c.status = 'pending' AND c.next_attempt_at <= now())
             OR (c.status = 'sending' AND c.claimed_at < now() - lease_ms * interval '1 millisecond'
                 AND c.seq <> ALL(in_flight)))
           AND coalesce((SELECT p.seq FROM outbox p
                          WHERE p.transaction_id = c.transaction_id
                            AND coalesce(p.sent_at, 'infinity') = 'infinity'
                          ORDER BY p.transaction_id, p.seq
                          LIMIT 1), c.seq) = c.seq
         ORDER BY c.seq
         LIMIT max_rows
      $fn$;
      ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
    `,
  },
];

const LOCK_KEY = 715_031; // any constant shared by every instance of this app

export async function migrate(db: Database): Promise<number[]> {
  const applied = await applyMigrations(db);
  // PGlite runs no autovacuum, so its planner would otherwise plan the outbox queries without any
  // statistics; PostgreSQL's autovacuum keeps its own. (Only the outbox: analysing every table,
  // the system catalogs included, takes seconds in PGlite.)
  if (db.kind === 'pglite') await db.exec('ANALYZE outbox');
  return applied;
}

function applyMigrations(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS kardkit_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM kardkit_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO kardkit_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** True when every known migration is recorded (used by GET /readyz). */
export async function migrationsComplete(db: Database): Promise<boolean> {
  const res = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kardkit_migrations');
  return (res.rows[0]?.n ?? 0) >= migrations.length;
}
