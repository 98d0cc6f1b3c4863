import { describe, expect, it } from 'vitest';
import { type ChangeTopic, MockCore, NOTIFICATION_TYPES, type ReceivedTransaction } from './core.js';
import { mockCore } from './test-support.js';

// The sandbox's state object on its own (no HTTP): what the dashboard's list of received
// transactions keeps, which webhook subscriptions a configured webhook URL gets, and what a reset
// clears and tells its listeners.
const core = mockCore;

const entry = (n: number): ReceivedTransaction => ({
  at: new Date(n * 1000).toISOString(),
  id: `evt-${n}`,
  source: 'v2',
  outcome: 'accepted',
  issues: [],
  match: 'no offer',
});

const ids = (c: MockCore) => c.received.map((r) => r.id);

describe('MockCore: the received transactions the dashboard lists', () => {
  it('a new sandbox has received nothing', () => {
    expect(core().received).toEqual([]);
  });

  it('keeps every entry up to 1,200, then trims back to the newest 1,000', () => {
    const c = core();
    for (let n = 1; n <= 1200; n++) c.noteReceived(entry(n));
    expect(c.received).toHaveLength(1200);
    expect(c.received[0]?.id).toBe('evt-1');
    c.noteReceived(entry(1201));
    expect(c.received).toHaveLength(1000);
    expect(ids(c)[0]).toBe('evt-202');
    expect(ids(c)[999]).toBe('evt-1201');
  });
});

describe('MockCore: webhook subscriptions seeded from the webhook URL option', () => {
  it('without a webhook URL there are none', () => {
    expect(core().subscriptions.size).toBe(0);
  });

  it('one enabled subscription per notification type to that URL, added once however often it is seeded', () => {
    const c = core({ webhookUrl: 'http://127.0.0.1:9/hook' });
    const subs = () =>
      [...c.subscriptions.values()].map(({ eventName, webhookUrl, enabled }) => ({
        eventName,
        webhookUrl,
        enabled,
      }));
    const expected = NOTIFICATION_TYPES.map((eventName) => ({
      eventName,
      webhookUrl: 'http://127.0.0.1:9/hook',
      enabled: true,
    }));
    expect(subs()).toEqual(expected);
    c.seedSubscriptions();
    expect(subs()).toEqual(expected);
  });

  it('a subscription of the same type to another URL does not count as seeded', () => {
    const c = core({ webhookUrl: 'http://127.0.0.1:9/hook' });
    c.subscriptions.clear();
    const other = NOTIFICATION_TYPES[0]!;
    c.subscriptions.set('s-other', {
      id: 's-other',
      eventName: other,
      webhookUrl: 'http://127.0.0.1:9/elsewhere',
      enabled: true,
    });
    c.seedSubscriptions();
    expect(
      [...c.subscriptions.values()].filter((s) => s.eventName === other).map((s) => s.webhookUrl),
    ).toEqual(['http://127.0.0.1:9/elsewhere', 'http://127.0.0.1:9/hook']);
    expect(c.subscriptions.size).toBe(NOTIFICATION_TYPES.length + 1);
  });
});

describe('MockCore.reset', () => {
  it('empties the state, seeds the webhook URL again and tells listeners "reset"', () => {
    const c = core({ webhookUrl: 'http://127.0.0.1:9/hook' });
    c.noteReceived(entry(1));
    c.accepted.add('evt-1');
    c.users.set('u1', { id: 'u1' } as never);
    c.subscriptions.clear();
    c.stats.rewards = 3;
    const topics: ChangeTopic[] = [];
    c.events.on('change', (t: ChangeTopic) => topics.push(t));
    c.reset();
    expect(c.received).toEqual([]);
    expect(c.accepted.size).toBe(0);
    expect(c.users.size).toBe(0);
    expect(c.stats).toEqual(MockCore.freshStats());
    expect(c.subscriptions.size).toBe(NOTIFICATION_TYPES.length);
    expect(topics).toEqual(['reset']);
  });
});

