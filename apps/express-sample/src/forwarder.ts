/**
 * The forwarder drains the outbox to Kard: claim a batch (≤ 500, R11), send it, record every
 * event's outcome in one statement. Several batches can be in flight at once (`concurrency`).
 * It is safe to crash anywhere:
 *   - before the send: the claimed rows stay 'sending' until their lease expires, then any
 *     forwarder (this one restarted, or another instance) claims them again;
 *   - after Kard accepted but before the outcome is recorded: the rows are re-sent after the lease;
 *     they keep their event ids, and Kard dedupes on data[].id (R10), so nothing is counted twice.
 * While a send runs, its lease is renewed (every third of `leaseMs`), so a slow Kard never lets
 * another forwarder take a batch that is still on the wire. Only a send that runs past `maxSendMs`
 * (hung), or a process that stops running (frozen, paused), lets the lease lapse; the row's new
 * holder then sends it again, and the stale send's outcome records nothing (outbox.ts, complete).
 * Events of one transactionId leave in the order they arrived (outbox.ts, claim).
 * Kard's per-event rejections (207) are final: the row is marked 'rejected' with Kard's reason and
 * kept for a person to look at; it is never retried blindly and never dropped.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Database } from './db.js';
import { claim, complete, type OutboxRow, type Outcome, renew } from './outbox.js';

export interface ItemRejection {
  id: string;
  reason: unknown;
}

/**
 * What happened to one batch. Events listed in `rejected` are final (Kard's 207 errors, or Kard
 * refusing the whole request with a 4xx). Every other event was accepted — unless `transientError`
 * is set: then nothing is known to be recorded and they are retried later with backoff.
 */
export interface SendResult {
  rejected: ItemRejection[];
  transientError?: string;
  response?: unknown;
}

export type Sender = (kind: 'v2' | 'legacy', rows: readonly OutboxRow[]) => Promise<SendResult>;

export interface ForwarderOptions {
  db: Database;
  send: Sender;
  logger: Logger;
  /** Events per request to Kard (max 500, R11). */
  batchSize?: number;
  /**
   * Batches in flight at once (default 8): while some wait for Kard, others are claimed and recorded,
   * so a distant Kard (50 ms a request) still takes 500-event batches back to back. Order per
   * transactionId holds whatever the value.
   */
  concurrency?: number;
  /**
   * How long a claim protects a row without renewal (default 5 min). While a send runs, the
   * forwarder renews it every third of this time; when this process stops (crash, freeze), the
   * rows are claimed again by any forwarder once it has run out.
   */
  leaseMs?: number;
  /**
   * A send still running after this long is treated as hung (default 15 min): its lease is no longer
   * renewed, so another forwarder may take the rows over, and the hung send's outcome is dropped.
   */
  maxSendMs?: number;
  /**
   * How often, at least, the lanes look at the whole outbox rather than past their last batch
   * (default SWEEP_MS): how long a retry, a lapsed lease or an event whose predecessor was just
   * recorded waits behind them at most.
   */
  sweepMs?: number;
  /** Sleep between polls when the outbox is empty (intake wakes the forwarder at once). */
  pollMs?: number;
  /** First retry delay after a transient failure; doubles per attempt, with jitter, up to maxRetryDelayMs. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Identifies this process in claimed_by. */
  workerId?: string;
}

export interface BatchReport {
  claimed: number;
  sent: number;
  rejected: number;
  retried: number;
  /** Outcomes not recorded: the lease expired during the send and the row has a new holder. */
  superseded: number;
}

/** The tuning a forwarder runs with: its options with the defaults filled in. */
export type ForwarderSettings = Readonly<
  Required<
    Pick<
      ForwarderOptions,
      | 'batchSize'
      | 'concurrency'
      | 'leaseMs'
      | 'maxSendMs'
      | 'sweepMs'
      | 'pollMs'
      | 'retryBaseMs'
      | 'maxRetryDelayMs'
    >
  >
>;

export const MAX_BATCH = 500;
export const DEFAULT_CONCURRENCY = 8;
/** The lanes look at the whole outbox at least this often by default (claimBatch). */
export const SWEEP_MS = 1000;

