import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { NOTIFICATION_TYPE } from '@kardkit/schemas';
import { FaultController } from './faults.js';
import { type FixtureOffer, matchOffer, rewardCents } from './fixtures.js';
import { LEGACY_EARNED_REWARD, samplePayload, type TriggerOptions } from './triggers.js';
import type { CounterStats, MockStats } from './types.js';
import { type NotificationRecord, WebhookDispatcher } from './webhooks.js';

/** Every v2 notification type (openapi/kard.yaml NotificationType). */
export const NOTIFICATION_TYPES: readonly string[] = NOTIFICATION_TYPE;

/** What `trigger` can emit: every v2 type and the legacy earned-reward webhook. */
export const TRIGGER_TYPES: readonly string[] = [...NOTIFICATION_TYPES, LEGACY_EARNED_REWARD];

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Transactions kept for the dashboard (newest last). */
const MAX_RECEIVED = 1000;

/** One transaction event as the sandbox received it: its validation issues and what matching made of it. */
export interface ReceivedTransaction {
  at: string;
  /** data[].id (v2) or transactionId (legacy) */
  id: string;
  source: 'v2' | 'legacy';
  userId?: string;
  transactionId?: string;
  status?: string;
  amount?: number;
  merchant?: string;
  outcome: 'rejected' | 'duplicate' | 'accepted';
  /** 'error R2: …' lines; empty when valid */
  issues: string[];
  /** Why it earned a reward or not. */
  match: string;
}

/** Which part of the state changed (the dashboard's live updates and the state file listen to it). */
export type ChangeTopic =
  | 'users'
  | 'transactions'
  | 'rewards'
  | 'subscriptions'
  | 'notifications'
  | 'faults'
  | 'reset';

export interface UserRecord {
  id: string;
  attributes: Record<string, unknown>;
}

export interface RewardRecord {
  userId: string;
  offer: FixtureOffer;
  transactionId: string;
  eventId: string;
  status: 'APPROVED' | 'SETTLED';
  amount: number;
  rewardCents: number;
  timestamp: string;
  cardProductId?: string;
}

export interface Subscription {
  id: string;
  eventName: string;
  webhookUrl: string;
  enabled: boolean;
}

export interface UploadSession {
  id: string;
  userId: string;
  completed: boolean;
  parts: number;
  transactions: number;
}

export interface BulkUpload {
  id: string;
  type: string;
  filename: string;
  expiresAt: number;
  signature: string;
  state: 'waiting' | 'processing' | 'processed';
  result?: {
    lines: number;
    valid: number;
    invalid: number;
    errors: { line: number; id?: string; detail: string }[];
  };
}

export interface Placement {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  slots: { id: string; alias?: string; placementId?: string; shortDescription?: string }[];
}

export interface CoreOptions {
  organizationId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  tokenTtlSeconds: number;
  uploadUrlTtlSeconds: number;
  /** Clock for token and upload URL expiry (ms since the epoch). */
  now: () => number;
  webhookUrl: string | undefined;
  webhookMaxAttempts: number;
  webhookBackoffMs: number;
}

const counters = (): CounterStats => ({ received: 0, accepted: 0, duplicates: 0, rejected: 0 });

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** All mutable state of one mock instance, plus the behaviour shared by several routes. */
export class MockCore {
  baseUrl = '';
  readonly faults = new FaultController();
  readonly tokens = new Map<string, number>(); // token -> expiresAt (ms)
  readonly users = new Map<string, UserRecord>();
  // dedup: ids accepted as new, plus extra arrivals (repeats and rejected copies) per id
  readonly accepted = new Set<string>();
  readonly extraArrivals = new Map<string, number>();
  readonly legacySeen = new Set<string>();
  readonly rewardKeys = new Set<string>();
  readonly rewards = new Map<string, RewardRecord[]>(); // by user
  readonly fraudulent = new Set<string>(); // transactionIds flagged via POST /fraud
  readonly uploadSessions = new Map<string, UploadSession>();
  readonly bulkUploads = new Map<string, BulkUpload>();
  readonly audits = new Map<string, Map<string, string>>(); // user -> transactionId -> auditId
  readonly subscriptions = new Map<string, Subscription>();
  readonly children = new Map<string, { id: string; attributes: Record<string, unknown> }>();
  readonly placements = new Map<string, Placement>();
  readonly strategies = new Map<string, { id: string; attributes: Record<string, unknown> }>();
  readonly dispatcher: WebhookDispatcher;
  readonly received: ReceivedTransaction[] = [];
  /** 'change' (topic: ChangeTopic) whenever the state changes. */
  readonly events = new EventEmitter();
  stats: MockStats = MockCore.freshStats();

