import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { conformance, type Harness, harness, org, txn } from './test-support.js';

const h: Harness = await harness();
afterAll(() => h.mock.close());
beforeEach(() => h.mock.reset());

const T = '/v2/issuers/{organizationId}/transactions';
const post = (data: unknown) => h.call('POST', `${org(h)}/transactions`, { data });

describe('POST /v2/issuers/{org}/transactions', () => {
  it('202 job when every event is valid', async () => {
    const r = await post([txn('e1'), txn('e2', { status: 'APPROVED', settledDate: undefined })]);
    expect(r.status).toBe(202);
    expect(r.body.data).toMatchObject({
      type: 'job',
      id: expect.any(String),
      attributes: { status: 'queued' },
    });
    expect(conformance('POST', T, 202, r.body)).toEqual([]);
    expect(h.mock.stats().transactions).toEqual({ received: 2, accepted: 2, duplicates: 0, rejected: 0 });
  });

  it('items that are not objects, or whose id is not a string: one error each pointing at the item, no id member; the valid one is accepted', async () => {
    const r = await post([txn('ok'), null, 42, { type: 'transaction', id: 7, attributes: {} }]);
    expect(r.status).toBe(207);
    expect(conformance('POST', T, 207, r.body)).toEqual([]);
    expect(r.body.errors.map((e: { source: { pointer: string } }) => e.source.pointer)).toEqual([
      '/data/1',
      '/data/2',
      '/data/3/id',
    ]);
    for (const e of r.body.errors) expect(e).not.toHaveProperty('id');
    expect(r.body.errors[0].detail).toBe('data[1]: must be an object, got null');
    expect(h.mock.stats().transactions).toMatchObject({ accepted: 1, rejected: 3 });
    // The dashboard lists each rejected event with its issues, one line each, severity first.
    const auth = `Basic ${Buffer.from(`${h.mock.clientId}:${h.mock.clientSecret}`).toString('base64')}`;
    const state = await (
      await fetch(`${h.mock.url}/__dashboard/api/state`, { headers: { authorization: auth } })
    ).json();
    const rejected = state.transactions.filter((t: { outcome: string }) => t.outcome === 'rejected');
    expect(rejected.map((t: { id: string }) => t.id)).toEqual(['7', '', '']);
    expect(rejected[2]).toMatchObject({
      source: 'v2',
      issues: ['error data[1]: must be an object, got null'],
      match: 'not matched: rejected by validation',
    });
    expect(rejected[0].issues[0]).toBe('error data[3].id: must be a string, got the number 7');
    expect(rejected[0].issues).toContain(
      'warning data[3].attributes.mcc: recommended: required for some national offers (R5)',
    );
  });

  it('207 names the failing data[].id with a JSON pointer and the issue message (R2)', async () => {
    const bad = txn('evt-bad');
    delete (bad.attributes as Record<string, unknown>).settledDate;
    const r = await post([txn('ok-0'), txn('ok-1'), txn('ok-2'), bad]);
    expect(r.status).toBe(207);
    expect(conformance('POST', T, 207, r.body)).toEqual([]);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0]).toMatchObject({
      status: '400',
      id: 'evt-bad',
      source: { pointer: '/data/3/attributes/settledDate' },
    });
    expect(r.body.errors[0].detail).toMatch(/settledDate/);
    expect(r.body.data.attributes.status).toBe('queued');
    expect(h.mock.eventCount('ok-1')).toBe(1);
    expect(h.mock.eventCount('evt-bad')).toBe(0);
    expect(h.mock.receivedCount('evt-bad')).toBe(1);
  });

  it('207 lists every failing event, each with its own id (R4 BIN)', async () => {
    const r = await post([txn('a', { cardBIN: '12345' }), txn('b'), txn('c', { amount: 12.5 })]);
    expect(r.status).toBe(207);
    expect(r.body.errors.map((e: { id: string }) => e.id).sort()).toEqual(['a', 'c']);
    expect(r.body.errors.find((e: { id: string }) => e.id === 'a').source.pointer).toBe(
      '/data/0/attributes/cardBIN',
    );
  });

  it('400 when every event is invalid', async () => {
    const r = await post([txn('x', { status: 'NOPE' }), txn('y', { currency: undefined })]);
    expect(r.status).toBe(400);
    expect(conformance('POST', T, 400, r.body)).toEqual([]);
    expect(r.body.errors.map((e: { id: string }) => e.id)).toEqual(['x', 'y']);
    expect(h.mock.stats().transactions.rejected).toBe(2);
  });

  it('400 over 500 items (R11), on an empty array and on malformed JSON', async () => {
    const many = Array.from({ length: 501 }, (_, i) => txn(`m${i}`));
    const r = await post(many);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ status: '400', source: { pointer: '/data' } });
    expect(r.body.errors[0].detail).toMatch(/500/);
    expect((await post([])).status).toBe(400);
    const m = await h.call('POST', `${org(h)}/transactions`, '{"data": [');
    expect(m.status).toBe(400);
    expect(m.body.errors[0].detail).toMatch(/JSON/);
    expect((await h.call('POST', `${org(h)}/transactions`, { nope: 1 })).status).toBe(400);
  });

  it('accepts exactly 500 items', async () => {
    const r = await post(Array.from({ length: 500 }, (_, i) => txn(`full-${i}`)));
    expect(r.status).toBe(202);
    expect(h.mock.stats().transactions.accepted).toBe(500);
  });

  it('dedups by data[].id: a repeat is 202 but counted once (R10)', async () => {
    expect((await post([txn('dup-1'), txn('dup-2')])).status).toBe(202);
    const again = await post([txn('dup-1'), txn('new-3')]);
    expect(again.status).toBe(202);
    expect(h.mock.eventCount('dup-1')).toBe(1);
    expect(h.mock.receivedCount('dup-1')).toBe(2);
    expect(h.mock.eventCount('new-3')).toBe(1);
    expect(h.mock.receivedCount('never')).toBe(0);
    expect(h.mock.stats().transactions).toEqual({ received: 4, accepted: 3, duplicates: 1, rejected: 0 });
  });

  it('dedups repeats inside one batch too', async () => {
    await post([txn('same'), txn('same')]);
    expect(h.mock.eventCount('same')).toBe(1);
    expect(h.mock.receivedCount('same')).toBe(2);
  });

  it('accepts coreTransaction events (R19)', async () => {
    const r = await post([
      {
        type: 'coreTransaction',
        id: 'core-1',
        attributes: {
          userId: 'u',
          transactionId: 't',
          amount: 100,
          currency: 'USD',
          description: 'x',
          direction: 'DEBIT',
          status: 'SETTLED',
          settledDate: '2026-11-01T00:00:00Z',
          authorizationDate: '2026-11-01T00:00:00Z',
        },
      },
    ]);
    expect(r.status).toBe(202);
  });

  it('records requests with the authorization header redacted', async () => {
    await post([txn('rec-1')]);
    const last = h.mock.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', path: `${org(h)}/transactions`, status: 202 });
    expect(last.headers.authorization).toBe('[REDACTED]');
    expect(JSON.stringify(h.mock.requests)).not.toContain(h.token);
    expect((last.body as { data: unknown[] }).data).toHaveLength(1);
  });
});

