/**
 * Reward reconciliation: what Kard sent while this service was down (or could not be reached) is
 * not lost. On start and then on an interval, the sample lists Kard's notification log
 * (GET …/notifications, R72) from a little before its cursor, and asks Kard to deliver again
 * (POST …/notifications/{eventId}/replay, R73) every earned-reward notification whose id it has not
 * recorded. The replay arrives at POST /webhooks/kard, signed like any delivery, and is recorded
 * there: idempotently by notification id, and one reward per (transaction, state) (webhooks.ts).
 *
 * The cursor (Kard's own timestamps, kept in kardkit_state) only moves past notifications that are
 * recorded: one whose replay has not arrived yet is looked at again on the next pass.
 */
import type { KardClient } from '@kardkit/sdk';
import { KardApiError } from '@kardkit/sdk';
import type { Logger } from 'pino';
import type { Queryable } from './db.js';
import { EARNED_REWARD_TYPES } from './webhooks.js';

export interface ListedNotification {
  eventId: string;
  eventName: string;
  /** When Kard created it (ISO 8601). */
  timestamp: string;
}

/** The two calls reconciliation makes to Kard. */
export interface NotificationLog {
  /** Every notification created after `after` (exclusive), any order. */
  list(after: string | null): AsyncIterable<ListedNotification>;
  /** Ask Kard to deliver this notification again (to the subscribed webhook URL). */
  replay(eventId: string): Promise<void>;
}

export function kardNotificationLog(client: KardClient): NotificationLog {
  return {
    async *list(after) {
      const query = { 'page[size]': 200, ...(after ? { 'filter[after]': after } : {}) };
      for await (const item of client.notifications.list(query as never)) {
        const attributes = (item as { attributes?: Record<string, unknown> }).attributes ?? {};
        const { eventId, eventName, timestamp } = attributes;
        if (typeof eventId === 'string' && typeof eventName === 'string' && typeof timestamp === 'string') {
          yield { eventId, eventName, timestamp };
        }
      }
    },
    async replay(eventId) {
      await client.notifications.replay(eventId);
    },
  };
}

export interface ReconcileReport {
  /** Earned-reward notifications Kard listed in the window. */
  listed: number;
  /** Of those, not recorded here. */
  missing: number;
  /** Replays Kard accepted. */
  replayed: number;
  /** Replays that failed (logged; retried on the next pass). */
  failed: number;
  /** The window's start (exclusive), or null for all of Kard's log. */
  after: string | null;
}

export interface ReconcilerOptions {
  db: Queryable;
  log: NotificationLog;
  logger: Logger;
  /** Between passes (default 5 minutes); 0 runs only the pass at start. */
  intervalMs?: number;
  /** How far before the cursor each pass looks again (default 1 hour): clock skew, late writes. */
  overlapMs?: number;
  /** The first pass, with no cursor yet, looks this far back (default 30 days). */
  lookbackMs?: number;
  /** Now (tests move it). */
  now?: () => number;
}

export const CURSOR_KEY = 'reconcile.cursor';

export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReconcileReport | null> | null = null;
  private stopped = false;

  constructor(private readonly opts: ReconcilerOptions) {}

  private async cursor(): Promise<string | null> {
    const res = await this.opts.db.query<{ value: string }>(
      'SELECT value FROM kardkit_state WHERE key = $1',
      [CURSOR_KEY],
    );
    return res.rows[0]?.value ?? null;
  }

  private async saveCursor(value: string): Promise<void> {
    await this.opts.db.query(
      `INSERT INTO kardkit_state (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [CURSOR_KEY, value],
    );
  }

  /** One pass: list, replay what is missing, move the cursor. */
  async runOnce(): Promise<ReconcileReport> {
    const { db, log, logger } = this.opts;
    const now = this.opts.now ?? Date.now;
    const cursor = await this.cursor();
    const from = cursor === null ? now() - (this.opts.lookbackMs ?? 30 * 86_400_000) : Date.parse(cursor);
    const after = new Date(from - (this.opts.overlapMs ?? 3_600_000)).toISOString();

    const listed: ListedNotification[] = [];
    for await (const n of log.list(after)) if (EARNED_REWARD_TYPES.includes(n.eventName)) listed.push(n);
    const known = new Set(
      (
        await db.query<{ id: string }>('SELECT id FROM webhook_notifications WHERE id = ANY($1::text[])', [
          listed.map((n) => n.eventId),
        ])
      ).rows.map((r) => r.id),
    );
    const missing = listed.filter((n) => !known.has(n.eventId));
    const report: ReconcileReport = {
      listed: listed.length,
      missing: missing.length,
      replayed: 0,
      failed: 0,
      after,
    };
    for (const n of missing) {
      try {
        await log.replay(n.eventId);
        report.replayed += 1;
      } catch (error) {
        report.failed += 1;
        const status = error instanceof KardApiError ? error.status : undefined;
        logger.warn({ eventId: n.eventId, status }, 'reconciliation: replay failed; tried again next pass');
        // 409: no enabled subscription for the event (R73). Nothing else will replay either.
        if (status === 409) break;
      }
    }
    // The cursor moves up to (not past) the oldest notification still missing, else to the newest seen.
    const times = (list: ListedNotification[]) =>
      list.map((n) => Date.parse(n.timestamp)).filter(Number.isFinite);
    const next = missing.length > 0 ? Math.min(...times(missing)) : Math.max(...times(listed));
    if (Number.isFinite(next) && (cursor === null || next > Date.parse(cursor))) {
      await this.saveCursor(new Date(next).toISOString());
    }
    if (report.missing > 0 || report.failed > 0) logger.info(report, 'reconciliation: replays requested');
    return report;
  }

  /** Runs a pass now and then every intervalMs; a failed pass is logged and retried at the next. */
  start(): void {
    this.stopped = false;
    const tick = () => {
      this.running = this.runOnce().catch((error: unknown) => {
        this.opts.logger.warn(
          { err: error instanceof Error ? { type: error.name, message: error.message } : String(error) },
          'reconciliation pass failed; tried again next pass',
        );
        return null;
      });
      const interval = this.opts.intervalMs ?? 5 * 60_000;
      void this.running.then(() => {
        if (this.stopped || interval <= 0) return;
        this.timer = setTimeout(tick, interval);
        this.timer.unref();
      });
    };
    tick();
  }

  /** Waits for a pass in flight; no pass starts after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
