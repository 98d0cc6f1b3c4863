/**
 * Storage for verified Kard notifications. Each notification is recorded once, keyed by data.id
 * (the notification id: a redelivery or a replay carries the same one, openapi/kard.yaml:
 * WebhookNotification); a redelivery only bumps a counter.
 *
 * Earned rewards are kept apart, one row per (transaction, reward state): Kard may send the same
 * reward again under a new notification id (a re-send after an outage, for instance), and the user
 * must not be credited twice. The first notification that carried a reward is the one kept.
 */
import type { Queryable } from './db.js';

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
function relId(relationships: Json, name: string): string | null {
  const id = obj(obj(relationships[name]).data).id;
  return typeof id === 'string' ? id : null;
}
function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Notification type → reward state. */
export const REWARD_STATES: Readonly<Record<string, 'APPROVED' | 'SETTLED' | 'REJECTED'>> = {
  earnedRewardApproved: 'APPROVED',
  earnedRewardSettled: 'SETTLED',
  earnedRewardRejected: 'REJECTED',
};
export const EARNED_REWARD_TYPES = Object.keys(REWARD_STATES);

export interface RecordOutcome {
  /** The notification id was new. */
  notification: 'recorded' | 'duplicate';
  /** For an earned-reward notification: was its (transaction, state) new? null for other types. */
  reward: 'recorded' | 'duplicate' | null;
}

export async function recordNotification(db: Queryable, notification: unknown): Promise<RecordOutcome> {
  const data = obj(obj(notification).data);
  const id = String(data.id);
  const type = String(data.type);
  const attributes = obj(data.attributes);
  const relationships = obj(data.relationships);
  const row = {
    userId: relId(relationships, 'user'),
    transactionId:
      typeof attributes.transactionId === 'string'
        ? attributes.transactionId
        : relId(relationships, 'transaction'),
    offerId: relId(relationships, 'offer'),
    merchant: typeof attributes.name === 'string' ? attributes.name : null,
    amount: num(attributes.transactionAmountInCents),
    commission: num(obj(attributes.commissionEarned).value),
    userReward: attributes.userReward === undefined ? null : JSON.stringify(attributes.userReward),
  };
  const inserted = await db.query(
    `INSERT INTO webhook_notifications
       (id, type, user_id, transaction_id, offer_id, merchant_name, amount_cents, commission_cents, user_reward, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      id,
      type,
      row.userId,
      row.transactionId,
      row.offerId,
      row.merchant,
      row.amount,
      row.commission,
      row.userReward,
      JSON.stringify(notification),
    ],
  );
  const fresh = inserted.rows.length > 0;
  if (!fresh) {
    await db.query(
      'UPDATE webhook_notifications SET duplicate_deliveries = duplicate_deliveries + 1 WHERE id = $1',
      [id],
    );
  }
  const state = REWARD_STATES[type];
  let reward: RecordOutcome['reward'] = null;
  if (state) {
    // Also for a redelivered notification: if a crash came between the two inserts, this completes it.
    const rewarded = await db.query(
      `INSERT INTO rewards
         (transaction_id, state, user_id, notification_id, offer_id, merchant_name, amount_cents, commission_cents, user_reward)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
       ON CONFLICT (transaction_id, state) DO NOTHING
       RETURNING transaction_id`,
      [
        row.transactionId ?? `notification:${id}`,
        state,
        row.userId,
        id,
        row.offerId,
        row.merchant,
        row.amount,
        row.commission,
        row.userReward,
      ],
    );
    reward = rewarded.rows.length > 0 ? 'recorded' : 'duplicate';
  }
  return { notification: fresh ? 'recorded' : 'duplicate', reward };
}

export interface EarnedReward {
  /** The first notification that carried this reward. */
  notificationId: string;
  type: string;
  state: 'APPROVED' | 'SETTLED' | 'REJECTED';
  transactionId: string | null;
  offerId: string | null;
  merchant: string | null;
  transactionAmountInCents: number | null;
  commissionEarnedInCents: number | null;
  userReward: unknown;
  receivedAt: string;
}

/** Reward state → its notification type. */
function typeOfState(state: string): string {
  return EARNED_REWARD_TYPES.find((type) => REWARD_STATES[type] === state) as string;
}

/** The user's rewards, one per (transaction, state), oldest first. */
export async function rewardsForUser(db: Queryable, userId: string): Promise<EarnedReward[]> {
  const res = await db.query<{
    transaction_id: string;
    state: 'APPROVED' | 'SETTLED' | 'REJECTED';
    notification_id: string;
    offer_id: string | null;
    merchant_name: string | null;
    amount_cents: string | number | null;
    commission_cents: string | number | null;
    user_reward: unknown;
    recorded_at: Date;
  }>(
    `SELECT transaction_id, state, notification_id, offer_id, merchant_name, amount_cents, commission_cents,
            user_reward, recorded_at
       FROM rewards
      WHERE user_id = $1
      ORDER BY recorded_at, transaction_id, state`,
    [userId],
  );
  const n = (v: string | number | null) => (v === null ? null : Number(v)); // BIGINT comes back as a string from pg
  return res.rows.map((r) => ({
    notificationId: r.notification_id,
    type: typeOfState(r.state),
    state: r.state,
    transactionId: r.transaction_id.startsWith('notification:') ? null : r.transaction_id,
    offerId: r.offer_id,
    merchant: r.merchant_name,
    transactionAmountInCents: n(r.amount_cents),
    commissionEarnedInCents: n(r.commission_cents),
    userReward: r.user_reward,
    receivedAt: new Date(r.recorded_at).toISOString(),
  }));
}