describe('MockCore: webhook deliveries', () => {
  it('each change of a notification tells listeners "notifications" (the dashboard and the state file follow it)', async () => {
    const c = core();
    const topics: ChangeTopic[] = [];
    c.events.on('change', (t: ChangeTopic) => topics.push(t));
    const rec = await c.dispatcher.send('earnedRewardSettled', { data: { id: 'n-1' } }, []);
    expect(rec.status).toBe('delivery_failed');
    expect(topics).toEqual(['notifications']);
    c.dispatcher.close();
  });
});

describe('MockCore.basicAuthOk (the dashboard and /__admin)', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it("accepts HTTP Basic with the sandbox's own client id and secret, whatever the scheme's case", () => {
    const c = core();
    expect(c.basicAuthOk(`Basic ${b64('client-1:secret-1')}`)).toBe(true);
    expect(c.basicAuthOk(`BASIC  ${b64('client-1:secret-1')}`)).toBe(true);
  });

  it('refuses no header, another scheme, a scheme that only contains "basic", and wrong or partial credentials', () => {
    const c = core();
    const good = b64('client-1:secret-1');
    expect(c.basicAuthOk(undefined)).toBe(false);
    expect(c.basicAuthOk('')).toBe(false);
    expect(c.basicAuthOk(`Token ${good}`)).toBe(false);
    expect(c.basicAuthOk(`xbasic ${good}`)).toBe(false);
    expect(c.basicAuthOk(`Bearer ${good}`)).toBe(false);
    expect(c.basicAuthOk(`Basic ${b64('client-1:secret-2')}`)).toBe(false);
    expect(c.basicAuthOk(`Basic ${b64('client-2:secret-1')}`)).toBe(false);
    expect(c.basicAuthOk(`Basic ${b64('client-1secret-1')}`)).toBe(false);
    expect(c.basicAuthOk(`Basic ${b64('client-1:')}`)).toBe(false);
  });
});

describe('MockCore: what the dashboard shows for each received event', () => {
  const tx = (id: unknown, attributes: Record<string, unknown> = {}, type = 'transaction') => ({
    type,
    id,
    attributes: { userId: 'u1', transactionId: 't1', status: 'SETTLED', amount: 1250, ...attributes },
  });

  it('an accepted event: its ids, status, amount, the merchant name (else the description), no issues', () => {
    const c = core();
    expect(
      c.acceptEvent(tx('e1', { merchant: { name: 'Corner Cafe' }, description: 'CORNER CAFE 42' })),
    ).toBe(true);
    expect(c.acceptEvent(tx('e2', { description: 'CORNER CAFE 42' }))).toBe(true);
    const [first, second] = c.received;
    expect(first).toMatchObject({
      id: 'e1',
      source: 'v2',
      userId: 'u1',
      transactionId: 't1',
      status: 'SETTLED',
      amount: 1250,
      merchant: 'Corner Cafe',
      outcome: 'accepted',
      issues: [],
      match: 'no reward: no users enrolled',
    });
    expect(second?.merchant).toBe('CORNER CAFE 42');
  });

  it('a repeated event id is a duplicate (R10): counted as an extra arrival, never accepted again', () => {
    const c = core();
    c.acceptEvent(tx('e1'));
    expect(c.acceptEvent(tx('e1'))).toBe(false);
    expect(c.received[1]).toMatchObject({
      id: 'e1',
      outcome: 'duplicate',
      match: 'duplicate event id: already processed (R10)',
    });
    expect(c.extraArrivals.get('e1')).toBe(1);
  });

  it('with users enrolled, only transaction and coreTransaction events are matched', () => {
    const c = core();
    c.users.set('u1', { id: 'u1' } as never);
    c.acceptEvent(tx('m1', {}, 'matchedTransaction'));
    expect(c.received[0]?.match).toBe('matchedTransaction events are not matched');
  });

  it('an id that is not a string is recorded as an empty id; a rejected arrival counts only for a string id', () => {
    const c = core();
    c.acceptEvent(tx(42));
    expect(c.received[0]?.id).toBe('');
    c.noteRejected(42);
    expect(c.extraArrivals.size).toBe(0);
    c.noteRejected('e9');
    c.noteRejected('e9');
    expect(c.extraArrivals.get('e9')).toBe(2);
  });
});

