import { createHmac } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  conformance,
  conformsTo,
  type Harness,
  harness,
  org,
  receiver,
  txn,
  waitFor,
} from './test-support.js';

// /ok answers 200; /flaky answers 500 twice then 200; /down… always 503
const rx = await receiver((n, path) =>
  path === '/flaky' ? (n <= 2 ? 500 : 200) : path.startsWith('/down') ? 503 : 200,
);
const SECRET = 'whsec_test_key';
const h: Harness = await harness({
  webhookUrl: `${rx.url}/ok`,
  webhookSecret: SECRET,
  webhookBackoffMs: 20,
  webhookMaxAttempts: 4,
});
afterAll(async () => {
  await h.mock.close();
  await rx.close();
});
beforeEach(async () => {
  h.mock.reset();
  rx.hits.length = 0;
  await h.call('POST', `${org(h)}/users`, {
    data: [
      { type: 'user', id: 'enrolled', attributes: { enrolledRewards: ['CARDLINKED'] } },
      { type: 'user', id: 'not-enrolled', attributes: { enrolledRewards: [] } },
    ],
  });
});

const spend = (id: string, attrs: Record<string, unknown>) =>
  h.call('POST', `${org(h)}/transactions`, { data: [txn(id, { userId: 'enrolled', ...attrs })] });

type Listed = { attributes: Record<string, unknown> };
/**
 * The notification log once no delivery is pending. A reward and its notification are recorded
 * while the transactions request is handled, so after the response the log is complete; waiting
 * for the deliveries to end leaves nothing in flight that could still reach the receiver.
 */
const whenDelivered = () =>
  waitFor(async () => {
    const list = (await h.call('GET', `${org(h)}/notifications`)).body.data as Listed[];
    return list.every((n) => n.attributes.status !== 'pending') && list;
  }, 'no pending notification');

