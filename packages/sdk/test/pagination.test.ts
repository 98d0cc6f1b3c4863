import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextQuery } from '../src/core/pagination.js';
import type { KardClient } from '../src/index.js';
import { mockAndClient } from './support.js';

let mock: MockKard;
let kard: KardClient;
beforeAll(async () => {
  ({ mock, kard } = await mockAndClient());
  await kard.users.create([{ type: 'user', id: 'pager', attributes: { enrolledRewards: ['CARDLINKED'] } }]);
});
afterAll(() => mock.close());

describe('pagination: async iterables following links.next', () => {
  it('iterates every offer across pages, equal to one big page', async () => {
    const all = (await kard.users.offers.list('pager', { 'page[size]': 100 }).page()).items;
    expect(all.length).toBeGreaterThan(3);
    const seen: string[] = [];
    for await (const offer of kard.users.offers.list('pager', { 'page[size]': 2 })) seen.push(offer.id);
    expect(seen).toEqual(all.map((o) => o.id));
  });

  it('.pages() yields pages of the requested size and stops at the end', async () => {
    const sizes: number[] = [];
    for await (const page of kard.users.offers.list('pager', { 'page[size]': 3 }).pages())
      sizes.push(page.items.length);
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.slice(0, -1).every((s) => s === 3)).toBe(true);
    const offerCalls = mock.requests.filter(
      (r) => r.path.endsWith('/users/pager/offers') && r.query['page[size]'] === '3',
    );
    expect(offerCalls).toHaveLength(sizes.length);
  });

  it('keeps filters on later pages', async () => {
    for await (const _ of kard.users.locations.list('pager', { 'page[size]': 1, 'filter[state]': 'NY' })) {
      /* drain */
    }
    const calls = mock.requests.filter((r) => r.path.endsWith('/users/pager/locations'));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.query['filter[state]'] === 'NY')).toBe(true);
  });
});

describe('nextQuery (unit)', () => {
  it('reads the cursor from an absolute links.next', () => {
    expect(nextQuery({ links: { next: 'https://x/v2/a?page%5Bafter%5D=abc&page%5Bsize%5D=2' } }, 2)).toEqual({
      'page[after]': 'abc',
      'page[size]': '2',
    });
  });
  it('stops on hasNextPage false, on no next link, and on an empty page', () => {
    expect(nextQuery({ links: { next: '?page[after]=a' }, meta: { hasNextPage: false } }, 1)).toBeUndefined();
    expect(nextQuery({ links: { self: 'x' } }, 1)).toBeUndefined();
    expect(nextQuery({ links: { next: '?page[after]=a' } }, 0)).toBeUndefined();
  });
});
