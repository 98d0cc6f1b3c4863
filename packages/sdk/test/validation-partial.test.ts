import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  KardApiError,
  KardBadRequestError,
  type KardClient,
  KardError,
  KardNotFoundError,
  KardValidationError,
} from '../src/index.js';
import { captureLogger, mockAndClient, txn } from './support.js';

let mock: MockKard;
let kard: KardClient;
const cap = captureLogger();
const txPath = () => `/v2/issuers/${mock.organizationId}/transactions`;

beforeAll(async () => {
  ({ mock, kard } = await mockAndClient({}, { logger: cap.logger }));
});
afterAll(() => mock?.close());
beforeEach(() => {
  mock.faults.clear();
  mock.requests.length = 0;
});

describe('validation before sending (@kardkit/schemas)', () => {
  it('an invalid event throws KardValidationError with every issue, and nothing is sent', async () => {
    const bad = txn({ amount: 12.5, cardBIN: '4111' });
    const err = await kard.transactions.create([txn(), bad]).catch((e) => e);
    expect(err).toBeInstanceOf(KardValidationError);
    expect(err).toBeInstanceOf(KardError);
    const paths = err.issues
      .filter((i: { severity: string }) => i.severity === 'error')
      .map((i: { path: string }) => i.path);
    expect(paths.some((p: string) => p.startsWith('data[1].attributes.amount'))).toBe(true);
    expect(paths.some((p: string) => p.startsWith('data[1].attributes.cardBIN'))).toBe(true);
    expect(
      err.issues.some((i: { rule: string | null }) => typeof i.rule === 'string' && /^R\d+$/.test(i.rule)),
    ).toBe(true);
    expect(mock.requests.filter((r) => r.path === txPath())).toHaveLength(0);
    expect(mock.stats().transactions.received).toBe(0);
  });

  it('more than 500 events is refused locally (R11)', async () => {
    const many = Array.from({ length: 501 }, () => txn());
    const err = await kard.transactions.create(many).catch((e) => e);
    expect(err).toBeInstanceOf(KardValidationError);
    expect(err.issues.some((i: { rule: string | null }) => i.rule === 'R11')).toBe(true);
    expect(mock.requests.filter((r) => r.path === txPath())).toHaveLength(0);
  });

  it('validate: false per call lets the API judge (400 → KardBadRequestError with errors[])', async () => {
    const err = await kard.transactions.create([txn({ amount: 'x' })], { validate: false }).catch((e) => e);
    expect(err).toBeInstanceOf(KardBadRequestError);
    expect(err).toBeInstanceOf(KardApiError);
    expect(err.status).toBe(400);
    expect(err.errors.length).toBeGreaterThan(0);
    expect(err.errors[0].status).toBe('400');
    expect(err.message).toMatch(/^Kard API 400/);
  });

  it('accepts the whole body {data:[...]} as well as the array of events', async () => {
    const e = txn();
    const r = await kard.transactions.create({ data: [e] });
    expect(r.accepted).toEqual([e]);
  });

  it('warnings go to the logger and do not block', async () => {
    // Whatever the schemas flag as warnings is logged; the call itself succeeds.
    cap.lines.length = 0;
    await kard.transactions.create([txn()]);
    expect(cap.lines.every((l) => !l.startsWith('error'))).toBe(true);
  });
});

