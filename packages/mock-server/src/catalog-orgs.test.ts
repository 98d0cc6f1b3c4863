import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtureLocations, fixtureOffers } from './index.js';
import { conformance, type Harness, harness, org } from './test-support.js';

const h: Harness = await harness();
afterAll(() => h.mock.close());
beforeEach(() => h.mock.reset());

const UO = '/v2/issuers/{organizationId}/users/{userId}';
const O = '/v2/issuers/{organizationId}';

async function walk(
  first: string,
  template: string,
): Promise<{ id: string; attributes: Record<string, unknown> }[]> {
  const out: { id: string; attributes: Record<string, unknown> }[] = [];
  let next: string | undefined = first;
  let pages = 0;
  while (next) {
    const r = await h.call('GET', next);
    expect(r.status, next).toBe(200);
    expect(conformance('GET', template, 200, r.body)).toEqual([]);
    out.push(...r.body.data);
    next = r.body.links?.next;
    pages += 1;
    expect(pages).toBeLessThan(100);
  }
  return out;
}

describe('offers (fixture catalog, R57–R61)', () => {
  it('has about 30 offers across categories; walking links.next reaches every one exactly once', async () => {
    expect(fixtureOffers.length).toBeGreaterThanOrEqual(30);
    expect(new Set(fixtureOffers.map((o) => o.category)).size).toBeGreaterThanOrEqual(15);
    const all = await walk(`${h.base}/users/u1/offers?page[size]=7`, `${UO}/offers`);
    expect(all.map((o) => o.id)).toEqual(fixtureOffers.map((o) => o.id));
  });

  it('links.prev walks back', async () => {
    const p1 = await h.call('GET', `${org(h)}/users/u1/offers?page[size]=5`);
    const p2 = await h.call('GET', p1.body.links.next);
    const back = await h.call('GET', p2.body.links.prev);
    expect(back.body.data.map((o: { id: string }) => o.id)).toEqual(
      p1.body.data.map((o: { id: string }) => o.id),
    );
  });

  it('filters by search, category, purchaseChannel, isTargeted; sorts by name', async () => {
    const q = (s: string) => h.call('GET', `${org(h)}/users/u1/offers?page[size]=100&${s}`);
    const names = (r: { body: { data: { attributes: { name: string } }[] } }) =>
      r.body.data.map((o) => o.attributes.name);
    expect(names(await q('filter[search]=coffee'))).toEqual(['Bean & Leaf Coffee']);
    expect(names(await q('filter[search]=TRAVEL')).sort()).toEqual(['Harborview Hotels', 'Skyline Airways']); // category name (R57)
    const food = await q(`filter[category]=${encodeURIComponent('Food & Beverage')}`);
    expect(food.body.data).toHaveLength(4);
    const kids = await q(`filter[category]=${encodeURIComponent('Baby, Kids & Toys')}`);
    expect(names(kids)).toEqual(['Little Sprouts Toys']);
    const online = await q('filter[purchaseChannel]=ONLINE');
    expect(
      online.body.data.every((o: { attributes: { purchaseChannel: string[] } }) =>
        o.attributes.purchaseChannel.includes('ONLINE'),
      ),
    ).toBe(true);
    const targeted = await q('filter[isTargeted]=true');
    expect(targeted.body.data.length).toBe(fixtureOffers.filter((o) => o.isTargeted).length);
    const sorted = names(await q('sort=-name'));
    expect(sorted).toEqual([...sorted].sort().reverse());
    expect((await q('filter[category]=Nope')).status).toBe(400);
    expect((await q('sort=price')).status).toBe(400);
    expect((await h.call('GET', `${org(h)}/users/u1/offers?page[size]=0`)).status).toBe(400);
    expect((await h.call('GET', `${org(h)}/users/u1/offers?page[size]=101`)).status).toBe(400);
  });

  it('include=categories and supportedComponents (R59, R60)', async () => {
    const r = await h.call(
      'GET',
      `${org(h)}/users/u1/offers?include=categories&supportedComponents=shortDescription`,
    );
    expect(r.body.included.every((i: { type: string }) => i.type === 'category')).toBe(true);
    expect(r.body.data[0].attributes.components.shortDescription).toMatch(/back/);
    expect(conformance('GET', `${UO}/offers`, 200, r.body)).toEqual([]);
    const plain = await h.call('GET', `${org(h)}/users/u1/offers`);
    expect(plain.body.data[0].attributes.components).toBeUndefined();
  });
});

