import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, org } from './test-support.js';

// What `include` adds to a placement answer (R98), item by item: each strategy and slot once, a
// slot's placement only for slots.placement, that placement's strategy only for
// slots.placement.contentStrategy; and the name rule on a full replace (R97).
const h: Harness = await harness();
afterAll(() => h.mock.close());

type Included = { type: string; id: string; attributes?: Record<string, unknown> };
let s1 = '';
let s2 = '';
let p1 = '';
let p2 = '';
let batch = '';

beforeAll(async () => {
  const strategy = async (name: string) =>
    (
      await h.call('POST', `${org(h)}/contentStrategies`, {
        data: {
          type: 'contentStrategy',
          attributes: { name, categories: [], categoryExclusions: [], merchantExclusions: [] },
        },
      })
    ).body.id as string;
  const placement = async (attributes: Record<string, unknown>, type = 'placement') => {
    const r = await h.call('POST', `${org(h)}/placements`, { data: { type, attributes } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  s1 = await strategy('One');
  s2 = await strategy('Two');
  p1 = await placement({ name: 'Feed one', availableSlots: 3, contentStrategyId: s1 });
  p2 = await placement({ name: 'Feed two', availableSlots: 3, contentStrategyId: s2 });
  batch = await placement(
    {
      name: 'Picks',
      refreshInterval: 'P7D',
      slots: [
        { alias: 'first', placementId: p1 },
        { alias: 'second', placementId: p2 },
      ],
    },
    'placementBatchActivation',
  );
});

async function include(path: string, what: string): Promise<Included[]> {
  const r = await h.call('GET', `${org(h)}/placements${path}?include=${what}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.included;
}
const keys = (list: Included[]) => list.map((i) => `${i.type}:${i.id}`).sort();

describe('placements: include (R98)', () => {
  it('contentStrategy on the list: each placement’s strategy, once each', async () => {
    expect(keys(await include('', 'contentStrategy'))).toEqual(
      [`contentStrategy:${s1}`, `contentStrategy:${s2}`].sort(),
    );
  });

  it('slots on a placement without slots adds nothing, not its strategy', async () => {
    expect(await include(`/${p1}`, 'slots')).toEqual([]);
  });

  it('slots: every slot of the batch, with its alias; no placements', async () => {
    const inc = await include(`/${batch}`, 'contentStrategy,slots');
    expect(inc.map((i) => i.type)).toEqual(['batchActivationSlot', 'batchActivationSlot']);
    expect(inc.map((i) => i.attributes?.alias)).toEqual(['first', 'second']);
    expect(new Set(inc.map((i) => i.id)).size).toBe(2);
  });

  it('slots.placement adds each slot’s placement, without its strategy', async () => {
    const inc = await include(`/${batch}`, 'slots,slots.placement');
    expect(
      inc
        .filter((i) => i.type === 'placement')
        .map((i) => i.id)
        .sort(),
    ).toEqual([p1, p2].sort());
    expect(inc.some((i) => i.type === 'contentStrategy')).toBe(false);
  });

  it('slots.placement.contentStrategy adds those placements’ strategies too', async () => {
    const inc = await include(`/${batch}`, 'slots.placement.contentStrategy');
    expect(keys(inc.filter((i) => i.type === 'contentStrategy'))).toEqual(
      [`contentStrategy:${s1}`, `contentStrategy:${s2}`].sort(),
    );
  });
});

describe('placements: list filters', () => {
  it('filter[contentStrategyId] keeps the placements that use that strategy', async () => {
    const ids = async (q: string) =>
      ((await h.call('GET', `${org(h)}/placements?${q}`)).body.data as { id: string }[]).map((p) => p.id);
    expect(await ids(`filter[contentStrategyId]=${s2}`)).toEqual([p2]);
    expect(await ids('filter[contentStrategyId]=nope')).toEqual([]);
    expect((await ids('')).sort()).toEqual([p1, p2, batch].sort());
  });
});

describe('slot activation (R80)', () => {
  it('an unknown placement or slot is a 400 naming it', async () => {
    const unknownPlacement = await h.call('POST', `${org(h)}/users/u1/placements/nope/slot/s/activate`);
    expect([unknownPlacement.status, unknownPlacement.body.errors[0]]).toMatchObject([
      400,
      { detail: 'placement nope does not exist', source: { parameter: 'placementId' } },
    ]);
    const unknownSlot = await h.call('POST', `${org(h)}/users/u1/placements/${batch}/slot/nope/activate`);
    expect([unknownSlot.status, unknownSlot.body.errors[0]]).toMatchObject([
      400,
      { detail: `slot nope does not exist in placement ${batch}`, source: { parameter: 'slotId' } },
    ]);
  });
});

describe('placement content and slot activation answers (R80, R100)', () => {
  it('a slot activation answers what was activated; a slot whose placement was deleted activates no offer', async () => {
    const gone = await h.call('POST', `${org(h)}/placements`, {
      data: { type: 'placement', attributes: { name: 'Short-lived', availableSlots: 2 } },
    });
    const b = await h.call('POST', `${org(h)}/placements`, {
      data: {
        type: 'placementBatchActivation',
        attributes: {
          name: 'Empty picks',
          refreshInterval: 'P1D',
          slots: [{ alias: 'none', placementId: gone.body.id }],
        },
      },
    });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    const del = await h.call('DELETE', `${org(h)}/placements/${gone.body.id}`);
    expect(del.status, JSON.stringify(del.body)).toBeLessThan(300);
    const slot = b.body.relationships.slots.data[0].id as string;
    const act = await h.call('POST', `${org(h)}/users/u1/placements/${b.body.id}/slot/${slot}/activate`);
    expect(act.status).toBe(201);
    expect(act.body.data).toMatchObject({
      type: 'placementSlotActivation',
      attributes: {
        placementId: b.body.id,
        slotId: slot,
        eventCode: 'ACTIVATE',
        medium: 'CTA',
        offerIds: [],
      },
    });
    const content = await h.call('GET', `${org(h)}/users/u1/placements/${b.body.id}/content`);
    expect(content.body.data).toEqual([
      expect.objectContaining({
        type: 'placementBatch',
        id: slot,
        attributes: expect.objectContaining({ offerIds: [] }),
      }),
    ]);
  });

  it('an email placement has no content here (400); a feed has its offers, with components and categories on request', async () => {
    const email = await h.call('POST', `${org(h)}/placements`, {
      data: {
        type: 'placementEmail',
        attributes: { name: 'Mail', availableSlots: 2, cadence: { frequency: 'WEEKLY', dayOfWeek: 'MON' } },
      },
    });
    expect(email.status, JSON.stringify(email.body)).toBe(201);
    const none = await h.call('GET', `${org(h)}/users/u1/placements/${email.body.id}/content`);
    expect([none.status, none.body.errors[0].detail, none.body.errors[0].source]).toEqual([
      400,
      'email and push placements have no content here (R100)',
      { parameter: 'placementId' },
    ]);
    const feed = await h.call(
      'GET',
      `${org(h)}/users/u1/placements/${p1}/content?supportedComponents=shortDescription&include=categories`,
    );
    expect(feed.status, JSON.stringify(feed.body)).toBe(200);
    expect(feed.body.data.length).toBeGreaterThan(0);
    for (const o of feed.body.data) expect(o.attributes).toHaveProperty('components');
    expect(feed.body.included.every((i: Included) => i.type === 'category')).toBe(true);
    const plain = await h.call('GET', `${org(h)}/users/u1/placements/${p1}/content`);
    for (const o of plain.body.data) expect(o.attributes).not.toHaveProperty('components');
  });
});

describe('placements: groups and names', () => {
  it('a placementGroup holds slots like a batch (R99); a name is unique per type only (R97)', async () => {
    const r = await h.call('POST', `${org(h)}/placements`, {
      data: {
        type: 'placementGroup',
        attributes: { name: 'Feed one', slots: [{ alias: 'g', placementId: p2 }] },
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.relationships.slots.data).toHaveLength(1);
    expect(r.body.relationships).not.toHaveProperty('contentStrategy');
    const inc = await include(`/${r.body.id}`, 'slots.placement');
    expect(inc.filter((i) => i.type === 'placement').map((i) => i.id)).toEqual([p2]);
  });
});

describe('placements: a full replace (R92, R95, R97)', () => {
  it('a slot sent back with its slotId and the same placement keeps its id; a changed placement or no slotId gets a new one', async () => {
    const before = (
      await h.call('GET', `${org(h)}/placements/${batch}`)
    ).body.data.relationships.slots.data.map((x: { id: string }) => x.id) as string[];
    const r = await h.call('PUT', `${org(h)}/placements/${batch}`, {
      data: {
        type: 'placementBatchActivation',
        attributes: {
          name: 'Picks',
          refreshInterval: 'P7D',
          slots: [
            { slotId: before[0], alias: 'first', placementId: p1 }, // unchanged: kept
            { slotId: before[1], alias: 'second', placementId: p1 }, // placement changed: new id
            { alias: 'third', placementId: p2 }, // new slot
          ],
        },
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const after = r.body.relationships.slots.data.map((x: { id: string }) => x.id) as string[];
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(new Set([...before, ...after]).size).toBe(4);
  });

  it('may keep its own name; the name of another placement of the same type is a 400', async () => {
    const put = (name: string) =>
      h.call('PUT', `${org(h)}/placements/${p1}`, {
        data: { type: 'placement', attributes: { name, availableSlots: 4, contentStrategyId: s1 } },
      });
    const same = await put('Feed one');
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.attributes.availableSlots).toBe(4);
    expect((await put('Feed two')).status).toBe(400);
  });
});