export class Forwarder {
  readonly workerId: string;
  /** What this forwarder runs with (the sample logs it at start). */
  readonly settings: ForwarderSettings;
  private running: Promise<void> | null = null;
  // Stryker disable next-line BooleanLiteral: start() sets it before any lane reads it.
  private stopping = false;
  /** Lanes asleep, each waiting for its poll timer or a wake-up. */
  private readonly sleepers = new Set<() => void>();
  /** A wake-up that arrived while no lane slept: the next lane to sleep looks again at once. */
  // Stryker disable next-line BooleanLiteral: starting with a wake-up only makes the first poll early.
  private pendingWake = false;
  /**
   * Rows this forwarder holds right now (claimed, being sent or recorded): id → seq. Its other lanes
   * never claim them again, even once the lease has run out during a slow send: this process is
   * alive and records them itself.
   */
  private readonly inFlight = new Map<string, number>();
  /** Where the lanes' next claim starts looking (claimBatch). */
  private cursor = 0;
  /** When a claim last looked at the whole outbox. */
  private sweptAt = 0;

  constructor(private readonly opts: ForwarderOptions) {
    this.settings = {
      batchSize: Math.min(Math.max(1, opts.batchSize ?? MAX_BATCH), MAX_BATCH),
      concurrency: Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY),
      leaseMs: opts.leaseMs ?? 5 * 60_000,
      maxSendMs: opts.maxSendMs ?? 15 * 60_000,
      sweepMs: opts.sweepMs ?? SWEEP_MS,
      pollMs: opts.pollMs ?? 1000,
      retryBaseMs: opts.retryBaseMs ?? 1000,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? 5 * 60_000,
    };
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  }

  /**
   * Claims (looking at the whole outbox), sends and records one batch. Returns what happened
   * (claimed 0 = nothing was due).
   */
  async runOnce(): Promise<BatchReport> {
    return this.forward(await this.claimBatch(true));
  }

  /**
   * Claims the next batch. The lanes look from `cursor` on (just past the batches they claimed
   * last), so that each claim steps only over new rows, not again over the rows in flight or the
   * index entries of rows already sent. The whole outbox is looked at (`whole`: runOnce) at least
   * every `sweepMs`: retries, leases that ran out, an
   * event whose earlier event of the same transactionId has since been recorded, rows whose insert
   * committed late — those sit behind the cursor and wait at most that long.
   */
  private async claimBatch(whole = false): Promise<OutboxRow[]> {
    const asked = Date.now();
    const held = [...this.inFlight.values()];
    const sweep = whole || asked - this.sweptAt >= this.settings.sweepMs;
    if (sweep) this.sweptAt = asked;
    const from = sweep ? 0 : this.cursor;
    const rows = await claim(
      this.opts.db,
      this.workerId,
      this.settings.batchSize,
      this.settings.leaseMs,
      held,
      from,
    );
    for (const r of rows) {
      this.inFlight.set(r.id, r.seq);
      if (r.seq >= this.cursor) this.cursor = r.seq + 1;
    }
    return rows;
  }

  /**
   * Sends and records a claimed batch. `onSent` runs once Kard has answered, before the outcomes
   * are recorded: the lanes claim their next batch then, so that recording one batch and claiming
   * the next share one wait on the database.
   */
  private async forward(rows: readonly OutboxRow[], onSent?: () => void): Promise<BatchReport> {
    const { db, logger } = this.opts;
    const report: BatchReport = { claimed: rows.length, sent: 0, rejected: 0, retried: 0, superseded: 0 };
    if (rows.length === 0) return report;

    let recorded: Set<string>;
    let outcomes: Outcome[];
    try {
      // A batch holds at most one event per transactionId (claim), so its v2 and legacy parts can
      // go to Kard side by side.
      const parts = await this.holdingLease(rows, () =>
        Promise.all(
          (['v2', 'legacy'] as const).map((kind) => this.sendGroup(rows.filter((r) => r.kind === kind))),
        ),
      );
      outcomes = parts.flat();
      onSent?.();
      recorded = new Set(await complete(db, this.workerId, outcomes));
    } finally {
      for (const r of rows) this.inFlight.delete(r.id);
    }
    for (const o of outcomes) {
      if (!recorded.has(o.id)) report.superseded += 1;
      else report[o.result === 'retry' ? 'retried' : o.result] += 1;
    }
    if (report.superseded > 0)
      logger.warn(
        { worker: this.workerId, superseded: report.superseded },
        'lease expired during the send: those rows have a new holder, which records them',
      );
    logger.info({ worker: this.workerId, ...report }, 'forwarder batch done');
    return report;
  }

  /**
   * Runs `send` while renewing the lease of `rows` every third of `leaseMs`, up to `maxSendMs`.
   * Renewal has stopped, and its last statement has finished, before this returns: the outcome
   * that follows is never raced by a renewal.
   */
  private async holdingLease<T>(rows: readonly OutboxRow[], send: () => Promise<T>): Promise<T> {
    const { db, logger } = this.opts;
    const every = Math.max(1, Math.floor(this.settings.leaseMs / 3));
    const giveUpAt = Date.now() + this.settings.maxSendMs;
    let renewal: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      if (Date.now() >= giveUpAt) {
        clearInterval(timer);
        logger.warn(
          { worker: this.workerId, events: rows.length, maxSendMs: this.settings.maxSendMs },
          'send still running after maxSendMs: its lease is no longer renewed',
        );
        return;
      }
      renewal = renewal
        .then(() => renew(db, this.workerId, rows))
        .catch((error: unknown) => logger.warn({ err: error }, 'lease renewal failed; will try again'));
    }, every);
    try {
      return await send();
    } finally {
      clearInterval(timer);
      await renewal;
    }
  }

  private async sendGroup(group: readonly OutboxRow[]): Promise<Outcome[]> {
    if (group.length === 0) return [];
    let result: SendResult;
    try {
      result = await this.opts.send(group[0]!.kind, group);
    } catch (error) {
      // An unexpected error in our own code: treat as transient, the rows stay in the outbox.
      result = { rejected: [], transientError: error instanceof Error ? error.message : String(error) };
    }
    return this.outcomesFor(group, result);
  }

  private outcomesFor(group: readonly OutboxRow[], result: SendResult): Outcome[] {
    const { logger } = this.opts;
    const rejected = new Map(result.rejected.map((r) => [r.id, r.reason]));
    if (rejected.size > 0)
      logger.warn({ rejected: rejected.size }, 'Kard rejected events; kept as rejected with the reason');
    const error = result.transientError;
    if (error !== undefined)
      logger.warn({ events: group.length - rejected.size, error }, 'send failed, will retry');
    return group.map((r): Outcome => {
      const { id, attempts } = r;
      if (rejected.has(id)) return { id, attempts, result: 'rejected', reason: rejected.get(id) };
      if (error !== undefined)
        return { id, attempts, result: 'retry', error, delayMs: this.backoff(attempts) };
      return { id, attempts, result: 'sent', response: result.response };
    });
  }

  /** Exponential backoff with full jitter: base · 2^(attempt-1), capped. */
  private backoff(attempts: number): number {
    const ceiling = Math.min(
      this.settings.maxRetryDelayMs,
      this.settings.retryBaseMs * 2 ** Math.max(0, attempts - 1),
    );
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /** Starts the background lanes (idempotent). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = Promise.all(Array.from({ length: this.settings.concurrency }, () => this.loop())).then(
      () => {},
    );
  }

  /** Ask the lanes to look at the outbox now (called after intake). */
  wake(): void {
    if (this.sleepers.size === 0) this.pendingWake = true;
    for (const wakeUp of [...this.sleepers]) wakeUp();
  }

  /** Stops after the batches in flight have been sent and recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = null;
    this.pendingWake = false;
  }

  /**
   * One lane: claim, send, record, again. The next batch is claimed while the previous one's
   * outcomes are being recorded (`forward`'s onSent), so a lane waits on the database once per batch,
   * not twice. Order per transactionId still holds: the rows being recorded are unfinished until
   * that statement commits, so that claim leaves their successors for a later one. A batch claimed
   * that way is sent even when stop() was called meanwhile.
   */
  private async loop(): Promise<void> {
    let next: Promise<OutboxRow[]> | null = null;
    while (!this.stopping || next) {
      let claimed = 0;
      try {
        const pending: Promise<OutboxRow[]> | null = next;
        next = null;
        const rows = await (pending ?? this.claimBatch());
        claimed = rows.length;
        await this.forward(rows, () => {
          if (this.stopping) return;
          const ahead = this.claimBatch();
          ahead.catch(() => {}); // awaited (and its failure logged) by the next iteration
          next = ahead;
        });
      } catch (error) {
        // Database unavailable or similar: nothing was lost (rows stay in the outbox); try again later.
        this.opts.logger.error({ err: error }, 'forwarder iteration failed');
      }
      if (claimed > 0 || next || this.stopping) continue;
      await this.sleep(this.settings.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.sleepers.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.sleepers.add(finish);
    });
  }
}
