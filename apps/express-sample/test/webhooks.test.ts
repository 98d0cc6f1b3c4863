import { signWebhook } from '@kardkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, type Harness, post, startHarness } from './helpers.js';

function notification(id: string, userId: string, type = 'earnedRewardSettled') {
  return {
    data: {
      type,
      id,
      attributes: {
        message: 'You earned $1.25 at Bean & Leaf Coffee',
        name: 'Bean & Leaf Coffee',
        attributionUrl: 'https://kard.example/a/1',
        transactionId: 'txn-wh',
        transactionAmountInCents: 2500,
        commissionEarned: { type: 'cents', value: 125 },
        userReward: { type: 'PERCENT', value: 5 },
      },
      relationships: {
        user: { data: { type: 'user', id: userId } },
        offer: { data: { type: 'offer', id: 'offer-1' } },
        transaction: { data: { type: 'transaction', id: 'txn-wh' } },
      },
    },
  };
}

describe('POST /webhooks/kard (R106: notify-signature over the raw body)', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await startHarness({ forwarder: { enabled: false } });
    url = `${h.sample.url}/webhooks/kard`;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('403 without the header, 401 with a wrong one, and nothing is recorded', async () => {
    const body = JSON.stringify(notification('n-bad', 'user-wh-1'));
    expect((await post(url, body)).status).toBe(403);
    const wrong = await signWebhook(body, 'not-the-secret');
    expect((await post(url, body, { 'notify-signature': wrong })).status).toBe(401);
    expect((await post(url, body, { 'notify-signature': 'garbage' })).status).toBe(401);
    expect((await get(`${h.sample.url}/users/user-wh-1/rewards`)).body.data).toEqual([]);
  });

  it('verifies the exact bytes: the same JSON re-serialised with other spacing no longer matches', async () => {
    const compact = JSON.stringify(notification('n-bytes', 'user-wh-1'));
    const signature = await signWebhook(compact, h.mock.webhookSecret);
    const spaced = JSON.stringify(JSON.parse(compact), null, 2);
    expect((await post(url, spaced, { 'notify-signature': signature })).status).toBe(401);
  });

  it('400 when a correctly signed body is not a notification (not JSON, or missing data.id)', async () => {
    const notJson = 'this is not json';
    expect(
      (await post(url, notJson, { 'notify-signature': await signWebhook(notJson, h.mock.webhookSecret) }))
        .status,
    ).toBe(400);
    const noId = JSON.stringify({ data: { type: 'earnedRewardSettled', attributes: {} } });
    const res = await post(url, noId, { 'notify-signature': await signWebhook(noId, h.mock.webhookSecret) });
    expect(res.status).toBe(400);
    expect(res.body.issues.length).toBeGreaterThan(0);
  });

  it('the header name is case-insensitive, and a redelivered notification is recorded once (idempotent by data.id)', async () => {
    const body = JSON.stringify(notification('n-dup', 'user-wh-2'));
    const signature = await signWebhook(body, h.mock.webhookSecret);
    const first = await post(url, body, { 'Notify-Signature': signature });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, duplicate: false, reward: 'recorded' });
    const second = await post(url, body, { 'NOTIFY-SIGNATURE': signature });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ received: true, duplicate: true, reward: 'duplicate' });
    const rewards = (await get(`${h.sample.url}/users/user-wh-2/rewards`)).body;
    expect(rewards.data).toHaveLength(1);
    expect(rewards.data[0]).toMatchObject({
      notificationId: 'n-dup',
      type: 'earnedRewardSettled',
      transactionId: 'txn-wh',
      merchant: 'Bean & Leaf Coffee',
      commissionEarnedInCents: 125,
      transactionAmountInCents: 2500,
    });
    expect(rewards.totals.settledCommissionInCents).toBe(125);
    const row = await h.sample.db.query<{ duplicate_deliveries: number }>(
      'SELECT duplicate_deliveries FROM webhook_notifications WHERE id = $1',
      ['n-dup'],
    );
    expect(row.rows[0]?.duplicate_deliveries).toBe(1);
  });
});