describe('what the dashboard records of a rejected event', () => {
  const rejectedEntries = async () => {
    const auth = `Basic ${Buffer.from(`${h.mock.clientId}:${h.mock.clientSecret}`).toString('base64')}`;
    const state = await (
      await fetch(`${h.mock.url}/__dashboard/api/state`, { headers: { authorization: auth } })
    ).json();
    return state.transactions.filter((t: { outcome: string }) => t.outcome === 'rejected') as Record<
      string,
      unknown
    >[];
  };

  it('the fields it can read, as sent; fields of the wrong type are left out', async () => {
    const good = txn('r-1', { amount: 'twelve', merchant: { name: 'Corner Mart' } });
    const odd = txn('r-2', { userId: 5, transactionId: 6, status: 7, amount: 100, merchant: { name: 8 } });
    expect((await post([good, odd])).status).toBe(400);
    const [second, first] = await rejectedEntries();
    expect(first).toMatchObject({
      id: 'r-1',
      source: 'v2',
      userId: 'user-1',
      transactionId: 'txn-r-1',
      status: 'SETTLED',
      merchant: 'Corner Mart',
    });
    expect(first).not.toHaveProperty('amount');
    expect(second).toMatchObject({ id: 'r-2', amount: 100, merchant: 'POS PURCHASE' });
    for (const key of ['userId', 'transactionId', 'status']) expect(second).not.toHaveProperty(key);
  });

  it('a legacy event: its transactionId, the referring partner user id, the merchant name', async () => {
    const r = await h.call('POST', '/transactions/incoming', [
      { transactionId: 'L-bad', referringPartnerUserId: 'user-9', merchantName: 'Taco Trail', amount: -1 },
    ]);
    expect(r.status).toBeGreaterThanOrEqual(400);
    const [entry] = await rejectedEntries();
    expect(entry).toMatchObject({
      id: 'L-bad',
      source: 'legacy',
      userId: 'user-9',
      transactionId: 'L-bad',
      merchant: 'Taco Trail',
      amount: -1,
    });
  });
});

