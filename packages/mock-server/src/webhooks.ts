import { randomUUID } from 'node:crypto';
import { signWebhookBody } from '@kardkit/schemas';

/** Notifications kept for the list and replay endpoints. */
const MAX_LOG = 10_000;

export type DeliveryStatus = 'pending' | 'delivered' | 'delivery_failed';

/** One target URL of a notification: what it answered, after how many attempts and how long. */
export interface TargetResult {
  url: string;
  attempts: number;
  statusCode?: number;
  errorMessage?: string;
  /** Duration of the last attempt. */
  ms?: number;
}

export interface NotificationRecord {
  eventId: string;
  eventName: string;
  timestamp: string;
  lastAttemptAt: string;
  status: DeliveryStatus;
  attempts: number;
  statusCode?: number;
  errorMessage?: string;
  /** The exact bytes sent (compact JSON) and its `notify-signature`. */
  rawBody: string;
  signature?: string;
  /** Each target of the latest delivery (a replay starts a new list). */
  targets: TargetResult[];
  createdAt: number;
}

export interface DispatcherOptions {
  secret: string;
  maxAttempts: number;
  backoffMs: number;
  onResult: (ok: boolean) => void;
  /** Called whenever a record is created or one of its deliveries progresses. */
  onUpdate?: (rec: NotificationRecord) => void;
}

/**
 * Signs and delivers v2 notifications (R106; openapi/kard.yaml webhooks.notification): POST, compact JSON, header
 * `notify-signature` = base64 HMAC-SHA256 of the raw body. Non-2xx and connection failures are
 * retried with exponential backoff (backoffMs · 2^n). Timers are unref'd; close() cancels them.
 */
export class WebhookDispatcher {
  readonly log: NotificationRecord[] = [];
  private readonly byId = new Map<string, NotificationRecord>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private closed = false;
  /** Bumped by clear(): callbacks of older deliveries are ignored. */
  private epoch = 0;

  constructor(private readonly opts: DispatcherOptions) {}

  get(eventId: string): NotificationRecord | undefined {
    return this.byId.get(eventId);
  }

  /** Record a notification and send it to `targets`. Returns the record (status pending until done). */
  async send(eventName: string, payload: unknown, targets: string[]): Promise<NotificationRecord> {
    const rawBody = JSON.stringify(payload);
    const now = new Date().toISOString();
    const data = (payload as { data?: { id?: unknown } }).data;
    const eventId = typeof data?.id === 'string' ? data.id : randomUUID();
    const rec: NotificationRecord = {
      eventId,
      eventName,
      timestamp: now,
      lastAttemptAt: now,
      status: 'pending',
      attempts: 0,
      rawBody,
      targets: [],
      createdAt: Date.now(),
    };
    this.log.push(rec);
    this.byId.set(eventId, rec);
    if (this.log.length > MAX_LOG + MAX_LOG / 5) {
      // keep the newest MAX_LOG records (amortised)
      for (const old of this.log.splice(0, this.log.length - MAX_LOG)) this.byId.delete(old.eventId);
    }
    await this.deliver(rec, targets);
    return rec;
  }

  /** Deliver an existing record again (replay) to the currently configured targets. */
  async deliver(rec: NotificationRecord, targets: string[]): Promise<void> {
    const signature = await signWebhookBody(rec.rawBody, this.opts.secret);
    rec.signature = signature;
    const unique = [...new Set(targets)];
    rec.targets = unique.map((url) => ({ url, attempts: 0 }));
    if (targets.length === 0) {
      rec.status = 'delivery_failed';
      rec.errorMessage = 'no enabled subscription for this event';
      this.opts.onUpdate?.(rec);
      return;
    }
    rec.status = 'pending';
    this.opts.onUpdate?.(rec);
    // attempts = attempts before this delivery + the most attempts any one target needed
    const base = rec.attempts;
    const perTarget = new Map<string, number>();
    const bump = (url: string) => {
      perTarget.set(url, (perTarget.get(url) ?? 0) + 1);
      rec.attempts = base + Math.max(...perTarget.values());
    };
    let remaining = unique.length;
    let anyFailed = false;
    const done = (ok: boolean) => {
      if (!ok) anyFailed = true;
      remaining -= 1;
      if (remaining === 0) rec.status = anyFailed ? 'delivery_failed' : 'delivered';
      this.opts.onUpdate?.(rec);
    };
    rec.targets.forEach((t) => {
      this.attempt(rec, t, signature, 0, done, bump);
    });
  }

  private attempt(
    rec: NotificationRecord,
    target: TargetResult,
    signature: string,
    n: number,
    done: (ok: boolean) => void,
    bump: (url: string) => void,
  ): void {
    if (this.closed) return;
    const epoch = this.epoch;
    const ac = new AbortController();
    this.inflight.add(ac);
    const timeout = setTimeout(() => ac.abort(), 10_000);
    timeout.unref();
    const url = target.url;
    bump(url);
    target.attempts += 1;
    const started = Date.now();
    rec.lastAttemptAt = new Date(started).toISOString();
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'notify-signature': signature },
      body: rec.rawBody,
      signal: ac.signal,
    })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        return { status: res.status, error: undefined as string | undefined };
      })
      .catch((err: unknown) => ({
        status: undefined as number | undefined,
        error: err instanceof Error ? err.message : String(err),
      }))
      .then(({ status, error }) => {
        clearTimeout(timeout);
        this.inflight.delete(ac);
        if (this.closed || epoch !== this.epoch) return;
        target.ms = Date.now() - started;
        if (status !== undefined) {
          rec.statusCode = status;
          target.statusCode = status;
        }
        const ok = status !== undefined && status >= 200 && status < 300;
        if (ok) {
          delete rec.errorMessage;
          delete target.errorMessage;
          this.opts.onResult(true);
          done(true);
          return;
        }
        rec.errorMessage = error ? `connection failed: ${error}` : `webhook answered HTTP ${status}`;
        target.errorMessage = rec.errorMessage;
        if (n + 1 >= this.opts.maxAttempts) {
          this.opts.onResult(false);
          done(false);
          return;
        }
        const t = setTimeout(
          () => {
            this.timers.delete(t);
            this.attempt(rec, target, signature, n + 1, done, bump);
          },
          this.opts.backoffMs * 2 ** n,
        );
        t.unref();
        this.timers.add(t);
        this.opts.onUpdate?.(rec);
      });
  }

  /** Loads records saved by a previous run; a delivery the restart cut short counts as failed. */
  restore(records: readonly NotificationRecord[]): void {
    for (const r of records) {
      const rec: NotificationRecord = { ...r, targets: r.targets ?? [] };
      if (rec.status === 'pending') {
        rec.status = 'delivery_failed';
        rec.errorMessage = 'delivery interrupted by a restart of the sandbox; replay it';
      }
      this.log.push(rec);
      this.byId.set(rec.eventId, rec);
    }
  }

  /** Forget the log and cancel pending retries and in-flight deliveries (reset()). */
  clear(): void {
    this.epoch += 1;
    this.cancelPending();
    this.log.length = 0;
    this.byId.clear();
  }

  close(): void {
    this.closed = true;
    this.cancelPending();
  }

  private cancelPending(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ac of this.inflight) ac.abort();
    this.inflight.clear();
  }
}
