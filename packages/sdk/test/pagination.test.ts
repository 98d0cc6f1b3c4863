import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextQuery, paginate } from '../src/core/pagination.js';
import type { KardClient } from '../src/index.js';
import { mockAndClient } from './support.js';

let mock: MockKard;
let kard: KardClient;
beforeAll(async () => {
  ({ mock, kard } = await mockAndClient());
  await kard.users.create([{ type: 'user', id: 'pager', attributes: { enrolledRewards: ['CARDLINKED'] } }]);
});
afterAll(() => mock?.close());

describe('pagination: async iterables following links.next', () => {
  // The mock's fixed catalog: 30 offers for any user, 7 of its locations in NY.
  it('iterates every offer across pages, equal to one big page', async () => {
    const big = await kard.users.offers.list('pager', { 'page[size]': 100 }).page();
    expect(big.items).toHaveLength(30);
    expect(big.next).toBeUndefined();
    const seen: string[] = [];
    for await (const offer of kard.users.offers.list('pager', { 'page[size]': 2 })) seen.push(offer.id);
    expect(seen).toEqual(big.items.map((o) => o.id));
    expect(new Set(seen).size).toBe(30);
  });

  it('.pages() yields pages of the requested size, each asking for the cursor of the page before, and stops at the end', async () => {
    mock.requests.length = 0;
    const pages: { size: number; next: Record<string, string> | undefined }[] = [];
    for await (const page of kard.users.offers.list('pager', { 'page[size]': 3 }).pages())
      pages.push({ size: page.items.length, next: page.next });
    expect(pages.map((p) => p.size)).toEqual(Array(10).fill(3));
    expect(pages.at(-1)!.next).toBeUndefined();
    const calls = mock.requests.filter((r) => r.path.endsWith('/users/pager/offers'));
    expect(calls).toHaveLength(10);
    expect(calls[0]!.query).toEqual({ 'page[size]': '3' });
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.query).toEqual({
        'page[size]': '3',
        'page[after]': pages[i - 1]!.next!['page[after]'],
      });
    }
  });

  it('keeps filters on later pages', async () => {
    mock.requests.length = 0;
    const ids: string[] = [];
    for await (const loc of kard.users.locations.list('pager', { 'page[size]': 1, 'filter[state]': 'NY' }))
      ids.push(loc.id);
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    const calls = mock.requests.filter((r) => r.path.endsWith('/users/pager/locations'));
    expect(calls).toHaveLength(7);
    expect(calls.map((c) => c.query['filter[state]'])).toEqual(Array(7).fill('NY'));
    expect(calls.map((c) => c.query['page[size]'])).toEqual(Array(7).fill('1'));
    expect(calls[0]!.query['page[after]']).toBeUndefined();
    expect(calls.slice(1).every((c) => typeof c.query['page[after]'] === 'string')).toBe(true);
  });

  it('.page() returns just the first page and sends one request', async () => {
    mock.requests.length = 0;
    const first = await kard.users.offers.list('pager', { 'page[size]': 4 }).page();
    expect(first.items).toHaveLength(4);
    expect(first.next).toEqual({ 'page[size]': '4', 'page[after]': expect.any(String) });
    expect(mock.requests.filter((r) => r.path.endsWith('/users/pager/offers'))).toHaveLength(1);
  });
});

