import { afterAll, describe, expect, it } from 'vitest';
import { conformance, type Harness, harness, org } from './test-support.js';

const h: Harness = await harness();
afterAll(() => h.mock.close());
const O = '/v2/issuers/{organizationId}';

describe("Kard's official client against the sandbox", () => {
  it('content strategy create and update without `filters` (what the official client sends) are accepted', async () => {
    // the body the official client builds: top-level categories and exclusions, no filters
    const body = (name: string) => ({
      data: {
        type: 'contentStrategy',
        attributes: {
          name,
          categories: ['Food & Beverage'],
          categoryExclusions: [],
          merchantExclusions: [],
        },
      },
    });
    const created = await h.call('POST', `${org(h)}/contentStrategies`, body('Official client'));
    expect(created.status).toBe(201);
    expect(conformance('POST', `${O}/contentStrategies`, 201, created.body)).toEqual([]);
    expect(created.body.attributes.filters.categories).toEqual(['Food & Beverage']);
    const id = created.body.id as string;
    const updated = await h.call('PUT', `${org(h)}/contentStrategies/${id}`, body('Renamed by the client'));
    expect(updated.status).toBe(200);
    expect(updated.body.attributes.name).toBe('Renamed by the client');
    // a filters value that is there must still be valid
    const bad = await h.call('POST', `${org(h)}/contentStrategies`, {
      data: { type: 'contentStrategy', attributes: { ...body('x').data.attributes, filters: 'none' } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/data/attributes/filters');
  });

  it('placement content honours include=categories: included categories and meta.availableCategories', async () => {
    const s = await h.call('POST', `${org(h)}/contentStrategies`, {
      data: {
        type: 'contentStrategy',
        attributes: {
          name: 'Everything',
          filters: {},
          categories: [],
          categoryExclusions: [],
          merchantExclusions: [],
        },
      },
    });
    const p = await h.call('POST', `${org(h)}/placements`, {
      data: {
        type: 'placement',
        attributes: { name: 'Feed', availableSlots: 5, contentStrategyId: s.body.id },
      },
    });
    const url = `${org(h)}/users/u1/placements/${p.body.id}/content`;
    const plain = await h.call('GET', url);
    expect(plain.body.included).toBeUndefined();
    expect(plain.body.meta.availableCategories).toBeUndefined();
    const withCats = await h.call('GET', `${url}?include=categories`);
    expect(withCats.status).toBe(200);
    expect(
      conformance('GET', `${O}/users/{userId}/placements/{placementId}/content`, 200, withCats.body),
    ).toEqual([]);
    // `included` holds exactly the categories the returned offers point at
    const pointed = new Set(
      withCats.body.data.flatMap((o: { relationships: { category: { data: { id: string }[] } } }) =>
        o.relationships.category.data.map((c) => c.id),
      ),
    );
    const included = withCats.body.included as { type: string; id: string }[];
    expect(pointed.size).toBeGreaterThan(0);
    expect(new Set(included.map((c) => c.id))).toEqual(pointed);
    expect(included.every((c) => c.type === 'category')).toBe(true);
    expect(withCats.body.meta.availableCategories.length).toBeGreaterThanOrEqual(included.length);
    expect(withCats.body.meta.placementName).toBe('Feed');
    expect((await h.call('GET', `${url}?include=merchants`)).status).toBe(400);
  });
});

describe('deprecated upload session (R37)', () => {
  const successor = () => `<${h.mock.url}${org(h)}/transactions/uploads>; rel="successor-version"`;
  it('its three operations answer with Deprecation and a Link to the bulk upload URL, errors included', async () => {
    const start = await h.call('POST', `${org(h)}/users/u1/uploads`, {
      data: { type: 'historicalTransactionStart', attributes: {} },
    });
    expect(start.status).toBe(200);
    expect(start.headers.get('deprecation')).toBe('true');
    expect(start.headers.get('link')).toBe(successor());
    const id = start.body.data.id as string;
    const part = await h.call('PUT', `${org(h)}/users/u1/uploads/${id}/parts`, { data: [] });
    expect(part.status).toBe(400);
    expect(part.headers.get('deprecation')).toBe('true');
    expect(part.headers.get('link')).toBe(successor());
    const done = await h.call('PUT', `${org(h)}/users/u1/uploads/${id}`, {
      data: { type: 'historicalTransactionComplete', id, attributes: {} },
    });
    expect(done.headers.get('deprecation')).toBe('true');
    expect(done.headers.get('link')).toBe(successor());
  });

  it('the successor and other operations carry no Deprecation header', async () => {
    const bulk = await h.call('POST', `${org(h)}/transactions/uploads`, {
      data: [{ type: 'incomingTransactionsFile', attributes: { filename: 'a.jsonl' } }],
    });
    expect(bulk.status).toBe(201);
    expect(bulk.headers.get('deprecation')).toBeNull();
    expect((await h.call('GET', `${org(h)}/subscriptions`)).headers.get('deprecation')).toBeNull();
  });
});
