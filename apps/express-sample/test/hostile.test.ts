import { gzipSync } from 'node:zlib';
import { signWebhook } from '@kardkit/sdk';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMIT_RULES, MAX_DEPTH, MAX_ID_LENGTH, unstorable } from '../src/limits.js';
import { AUTH, get, type Harness, type Loose, post, startHarness, txEvent } from './helpers.js';

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

async function raw(url: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(url, { ...init, headers: { ...AUTH, ...(init.headers ?? {}) } });
  const text = await res.text();
  let body: Loose = {};
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, type: res.headers.get('content-type') ?? '' };
}

describe('hostile input: each malformed event is rejected on its own, its valid neighbours are stored', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ forwarder: { enabled: false } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const stored = async (id: string) =>
    (await h.sample.db.query('SELECT 1 FROM outbox WHERE id = $1', [id])).rows.length === 1;
  const count = async () =>
    (await h.sample.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]?.n ?? 0;

  it('NUL, lone surrogate, a 1 MB id and 5,000 levels of nesting: one 400 item error each, 207, the valid events stored', async () => {
    const ev = (id: string, n: number) => txEvent(id, { userId: 'h-user', transactionId: `h-txn-${n}` });
    const nul = ev('evt-h-nul', 1);
    (nul.attributes as Loose).description = 'COFFEE\u0000SHOP';
    const surrogate = ev('evt-h-sur', 2);
    (surrogate.attributes as Loose).merchant.name = 'Caf\uD800';
    const longId = ev('x'.repeat(1024 * 1024), 3);
    const badKey = ev('evt-h-key', 4);
    (badKey.attributes as Loose)['note\u0000'] = 'x';
    const pieces = [
      JSON.stringify(ev('evt-h-good-1', 10)),
      JSON.stringify(nul),
      JSON.stringify(surrogate),
      JSON.stringify(longId),
      // 5,000 levels inside one event's attributes (written by hand: JSON.stringify recurses).
      JSON.stringify(ev('evt-h-deep', 5)).replace(
        '"currency":"USD"',
        `"currency":"USD","extra":${deep(5000)}`,
      ),
      JSON.stringify(badKey),
      JSON.stringify(ev('evt-h-good-2', 11)),
    ];
    const res = await post(`${h.sample.url}/transactions`, `[${pieces.join(',')}]`);
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({ queued: 2, duplicates: 0, rejected: 5 });
    const rejected = (res.body.events as Loose[]).filter((e) => e.status === 'rejected');
    const byIndex = new Map(rejected.map((e) => [e.index as number, e]));
    const first = (i: number) => byIndex.get(i)?.errors[0];
    expect(first(1)).toMatchObject({
      status: '400',
      path: '[1].attributes.description',
      rule: LIMIT_RULES.nul,
    });
    expect(byIndex.get(1)?.id).toBe('evt-h-nul');
    expect(first(2)).toMatchObject({
      status: '400',
      path: '[2].attributes.merchant.name',
      rule: LIMIT_RULES.surrogate,
    });
    expect(first(3)).toMatchObject({
      status: '400',
      path: '[3].id',
      rule: LIMIT_RULES.idLength,
      expected: `at most ${MAX_ID_LENGTH} characters`,
    });
    expect(byIndex.get(3)?.id).toBeNull(); // the megabyte is not echoed back
    expect(first(4)).toMatchObject({ status: '400', rule: LIMIT_RULES.depth });
    expect(first(4).path).toMatch(/^\[4\]\.attributes\.extra(\.a)+$/);
    expect(first(5)).toMatchObject({ path: '[5].attributes["note\\u0000"]', rule: LIMIT_RULES.nul });
    expect(res.body.issues.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(res.body).length).toBeLessThan(100_000);

    expect(await stored('evt-h-good-1')).toBe(true);
    expect(await stored('evt-h-good-2')).toBe(true);
    expect(await count()).toBe(2);
  });

  it('a request of only malformed events is a 400 and stores nothing', async () => {
    const before = await count();
    const nul = txEvent('evt-h-only', { userId: 'h-user', transactionId: 'h-only' });
    (nul.attributes as Loose).userId = 'h\u0000user';
    const res = await post(`${h.sample.url}/transactions`, [nul]);
    expect(res.status).toBe(400);
    expect(res.body.issues[0]).toMatchObject({ path: '[0].attributes.userId', rule: LIMIT_RULES.nul });
    expect(res.body.events[0]).toMatchObject({ index: 0, status: 'rejected' });
    // One event posted alone (not in an array): paths have no index.
    const alone = await post(`${h.sample.url}/transactions`, nul);
    expect(alone.status).toBe(400);
    expect(alone.body.issues[0]).toMatchObject({ path: 'attributes.userId' });
    expect(await count()).toBe(before);
  });

  it('a body over 10 MB is a 413 with a JSON:API error, nothing stored', async () => {
    const before = await count();
    const big = `[${JSON.stringify({ pad: 'x'.repeat(11 * 1024 * 1024) })}]`;
    const res = await raw(`${h.sample.url}/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(res.body.errors[0]).toMatchObject({ status: '413', code: 'body_too_large' });
    expect(await count()).toBe(before);
  });

  it('malformed transport is a 400/415, never a 500', async () => {
    const url = h.sample.url;
    const event = JSON.stringify(txEvent('evt-h-transport', { userId: 'h-user', transactionId: 'h-tr' }));
    const cases: [string, Promise<{ status: number; body: Loose }>, number][] = [
      ['bad percent-encoding', raw(`${url}/outbox/%E0%A4%A`), 400],
      ['NUL in a path id', raw(`${url}/outbox/%00`), 400],
      ['lone surrogate in a path id', raw(`${url}/outbox/%ED%A0%80`), 400],
      ['256-character path id', raw(`${url}/users/${'u'.repeat(MAX_ID_LENGTH + 1)}/rewards`), 400],
      ['NUL in a user id (offers)', raw(`${url}/users/a%00b/offers`), 400],
      [
        'latin1 charset',
        raw(`${url}/transactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=latin1' },
          body: event,
        }),
        415,
      ],
      [
        'fake gzip content-encoding',
        raw(`${url}/transactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: event,
        }),
        400,
      ],
      [
        'unknown content-encoding',
        raw(`${url}/transactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'x-squash' },
          body: event,
        }),
        415,
      ],
      [
        'NUL in a user id (body)',
        raw(`${url}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"id":"a\\u0000b"}',
        }),
        400,
      ],
      [
        'lone surrogate in a user field',
        raw(`${url}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"id":"h-user-2","zipCode":"\\udc00"}',
        }),
        400,
      ],
    ];
    for (const [what, answer, status] of cases) {
      const res = await answer;
      expect({ what, status: res.status }).toEqual({ what, status });
    }
    expect((await raw(`${url}/outbox/%E0%A4%A`)).body.errors[0]).toMatchObject({ status: '400' });
    expect((await raw(`${url}/outbox/%00`)).body.issues[0]).toMatchObject({
      path: ':id',
      rule: LIMIT_RULES.nul,
    });
    // A real gzip body is still accepted.
    const gz = await raw(`${url}/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(event),
    });
    expect(gz.status).toBe(202);
  });

  it('a correctly signed webhook holding a NUL or a lone surrogate is a 400 naming the path, and nothing is recorded', async () => {
    const hook = `${h.sample.url}/webhooks/kard`;
    const note = (message: string) =>
      JSON.stringify({
        data: {
          type: 'earnedRewardApproved',
          id: 'n-hostile-1',
          attributes: {
            message,
            name: 'Bean & Leaf Coffee',
            attributionUrl: 'https://kard.example/a',
            transactionId: 'txn-hostile',
            transactionAmountInCents: 100,
          },
          relationships: { user: { data: { type: 'user', id: 'h-user' } } },
        },
      });
    for (const [message, rule] of [
      ['a\u0000b', LIMIT_RULES.nul],
      ['\uDBFF', LIMIT_RULES.surrogate],
    ] as const) {
      const body = note(message);
      const res = await post(hook, body, {
        'notify-signature': await signWebhook(body, h.mock.webhookSecret),
      });
      expect(res.status).toBe(400);
      expect(res.body.issues[0]).toMatchObject({ path: 'data.attributes.message', rule });
    }
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 1) });
    const tooBig = await post(hook, big, {
      'notify-signature': await signWebhook(big, h.mock.webhookSecret),
    });
    expect(tooBig.status).toBe(413);
    const rows = await h.sample.db.query('SELECT 1 FROM webhook_notifications');
    expect(rows.rows).toEqual([]);
  });

  it('no JSON body posted to /transactions or /users answers 500 (property, 60 runs each)', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(text, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    // Events shaped like the real thing, with any field replaced by anything.
    const mutated = fc
      .tuple(
        fc.constantFrom('id', 'type', 'userId', 'transactionId', 'description', 'amount', 'merchant'),
        json,
      )
      .map(([field, value]) => {
        const e = txEvent('evt-prop', { userId: 'p-user', transactionId: 'p-txn' }) as Loose;
        if (field === 'id' || field === 'type') e[field] = value;
        else e.attributes[field] = value;
        return [e];
      });
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, mutated), async (body) => {
        for (const path of ['/transactions', '/users']) {
          const res = await post(`${h.sample.url}${path}`, JSON.stringify(body));
          expect(res.status).toBeLessThan(500);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('no percent-encoded bytes in an outbox or user path answer 500 (property, 100 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 12 }), async (bytes) => {
        const seg = [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
        expect((await get(`${h.sample.url}/outbox/${seg}`)).status).toBeLessThan(500);
        expect((await get(`${h.sample.url}/users/${seg}/rewards`)).status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  });
});

describe('unstorable(): the walk behind the limits', () => {
  it('stops at MAX_DEPTH levels, reports in document order, and caps the issues', () => {
    const at = (levels: number) => JSON.parse(deep(levels));
    expect(unstorable(at(MAX_DEPTH - 1))).toEqual([]);
    expect(unstorable(at(MAX_DEPTH))).toEqual([]);
    expect(unstorable(at(MAX_DEPTH + 1))).toEqual([
      expect.objectContaining({ rule: LIMIT_RULES.depth, path: `a${'.a'.repeat(MAX_DEPTH - 1)}` }),
    ]);
    expect(unstorable(JSON.parse(deep(200_000)))).toHaveLength(1);
    expect(unstorable({ b: ['ok', 'x\u0000'], a: '\uDC00' }, 'r').map((i) => i.path)).toEqual([
      'r.b[1]',
      'r.a',
    ]);
    expect(unstorable('\uD83D\uDE00 fine')).toEqual([]); // a surrogate pair is fine
    expect(unstorable(Array.from({ length: 100 }, () => '\u0000'))).toHaveLength(20);
    expect(unstorable({ 'a b': '\u0000' })[0]?.path).toBe('["a b"]');
  });
});
