// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers of any shape
// The user-visible contract of the sandbox's routes, pinned by a snapshot: for each route, good and
// bad requests in turn, the full answer (status, JSON body with every error's status, title, detail
// and source pointer/parameter, and the headers a client acts on). Values that change from run to
// run (generated ids, times, the port) are replaced by placeholders; ids are numbered in the order
// they first appear, so an answer naming the wrong resource still shows.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Harness, harness, org, txn } from './test-support.js';

const h: Harness = await harness();
afterAll(() => h.mock.close());
beforeEach(() => h.mock.reset());

type Step = [
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
  // a long list from the fixture catalog: keep each item's type and id only
  view?: 'ids',
];
/** `{data}` with each item's type and id; links and meta as they are. */
const idsOnly = (b: any) =>
  b && Array.isArray(b.data)
    ? {
        ...b,
        data: b.data.map((d: any) => `${d.type}:${d.id}`),
        ...(b.included ? { included: b.included.map((d: any) => `${d.type}:${d.id}`) } : {}),
      }
    : b;

const HEADERS = ['www-authenticate', 'retry-after', 'deprecation', 'link', 'location'];

function normalise(text: string, ids: Map<string, string>): string {
  let t = text;
  // child organization ids: eight random digits
  for (const [id, name] of ids) if (/^\d{8}$/.test(id)) t = t.replaceAll(id, name);
  return t
    .replaceAll(h.mock.url, '<url>')
    .replace(/"wv_[\w-]+"/g, '"<token>"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (m) => {
      if (!ids.has(m)) ids.set(m, `<id${ids.size + 1}>`);
      return ids.get(m)!;
    });
}

/** Runs the steps in order (`$1`… in a path or body is the `id` of that step's answer) and returns every answer. */
async function run(steps: Step[]): Promise<unknown[]> {
  const ids = new Map<string, string>();
  const made: string[] = [];
  const out: unknown[] = [];
  const fill = (s: string) => s.replace(/\$(\d+)/g, (_, n) => made[Number(n) - 1] ?? 'none');
  for (const [method, rawPath, rawBody, headers, view] of steps) {
    const path = fill(rawPath.startsWith('/') ? rawPath : `${org(h)}/${rawPath}`);
    const body = rawBody === undefined ? undefined : JSON.parse(fill(JSON.stringify(rawBody)));
    const r = await h.call(method, path, body, headers);
    const id = String(r.body?.id ?? r.body?.data?.id ?? r.body?.data?.[0]?.id ?? '');
    made.push(id);
    if (/^\d{8}$/.test(id) && !ids.has(id)) ids.set(id, `<id${ids.size + 1}>`);
    const hs: Record<string, string> = {};
    for (const k of HEADERS) {
      const v = r.headers.get(k);
      if (v !== null) hs[k] = v;
    }
    out.push(
      JSON.parse(
        normalise(
          JSON.stringify({
            request: `${method} ${rawPath}`,
            status: r.status,
            headers: hs,
            body: (view === 'ids' ? idsOnly(r.body) : r.body) ?? null,
          }),
          ids,
        ),
      ),
    );
  }
  return out;
}

const child = (name: unknown, extra: Record<string, unknown> = {}) => ({
  data: { type: 'organization', attributes: { name, ...extra } },
});
const filters = (categories: string[]) => ({
  filters: { categories, categoryExclusions: [], merchantExclusions: [], offerFeatures: [] },
  categories,
  categoryExclusions: [],
  merchantExclusions: [],
});
const strategy = (name: unknown, extra: Record<string, unknown> = {}) => ({
  data: { type: 'contentStrategy', attributes: { name, ...filters(['Food & Beverage']), ...extra } },
});
const placement = (attributes: Record<string, unknown>, type = 'placement') => ({
  data: { type, attributes },
});

