/** One page of a cursor-paginated list (openapi/kard.yaml schema `Links`: `links.next` carries the cursor). */
export interface Page<T, R = unknown> {
  items: T[];
  response: R;
  /** Query of the next page, or undefined at the end. */
  next: Record<string, string> | undefined;
}

/** An async iterable over every item of every page; `.pages()` walks pages instead. */
export interface PagedList<T, R = unknown> extends AsyncIterable<T> {
  pages(): AsyncIterable<Page<T, R>>;
  /** Just the first page. */
  page(): Promise<Page<T, R>>;
}

/** Reads the next-page query from a list response: `links.next` (URL or query string), or meta cursors. */
export function nextQuery(response: unknown, itemCount: number): Record<string, string> | undefined {
  if (!response || typeof response !== 'object') return undefined;
  const r = response as {
    links?: { next?: unknown };
    meta?: { hasNextPage?: unknown; nextCursor?: unknown };
  };
  if (r.meta?.hasNextPage === false || itemCount === 0) return undefined;
  const next = r.links?.next;
  if (typeof next === 'string' && next) {
    const q = next.indexOf('?');
    const params = new URLSearchParams(q >= 0 ? next.slice(q + 1) : next.includes('=') ? next : '');
    const out: Record<string, string> = {};
    for (const [k, v] of params) out[k] = v;
    return Object.keys(out).length ? out : undefined;
  }
  if (typeof r.meta?.nextCursor === 'string') return { 'page[after]': r.meta.nextCursor };
  return undefined;
}

export function paginate<T, R>(
  fetchPage: (query: Record<string, unknown> | undefined) => Promise<R>,
  query: Record<string, unknown> | undefined,
): PagedList<T, R> {
  async function* pages(): AsyncGenerator<Page<T, R>> {
    let q = query;
    const seen = new Set<string>();
    for (;;) {
      const response = await fetchPage(q);
      const data = (response as { data?: unknown })?.data;
      const items = (Array.isArray(data) ? data : []) as T[];
      const next = nextQuery(response, items.length);
      yield { items, response, next };
      if (!next) return;
      const key = JSON.stringify(next);
      if (seen.has(key)) return; // a server repeating a cursor must not loop us forever
      seen.add(key);
      q = { ...query, ...next };
    }
  }
  return {
    pages,
    async page() {
      for await (const p of pages()) return p;
      throw new Error('unreachable');
    },
    async *[Symbol.asyncIterator]() {
      for await (const p of pages()) yield* p.items;
    },
  };
}