describe('locations (R62, R63)', () => {
  it('walks to the end and filters by city, state, geo radius', async () => {
    const all = await walk(`${h.base}/users/u1/locations?page[size]=8`, `${UO}/locations`);
    expect(all).toHaveLength(fixtureLocations.length);
    const austin = await h.call(
      'GET',
      `${org(h)}/users/u1/locations?filter[city]=austin&filter[state]=TX&page[size]=100`,
    );
    expect(austin.body.data.length).toBeGreaterThan(0);
    expect(
      austin.body.data.every(
        (l: { attributes: { address: { city: string } } }) => l.attributes.address.city === 'Austin',
      ),
    ).toBe(true);
    const near = await h.call(
      'GET',
      `${org(h)}/users/u1/locations?filter[latitude]=40.75&filter[longitude]=-73.99&filter[radius]=5&page[size]=100&include=offers,categories`,
    );
    expect(near.body.data.length).toBeGreaterThan(0);
    expect(
      near.body.data.every(
        (l: { attributes: { address: { state: string } } }) => l.attributes.address.state === 'NY',
      ),
    ).toBe(true);
    expect(conformance('GET', `${UO}/locations`, 200, near.body)).toEqual([]);
    expect((await h.call('GET', `${org(h)}/users/u1/locations?filter[latitude]=40`)).status).toBe(400);
  });
});

describe('activate, boost, attributions (R75–R80)', () => {
  const offerId = fixtureOffers[0]!.id;
  it('activate and boost answer 201 with the event; include=offer adds the offer', async () => {
    const a = await h.call('POST', `${org(h)}/users/u1/offers/${offerId}/activate?include=offer`);
    expect(a.status).toBe(201);
    expect(a.body.data.attributes).toMatchObject({ entityId: offerId, eventCode: 'ACTIVATE', medium: 'CTA' });
    expect(a.body.included[0].id).toBe(offerId);
    expect(conformance('POST', `${UO}/offers/{offerId}/activate`, 201, a.body)).toEqual([]);
    const b = await h.call('POST', `${org(h)}/users/u1/offers/${offerId}/boost`);
    expect(b.status).toBe(201);
    expect(b.body.data.attributes.eventCode).toBe('BOOST');
    expect(conformance('POST', `${UO}/offers/{offerId}/boost`, 201, b.body)).toEqual([]);
    expect((await h.call('POST', `${org(h)}/users/u1/offers/nope/activate`)).status).toBe(400);
  });

  it('attributions: 202 job, 400 over 100 or invalid', async () => {
    const ev = {
      type: 'offerAttribution',
      attributes: {
        entityId: offerId,
        eventCode: 'IMPRESSION',
        medium: 'BROWSE',
        eventDate: '2026-11-01T00:00:00Z',
      },
    };
    const r = await h.call('POST', `${org(h)}/users/u1/attributions`, { data: [ev] });
    expect(r.status).toBe(202);
    expect(conformance('POST', `${UO}/attributions`, 202, r.body)).toEqual([]);
    expect(
      (await h.call('POST', `${org(h)}/users/u1/attributions`, { data: Array(101).fill(ev) })).status,
    ).toBe(400);
    expect(
      (
        await h.call('POST', `${org(h)}/users/u1/attributions`, {
          data: [{ type: 'offerAttribution', attributes: {} }],
        })
      ).status,
    ).toBe(400);
  });
});

