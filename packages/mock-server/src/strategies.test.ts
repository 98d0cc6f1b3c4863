import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, harness, org } from './test-support.js';

// Content strategies: how the stored attributes are built from a request that sends `filters`, the
// top-level lists, or both (openapi/kard.yaml CreateContentStrategyAttributes), and the name rule
// on a full replace (R102, R104).
const h: Harness = await harness();
afterAll(() => h.mock.close());
beforeEach(() => h.mock.reset());

const create = (attributes: unknown) =>
  h.call('POST', `${org(h)}/contentStrategies`, { data: { type: 'contentStrategy', attributes } });

describe('content strategy attributes', () => {
  it('filters and the top-level lists are each kept as sent when both are given', async () => {
    const lists = {
      filters: {
        categories: ['Food & Beverage'],
        categoryExclusions: ['Gas'],
        merchantExclusions: ['merchant-1'],
        offerFeatures: [],
      },
      categories: ['Travel'],
      categoryExclusions: ['Arts & Entertainment'],
      merchantExclusions: ['merchant-9'],
    };
    const r = await create({ name: 'Both', ...lists });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.attributes).toMatchObject(lists);
  });

  it('only the top-level lists (as the official client sends): filters are filled from them', async () => {
    const r = await create({
      name: 'Top level',
      categories: ['Travel'],
      categoryExclusions: ['Gas'],
      merchantExclusions: ['merchant-9'],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.attributes.filters).toEqual({
      categories: ['Travel'],
      categoryExclusions: ['Gas'],
      merchantExclusions: ['merchant-9'],
      offerFeatures: [],
    });
  });

  it('no sort given: the strategy has no sort attribute', async () => {
    const r = await create({
      name: 'Unsorted',
      categories: [],
      categoryExclusions: [],
      merchantExclusions: [],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.attributes).not.toHaveProperty('sort');
  });

  it('attributes that are not an object are a 400, never a 500', async () => {
    for (const attributes of ['x', 7, ['Travel']]) {
      const r = await create(attributes);
      expect(r.status, JSON.stringify(attributes)).toBe(400);
    }
  });

  it('a full replace may keep the strategy its own name; the name of another strategy is a 409 (R102)', async () => {
    const a = await create({ name: 'A', categories: [], categoryExclusions: [], merchantExclusions: [] });
    await create({ name: 'B', categories: [], categoryExclusions: [], merchantExclusions: [] });
    const put = (name: string) =>
      h.call('PUT', `${org(h)}/contentStrategies/${a.body.id}`, {
        data: {
          type: 'contentStrategy',
          attributes: { name, categories: ['Travel'], categoryExclusions: [], merchantExclusions: [] },
        },
      });
    const same = await put('A');
    expect(same.status).toBe(200);
    expect(same.body.attributes.categories).toEqual(['Travel']);
    expect((await put('B')).status).toBe(409);
  });
});
