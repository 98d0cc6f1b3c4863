/**
 * Storage for verified Kard notifications. Each notification is recorded once, keyed by data.id
 * (Kard's idempotency key, digest §6.1); a redelivery only bumps a counter.
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

export async function recordNotification(
  db: Queryable,
  notification: unknown,
): Promise<'recorded' | 'duplicate'> {
  const data = obj(obj(notification).data);
  const attributes = obj(data.attributes);
  const relationships = obj(data.relationships);
  const inserted = await db.query(
    `INSERT INTO webhook_notifications
       (id, type, user_id, transaction_id, offer_id, merchant_name, amount_cents, commission_cents, user_reward, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      String(data.id),
      String(data.type),
      relId(relationships, 'user'),
      typeof attributes.transactionId === 'string'
        ? attributes.transactionId
        : relId(relationships, 'transaction'),
      relId(relationships, 'offer'),
      typeof attributes.name === 'string' ? attributes.name : null,
      num(attributes.transactionAmountInCents),
      num(obj(attributes.commissionEarned).value),
      attributes.userReward === undefined ? null : JSON.stringify(attributes.userReward),
      JSON.stringify(notification),
    ],
  );
  if (inserted.rowCount > 0) return 'recorded';
  await db.query(
    'UPDATE webhook_notifications SET duplicate_deliveries = duplicate_deliveries + 1 WHERE id = $1',
    [String(data.id)],
  );
  return 'duplicate';
}

export interface EarnedReward {
  notificationId: string;
  type: string;
  transactionId: string | null;
  offerId: string | null;
  merchant: string | null;
  transactionAmountInCents: number | null;
  commissionEarnedInCents: number | null;
  userReward: unknown;
  receivedAt: string;
}

export const EARNED_REWARD_TYPES = ['earnedRewardApproved', 'earnedRewardSettled', 'earnedRewardRejected'];

export async function rewardsForUser(db: Queryable, userId: string): Promise<EarnedReward[]> {
  const res = await db.query<{
    id: string;
    type: string;
    transaction_id: string | null;
    offer_id: string | null;
    merchant_name: string | null;
    amount_cents: string | number | null;
    commission_cents: string | number | null;
    user_reward: unknown;
    received_at: Date;
  }>(
    `SELECT id, type, transaction_id, offer_id, merchant_name, amount_cents, commission_cents, user_reward, received_at
       FROM webhook_notifications
      WHERE user_id = $1 AND type = ANY($2::text[])
      ORDER BY received_at, id`,
    [userId, EARNED_REWARD_TYPES],
  );
  const n = (v: string | number | null) => (v === null ? null : Number(v)); // BIGINT comes back as a string from pg
  return res.rows.map((r) => ({
    notificationId: r.id,
    type: r.type,
    transactionId: r.transaction_id,
    offerId: r.offer_id,
    merchant: r.merchant_name,
    transactionAmountInCents: n(r.amount_cents),
    commissionEarnedInCents: n(r.commission_cents),
    userReward: r.user_reward,
    receivedAt: new Date(r.received_at).toISOString(),
  }));
}
