import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db.js';
import { migrate } from '../src/migrations.js';
import { EARNED_REWARD_TYPES, REWARD_STATES, recordNotification, rewardsForUser } from '../src/webhooks.js';

function note(id: string, type: string, over: { attributes?: object; relationships?: object } = {}) {
  return {
    data: {
      type,
      id,
      attributes: {
        message: 'm',
        name: 'Bean & Leaf Coffee',
        transactionId: 'txn-1',
        transactionAmountInCents: 2500,
        commissionEarned: { type: 'cents', value: 125 },
        userReward: { type: 'PERCENT', value: 5 },
        ...over.attributes,
      },
      relationships: {
        user: { data: { type: 'user', id: 'user-1' } },
        offer: { data: { type: 'offer', id: 'offer-1' } },
        ...over.relationships,
      },
    },
  };
}

describe('recordNotification and rewardsForUser (storage of verified notifications)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase();
    await migrate(db);
  });
  beforeEach(async () => {
    await db.exec('DELETE FROM rewards; DELETE FROM webhook_notifications;');
  });
  afterAll(async () => {
    await db?.close();
  });

  const stored = async (id: string) =>
    (await db.query<Record<string, unknown>>('SELECT * FROM webhook_notifications WHERE id = $1', [id]))
      .rows[0];

  it('maps notification types to reward states', () => {
    expect(REWARD_STATES).toEqual({
      earnedRewardApproved: 'APPROVED',
      earnedRewardSettled: 'SETTLED',
      earnedRewardRejected: 'REJECTED',
    });
    expect(EARNED_REWARD_TYPES).toEqual([
      'earnedRewardApproved',
      'earnedRewardSettled',
      'earnedRewardRejected',
    ]);
  });

  it('stores every field of a settled reward once, and reads it back', async () => {
    const n = note('n-1', 'earnedRewardSettled');
    expect(await recordNotification(db, n)).toEqual({ notification: 'recorded', reward: 'recorded' });
    const row = await stored('n-1');
    expect(row).toMatchObject({
      type: 'earnedRewardSettled',
      user_id: 'user-1',
      transaction_id: 'txn-1',
      offer_id: 'offer-1',
      merchant_name: 'Bean & Leaf Coffee',
      user_reward: { type: 'PERCENT', value: 5 },
      payload: n,
      duplicate_deliveries: 0,
    });
    expect(Number(row?.amount_cents)).toBe(2500);
    expect(Number(row?.commission_cents)).toBe(125);
    const rewards = await rewardsForUser(db, 'user-1');
    expect(rewards).toEqual([
      {
        notificationId: 'n-1',
        type: 'earnedRewardSettled',
        state: 'SETTLED',
        transactionId: 'txn-1',
        offerId: 'offer-1',
        merchant: 'Bean & Leaf Coffee',
        transactionAmountInCents: 2500,
        commissionEarnedInCents: 125,
        userReward: { type: 'PERCENT', value: 5 },
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    ]);
    expect(Date.now() - Date.parse(rewards[0]?.receivedAt as string)).toBeLessThan(3_600_000);
    expect(await rewardsForUser(db, 'someone-else')).toEqual([]);
  });

  it('a redelivery (same id) bumps the counter and records no second reward', async () => {
    const n = note('n-2', 'earnedRewardApproved');
    await recordNotification(db, n);
    expect(await recordNotification(db, n)).toEqual({ notification: 'duplicate', reward: 'duplicate' });
    expect(await recordNotification(db, n)).toEqual({ notification: 'duplicate', reward: 'duplicate' });
    expect((await stored('n-2'))?.duplicate_deliveries).toBe(2);
    expect(await rewardsForUser(db, 'user-1')).toHaveLength(1);
  });

  it('the same reward under a new notification id: a new notification, not a new reward; the first id is kept', async () => {
    await recordNotification(db, note('n-3', 'earnedRewardSettled'));
    expect(await recordNotification(db, note('n-3b', 'earnedRewardSettled'))).toEqual({
      notification: 'recorded',
      reward: 'duplicate',
    });
    expect((await stored('n-3b'))?.duplicate_deliveries).toBe(0);
    expect((await stored('n-3'))?.duplicate_deliveries).toBe(0);
    const rewards = await rewardsForUser(db, 'user-1');
    expect(rewards.map((r) => r.notificationId)).toEqual(['n-3']);
  });

  it('each state of one transaction is its own reward; other transactions too; oldest first', async () => {
    await recordNotification(db, note('a', 'earnedRewardApproved'));
    await recordNotification(db, note('b', 'earnedRewardSettled'));
    await recordNotification(
      db,
      note('c', 'earnedRewardRejected', { attributes: { transactionId: 'txn-2' } }),
    );
    const rewards = await rewardsForUser(db, 'user-1');
    expect(rewards.map((r) => [r.transactionId, r.state, r.type])).toEqual([
      ['txn-1', 'APPROVED', 'earnedRewardApproved'],
      ['txn-1', 'SETTLED', 'earnedRewardSettled'],
      ['txn-2', 'REJECTED', 'earnedRewardRejected'],
    ]);
  });

  it('other notification types are recorded, but are not rewards', async () => {
    expect(await recordNotification(db, note('o-1', 'auditUpdate'))).toEqual({
      notification: 'recorded',
      reward: null,
    });
    expect(await recordNotification(db, note('o-1', 'auditUpdate'))).toEqual({
      notification: 'duplicate',
      reward: null,
    });
    expect((await stored('o-1'))?.type).toBe('auditUpdate');
    expect(await rewardsForUser(db, 'user-1')).toEqual([]);
  });

  it('reads the transaction from the relationship when the attribute is missing; without either, the notification id keys the reward', async () => {
    await recordNotification(
      db,
      note('r-1', 'earnedRewardSettled', {
        attributes: { transactionId: 42 },
        relationships: { transaction: { data: { type: 'transaction', id: 'txn-rel' } } },
      }),
    );
    await recordNotification(
      db,
      note('r-2', 'earnedRewardSettled', { attributes: { transactionId: undefined } }),
    );
    await recordNotification(
      db,
      note('r-3', 'earnedRewardSettled', { attributes: { transactionId: undefined } }),
    );
    expect((await stored('r-1'))?.transaction_id).toBe('txn-rel');
    expect((await stored('r-2'))?.transaction_id).toBeNull();
    const rewards = await rewardsForUser(db, 'user-1');
    // Which transaction each reward names (rows recorded within the same clock tick may list in
    // either order: the listing orders by recorded_at).
    const byNotification = rewards.map((r) => [r.notificationId, r.transactionId]).sort();
    expect(byNotification).toEqual([
      ['r-1', 'txn-rel'],
      ['r-2', null],
      ['r-3', null],
    ]);
  });

  it('missing or malformed optional fields are stored as NULL, not guessed', async () => {
    await recordNotification(db, {
      data: {
        type: 'earnedRewardApproved',
        id: 'm-1',
        attributes: {
          transactionId: 'txn-m',
          name: 7,
          transactionAmountInCents: Number.POSITIVE_INFINITY,
          commissionEarned: { value: '125' },
        },
        relationships: {
          user: { data: { type: 'user', id: 'user-m' } },
          offer: { data: { id: 9 } },
          transaction: [],
        },
      },
    });
    expect(await stored('m-1')).toMatchObject({
      user_id: 'user-m',
      offer_id: null,
      merchant_name: null,
      amount_cents: null,
      commission_cents: null,
      user_reward: null,
    });
    const [reward] = await rewardsForUser(db, 'user-m');
    expect(reward).toMatchObject({
      offerId: null,
      merchant: null,
      transactionAmountInCents: null,
      commissionEarnedInCents: null,
      userReward: null,
    });
    // null where an object belongs is read as an empty object.
    await recordNotification(db, {
      data: {
        type: 'earnedRewardSettled',
        id: 'm-null',
        attributes: { transactionId: 'txn-null', commissionEarned: null },
        relationships: {
          user: { data: { type: 'user', id: 'user-null' } },
          offer: null,
          transaction: { data: null },
        },
      },
    });
    expect(await stored('m-null')).toMatchObject({
      user_id: 'user-null',
      offer_id: null,
      commission_cents: null,
    });
    await recordNotification(db, {
      data: { type: 'earnedRewardApproved', id: 'm-null-2', attributes: null },
    });
    expect(await stored('m-null-2')).toMatchObject({ transaction_id: null, merchant_name: null });
    // No relationships or attributes at all: still recorded, with no user.
    await recordNotification(db, { data: { type: 'earnedRewardApproved', id: 'm-2' } });
    expect(await stored('m-2')).toMatchObject({ user_id: null, transaction_id: null });
    await recordNotification(db, { data: { type: 'earnedRewardApproved', id: 'm-3', relationships: [] } });
    expect((await stored('m-3'))?.user_id).toBeNull();
    // A userReward that is present but null is kept as JSON null, not dropped.
    await recordNotification(
      db,
      note('m-4', 'earnedRewardSettled', { attributes: { transactionId: 'txn-m4', userReward: null } }),
    );
    const m4 = await db.query<{ user_reward: unknown; is_json_null: boolean }>(
      "SELECT user_reward, jsonb_typeof(user_reward) = 'null' AS is_json_null FROM webhook_notifications WHERE id = 'm-4'",
    );
    expect(m4.rows[0]?.is_json_null).toBe(true);
  });
});