describe('route contract (snapshot)', () => {
  it('children: create, duplicate, bad names, get, patch, list, delete, unknown ids', async () => {
    expect(
      await run([
        ['POST', 'children', child('North Branch')],
        ['POST', 'children', child('North Branch')],
        ['POST', 'children', child('Bad 123')],
        ['POST', 'children', child('')],
        ['POST', 'children', { data: { type: 'organization', attributes: {} } }],
        ['POST', 'children', { data: [] }],
        ['POST', 'children', 'not json'],
        ['POST', 'children', child('South Branch', { bins: ['411111'] })],
        ['GET', 'children/$1'],
        ['GET', 'children/99999999'],
        ['PATCH', 'children/$1', child('East Branch')],
        ['PATCH', 'children/$1', child('South Branch')],
        ['PATCH', 'children/$1', child('Bad 1')],
        ['PATCH', 'children/99999999', child('West Branch')],
        ['GET', 'children'],
        ['GET', 'children?page[size]=1'],
        ['DELETE', 'children/$1'],
        ['DELETE', 'children/$1'],
        ['GET', 'children/$1'],
      ]),
    ).toMatchSnapshot();
  });

  it('content strategies: create, duplicate, bad input, get, list with filters, put, delete', async () => {
    expect(
      await run([
        ['POST', 'contentStrategies', strategy('Food first')],
        ['POST', 'contentStrategies', strategy('Food first')],
        ['POST', 'contentStrategies', strategy('')],
        ['POST', 'contentStrategies', strategy('Sorted', { sort: 'NOPE' })],
        ['POST', 'contentStrategies', strategy('Sorted', { sort: 'HIGHEST_CASHBACK' })],
        ['POST', 'contentStrategies', { data: { type: 'contentStrategy', attributes: { name: 'Bare' } } }],
        ['POST', 'contentStrategies', { data: { type: 'placement', attributes: { name: 'Wrong' } } }],
        ['GET', 'contentStrategies/$1'],
        ['GET', 'contentStrategies/nope'],
        ['GET', 'contentStrategies'],
        ['GET', 'contentStrategies?filter[name]=Food%20first'],
        ['GET', 'contentStrategies?filter[name]=nothing'],
        ['GET', 'contentStrategies?page[size]=1'],
        ['PUT', 'contentStrategies/$1', strategy('Renamed', filters(['Gas']))],
        ['PUT', 'contentStrategies/$1', strategy('Sorted')],
        ['PUT', 'contentStrategies/nope', strategy('Other')],
        ['PUT', 'contentStrategies/$1', { data: { type: 'contentStrategy', attributes: {} } }],
        ['DELETE', 'contentStrategies/$1'],
        ['DELETE', 'contentStrategies/$1'],
      ]),
    ).toMatchSnapshot();
  });

  it('placements: every type, bad input, include, filters, put, delete, content and slots', async () => {
    expect(
      await run([
        ['POST', 'contentStrategies', strategy('Food first')],
        ['POST', 'placements', placement({ name: 'Home feed', availableSlots: 3, contentStrategyId: '$1' })],
        ['POST', 'placements', placement({ name: 'Home feed', availableSlots: 3 })],
        ['POST', 'placements', placement({ name: 'No slots' })],
        ['POST', 'placements', placement({ name: 'Zero', availableSlots: 0 })],
        [
          'POST',
          'placements',
          placement({ name: 'Unknown strategy', availableSlots: 1, contentStrategyId: 'nope' }),
        ],
        ['POST', 'placements', placement({ name: 'x' }, 'nope')],
        [
          'POST',
          'placements',
          placement(
            {
              name: 'Weekly picks',
              refreshInterval: 'P7D',
              slots: [{ alias: 'food', shortDescription: 'Food', placementId: '$2' }],
            },
            'placementBatchActivation',
          ),
        ],
        [
          'POST',
          'placements',
          placement(
            {
              name: 'Bad slots',
              refreshInterval: 'P7D',
              slots: [{ alias: 'a', shortDescription: 'A', placementId: 'nope' }],
            },
            'placementBatchActivation',
          ),
        ],
        [
          'POST',
          'placements',
          placement(
            { name: 'Push', cadence: { frequency: 'WEEKLY', dayOfWeek: 'MON' } },
            'placementPushNotification',
          ),
        ],
        ['POST', 'placements', placement({ name: 'Group', placementIds: ['$2'] }, 'placementGroup')],
        ['GET', 'placements/$2'],
        ['GET', 'placements/$8?include=slots.placement.contentStrategy'],
        ['GET', 'placements/$2?include=contentStrategy'],
        ['GET', 'placements/$2?include=nope'],
        ['GET', 'placements/nope'],
        ['GET', 'placements'],
        ['GET', 'placements?filter[type]=placement'],
        ['GET', 'placements?filter[type]=placementPushNotification'],
        ['GET', 'placements?filter[name]=Home%20feed'],
        ['GET', 'placements?page[size]=2'],
        ['GET', 'placements?include=contentStrategy'],
        ['GET', 'users/u1/placements/$2/content'],
        ['GET', 'users/u1/placements/$8/content'],
        ['GET', 'users/u1/placements/$10/content'],
        ['GET', 'users/u1/placements/nope/content'],
        ['POST', 'users/u1/placements/$8/slot/nope/activate'],
        ['POST', 'users/u1/placements/$2/slot/nope/activate'],
        ['DELETE', 'contentStrategies/$1'],
        ['PUT', 'placements/$2', placement({ name: 'Home feed', availableSlots: 2 })],
        [
          'PUT',
          'placements/$2',
          placement({ name: 'Home feed', availableSlots: 2 }, 'placementPushNotification'),
        ],
        ['PUT', 'placements/nope', placement({ name: 'Home feed', availableSlots: 2 })],
        [
          'PUT',
          'placements/$10',
          placement({ name: 'Push 2', cadence: { frequency: 'DAILY' } }, 'placementPushNotification'),
        ],
        ['DELETE', 'contentStrategies/$1'],
        ['DELETE', 'placements/$10'],
        ['DELETE', 'placements/$10'],
        ['GET', 'placements/$10'],
      ]),
    ).toMatchSnapshot();
  });

  it('files metadata and the organization', async () => {
    // The files are dated back from today (and a month's first day adds one): a fixed day keeps the
    // snapshot the same on every day it runs.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-07T12:00:00Z') });
    try {
      expect(
        await run([
          ['GET', 'files/metadata'],
          ['GET', 'files/metadata?filter[fileType]=nope'],
          ['GET', 'files/metadata?page[size]=1'],
          ['GET', '/v2/issuer'],
        ]),
      ).toMatchSnapshot();
    } finally {
      vi.useRealTimers();
    }
  });

  it('users: create, repeat, partial, bad input, get, update (R40), delete', async () => {
    const attrs = (extra: Record<string, unknown> = {}) => ({ enrolledRewards: ['CARDLINKED'], ...extra });
    const user = (id: string, extra: Record<string, unknown> = {}) => ({
      type: 'user',
      id,
      attributes: attrs(extra),
    });
    const put = (id: string, extra: Record<string, unknown> = {}) => ({ data: user(id, extra) });
    expect(
      await run([
        ['POST', 'users', { data: [user('u1', { zipCode: '11238' })] }],
        ['POST', 'users', { data: [user('u1')] }],
        ['POST', 'users', { data: [user('u2'), user('u1'), { type: 'user' }, user('u2')] }],
        ['POST', 'users', { data: [user('u1'), user('u2')] }],
        ['POST', 'users', { data: [user('u3', { zipCode: 5 })] }],
        ['POST', 'users', { data: [] }],
        ['POST', 'users', { data: {} }],
        ['POST', 'users', 'not json'],
        ['GET', 'users/u1'],
        ['GET', 'users/nope'],
        ['PUT', 'users/u1', put('u1', { zipCode: '10001' })],
        ['PUT', 'users/u1', put('u9', { zipCode: '10001' })],
        ['PUT', 'users/u1', put('u1', { historicalTransactionsSent: false })],
        ['PUT', 'users/u1', put('u1', { historicalTransactionsSent: true })],
        ['PUT', 'users/u1', put('u1', { historicalTransactionsSent: true })],
        ['PUT', 'users/u1', put('u1', { historicalTransactionsSent: false })],
        ['PUT', 'users/u1', put('u1', { zipCode: 5 })],
        ['PUT', 'users/u1', 'not json'],
        ['PUT', 'users/nope', put('nope')],
        ['GET', 'users/u1'],
        ['DELETE', 'users/u1'],
        ['DELETE', 'users/u1'],
        ['GET', 'users/u1'],
        ['POST', 'users', { data: [user('u1')] }],
      ]),
    ).toMatchSnapshot();
  });

  it('offers and locations: filters, sorts, includes, pagination and bad parameters', async () => {
    const U = 'users/u1';
    const I = 'ids' as const;
    const q = (route: string, query: string): Step => ['GET', `${U}/${route}?${query}`, undefined, {}, I];
    expect(
      await run([
        q('offers', ''),
        q('offers', 'filter[search]=bakery'),
        q('offers', 'filter[search]=food'),
        q('offers', 'filter[category]=Gas'),
        q('offers', 'filter[category]=Gas,Food%20%26%20Beverage'),
        q('offers', 'filter[category]=Baby,%20Kids%20%26%20Toys'),
        q('offers', 'filter[category]=Nope'),
        q('offers', 'filter[purchaseChannel]=ONLINE'),
        q('offers', 'filter[purchaseChannel]=INSTORE'),
        q('offers', 'filter[purchaseChannel]=MAIL'),
        q('offers', 'filter[isTargeted]=true'),
        q('offers', 'filter[isTargeted]=false'),
        q('offers', 'filter[isTargeted]=yes'),
        q('offers', 'filter[isTargeted]='),
        q('offers', 'sort=name'),
        q('offers', 'sort=-name'),
        q('offers', 'sort=startDate'),
        q('offers', 'sort=-expirationDate'),
        q('offers', 'sort=rate'),
        q('offers', 'include=categories&page[size]=3'),
        q('offers', 'include=merchant'),
        ['GET', `${U}/offers?page[size]=2&supportedComponents=shortDescription`],
        q('locations', ''),
        q('locations', 'filter[name]=bakery'),
        q('locations', 'filter[city]=brooklyn'),
        q('locations', 'filter[zipCode]=11238'),
        q('locations', 'filter[state]=NY'),
        q('locations', 'filter[category]=Gas'),
        q('locations', 'filter[category]=Nope'),
        q('locations', 'filter[latitude]=40.68'),
        q('locations', 'filter[longitude]=-73.97'),
        q('locations', 'filter[latitude]=40.68&filter[longitude]=-73.97'),
        q('locations', 'filter[latitude]=40.68&filter[longitude]=-73.97&filter[radius]=1'),
        q('locations', 'filter[latitude]=40.68&filter[longitude]=-73.97&filter[radius]=3000'),
        q('locations', 'filter[latitude]=40.68&filter[longitude]=-73.97&filter[radius]=0'),
        q('locations', 'filter[latitude]=40.68&filter[longitude]=-73.97&filter[radius]=1.5'),
        q('locations', 'filter[latitude]=91&filter[longitude]=0'),
        q('locations', 'filter[latitude]=-91&filter[longitude]=0'),
        q('locations', 'filter[latitude]=0&filter[longitude]=181'),
        q('locations', 'filter[latitude]=0&filter[longitude]=-181'),
        q('locations', 'filter[latitude]=x&filter[longitude]=0'),
        q('locations', 'filter[latitude]=0&filter[longitude]=x'),
        q('locations', 'sort=locationName'),
        q('locations', 'sort=-locationName'),
        q('locations', 'sort=city'),
        q('locations', 'include=offers&page[size]=2'),
        q('locations', 'include=categories&page[size]=2'),
        q('locations', 'include=offers,categories&page[size]=2'),
        q('locations', 'include=nope'),
        ['GET', `${U}/locations?page[size]=1`],
      ]),
    ).toMatchSnapshot();
  });

  it('earned rewards, activations, boosts and attributions', async () => {
    const U = 'users/enrolled';
    const spend = (id: string, attrs: Record<string, unknown> = {}) => ({
      data: [
        txn(id, {
          userId: 'enrolled',
          description: 'GOLDEN CRUST BAKERY',
          amount: 1000,
          transactionId: `t-${id}`,
          ...attrs,
        }),
      ],
    });
    const approved = (id: string, transactionId: string) =>
      spend(id, { status: 'APPROVED', settledDate: undefined, transactionId });
    const offer = '6650a1b2c3d4e5f6a7b8c902'; // Golden Crust Bakery in the fixture catalog
    const event = {
      type: 'offerAttribution',
      attributes: {
        entityId: offer,
        eventCode: 'IMPRESSION',
        medium: 'BROWSE',
        eventDate: '2026-11-01T00:00:00Z',
      },
    };
    expect(
      await run([
        [
          'POST',
          'users',
          { data: [{ type: 'user', id: 'enrolled', attributes: { enrolledRewards: ['CARDLINKED'] } }] },
        ],
        ['POST', 'transactions', spend('s1')],
        [
          'POST',
          'transactions',
          spend('s2', { authorizationDate: '2026-11-03T10:00:00Z', settledDate: '2026-11-04T10:00:00Z' }),
        ],
        ['POST', 'transactions', approved('a1', 't-a1')],
        ['POST', 'transactions', approved('a2', 't-s1')],
        ['GET', `${U}/earned-rewards`],
        ['GET', `${U}/earned-rewards?filter[status]=SETTLED&include=merchant,offer`],
        ['GET', `${U}/earned-rewards?include=merchant`],
        ['GET', `${U}/earned-rewards?include=offer&page[size]=1`],
        ['GET', `${U}/earned-rewards?filter[status]=APPROVED`],
        ['GET', `${U}/earned-rewards?filter[status]=NOPE`],
        ['GET', `${U}/earned-rewards?filter[paidInFullOnly]=true`],
        ['GET', `${U}/earned-rewards?filter[paidInFullOnly]=false`],
        ['GET', `${U}/earned-rewards?filter[paidInFullOnly]=true&filter[status]=APPROVED`],
        ['GET', `${U}/earned-rewards?filter[paidInFullOnly]=maybe`],
        ['GET', `${U}/earned-rewards?include=user`],
        ['GET', 'users/nobody/earned-rewards'],
        ['POST', `${U}/offers/${offer}/activate`],
        ['POST', `${U}/offers/${offer}/activate?include=offer`],
        ['POST', `${U}/offers/${offer}/boost?include=offer&supportedComponents=x`],
        ['POST', `${U}/offers/${offer}/boost?include=merchant`],
        ['POST', `${U}/offers/nope/activate`],
        ['POST', `${U}/offers/nope/boost`],
        ['POST', `${U}/attributions`, { data: [event] }],
        ['POST', `${U}/attributions`, { data: [event, { type: 'offerActivation' }] }],
        ['POST', `${U}/attributions`, { data: Array(101).fill(event) }],
        ['POST', `${U}/attributions`, { data: [] }],
      ]),
    ).toMatchSnapshot();
  });

  it('transactions, fraud markers, audits and the legacy endpoint: accepted, duplicate, partial, invalid', async () => {
    const user = { type: 'user', id: 'user-1', attributes: { enrolledRewards: ['CARDLINKED'] } };
    const fraud = (id: string, userId: unknown = 'user-1') => ({
      type: 'fraudulentTransaction',
      id,
      attributes: { userId },
    });
    const audit = (transactionId: unknown) => ({
      type: 'audit',
      attributes: {
        transactionId,
        auditCode: 3006,
        auditDescription: 'missing reward',
        merchantName: 'Golden Crust Bakery',
      },
    });
    const legacy = (transactionId: string, extra: Record<string, unknown> = {}) => ({
      transactionId,
      referringPartnerUserId: 'user-1',
      amount: 1000,
      status: 'SETTLED',
      currency: 'USD',
      description: 'GOLDEN CRUST BAKERY',
      settledDate: '2026-11-02T10:00:00Z',
      authorizationDate: '2026-11-01T10:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4242',
      ...extra,
    });
    expect(
      await run([
        ['POST', 'users', { data: [user] }],
        ['POST', 'transactions', { data: [txn('t1')] }],
        ['POST', 'transactions', { data: [txn('t1')] }],
        ['POST', 'transactions', { data: [txn('t2'), txn('t3', { amount: 'x' }), { type: 'transaction' }] }],
        ['POST', 'transactions', { data: [txn('t4', { status: 'NOPE' })] }],
        ['POST', 'transactions', { data: [txn('t5'), txn('t5')] }],
        ['POST', 'transactions', { data: Array.from({ length: 501 }, (_, i) => txn(`b${i}`)) }],
        ['POST', 'transactions', { data: [] }],
        ['POST', 'transactions', 'not json'],
        ['POST', 'fraud', { data: [fraud('txn-t1')] }],
        ['POST', 'fraud', { data: [fraud('txn-t2'), fraud('txn-t3', 5)] }],
        ['POST', 'fraud', { data: [fraud('txn-t4', 5)] }],
        ['POST', 'users/user-1/audits', { data: [audit('txn-t1')] }],
        ['POST', 'users/user-1/audits', { data: [audit('txn-t1')] }],
        ['POST', 'users/user-1/audits', { data: [audit('txn-t2'), audit('txn-t1'), audit(5)] }],
        ['POST', 'users/user-1/audits', { data: [audit(5)] }],
        ['POST', 'users/nobody/audits', { data: [audit('txn-t1')] }],
        ['POST', '/transactions/incoming', [legacy('l1')]],
        ['POST', '/transactions/incoming', [legacy('l1')]],
        ['POST', '/transactions/incoming', [legacy('l1', { status: 'APPROVED', settledDate: undefined })]],
        ['POST', '/transactions/incoming', [legacy('l2'), legacy('l3', { amount: 'x' }), {}]],
        ['POST', '/transactions/incoming', []],
        ['POST', '/transactions/incoming', { transactionId: 'l4' }],
        ['POST', '/transactions/incoming', 'not json'],
        ['POST', '/transactions/incoming', [legacy('l5')], { authorization: 'nope' }],
        ['POST', '/transactions/incoming', [legacy('l5')], { authorization: '' }],
        ['GET', 'users/user-1/earned-rewards'],
      ]),
    ).toMatchSnapshot();
    expect(h.mock.stats()).toMatchSnapshot();
  });

  it('subscriptions and notifications: create, conflict, update, filters, replay', async () => {
    const sub = (eventName: unknown, webhookUrl = 'http://127.0.0.1:9/hook', enabled: unknown = true) => ({
      type: 'subscription',
      attributes: { eventName, webhookUrl, enabled },
    });
    expect(
      await run([
        ['GET', 'subscriptions'],
        ['POST', 'subscriptions', { data: [sub('earnedRewardApproved')] }],
        ['POST', 'subscriptions', { data: [sub('earnedRewardApproved')] }],
        ['POST', 'subscriptions', { data: [sub('earnedRewardSettled'), sub('nope')] }],
        ['POST', 'subscriptions', { data: [sub('earnedRewardSettled', 'http://127.0.0.1:9/other', false)] }],
        ['POST', 'subscriptions', 'not json'],
        ['GET', 'subscriptions'],
        ['GET', 'subscriptions?filter[eventName]=earnedRewardSettled'],
        ['GET', 'subscriptions?filter[eventName]=nope'],
        ['PATCH', 'subscriptions/$2', { data: { type: 'subscription', attributes: { enabled: false } } }],
        [
          'PATCH',
          'subscriptions/$2',
          { data: { type: 'subscription', attributes: { eventName: 'earnedRewardSettled' } } },
        ],
        [
          'PATCH',
          'subscriptions/$2',
          { data: { type: 'subscription', attributes: { webhookUrl: 'http://127.0.0.1:9/new' } } },
        ],
        ['PATCH', 'subscriptions/$2', { data: { type: 'subscription', attributes: { enabled: 'yes' } } }],
        ['PATCH', 'subscriptions/$2', { data: { type: 'subscription', attributes: {} } }],
        ['PATCH', 'subscriptions/nope', { data: { type: 'subscription', attributes: { enabled: true } } }],
        ['GET', 'notifications'],
        ['GET', 'notifications?filter[eventName]=earnedRewardApproved'],
        ['GET', 'notifications?filter[eventName]=nope'],
        ['GET', 'notifications?filter[status]=delivered'],
        ['GET', 'notifications?filter[status]=nope'],
        ['GET', 'notifications?filter[after]=2026-01-01T00:00:00Z&filter[before]=2099-01-01T00:00:00Z'],
        ['GET', 'notifications?filter[after]=yesterday'],
        ['GET', 'notifications?filter[before]=soon'],
        ['GET', 'notifications?page[size]=0'],
        ['POST', 'notifications/nope/replay'],
      ]),
    ).toMatchSnapshot();
  });

  it('the token endpoint: JSON, form, HTTP Basic and every way to get it wrong', async () => {
    const basic = (v: string) => ({ authorization: `Basic ${Buffer.from(v).toString('base64')}` });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const id = h.mock.clientId;
    const secret = h.mock.clientSecret;
    const T = '/v2/auth/token';
    const steps: Step[] = [
      ['POST', T, { client_id: id, client_secret: 'wrong' }],
      ['POST', T, { client_id: 'wrong', client_secret: secret }],
      ['POST', T, { client_id: id }],
      ['POST', T, { client_id: id, client_secret: '' }],
      ['POST', T, { client_id: 5, client_secret: secret }],
      ['POST', T, []],
      ['POST', T, 'not json'],
      ['POST', T, { client_id: id, client_secret: secret, grant_type: 'password' }],
      ['POST', T, 'grant_type=password', { ...form, ...basic(`${id}:${secret}`) }],
      ['POST', T, '', { ...form, ...basic(`${id}:${secret}`) }],
      ['POST', T, 'grant_type=client_credentials', { ...form, ...basic(`${id}${secret}`) }],
      ['POST', T, 'grant_type=client_credentials', { ...form, ...basic(`${id}:wrong`) }],
      ['POST', T, 'grant_type=client_credentials', { ...form, ...basic('%E0%A4%A:x') }],
      ['POST', T, 'grant_type=client_credentials', form],
      ['GET', '/v2/ping', undefined, { authorization: '' }],
      ['GET', '/ping', undefined, { authorization: '' }],
      ['GET', '/v2/issuer', undefined, { authorization: '' }],
      ['POST', `/v2/auth/issuers/${h.mock.organizationId}/users/nobody/token`],
      ['POST', '/v2/auth/issuers/other-org/users/u1/token'],
    ];
    const answers = (await run(steps)) as { body: any }[];
    for (const a of answers) if (a.body && typeof a.body.message === 'string') a.body.timestamp = '<time>';
    expect(answers).toMatchSnapshot();
    expect(JSON.stringify(answers)).not.toContain(secret);
    // the good ways each give a token that works
    for (const [body, headers] of [
      [{ client_id: id, client_secret: secret }, {}],
      ['grant_type=client_credentials', { ...form, ...basic(`${id}:${secret}`) }],
      [`grant_type=client_credentials&client_id=${id}&client_secret=${secret}`, form],
    ] as const) {
      const r = await h.call('POST', T, body, headers);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
      const ping = await h.call('GET', '/v2/issuer', undefined, {
        authorization: `Bearer ${r.body.access_token}`,
      });
      expect(ping.status).toBe(200);
    }
  });

  it('every route: no token, a bad token, another organization', async () => {
    const other = '/v2/issuers/other-org';
    expect(
      await run([
        ['GET', 'children', undefined, { authorization: '' }],
        ['GET', 'children', undefined, { authorization: 'Bearer nope' }],
        ['GET', `${other}/children`],
        ['GET', `${other}/placements`],
        ['GET', `${other}/contentStrategies`],
        ['GET', `${other}/files/metadata`],
        ['GET', `${other}/users/u1`],
        ['POST', `${other}/transactions/uploads`, { data: [] }],
        ['DELETE', '/v2/nothing'],
        ['PATCH', 'users/u1', {}],
      ]),
    ).toMatchSnapshot();
  });
});