describe('207 partial success → PartialResult', () => {
  it('a mixed batch sent with validate:false resolves with exactly one typed rejected item', async () => {
    const good1 = txn();
    const bad = txn({ cardBIN: '12' });
    const good2 = txn();
    const r = await kard.transactions.create([good1, bad, good2], { validate: false });
    expect(r.status).toBe(207);
    expect(r.accepted.map((a) => a.id)).toEqual([good1.id, good2.id]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.id).toBe(bad.id);
    expect(r.rejected[0]!.item).toEqual(bad);
    expect(r.rejected[0]!.error.status).toBe('400');
    expect(typeof r.rejected[0]!.error.detail).toBe('string');
    expect(mock.eventCount(good1.id)).toBe(1);
    expect(mock.eventCount(bad.id)).toBe(0);
  });

  it('a full success has no rejected items', async () => {
    const r = await kard.transactions.create([txn(), txn()]);
    expect(r.status).toBe(202);
    expect(r.rejected).toEqual([]);
    expect(r.accepted).toHaveLength(2);
  });

  it('users.create with one invalid user → 207 with the rejected user', async () => {
    const r = await kard.users.create(
      [
        { type: 'user', id: 'u-ok-1', attributes: { enrolledRewards: ['CARDLINKED'] } },
        { type: 'user', id: 'u-bad-1', attributes: { enrolledRewards: ['NOPE'] } },
      ] as never,
      { validate: false },
    );
    expect(r.rejected.map((x) => x.id)).toEqual(['u-bad-1']);
    expect(r.accepted.map((x) => (x as { id: string }).id)).toEqual(['u-ok-1']);
  });
});