describe('nextQuery (unit)', () => {
  it('reads the cursor from an absolute links.next', () => {
    expect(nextQuery({ links: { next: 'https://x/v2/a?page%5Bafter%5D=abc&page%5Bsize%5D=2' } }, 2)).toEqual({
      'page[after]': 'abc',
      'page[size]': '2',
    });
  });
  it('reads a relative links.next, a bare query string, and meta.nextCursor', () => {
    expect(nextQuery({ links: { next: '/v2/a?page[after]=p2' } }, 1)).toEqual({ 'page[after]': 'p2' });
    expect(nextQuery({ links: { next: 'page[after]=p3&x=1' } }, 1)).toEqual({ 'page[after]': 'p3', x: '1' });
    expect(nextQuery({ meta: { nextCursor: 'c4' } }, 1)).toEqual({ 'page[after]': 'c4' });
    // A next link wins over meta.nextCursor.
    expect(nextQuery({ links: { next: '?page[after]=l' }, meta: { nextCursor: 'm' } }, 1)).toEqual({
      'page[after]': 'l',
    });
  });
  it('stops on hasNextPage false, on no next link, and on an empty page', () => {
    expect(nextQuery({ links: { next: '?page[after]=a' }, meta: { hasNextPage: false } }, 1)).toBeUndefined();
    expect(nextQuery({ links: { self: 'x' } }, 1)).toBeUndefined();
    expect(nextQuery({ links: { next: '?page[after]=a' } }, 0)).toBeUndefined();
    expect(nextQuery({ meta: { nextCursor: 'c' } }, 0)).toBeUndefined();
  });
  it('a next link without a query, an empty one, or a non-string is the end', () => {
    expect(nextQuery({ links: { next: 'https://x/v2/a' } }, 1)).toBeUndefined();
    expect(nextQuery({ links: { next: '' } }, 1)).toBeUndefined();
    expect(nextQuery({ links: { next: 42 } }, 1)).toBeUndefined();
    expect(nextQuery({ meta: { nextCursor: 7 } }, 1)).toBeUndefined();
    expect(nextQuery(null, 1)).toBeUndefined();
    expect(nextQuery('text', 1)).toBeUndefined();
  });
});

describe('paginate (unit, pages from a function)', () => {
  const pageOf = (ids: string[], next?: string) => ({ data: ids.map((id) => ({ id })), links: { next } });

  it('stops when a server repeats a cursor instead of looping forever', async () => {
    const queries: unknown[] = [];
    const list = paginate<{ id: string }, unknown>(
      async (q) => {
        queries.push(q);
        return pageOf(['x'], '?page[after]=same');
      },
      { 'page[size]': 1 },
    );
    const ids: string[] = [];
    for await (const item of list) ids.push(item.id);
    // First page, then the cursor once; the second sight of the same cursor ends the walk.
    expect(ids).toEqual(['x', 'x']);
    expect(queries).toEqual([{ 'page[size]': 1 }, { 'page[size]': 1, 'page[after]': 'same' }]);
  });

  it('a page whose data is not an array yields no items and ends the walk', async () => {
    const list = paginate<unknown, unknown>(
      async () => ({ data: { id: 'one' }, links: { next: '?page[after]=n' } }),
      undefined,
    );
    const pages = [];
    for await (const p of list.pages()) pages.push(p);
    expect(pages).toEqual([
      { items: [], response: { data: { id: 'one' }, links: { next: '?page[after]=n' } }, next: undefined },
    ]);
  });

  it('an empty answer (no body) is one empty page', async () => {
    const list = paginate<unknown, unknown>(async () => undefined, { 'page[size]': 5 });
    expect(await list.page()).toEqual({ items: [], response: undefined, next: undefined });
    const all = [];
    for await (const item of list) all.push(item);
    expect(all).toEqual([]);
  });

  it('later pages keep the caller query and add the cursor', async () => {
    const queries: unknown[] = [];
    const list = paginate<{ id: string }, unknown>(
      async (q) => {
        queries.push(q);
        return queries.length === 1 ? pageOf(['a'], '?page[after]=2') : pageOf(['b']);
      },
      { 'filter[x]': 'y' },
    );
    const ids: string[] = [];
    for await (const item of list) ids.push(item.id);
    expect(ids).toEqual(['a', 'b']);
    expect(queries).toEqual([{ 'filter[x]': 'y' }, { 'filter[x]': 'y', 'page[after]': '2' }]);
  });
});