describe('MockCore.maybeReward: why an event earns or not (the dashboard shows the reason)', () => {
  const enrolled = (c: MockCore, id = 'u1', rewards: unknown = ['CARDLINKED']) =>
    c.users.set(id, { id, attributes: { enrolledRewards: rewards } });
  const t = (over: Record<string, unknown> = {}) => ({
    eventId: 'e1',
    userId: 'u1',
    transactionId: 't1',
    status: 'SETTLED',
    amount: 2599,
    description: 'BEAN & LEAF COFFEE #12',
    ...over,
  });

  it('each reason for no reward, in the order they are checked', () => {
    const c = core();
    expect(c.maybeReward(t({ status: 'DECLINED' }))).toBe('no reward: status DECLINED');
    expect(c.maybeReward(t({ direction: 'CREDIT' }))).toBe('no reward: a credit');
    expect(c.maybeReward(t({ userId: 'u9' }))).toBe('no reward: unknown user u9');
    enrolled(c, 'u2', ['OTHER']);
    expect(c.maybeReward(t({ userId: 'u2' }))).toBe('no reward: user not enrolled in CARDLINKED');
    enrolled(c, 'u3', 'CARDLINKED');
    expect(c.maybeReward(t({ userId: 'u3' }))).toBe('no reward: user not enrolled in CARDLINKED');
    enrolled(c);
    c.fraudulent.add('t-fraud');
    expect(c.maybeReward(t({ transactionId: 't-fraud' }))).toBe('no reward: flagged as fraud');
    expect(c.maybeReward(t({ description: 'CORNER HARDWARE' }))).toBe(
      'no reward: no offer matches the merchant',
    );
    expect(c.rewards.size).toBe(0);
    expect(c.stats.rewards).toBe(0);
  });

  it('a match earns once per transaction and status: APPROVED and SETTLED each, a repeat not', () => {
    const c = core();
    enrolled(c);
    const topics: ChangeTopic[] = [];
    c.events.on('change', (x: ChangeTopic) => topics.push(x));
    expect(c.maybeReward(t({ status: 'APPROVED', direction: 'DEBIT' }))).toBe(
      'reward earned at Bean & Leaf Coffee ($1.30)',
    );
    expect(c.maybeReward(t())).toBe('reward earned at Bean & Leaf Coffee ($1.30)');
    expect(c.maybeReward(t({ eventId: 'e2' }))).toBe('no reward: already rewarded for SETTLED');
    expect(c.rewards.get('u1')?.map((r) => [r.status, r.rewardCents, r.eventId])).toEqual([
      ['APPROVED', 130, 'e1'],
      ['SETTLED', 130, 'e1'],
    ]);
    expect(c.stats.rewards).toBe(2);
    expect(topics.filter((x) => x === 'rewards')).toHaveLength(2);
    // Nobody subscribed: the reward webhooks are not sent, and no notification is logged.
    expect(c.dispatcher.log).toEqual([]);
    c.dispatcher.close();
  });

  it('the merchant name is matched as well as the description; the card product id is kept when given', () => {
    const c = core();
    enrolled(c);
    expect(
      c.maybeReward(
        t({ description: 'POS 4411', merchantName: 'Bean & Leaf Coffee', cardProductId: 'cp-1' }),
      ),
    ).toBe('reward earned at Bean & Leaf Coffee ($1.30)');
    expect(c.maybeReward(t({ transactionId: 't2' }))).toMatch(/^reward earned/);
    const [withProduct, without] = c.rewards.get('u1') ?? [];
    expect(withProduct?.cardProductId).toBe('cp-1');
    expect(without).not.toHaveProperty('cardProductId');
    c.dispatcher.close();
  });

  it('coreTransaction events are matched like transaction events', () => {
    const c = core();
    enrolled(c);
    c.acceptEvent({
      type: 'coreTransaction',
      id: 'c1',
      attributes: {
        userId: 'u1',
        transactionId: 't1',
        status: 'SETTLED',
        amount: 2599,
        description: 'Bean & Leaf Coffee',
      },
    });
    expect(c.received[0]?.match).toBe('reward earned at Bean & Leaf Coffee ($1.30)');
    c.dispatcher.close();
  });
});