describe('organization, children, content strategies, placements', () => {
  it('GET /v2/issuer is a bare organization resource', async () => {
    const r = await h.call('GET', '/v2/issuer');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ type: 'organization', id: h.mock.organizationId });
    expect(conformance('GET', '/v2/issuer', 200, r.body)).toEqual([]);
  });

  it('children CRUD with an 8-digit id and parent defaults (R86–R88); 409 on a duplicate name', async () => {
    const c = await h.call('POST', `${org(h)}/children`, {
      data: { type: 'organization', attributes: { name: 'North Branch' } },
    });
    expect(c.status).toBe(201);
    expect(c.body.id).toMatch(/^\d{8}$/);
    expect(c.body.attributes.bins.length).toBeGreaterThan(0);
    expect(conformance('POST', `${O}/children`, 201, c.body)).toEqual([]);
    expect(
      (
        await h.call('POST', `${org(h)}/children`, {
          data: { type: 'organization', attributes: { name: 'North Branch' } },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await h.call('POST', `${org(h)}/children`, {
          data: { type: 'organization', attributes: { name: 'Bad 123' } },
        })
      ).status,
    ).toBe(400);
    const id = c.body.id as string;
    const g = await h.call('GET', `${org(h)}/children/${id}`);
    expect(conformance('GET', `${O}/children/{childId}`, 200, g.body)).toEqual([]);
    const p = await h.call('PATCH', `${org(h)}/children/${id}`, {
      data: { type: 'organization', attributes: { name: 'South Branch' } },
    });
    expect(p.body.attributes.name).toBe('South Branch');
    expect(conformance('PATCH', `${O}/children/{childId}`, 200, p.body)).toEqual([]);
    const l = await h.call('GET', `${org(h)}/children`);
    expect(l.body.data).toHaveLength(1);
    expect(conformance('GET', `${O}/children`, 200, l.body)).toEqual([]);
    const d = await h.call('DELETE', `${org(h)}/children/${id}`);
    expect(d.status).toBe(200);
    expect(conformance('DELETE', `${O}/children/{childId}`, 200, d.body)).toEqual([]);
    expect((await h.call('GET', `${org(h)}/children/${id}`)).status).toBe(404);
  });

  it('strategies, placements, content, slot activation; 409 deleting a referenced strategy (R105)', async () => {
    const strategy = {
      data: {
        type: 'contentStrategy',
        attributes: {
          name: 'Food first',
          sort: 'HIGHEST_CASHBACK',
          filters: {
            categories: ['Food & Beverage'],
            categoryExclusions: [],
            merchantExclusions: [],
            offerFeatures: [],
          },
          categories: ['Food & Beverage'],
          categoryExclusions: [],
          merchantExclusions: [],
        },
      },
    };
    const s = await h.call('POST', `${org(h)}/contentStrategies`, strategy);
    expect(s.status).toBe(201);
    expect(conformance('POST', `${O}/contentStrategies`, 201, s.body)).toEqual([]);
    expect((await h.call('POST', `${org(h)}/contentStrategies`, strategy)).status).toBe(409); // R102
    const sid = s.body.id as string;
    expect(
      conformance(
        'GET',
        `${O}/contentStrategies/{contentStrategyId}`,
        200,
        (await h.call('GET', `${org(h)}/contentStrategies/${sid}`)).body,
      ),
    ).toEqual([]);
    const sl = await h.call('GET', `${org(h)}/contentStrategies?filter[name]=Food%20first`);
    expect(sl.body.data).toHaveLength(1);
    expect(conformance('GET', `${O}/contentStrategies`, 200, sl.body)).toEqual([]);

    const p = await h.call('POST', `${org(h)}/placements`, {
      data: {
        type: 'placement',
        attributes: { name: 'Home feed', availableSlots: 3, contentStrategyId: sid },
      },
    });
    expect(p.status).toBe(201);
    expect(conformance('POST', `${O}/placements`, 201, p.body)).toEqual([]);
    expect(p.body.relationships.contentStrategy.data.id).toBe(sid);
    const pid = p.body.id as string;

    const content = await h.call('GET', `${org(h)}/users/u1/placements/${pid}/content`);
    expect(content.status).toBe(200);
    expect(content.body.meta.placementName).toBe('Home feed');
    expect(content.body.data).toHaveLength(3);
    expect(content.body.data[0].attributes.name).toBe('Golden Crust Bakery'); // 8%, the highest in Food & Beverage
    expect(conformance('GET', `${UO}/placements/{placementId}/content`, 200, content.body)).toEqual([]);

    const batch = await h.call('POST', `${org(h)}/placements`, {
      data: {
        type: 'placementBatchActivation',
        attributes: {
          name: 'Weekly picks',
          refreshInterval: 'P7D',
          slots: [{ alias: 'food', shortDescription: 'Food', placementId: pid }],
        },
      },
    });
    expect(batch.status).toBe(201);
    expect(conformance('POST', `${O}/placements`, 201, batch.body)).toEqual([]);
    const slotId = batch.body.relationships.slots.data[0].id as string;
    const act = await h.call(
      'POST',
      `${org(h)}/users/u1/placements/${batch.body.id}/slot/${slotId}/activate`,
    );
    expect(act.status).toBe(201);
    expect(act.body.data.attributes.offerIds).toHaveLength(3);
    expect(
      conformance('POST', `${UO}/placements/{placementId}/slot/{slotId}/activate`, 201, act.body),
    ).toEqual([]);
    const bc = await h.call('GET', `${org(h)}/users/u1/placements/${batch.body.id}/content`);
    expect(bc.body.data[0]).toMatchObject({ type: 'placementBatch', id: slotId });

    const got = await h.call(
      'GET',
      `${org(h)}/placements/${batch.body.id}?include=slots.placement.contentStrategy`,
    );
    expect(got.status).toBe(200);
    expect(got.body.included.map((i: { type: string }) => i.type).sort()).toEqual([
      'batchActivationSlot',
      'contentStrategy',
      'placement',
    ]);
    expect(conformance('GET', `${O}/placements/{placementId}`, 200, got.body)).toEqual([]);
    // empty members of a comma list (a trailing comma, a repeated one) are ignored, not a 400
    const loose = await h.call('GET', `${org(h)}/placements/${batch.body.id}?include=slots,,`);
    expect(loose.status).toBe(200);
    expect(loose.body.included.map((i: { type: string }) => i.type)).toEqual(['batchActivationSlot']);
    const list = await h.call('GET', `${org(h)}/placements?filter[type]=placement`);
    expect(list.body.data).toHaveLength(1);
    expect(conformance('GET', `${O}/placements`, 200, list.body)).toEqual([]);

    const push = await h.call('POST', `${org(h)}/placements`, {
      data: {
        type: 'placementPushNotification',
        attributes: { name: 'Push', cadence: { frequency: 'WEEKLY', dayOfWeek: 'MON' } },
      },
    });
    expect(push.status).toBe(201);
    expect((await h.call('GET', `${org(h)}/users/u1/placements/${push.body.id}/content`)).status).toBe(400); // R100

    expect((await h.call('DELETE', `${org(h)}/contentStrategies/${sid}`)).status).toBe(409);
    const put = await h.call('PUT', `${org(h)}/placements/${pid}`, {
      data: { type: 'placement', attributes: { name: 'Home feed', availableSlots: 2 } },
    });
    expect(put.status).toBe(200);
    expect(put.body.relationships).toBeUndefined(); // R92: omitting contentStrategyId unlinks it
    expect(conformance('PUT', `${O}/placements/{placementId}`, 200, put.body)).toEqual([]);
    const del = await h.call('DELETE', `${org(h)}/contentStrategies/${sid}`);
    expect(del.status).toBe(200);
    expect(conformance('DELETE', `${O}/contentStrategies/{contentStrategyId}`, 200, del.body)).toEqual([]);
    const pd = await h.call('DELETE', `${org(h)}/placements/${push.body.id}`);
    expect(conformance('DELETE', `${O}/placements/{placementId}`, 200, pd.body)).toEqual([]);
    expect((await h.call('GET', `${org(h)}/placements/${push.body.id}`)).status).toBe(404);
  });

  it('content strategies PUT is a full replace (R104)', async () => {
    const s = await h.call('POST', `${org(h)}/contentStrategies`, {
      data: {
        type: 'contentStrategy',
        attributes: {
          name: 'A',
          filters: { categories: ['Gas'], categoryExclusions: [], merchantExclusions: [], offerFeatures: [] },
          categories: ['Gas'],
          categoryExclusions: [],
          merchantExclusions: [],
        },
      },
    });
    const u = await h.call('PUT', `${org(h)}/contentStrategies/${s.body.id}`, {
      data: {
        type: 'contentStrategy',
        attributes: {
          name: 'B',
          filters: { categories: [], categoryExclusions: [], merchantExclusions: [], offerFeatures: [] },
          categories: [],
          categoryExclusions: [],
          merchantExclusions: [],
        },
      },
    });
    expect(u.status).toBe(200);
    expect(u.body.attributes).toMatchObject({ name: 'B', categories: [] });
    expect(conformance('PUT', `${O}/contentStrategies/{contentStrategyId}`, 200, u.body)).toEqual([]);
  });
});