  constructor(readonly opts: CoreOptions) {
    this.dispatcher = new WebhookDispatcher({
      secret: opts.webhookSecret,
      maxAttempts: opts.webhookMaxAttempts,
      backoffMs: opts.webhookBackoffMs,
      onResult: (ok) => {
        if (ok) this.stats.webhooksSent += 1;
        else this.stats.webhooksFailed += 1;
      },
      onUpdate: () => this.changed('notifications'),
    });
    this.events.setMaxListeners(0);
    this.seedSubscriptions();
  }

  changed(topic: ChangeTopic): void {
    this.events.emit('change', topic);
  }

  /** Keeps the newest MAX_RECEIVED entries. */
  noteReceived(entry: ReceivedTransaction): void {
    this.received.push(entry);
    if (this.received.length > MAX_RECEIVED + MAX_RECEIVED / 5)
      this.received.splice(0, this.received.length - MAX_RECEIVED);
  }

  static freshStats(): MockStats {
    return {
      tokenRequests: 0,
      transactions: counters(),
      legacyIncoming: counters(),
      uploads: { files: 0, lines: 0, valid: 0, invalid: 0 },
      rewards: 0,
      webhooksSent: 0,
      webhooksFailed: 0,
    };
  }

  /** Subscribes `webhookUrl` (if set) to every type it is not subscribed to yet. */
  seedSubscriptions(): void {
    const url = this.opts.webhookUrl;
    if (!url) return;
    for (const eventName of NOTIFICATION_TYPES) {
      if ([...this.subscriptions.values()].some((s) => s.eventName === eventName && s.webhookUrl === url))
        continue;
      const id = randomUUID();
      this.subscriptions.set(id, { id, eventName, webhookUrl: url, enabled: true });
    }
  }

  reset(): void {
    this.users.clear();
    this.accepted.clear();
    this.extraArrivals.clear();
    this.legacySeen.clear();
    this.rewardKeys.clear();
    this.rewards.clear();
    this.fraudulent.clear();
    this.uploadSessions.clear();
    this.bulkUploads.clear();
    this.audits.clear();
    this.subscriptions.clear();
    this.children.clear();
    this.placements.clear();
    this.strategies.clear();
    this.dispatcher.clear();
    this.faults.clear();
    this.received.length = 0;
    this.stats = MockCore.freshStats();
    this.seedSubscriptions();
    this.changed('reset');
  }

  // --- auth ------------------------------------------------------------------------------------

  issueToken(): { access_token: string; expires_in: number; token_type: string } {
    const token = randomToken();
    this.tokens.set(token, this.opts.now() + this.opts.tokenTtlSeconds * 1000);
    return { access_token: token, expires_in: this.opts.tokenTtlSeconds, token_type: 'Bearer' };
  }

  /** null when valid, else the reason (never echoing the token). */
  checkToken(token: string | undefined): string | null {
    if (!token) return 'missing bearer token';
    const exp = this.tokens.get(token);
    if (exp === undefined) return 'unknown or revoked access token';
    if (exp <= this.opts.now()) {
      this.tokens.delete(token);
      return 'access token expired';
    }
    return null;
  }