describe('legacy POST /transactions/incoming', () => {
  const legacy = (over: Record<string, unknown> = {}) => ({
    transactionId: 'L-1',
    referringPartnerUserId: 'user-1',
    amount: 1999,
    status: 'SETTLED',
    currency: 'USD',
    description: 'GOLDEN CRUST BAKERY',
    settledDate: '2026-11-01T10:00:00Z',
    authorizationDate: '2026-11-01T09:00:00Z',
    cardBIN: '411111',
    cardLastFour: '4242',
    ...over,
  });

  it('201 with a string body for a valid array', async () => {
    const r = await h.call('POST', '/transactions/incoming', [legacy(), legacy({ transactionId: 'L-2' })]);
    expect(r.status).toBe(201);
    expect(typeof r.body).toBe('string');
    expect(conformance('POST', '/transactions/incoming', 201, r.body)).toEqual([]);
    expect(h.mock.stats().legacyIncoming).toMatchObject({ received: 2, accepted: 2 });
  });

  it('400 {errors: string[]} naming the failing index and field', async () => {
    const r = await h.call('POST', '/transactions/incoming', [legacy(), legacy({ settledDate: undefined })]);
    expect(r.status).toBe(400);
    expect(conformance('POST', '/transactions/incoming', 400, r.body)).toEqual([]);
    expect(r.body.errors.every((e: unknown) => typeof e === 'string')).toBe(true);
    expect(r.body.errors.join(' ')).toMatch(/\[1\].*settledDate/);
  });

  it('400 when the body is not an array', async () => {
    const r = await h.call('POST', '/transactions/incoming', { transactionId: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatch(/array/);
  });

  it('accepts the bare token the legacy recipes send', async () => {
    const r = await h.call('POST', '/transactions/incoming', [legacy({ transactionId: 'L-9' })], {
      authorization: h.token,
    });
    expect(r.status).toBe(201);
  });

  it('counts a repeated lifecycle event once', async () => {
    await h.call('POST', '/transactions/incoming', [legacy()]);
    await h.call('POST', '/transactions/incoming', [legacy()]);
    expect(h.mock.stats().legacyIncoming).toEqual({ received: 2, accepted: 1, duplicates: 1, rejected: 0 });
  });
});

describe('POST /v2/issuers/{org}/fraud (R29)', () => {
  const marker = (id: string, userId: unknown = 'user-1') => ({
    type: 'fraudulentTransaction',
    id,
    attributes: { userId },
  });
  it('201 echoes the markers; 207 on partial; 400 when all are invalid', async () => {
    const ok = await h.call('POST', `${org(h)}/fraud`, { data: [marker('t1')] });
    expect(ok.status).toBe(201);
    expect(conformance('POST', '/v2/issuers/{organizationId}/fraud', 201, ok.body)).toEqual([]);
    const partial = await h.call('POST', `${org(h)}/fraud`, { data: [marker('t2'), marker('t3', 42)] });
    expect(partial.status).toBe(207);
    expect(partial.body.errors[0].id).toBe('t3');
    expect(conformance('POST', '/v2/issuers/{organizationId}/fraud', 207, partial.body)).toEqual([]);
    const bad = await h.call('POST', `${org(h)}/fraud`, {
      data: [{ type: 'nope', id: 'x', attributes: {} }],
    });
    expect(bad.status).toBe(400);
  });
});

describe('POST /v2/issuers/{org}/users/{user}/audits', () => {
  const A = '/v2/issuers/{organizationId}/users/{userId}/audits';
  const audit = (transactionId: string, auditCode = 3006) => ({
    type: 'audit',
    attributes: {
      merchantName: 'Bean & Leaf Coffee',
      transactionId,
      auditCode,
      auditDescription: 'missing cashback',
    },
  });
  it('404 for an unknown user; 201, 207 and 409 for an enrolled one', async () => {
    expect((await h.call('POST', `${org(h)}/users/ghost/audits`, { data: [audit('t1')] })).status).toBe(404);
    await h.call('POST', `${org(h)}/users`, {
      data: [{ type: 'user', id: 'aud', attributes: { enrolledRewards: ['CARDLINKED'] } }],
    });
    const ok = await h.call('POST', `${org(h)}/users/aud/audits`, { data: [audit('t1')] });
    expect(ok.status).toBe(201);
    expect(conformance('POST', A, 201, ok.body)).toEqual([]);
    expect(ok.body.data[0].attributes.transactionId).toBe('t1');
    const partial = await h.call('POST', `${org(h)}/users/aud/audits`, {
      data: [audit('t2'), audit('t3', 1234)],
    });
    expect(partial.status).toBe(207);
    expect(conformance('POST', A, 207, partial.body)).toEqual([]);
    const dup = await h.call('POST', `${org(h)}/users/aud/audits`, { data: [audit('t1')] });
    expect(dup.status).toBe(409);
  });
});