describe('MockCore.maybeReward: the webhook a reward sends', () => {
  it('an APPROVED transaction notifies earnedRewardApproved subscribers, a SETTLED one earnedRewardSettled', () => {
    const c = core();
    c.users.set('u1', { id: 'u1', attributes: { enrolledRewards: ['CARDLINKED'] } });
    const sent: string[] = [];
    c.notify = async (eventName: string) => {
      sent.push(eventName);
    };
    const base = {
      eventId: 'e1',
      userId: 'u1',
      transactionId: 't1',
      amount: 2599,
      description: 'Bean & Leaf Coffee',
    };
    c.maybeReward({ ...base, status: 'APPROVED' });
    c.maybeReward({ ...base, status: 'SETTLED' });
    expect(sent).toEqual(['earnedRewardApproved', 'earnedRewardSettled']);
    c.dispatcher.close();
  });
});

describe('MockCore.rewardPayload: the earned-reward webhook body', () => {
  it('SETTLED: the earned message and the commission; APPROVED: the pending message and none', () => {
    const c = core();
    c.baseUrl = 'http://127.0.0.1:9';
    c.users.set('u 1', { id: 'u 1', attributes: { enrolledRewards: ['CARDLINKED'] } });
    const base = {
      eventId: 'e1',
      userId: 'u 1',
      transactionId: 't1',
      amount: 2599,
      description: 'Bean & Leaf Coffee',
    };
    c.maybeReward({ ...base, status: 'APPROVED', timestamp: '2026-11-01T10:00:00Z' });
    c.maybeReward({ ...base, status: 'SETTLED', cardProductId: 'cp-1' });
    const [approved, settled] = (c.rewards.get('u 1') ?? []).map(
      (r) => c.rewardPayload(r) as { data: { type: string; attributes: Record<string, unknown> } },
    );
    expect(approved?.data.type).toBe('earnedRewardApproved');
    expect(approved?.data.attributes).toMatchObject({
      message: "You'll earn $1.30 cash back at Bean & Leaf Coffee once your purchase settles.",
      name: 'Bean & Leaf Coffee',
      transactionId: 't1',
      transactionAmountInCents: 2599,
      transactionTimestamp: '2026-11-01T10:00:00Z',
    });
    expect(approved?.data.attributes).not.toHaveProperty('commissionEarned');
    expect(approved?.data.attributes).not.toHaveProperty('cardProductId');
    expect(String(approved?.data.attributes.attributionUrl)).toMatch(
      /^http:\/\/127\.0\.0\.1:9\/__attribution\/[^/?]+\?userId=u%201$/,
    );
    const assets = approved?.data.attributes.assets as { type: string; url: string; alt: string }[];
    expect(assets).toHaveLength(1);
    expect(assets[0]).toMatchObject({ type: 'IMG_VIEW', alt: 'Bean & Leaf Coffee' });
    expect(assets[0]?.url).toMatch(/^https:\/\/assets\.kard\.example\/[^/]+\/logo\.png$/);
    expect(settled?.data.type).toBe('earnedRewardSettled');
    expect(settled?.data.attributes).toMatchObject({
      message: 'You earned $1.30 cash back at Bean & Leaf Coffee!',
      commissionEarned: { type: 'cents', value: 130 },
      cardProductId: 'cp-1',
    });
    c.dispatcher.close();
  });
});
