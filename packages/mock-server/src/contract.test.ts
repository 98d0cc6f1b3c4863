// The user-visible contract of the sandbox's routes, pinned by a snapshot: for each route, good and
// bad requests in turn, the full answer (status, JSON body with every error's status, title, detail
// and source pointer/parameter, and the headers a client acts on). Values that change from run to
// run (generated ids, times, the port) are replaced by placeholders; ids are numbered in the order
// they first appear, so an answer naming the wrong resource still shows.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, harness, org } from './test-support.js';

const h: Harness = await harness();
afterAll(() => h.mock.close());
beforeEach(() => h.mock.reset());

type Step = [method: string, path: string, body?: unknown, headers?: Record<string, string>];

const HEADERS = ['www-authenticate', 'retry-after', 'deprecation', 'link', 'location'];

function normalise(text: string, ids: Map<string, string>): string {
  let t = text;
  // child organization ids: eight random digits
  for (const [id, name] of ids) if (/^\d{8}$/.test(id)) t = t.replaceAll(id, name);
  return t
    .replaceAll(h.mock.url, '<url>')
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
  for (const [method, rawPath, rawBody, headers] of steps) {
    const path = fill(rawPath.startsWith('/') ? rawPath : `${org(h)}/${rawPath}`);
    const body = rawBody === undefined ? undefined : JSON.parse(fill(JSON.stringify(rawBody)));
    const r = await h.call(method, path, body, headers);
    const id = String(r.body?.id ?? r.body?.data?.id ?? '');
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
            body: r.body ?? null,
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
    expect(
      await run([
        ['GET', 'files/metadata'],
        ['GET', 'files/metadata?filter[fileType]=nope'],
        ['GET', 'files/metadata?page[size]=1'],
        ['GET', '/v2/issuer'],
      ]),
    ).toMatchSnapshot();
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