describe('207 errors matched to request items', () => {
  const job = { type: 'transactionJob', id: 'job-1', attributes: { status: 'PENDING' } };
  const err = (over: Record<string, unknown>) => ({
    status: '400',
    title: 'Invalid',
    detail: 'bad item',
    ...over,
  });

  it('an error that names its item only by id (no pointer) is attributed to that item', async () => {
    const [a, b, c] = [txn(), txn(), txn()];
    mock.faults.set({
      sequence: [{ status: 207, body: { data: job, errors: [err({ id: b.id })] } }],
      match: '/transactions',
    });
    const r = await kard.transactions.create([a, b, c]);
    expect(r.status).toBe(207);
    expect(r.rejected).toEqual([{ id: b.id, item: b, error: err({ id: b.id }) }]);
    expect(r.accepted).toEqual([a, c]);
  });

  it('a pointer wins over the id; a pointer past the end falls back to the id; an unknown id settles no item', async () => {
    const [a, b, c] = [txn(), txn(), txn()];
    const errors = [
      err({ source: { pointer: '/data/0/attributes/amount' }, id: c.id }), // pointer → a
      err({ source: { pointer: '/data/9' }, id: b.id }), // out of range → by id → b
      err({ id: 'not-in-this-batch' }),
    ];
    mock.faults.set({ sequence: [{ status: 207, body: { data: job, errors } }], match: '/transactions' });
    const r = await kard.transactions.create([a, b, c]);
    expect(r.rejected).toEqual([
      { id: a.id, item: a, error: errors[0] },
      { id: b.id, item: b, error: errors[1] },
      { id: 'not-in-this-batch', item: undefined, error: errors[2] },
    ]);
    expect(r.accepted).toEqual([c]);
  });

  it('users: a pointer names the rejected user', async () => {
    const users = [
      { type: 'user', id: 'u-207-a', attributes: { enrolledRewards: ['CARDLINKED'] } },
      { type: 'user', id: 'u-207-b', attributes: { enrolledRewards: ['CARDLINKED'] } },
    ];
    const errors = [err({ source: { pointer: '/data/1' } })];
    mock.faults.set({ sequence: [{ status: 207, body: { data: [], errors } }], match: '/users' });
    const r = await kard.users.create(users as never);
    expect(r.rejected).toEqual([{ id: 'u-207-b', item: users[1], error: errors[0] }]);
    expect(r.accepted).toEqual([users[0]]);
  });

  it('an item without an id is known by its attributes.transactionId', async () => {
    const a = txn();
    const { id: _drop, ...noId } = txn();
    const errors = [err({ id: noId.attributes.transactionId })];
    mock.faults.set({ sequence: [{ status: 207, body: { data: job, errors } }], match: '/transactions' });
    const r = await kard.transactions.create([a, noId as never], { validate: false });
    expect(r.rejected).toEqual([{ id: noId.attributes.transactionId, item: noId, error: errors[0] }]);
    expect(r.accepted).toEqual([a]);
  });

  it('a pointer equal to the item count falls back to the id; a pointer not under /data/ is not read', async () => {
    const [a, b, c] = [txn(), txn(), txn()];
    const errors = [
      err({ source: { pointer: '/data/3' }, id: a.id }),
      err({ source: { pointer: '/included/data/1' }, id: c.id }),
    ];
    mock.faults.set({ sequence: [{ status: 207, body: { data: job, errors } }], match: '/transactions' });
    const r = await kard.transactions.create([a, b, c]);
    expect(r.rejected.map((x) => x.id)).toEqual([a.id, c.id]);
    expect(r.accepted).toEqual([b]);
  });

  it('duplicate ids: an error by id names the first item with it; an item and error without ids give id null', async () => {
    const a = txn({}, 'dup-id');
    const b = txn({ amount: 1 }, 'dup-id');
    const { id: _x, attributes, ...restNoId } = txn();
    const { transactionId: _t, ...attrsNoTxn } = attributes;
    const anonymous = { ...restNoId, attributes: attrsNoTxn };
    const errors = [err({ id: 'dup-id' }), err({ source: { pointer: '/data/2' } })];
    mock.faults.set({ sequence: [{ status: 207, body: { data: job, errors } }], match: '/transactions' });
    const r = await kard.transactions.create([a, b, anonymous as never], { validate: false });
    expect(r.rejected).toEqual([
      { id: 'dup-id', item: a, error: errors[0] },
      { id: null, item: anonymous, error: errors[1] },
    ]);
    expect(r.accepted).toEqual([b]);
  });

  it('pointers past /data/9 are read whole; null entries in errors[] or in the batch are tolerated', async () => {
    const items = Array.from({ length: 12 }, () => txn());
    const errors = [
      null,
      err({ source: { pointer: '/data/11/attributes/amount' } }),
      err({ source: { pointer: '/data/1' } }),
    ];
    mock.faults.set({ sequence: [{ status: 207, body: { data: job, errors } }], match: '/transactions' });
    const r = await kard.transactions.create([...items.slice(0, 1), null, ...items.slice(2)] as never, {
      validate: false,
    });
    expect(r.rejected).toEqual([
      { id: null, item: undefined, error: null },
      { id: items[11]!.id, item: items[11], error: errors[1] },
      { id: null, item: null, error: errors[2] },
    ]);
    expect(r.accepted).toHaveLength(10);
  });

  it('errors[] that is not an array accepts every item', async () => {
    const [a, b] = [txn(), txn()];
    mock.faults.set({
      sequence: [{ status: 207, body: { data: job, errors: { detail: 'x' } } }],
      match: '/transactions',
    });
    const r = await kard.transactions.create([a, b]);
    expect(r.accepted).toEqual([a, b]);
    expect(r.rejected).toEqual([]);
  });

  it('a 207 without errors[] accepts every item', async () => {
    const [a, b] = [txn(), txn()];
    mock.faults.set({ sequence: [{ status: 207, body: { data: job } }], match: '/transactions' });
    const r = await kard.transactions.create([a, b]);
    expect(r).toEqual({ accepted: [a, b], rejected: [], status: 207, response: { data: job } });
  });
});

describe('errors', () => {
  it('unknown user → KardNotFoundError with parsed errors[]', async () => {
    const err = await kard.users.get('does-not-exist').catch((e) => e);
    expect(err).toBeInstanceOf(KardNotFoundError);
    expect(err.status).toBe(404);
    expect(err.errors[0].status).toBe('404');
    expect(err.name).toBe('KardNotFoundError');
  });

  it('every failure is a KardError, never a plain object', async () => {
    const failures = await Promise.all([
      kard.users.get('nope').catch((e) => e),
      kard.transactions.create([txn({ amount: 'x' })], { validate: false }).catch((e) => e),
      kard.organizations.children.get('nope').catch((e) => e),
    ]);
    for (const f of failures) expect(f).toBeInstanceOf(KardError);
  });
});