describe('files metadata, web-view token', () => {
  it('lists reconciliation files newest first, filtered and paginated to the end (R82, R83)', async () => {
    const all = await walk(`${h.base}/files/metadata?page[size]=25`, `${O}/files/metadata`);
    expect(all.length).toBeGreaterThan(60);
    const sent = all.map((f) => f.attributes.sentAt as string);
    expect(sent).toEqual([...sent].sort().reverse());
    const one = await h.call(
      'GET',
      `${org(h)}/files/metadata?filter[fileType]=earnedRewardSettledDailyReconciliationFile&sort=sentDate`,
    );
    expect(one.body.data).toHaveLength(10);
    expect(one.body.meta).toEqual({ pageSize: 10, hasNextPage: true });
    expect((await h.call('GET', `${org(h)}/files/metadata?page[size]=101`)).status).toBe(400);
  });

  it('date range: 31 days by default, up to 45 days of files, one a day at 06:00 UTC, monthly ones on the 1st (R82)', async () => {
    const day = 86_400_000;
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const files = async (query: string) => {
      const r = await h.call('GET', `${org(h)}/files/metadata?page[size]=100&${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.data as { type: string; attributes: { sentAt: string } }[];
    };
    const settled = 'filter[fileType]=earnedRewardSettledDailyReconciliationFile';
    const wide = await files(`${settled}&filter[dateFrom]=${iso(Date.now() - 50 * day)}`);
    expect(wide).toHaveLength(45);
    for (const f of wide) expect(f.attributes.sentAt).toMatch(/T06:00:00\.000Z$/);
    // both ends of the range are inclusive
    const at = encodeURIComponent(wide[10]!.attributes.sentAt);
    expect(await files(`${settled}&filter[dateFrom]=${at}&filter[dateTo]=${at}`)).toEqual([wide[10]]);
    const byDefault = await files(settled);
    expect(byDefault.length).toBeGreaterThanOrEqual(30);
    expect(byDefault.length).toBeLessThanOrEqual(31);
    expect(await files(`${settled}&filter[dateFrom]=&filter[dateTo]=`)).toEqual(byDefault);
    const until = Date.now() - 10 * day;
    const older = await files(
      `${settled}&filter[dateFrom]=${iso(Date.now() - 50 * day)}&filter[dateTo]=${iso(until)}`,
    );
    expect(older.length).toBeGreaterThanOrEqual(35);
    expect(older.length).toBeLessThanOrEqual(36);
    for (const f of older) expect(Date.parse(f.attributes.sentAt)).toBeLessThanOrEqual(until);
    const monthly = await files(
      `filter[fileType]=monthlyReconciliationFile&filter[dateFrom]=${iso(Date.now() - 50 * day)}`,
    );
    expect(monthly.length).toBeGreaterThanOrEqual(1);
    for (const f of monthly) expect(f.attributes.sentAt.slice(8, 10)).toBe('01');
    const bad = await h.call('GET', `${org(h)}/files/metadata?filter[dateFrom]=soon`);
    expect([bad.status, bad.body.errors[0].detail, bad.body.errors[0].source]).toEqual([
      400,
      'filter[dateFrom] must be an ISO 8601 date',
      { parameter: 'filter[dateFrom]' },
    ]);
    // sort: newest first by default, oldest first on request, nothing else (R83)
    const oldest = await files(`${settled}&sort=sentDate`);
    expect(oldest.map((f) => f.attributes.sentAt)).toEqual(
      byDefault.map((f) => f.attributes.sentAt).reverse(),
    );
    const wrongSort = await h.call('GET', `${org(h)}/files/metadata?sort=name`);
    expect([wrongSort.status, wrongSort.body.errors[0].detail, wrongSort.body.errors[0].source]).toEqual([
      400,
      'sort must be sentDate or -sentDate',
      { parameter: 'sort' },
    ]);
  });

  it('issues a user-scoped web-view token', async () => {
    const r = await h.call('POST', `/v2/auth/issuers/${h.mock.organizationId}/users/u1/token`);
    expect(r.status).toBe(200);
    expect(
      conformance('POST', '/v2/auth/issuers/{organizationId}/users/{userId}/token', 200, r.body),
    ).toEqual([]);
    // it is not an issuer token
    expect(
      (await h.call('GET', '/v2/issuer', undefined, { authorization: `Bearer ${r.body.access_token}` }))
        .status,
    ).toBe(401);
  });
});