describe('matching and earned-reward webhooks (openapi/kard.yaml webhooks.notification, R106)', () => {
  it('a SETTLED purchase at a fixture merchant sends earnedRewardSettled, signed over the raw bytes', async () => {
    await spend('s1', { description: 'SQ *BEAN & LEAF COFFEE 0042', amount: 2000 });
    const hit = await waitFor(() => rx.hits.find((x) => x.path === '/ok'));
    const expected = createHmac('sha256', SECRET).update(hit.raw).digest('base64');
    expect(hit.headers['notify-signature']).toBe(expected);
    expect(hit.headers['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(hit.raw.toString('utf8'));
    expect(hit.raw.toString('utf8')).toBe(JSON.stringify(body)); // compact JSON
    expect(body.data.type).toBe('earnedRewardSettled');
    expect(body.data.attributes).toMatchObject({
      name: 'Bean & Leaf Coffee',
      transactionId: 'txn-s1',
      transactionAmountInCents: 2000,
      commissionEarned: { type: 'cents', value: 100 },
    });
    expect(body.data.relationships).toEqual({
      user: { data: { type: 'user', id: 'enrolled' } },
      offer: { data: { type: 'offer', id: expect.any(String) } },
      transaction: { data: { type: 'transaction', id: 'txn-s1' } },
    });
    expect(conformsTo('WebhookNotification', body)).toEqual([]);
  });

  it('APPROVED matches on merchant.name and sends earnedRewardApproved without commissionEarned', async () => {
    await spend('a1', {
      status: 'APPROVED',
      settledDate: undefined,
      description: 'POS 1234',
      merchant: { name: 'Taco Trail' },
    });
    const hit = await waitFor(() => rx.hits[0]);
    const body = JSON.parse(hit.raw.toString('utf8'));
    expect(body.data.type).toBe('earnedRewardApproved');
    expect(body.data.attributes.name).toBe('Taco Trail');
    expect(body.data.attributes.commissionEarned).toBeUndefined();
    expect(conformsTo('WebhookNotification', body)).toEqual([]);
  });

  it('APPROVED then SETTLED of one transaction: two rewards, each payload in full', async () => {
    const common = {
      description: 'TACO TRAIL #12',
      amount: 2000,
      transactionId: 'txn-life',
      cardProductId: 'cp-1',
    };
    await spend('life-a', { ...common, status: 'APPROVED', settledDate: undefined });
    await spend('life-s', { ...common, status: 'SETTLED' });
    expect(h.mock.stats().rewards).toBe(2);
    expect(await whenDelivered()).toHaveLength(2);
    expect(h.mock.stats().webhooksSent).toBe(2);
    const [approved, settled] = ['earnedRewardApproved', 'earnedRewardSettled'].map((type) => {
      const hit = rx.hits.find((x) => JSON.parse(x.raw.toString('utf8')).data.type === type);
      return JSON.parse(hit!.raw.toString('utf8'));
    });
    const offerId = settled.data.relationships.offer.data.id as string;
    const cents = settled.data.attributes.commissionEarned.value as number;
    expect(cents).toBe(140); // 7 % of 2000
    const shared = {
      name: 'Taco Trail',
      attributionUrl: `${h.mock.url}/__attribution/${offerId}?userId=enrolled`,
      transactionId: 'txn-life',
      transactionAmountInCents: 2000,
      cardProductId: 'cp-1',
    };
    expect(approved.data.attributes).toMatchObject({
      ...shared,
      message: "You'll earn $1.40 cash back at Taco Trail once your purchase settles.",
      transactionTimestamp: '2026-11-01T10:00:00Z',
    });
    expect(approved.data.attributes.commissionEarned).toBeUndefined();
    expect(settled.data.attributes).toMatchObject({
      ...shared,
      message: 'You earned $1.40 cash back at Taco Trail!',
      transactionTimestamp: '2026-11-02T10:00:00Z',
      commissionEarned: { type: 'cents', value: 140 },
    });
    for (const body of [approved, settled]) {
      expect(body.meta).toEqual({ issuerId: h.mock.organizationId, issuerName: 'Mock Issuer' });
      expect(conformsTo('WebhookNotification', body)).toEqual([]);
    }
    expect(approved.data.id).not.toBe(settled.data.id);
  });

  it('no reward for unenrolled users, unknown merchants, credits or repeats of the same transaction + status', async () => {
    await h.call('POST', `${org(h)}/transactions`, {
      data: [
        txn('n1', { userId: 'not-enrolled', description: 'BEAN & LEAF COFFEE' }),
        txn('n2', { userId: 'enrolled', description: 'UNKNOWN SHOP' }),
        txn('n3', { userId: 'enrolled', description: 'BEAN & LEAF COFFEE', direction: 'CREDIT' }),
        txn('n4', { userId: 'enrolled', description: 'NOODLE HARBOR', transactionId: 'same' }),
        txn('n5', { userId: 'enrolled', description: 'NOODLE HARBOR', transactionId: 'same' }),
      ],
    });
    await spend('n4', { description: 'NOODLE HARBOR', transactionId: 'same' }); // a repeated event id
    expect(h.mock.stats().rewards).toBe(1);
    expect(await whenDelivered()).toHaveLength(1);
    expect(rx.hits).toHaveLength(1);
  });

  it('legacy incoming transactions are matched too (merchantName)', async () => {
    const r = await h.call('POST', '/transactions/incoming', [
      {
        transactionId: 'leg-1',
        referringPartnerUserId: 'enrolled',
        amount: 5000,
        status: 'SETTLED',
        currency: 'USD',
        description: 'POS',
        merchantName: 'Harborview Hotels',
        authorizationDate: '2026-11-01T09:00:00Z',
        settledDate: '2026-11-01T10:00:00Z',
        cardBIN: '411111',
        cardLastFour: '4242',
      },
    ]);
    expect(r.status).toBe(201);
    const hit = await waitFor(() => rx.hits[0]);
    const body = JSON.parse(hit.raw.toString('utf8'));
    expect(body.data.attributes).toMatchObject({
      name: 'Harborview Hotels',
      transactionId: 'leg-1',
      commissionEarned: { value: 500 },
    });
    const er = await h.call('GET', `${org(h)}/users/enrolled/earned-rewards`);
    expect(er.body.data[0]).toMatchObject({ type: 'rewardedTransaction', id: 'legacy:leg-1:SETTLED' });
  });

  it('fraud markers prevent a reward (R29)', async () => {
    await h.call('POST', `${org(h)}/fraud`, {
      data: [{ type: 'fraudulentTransaction', id: 'txn-f1', attributes: { userId: 'enrolled' } }],
    });
    await spend('f1', { description: 'TACO TRAIL' });
    expect(h.mock.stats().rewards).toBe(0);
    expect(await whenDelivered()).toEqual([]);
    // the same purchase without a marker is rewarded
    await spend('f2', { description: 'TACO TRAIL', transactionId: 'txn-f2' });
    expect(h.mock.stats().rewards).toBe(1);
    expect(await whenDelivered()).toHaveLength(1);
    expect(rx.hits).toHaveLength(1);
  });

  it('earned rewards list the reward with meta.lifetimeRewardsInCents, paginated to the end (R53)', async () => {
    for (let i = 0; i < 7; i++) await spend(`er${i}`, { description: 'GOLDEN CRUST BAKERY', amount: 1000 });
    await spend('appr', {
      status: 'APPROVED',
      settledDate: undefined,
      description: 'GOLDEN CRUST BAKERY',
      transactionId: 'appr-only',
    });
    const R = '/v2/issuers/{organizationId}/users/{userId}/earned-rewards';
    let next: string | undefined =
      `${h.base}/users/enrolled/earned-rewards?page[size]=3&include=merchant,offer`;
    const ids: string[] = [];
    while (next) {
      const r = await h.call('GET', next);
      expect(r.status).toBe(200);
      expect(conformance('GET', R, 200, r.body)).toEqual([]);
      expect(r.body.meta.lifetimeRewardsInCents).toBe(7 * 80);
      ids.push(...r.body.data.map((d: { id: string }) => d.id));
      next = r.body.links.next;
    }
    expect(ids.sort()).toEqual(['er0', 'er1', 'er2', 'er3', 'er4', 'er5', 'er6']);
    const approved = await h.call('GET', `${org(h)}/users/enrolled/earned-rewards?filter[status]=APPROVED`);
    expect(
      approved.body.data.map((d: { attributes: { transactionId: string } }) => d.attributes.transactionId),
    ).toEqual(['appr-only']);
    expect(conformance('GET', R, 200, approved.body)).toEqual([]);
    expect((await h.call('GET', `${org(h)}/users/enrolled/earned-rewards?filter[status]=NOPE`)).status).toBe(
      400,
    );
  });
});

describe('delivery, retries and the notifications log', () => {
  it('retries a failing webhook with backoff until it succeeds, then logs delivered with attempts', async () => {
    await h.call('POST', `${org(h)}/subscriptions`, {
      data: [
        {
          type: 'subscription',
          attributes: { eventName: 'earnedRewardSettled', webhookUrl: `${rx.url}/flaky`, enabled: true },
        },
      ],
    });
    await spend('r1', { description: 'VITAL PHARMACY' });
    await waitFor(() => rx.hits.filter((x) => x.path === '/flaky').length >= 3);
    const flaky = rx.hits.filter((x) => x.path === '/flaky');
    expect(flaky).toHaveLength(3);
    expect(new Set(flaky.map((x) => x.raw.toString()))).toHaveLength(1); // same bytes each attempt
    const n = await waitForNotification('delivered');
    expect(n.attributes).toMatchObject({
      eventName: 'earnedRewardSettled',
      status: 'delivered',
      attempts: 3,
      statusCode: 200,
    });
  });

  it('marks delivery_failed after the last attempt and counts webhooksFailed', async () => {
    const sub = await h.call('GET', `${org(h)}/subscriptions?filter[eventName]=earnedRewardSettled`);
    const id = sub.body.data[0].id as string;
    await h.call('PATCH', `${org(h)}/subscriptions/${id}`, {
      data: { type: 'subscription', attributes: { webhookUrl: `${rx.url}/down` } },
    });
    await spend('d1', { description: 'SUMMIT OUTFITTERS' });
    const n = await waitForNotification('delivery_failed');
    expect(n.attributes).toMatchObject({
      status: 'delivery_failed',
      attempts: 4,
      statusCode: 503,
      errorMessage: expect.any(String),
    });
    expect(h.mock.stats().webhooksFailed).toBe(1);
  });

  it('reset() cancels pending retries so nothing leaks into the next test', async () => {
    const subs = await h.call('GET', `${org(h)}/subscriptions?filter[eventName]=earnedRewardSettled`);
    await h.call('PATCH', `${org(h)}/subscriptions/${subs.body.data[0].id}`, {
      data: { type: 'subscription', attributes: { webhookUrl: `${rx.url}/down` } },
    });
    await spend('c1', { description: 'STARLIGHT CINEMAS' });
    await waitFor(() => rx.hits.some((x) => x.path === '/down'));
    h.mock.reset();
    const seen = rx.hits.filter((x) => x.path === '/down').length;
    // A delivery that starts after the reset and fails every attempt waits out the same backoff
    // (20+40+80 ms) from a later start, so by its end the cancelled retries would have arrived.
    await h.call('POST', `${org(h)}/users`, {
      data: [{ type: 'user', id: 'enrolled', attributes: { enrolledRewards: ['CARDLINKED'] } }],
    });
    const after = await h.call('GET', `${org(h)}/subscriptions?filter[eventName]=earnedRewardSettled`);
    await h.call('PATCH', `${org(h)}/subscriptions/${after.body.data[0].id}`, {
      data: { type: 'subscription', attributes: { webhookUrl: `${rx.url}/down-after-reset` } },
    });
    await spend('c2', { description: 'STARLIGHT CINEMAS' });
    await waitForNotification('delivery_failed');
    expect(rx.hits.filter((x) => x.path === '/down-after-reset')).toHaveLength(4);
    expect(rx.hits.filter((x) => x.path === '/down')).toHaveLength(seen);
    expect(h.mock.stats().webhooksFailed).toBe(1); // the later delivery only
  });

  it('replay redelivers (202) and is 409 without an enabled subscription (R73); 404 for unknown ids', async () => {
    await spend('p1', { description: 'PAGE TURNER BOOKS' });
    const n = await waitForNotification('delivered');
    const eventId = n.attributes.eventId as string;
    const before = rx.hits.length;
    const r = await h.call('POST', `${org(h)}/notifications/${eventId}/replay`);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ data: { eventId } });
    expect(
      conformance('POST', '/v2/issuers/{organizationId}/notifications/{eventId}/replay', 202, r.body),
    ).toEqual([]);
    await waitFor(() => rx.hits.length > before);
    const subs = await h.call('GET', `${org(h)}/subscriptions?filter[eventName]=earnedRewardSettled`);
    for (const s of subs.body.data)
      await h.call('PATCH', `${org(h)}/subscriptions/${s.id}`, {
        data: { type: 'subscription', attributes: { enabled: false } },
      });
    const c = await h.call('POST', `${org(h)}/notifications/${eventId}/replay`);
    expect(c.status).toBe(409);
    expect(c.body.errors[0]).toMatchObject({
      detail: 'no enabled subscription for earnedRewardSettled (R73)',
      source: { parameter: 'eventId' },
    });
    expect(
      (await h.call('POST', `${org(h)}/notifications/00000000-0000-4000-8000-000000000000/replay`)).status,
    ).toBe(404);
  });

  it('lists notifications newest first with filters and cursor pagination (R72)', async () => {
    for (let i = 0; i < 5; i++) await spend(`l${i}`, { description: 'CORNER MART' });
    await waitFor(() => rx.hits.length >= 5);
    const N = '/v2/issuers/{organizationId}/notifications';
    let next: string | undefined =
      `${h.base}/notifications?page[size]=2&filter[eventName]=earnedRewardSettled`;
    let count = 0;
    while (next) {
      const r = await h.call('GET', next);
      expect(r.status).toBe(200);
      expect(conformance('GET', N, 200, r.body)).toEqual([]);
      count += r.body.data.length;
      next = r.body.links.next;
    }
    expect(count).toBe(5);
    // newest first: the order the five purchases were made in, reversed
    const listed = (await h.call('GET', `${org(h)}/notifications?filter[eventName]=earnedRewardSettled`)).body
      .data as { id: string }[];
    const txnOf = new Map(
      rx.hits.map((x) => {
        const d = JSON.parse(x.raw.toString('utf8')).data;
        return [d.id as string, d.attributes.transactionId as string];
      }),
    );
    expect(listed.map((n) => txnOf.get(n.id))).toEqual(['l4', 'l3', 'l2', 'l1', 'l0'].map((i) => `txn-${i}`));
    for (const status of ['pending', 'delivered', 'delivery_failed'])
      expect((await h.call('GET', `${org(h)}/notifications?filter[status]=${status}`)).status).toBe(200);
    const none = await h.call('GET', `${org(h)}/notifications?filter[eventName]=auditUpdate`);
    expect(none.body.data).toEqual([]);
    expect((await h.call('GET', `${org(h)}/notifications?filter[status]=weird`)).status).toBe(400);
    expect((await h.call('GET', `${org(h)}/notifications?page[size]=201`)).status).toBe(400);
    const future = await h.call('GET', `${org(h)}/notifications?filter[after]=2999-01-01T00:00:00Z`);
    expect(future.body.data).toEqual([]);
  });
});