  /**
   * Whether an Authorization header is HTTP Basic with the sandbox's own client id and secret (the
   * dashboard and the /__admin endpoints). Compared in constant time.
   */
  basicAuthOk(header: string | undefined): boolean {
    if (!header || !/^basic\s/i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return false;
    return (
      sameSecret(decoded.slice(0, i), this.opts.clientId) &&
      sameSecret(decoded.slice(i + 1), this.opts.clientSecret)
    );
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  // --- transaction ingestion -------------------------------------------------------------------

  /** Record an arrival of a rejected event (counts in receivedCount, never in eventCount). */
  noteRejected(id: unknown): void {
    if (typeof id === 'string') this.extraArrivals.set(id, (this.extraArrivals.get(id) ?? 0) + 1);
  }

  /** A valid event: dedup by data[].id (R10); only a new event may earn a reward. Returns true if new. */
  acceptEvent(item: { type?: unknown; id?: unknown; attributes?: unknown }): boolean {
    const id = typeof item.id === 'string' ? item.id : '';
    const a = (item.attributes ?? {}) as Record<string, unknown>;
    const merchant = a.merchant as { name?: string } | undefined;
    const entry: ReceivedTransaction = {
      at: new Date().toISOString(),
      id,
      source: 'v2',
      userId: a.userId as string,
      transactionId: a.transactionId as string,
      status: a.status as string,
      amount: a.amount as number,
      merchant: merchant?.name ?? (a.description as string | undefined),
      outcome: 'accepted',
      issues: [],
      match: '',
    };
    if (this.accepted.has(id)) {
      this.extraArrivals.set(id, (this.extraArrivals.get(id) ?? 0) + 1);
      entry.outcome = 'duplicate';
      entry.match = 'duplicate event id: already processed (R10)';
      this.noteReceived(entry);
      return false;
    }
    this.accepted.add(id);
    entry.match = `${String(item.type)} events are not matched`;
    if (this.users.size === 0) entry.match = 'no reward: no users enrolled';
    else if (item.type === 'transaction' || item.type === 'coreTransaction') {
      entry.match = this.maybeReward({
        eventId: id,
        userId: a.userId as string,
        transactionId: a.transactionId as string,
        status: a.status as string,
        direction: a.direction as string | undefined,
        amount: a.amount as number,
        description: a.description as string | undefined,
        merchantName: merchant?.name,
        timestamp: (a.settledDate ?? a.authorizationDate ?? a.transactionDate) as string | undefined,
        cardProductId: a.cardProductId as string | undefined,
      });
    }
    this.noteReceived(entry);
    return true;
  }

  eventCount(id: string): number {
    return this.accepted.has(id) ? 1 : 0;
  }

  receivedCount(id: string): number {
    return (this.accepted.has(id) ? 1 : 0) + (this.extraArrivals.get(id) ?? 0);
  }

  /**
   * Matching: an APPROVED or SETTLED debit by a user enrolled in CARDLINKED at a merchant whose
   * name appears (case-insensitively) in the description or merchant name earns a reward once per
   * transactionId + status, unless the transaction was flagged fraudulent.
   */
  maybeReward(t: {
    eventId: string;
    userId: string;
    transactionId: string;
    status: string;
    direction?: string | undefined;
    amount: number;
    description?: string | undefined;
    merchantName?: string | undefined;
    timestamp?: string | undefined;
    cardProductId?: string | undefined;
  }): string {
    if (t.status !== 'APPROVED' && t.status !== 'SETTLED') return `no reward: status ${t.status}`;
    if (t.direction === 'CREDIT') return 'no reward: a credit';
    const user = this.users.get(t.userId);
    if (!user) return `no reward: unknown user ${t.userId}`;
    const enrolled = user.attributes.enrolledRewards;
    if (!Array.isArray(enrolled) || !enrolled.includes('CARDLINKED'))
      return 'no reward: user not enrolled in CARDLINKED';
    if (this.fraudulent.has(t.transactionId)) return 'no reward: flagged as fraud';
    const offer = matchOffer(t.merchantName, t.description);
    if (!offer) return 'no reward: no offer matches the merchant';
    const key = `${t.userId}\u0000${t.transactionId}\u0000${t.status}`;
    if (this.rewardKeys.has(key)) return `no reward: already rewarded for ${t.status}`;
    this.rewardKeys.add(key);
    const reward: RewardRecord = {
      userId: t.userId,
      offer,
      transactionId: t.transactionId,
      eventId: t.eventId,
      status: t.status,
      amount: t.amount,
      rewardCents: rewardCents(offer, t.amount),
      timestamp: t.timestamp ?? new Date().toISOString(),
    };
    if (t.cardProductId) reward.cardProductId = t.cardProductId;
    let list = this.rewards.get(t.userId);
    if (!list) {
      list = [];
      this.rewards.set(t.userId, list);
    }
    list.push(reward);
    this.stats.rewards += 1;
    this.changed('rewards');
    void this.notify(
      t.status === 'SETTLED' ? 'earnedRewardSettled' : 'earnedRewardApproved',
      this.rewardPayload(reward),
    );
    return `reward earned at ${offer.name} ($${(reward.rewardCents / 100).toFixed(2)})`;
  }

  rewardPayload(r: RewardRecord): unknown {
    const dollars = (r.rewardCents / 100).toFixed(2);
    const settled = r.status === 'SETTLED';
    const attributes: Record<string, unknown> = {
      message: settled
        ? `You earned $${dollars} cash back at ${r.offer.name}!`
        : `You'll earn $${dollars} cash back at ${r.offer.name} once your purchase settles.`,
      name: r.offer.name,
      attributionUrl: `${this.baseUrl}/__attribution/${r.offer.id}?userId=${encodeURIComponent(r.userId)}`,
      transactionId: r.transactionId,
      transactionAmountInCents: r.amount,
      transactionTimestamp: r.timestamp,
      categoryName: r.offer.category,
      userReward: r.offer.userReward,
      assets: [
        { type: 'IMG_VIEW', url: `https://assets.kard.example/${r.offer.id}/logo.png`, alt: r.offer.name },
      ],
      purchaseChannel: r.offer.purchaseChannel,
    };
    if (r.cardProductId) attributes.cardProductId = r.cardProductId;
    if (settled) attributes.commissionEarned = { type: 'cents', value: r.rewardCents };
    return {
      data: {
        type: settled ? 'earnedRewardSettled' : 'earnedRewardApproved',
        id: randomUUID(),
        attributes,
        relationships: {
          user: { data: { type: 'user', id: r.userId } },
          offer: { data: { type: 'offer', id: r.offer.id } },
          transaction: { data: { type: 'transaction', id: r.transactionId } },
        },
      },
      meta: { issuerId: this.opts.organizationId, issuerName: 'Mock Issuer' },
    };
  }

  // --- notifications ---------------------------------------------------------------------------

  /**
   * The enabled subscriptions' URLs for an event. The legacy earned-reward webhook has no
   * subscription of its own: it goes to the URLs subscribed to earnedRewardApproved.
   */
  targetsFor(eventName: string): string[] {
    const name = eventName === LEGACY_EARNED_REWARD ? 'earnedRewardApproved' : eventName;
    const urls: string[] = [];
    for (const s of this.subscriptions.values())
      if (s.enabled && s.eventName === name && !urls.includes(s.webhookUrl)) urls.push(s.webhookUrl);
    return urls;
  }

  /** Emits a sample notification of `type` (TRIGGER_TYPES), recorded even when nobody subscribed. */
  trigger(type: string, opts: TriggerOptions = {}): Promise<NotificationRecord> {
    const payload = samplePayload(this, type, opts);
    return this.dispatcher.send(type, payload, this.targetsFor(type));
  }

  /** Sends to every enabled subscription for the event; nothing is logged when nobody subscribed. */
  async notify(eventName: string, payload: unknown): Promise<void> {
    const targets = this.targetsFor(eventName);
    if (targets.length === 0) return;
    await this.dispatcher.send(eventName, payload, targets);
  }
}
