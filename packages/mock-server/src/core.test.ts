import { describe, expect, it } from 'vitest';
import {
  type ChangeTopic,
  type CoreOptions,
  MockCore,
  NOTIFICATION_TYPES,
  type ReceivedTransaction,
} from './core.js';

// The sandbox's state object on its own (no HTTP): what the dashboard's list of received
// transactions keeps, which webhook subscriptions a configured webhook URL gets, and what a reset
// clears and tells its listeners.
function core(over: Partial<CoreOptions> = {}): MockCore {
  return new MockCore({
    organizationId: 'org-1',
    clientId: 'client-1',
    clientSecret: 'secret-1',
    webhookSecret: 'whsec-1',
    tokenTtlSeconds: 3600,
    uploadUrlTtlSeconds: 900,
    now: () => 0,
    webhookUrl: undefined,
    webhookMaxAttempts: 1,
    webhookBackoffMs: 1,
    ...over,
  });
}

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