describe('subscriptions (openapi/kard.yaml subscriptions.list/create/update, R74)', () => {
  it('list (webhookUrl subscribes every type), create (201, 409 duplicate), patch (200, 404)', async () => {
    const S = '/v2/issuers/{organizationId}/subscriptions';
    const l = await h.call('GET', `${org(h)}/subscriptions`);
    expect(l.status).toBe(200);
    expect(l.body.data).toHaveLength(10);
    expect(conformance('GET', S, 200, l.body)).toEqual([]);
    const body = {
      data: [
        {
          type: 'subscription',
          attributes: { eventName: 'auditUpdate', webhookUrl: `${rx.url}/audits`, enabled: true },
        },
      ],
    };
    const c = await h.call('POST', `${org(h)}/subscriptions`, body);
    expect(c.status).toBe(201);
    expect(conformance('POST', S, 201, c.body)).toEqual([]);
    expect((await h.call('POST', `${org(h)}/subscriptions`, body)).status).toBe(409);
    // a duplicate is the same event to the same URL: another event to that URL is a new subscription
    const other = structuredClone(body);
    other.data[0]!.attributes.eventName = 'earnedRewardApproved';
    expect((await h.call('POST', `${org(h)}/subscriptions`, other)).status).toBe(201);
    const p = await h.call('PATCH', `${org(h)}/subscriptions/${c.body.data[0].id}`, {
      data: { type: 'subscription', attributes: { enabled: false } },
    });
    expect(p.status).toBe(200);
    expect(p.body.data.attributes).toMatchObject({ eventName: 'auditUpdate', enabled: false });
    expect(conformance('PATCH', `${S}/{subscriptionId}`, 200, p.body)).toEqual([]);
    expect(
      (
        await h.call('PATCH', `${org(h)}/subscriptions/nope`, {
          data: { type: 'subscription', attributes: {} },
        })
      ).status,
    ).toBe(404);
    expect(
      (await h.call('POST', `${org(h)}/subscriptions`, { data: [{ type: 'subscription', attributes: {} }] }))
        .status,
    ).toBe(400);
  });
});

function waitForNotification(status: string): Promise<Listed> {
  return waitFor(
    async () => (await h.call('GET', `${org(h)}/notifications?filter[status]=${status}`)).body.data[0],
    `a ${status} notification`,
  );
}
