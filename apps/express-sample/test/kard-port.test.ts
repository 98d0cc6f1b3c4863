/**
 * kard.ts, the seam between the sample and Kard: every answer Kard can give to a send, mapped to
 * what the outbox does with it, over loopback against the mock (its fault injection plays Kard's
 * refusals).
 */
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { KardApiError, KardConnectionError, KardTimeoutError, KardValidationError } from '@kardkit/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKardPort, isAuthFailure, isTransient, type KardPort } from '../src/kard.js';
import type { OutboxRow } from '../src/outbox.js';
import { createKardClient } from '../src/sample.js';
import { MERCHANT, NO_OFFER, sampleConfig, txEvent } from './helpers.js';

const apiError = (status: number) =>
  new KardApiError({ status, body: { errors: [{ status: String(status) }] } });

describe('which failures are worth a retry', () => {
  it('connection problems, timeouts, 401, 403, 408, 429 and 5xx are transient', () => {
    expect(isTransient(new KardConnectionError('reset'))).toBe(true);
    expect(isTransient(new KardTimeoutError('slow'))).toBe(true);
    for (const status of [401, 403, 408, 429, 500, 502, 503])
      expect(isTransient(apiError(status))).toBe(true);
    expect(isTransient(new Error('a bug of ours'))).toBe(true);
  });

  it('other 4xx answers and validation errors are about the request: not transient', () => {
    for (const status of [400, 404, 409, 422, 499]) expect(isTransient(apiError(status))).toBe(false);
    expect(isTransient(new KardValidationError([]))).toBe(false);
  });

  it('auth failures are exactly 401 and 403 answers', () => {
    expect(isAuthFailure(apiError(401))).toBe(true);
    expect(isAuthFailure(apiError(403))).toBe(true);
    for (const status of [400, 404, 407, 500]) expect(isAuthFailure(apiError(status))).toBe(false);
    expect(isAuthFailure(new KardConnectionError('reset'))).toBe(false);
  });
});

describe('the Kard port against the mock', () => {
  let mock: MockKard;
  let port: KardPort;
  let made = 0;
  const row = (id: string, o: Partial<Parameters<typeof txEvent>[1]> = {}): OutboxRow => ({
    id,
    kind: 'v2',
    attempts: 1,
    payload: txEvent(id, { userId: 'port-user', transactionId: `txn-${id}`, merchant: NO_OFFER, ...o }),
  });
  const legacyRow = (id: string): OutboxRow => ({
    id,
    kind: 'legacy',
    attempts: 1,
    payload: {
      transactionId: `txn-${id}`,
      referringPartnerUserId: 'port-user',
      amount: 900,
      status: 'APPROVED',
      currency: 'USD',
      description: NO_OFFER,
      merchantName: NO_OFFER,
      authorizationDate: '2026-11-20T12:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4242',
    },
  });

  beforeAll(async () => {
    mock = await startMockKard({ maxRecordedRequests: 1000 });
    const config = sampleConfig(mock);
    // No SDK retries: each answer of the mock reaches the port as it is.
    port = createKardPort(() => {
      made += 1;
      return createKardClient({ ...config, kard: { ...config.kard, maxRetries: 0 } });
    });
    const created = await port.createUser({
      data: [{ type: 'user', id: 'port-user', attributes: { enrolledRewards: ['CARDLINKED'] } }],
    });
    expect(created.rejected).toEqual([]);
  });
  afterEach(() => mock?.faults.clear());
  afterAll(async () => {
    await mock?.close();
  });

  it('sends v2 events; Kard accepts them all', async () => {
    const result = await port.sendTransactions('v2', [row('p-ok-1'), row('p-ok-2')]);
    expect(result).toMatchObject({ rejected: [] });
    expect(result.transientError).toBeUndefined();
    expect(result.response).toMatchObject({ data: { type: 'job' } });
    expect(mock.eventCount('p-ok-1')).toBe(1);
    expect(mock.eventCount('p-ok-2')).toBe(1);
  });

  it('sends legacy records to POST /transactions/incoming', async () => {
    const before = mock.stats().legacyIncoming.accepted;
    const result = await port.sendTransactions('legacy', [legacyRow('p-legacy-1')]);
    expect(result.rejected).toEqual([]);
    expect(result.transientError).toBeUndefined();
    expect(result.response).toBeDefined();
    expect(mock.stats().legacyIncoming.accepted).toBe(before + 1);
    expect(mock.requests.at(-1)?.path).toBe('/transactions/incoming');
  });

  it('a row that no longer passes validation is rejected on its own (legacy rules for legacy rows)', async () => {
    const bad = legacyRow('p-legacy-bad');
    (bad.payload as Record<string, unknown>).status = 'SETTLED'; // R2: settledDate missing
    const result = await port.sendTransactions('legacy', [bad, legacyRow('p-legacy-2')]);
    expect(result.rejected).toEqual([
      {
        id: 'p-legacy-bad',
        reason: {
          source: 'kardkit validation',
          issues: expect.arrayContaining([expect.objectContaining({ rule: 'R2' })]),
        },
      },
    ]);
    expect(result.transientError).toBeUndefined();
  });

  it('a batch with no valid row is not sent at all', async () => {
    const bad = row('p-all-bad', { status: 'SETTLED' });
    delete (bad.payload.attributes as Record<string, unknown>).settledDate;
    const requests = mock.requests.length;
    const result = await port.sendTransactions('v2', [bad]);
    expect(result).toEqual({
      rejected: [{ id: 'p-all-bad', reason: expect.objectContaining({ source: 'kardkit validation' }) }],
    });
    expect(mock.requests.length).toBe(requests);
  });

  it("a 207 pins each error on its event: rejected with Kard's reason; a per-event 409 is delivered", async () => {
    mock.faults.set({
      match: '/transactions',
      sequence: [
        {
          status: 207,
          body: {
            errors: [
              {
                status: '400',
                title: 'Invalid',
                detail: 'unknown card product',
                source: { pointer: '/data/1' },
              },
              { status: '409', title: 'Conflict', detail: 'already received', id: 'p-207-c' },
            ],
            data: { type: 'job', id: 'job-p', attributes: { status: 'queued' } },
          },
        },
      ],
    });
    const result = await port.sendTransactions('v2', [row('p-207-a'), row('p-207-b'), row('p-207-c')]);
    expect(result.transientError).toBeUndefined();
    expect(result.rejected).toEqual([
      { id: 'p-207-b', reason: expect.objectContaining({ detail: 'unknown card product' }) },
    ]);
    expect(result.response).toMatchObject({ data: { id: 'job-p' } });
  });

  it('a 207 error that names no event of the batch makes the batch a retry, never a guess', async () => {
    for (const error of [
      { status: '400', detail: 'something is wrong' },
      { status: '400', detail: 'not ours', id: 'p-elsewhere' },
    ]) {
      mock.faults.set({ match: '/transactions', sequence: [{ status: 207, body: { errors: [error] } }] });
      const result = await port.sendTransactions('v2', [row('p-unattr-a')]);
      expect(result.rejected).toEqual([]);
      expect(result.transientError).toBe(`unattributed error in a 207: ${error.detail}`);
    }
    mock.faults.set({
      match: '/transactions',
      sequence: [{ status: 207, body: { errors: [{ status: '400' }] } }],
    });
    expect((await port.sendTransactions('v2', [row('p-unattr-b')])).transientError).toBe(
      'unattributed error in a 207: ',
    );
  });

  it("a whole-request 400 rejects every event with Kard's answer (rows already rejected keep their reason)", async () => {
    const bad = row('p-400-bad', { status: 'SETTLED' });
    delete (bad.payload.attributes as Record<string, unknown>).settledDate;
    mock.faults.set({ match: '/transactions', sequence: [{ status: 400 }] });
    const result = await port.sendTransactions('v2', [bad, row('p-400-a'), row('p-400-b')]);
    expect(result.transientError).toBeUndefined();
    expect(result.rejected.map((r) => r.id)).toEqual(['p-400-bad', 'p-400-a', 'p-400-b']);
    expect(result.rejected[0]?.reason).toMatchObject({ source: 'kardkit validation' });
    expect(result.rejected[1]?.reason).toEqual({
      status: 400,
      errors: [expect.objectContaining({ status: '400' })],
    });
  });

  it('a whole-request 409 means Kard has these ids already: delivered, with a note', async () => {
    mock.faults.set({ match: '/transactions', sequence: [{ status: 409 }] });
    const result = await port.sendTransactions('v2', [row('p-409-a')]);
    expect(result).toEqual({
      rejected: [],
      response: {
        status: 409,
        errors: [expect.objectContaining({ status: '409' })],
        note: 'already received by Kard',
      },
    });
  });

  it('5xx, 429 and dropped connections are transient, with the cause as text', async () => {
    mock.faults.set({ match: '/transactions', sequence: [{ status: 503 }, { status: 429 }, { drop: true }] });
    const a = await port.sendTransactions('v2', [row('p-tr-a')]);
    expect(a.transientError).toMatch(/^HTTP 503: /);
    expect(a.rejected).toEqual([]);
    expect((await port.sendTransactions('v2', [row('p-tr-a')])).transientError).toMatch(/^HTTP 429: /);
    expect((await port.sendTransactions('v2', [row('p-tr-a')])).transientError).toMatch(
      /^KardConnectionError: /,
    );
  });

  it('a 401 or 403 makes a new client for the next send; other failures do not', async () => {
    const before = made;
    mock.faults.set({ match: '/transactions', sequence: [{ status: 500 }, { status: 400 }] });
    await port.sendTransactions('v2', [row('p-auth-0')]);
    await port.sendTransactions('v2', [row('p-auth-0')]);
    expect(made).toBe(before);
    mock.faults.set({
      match: '/transactions',
      sequence: [{ status: 403 }, { status: 401 }, { status: 401 }],
    });
    const forbidden = await port.sendTransactions('v2', [row('p-auth-1')]);
    expect(forbidden.transientError).toMatch(/^HTTP 403: /);
    expect(made).toBe(before + 1);
    const unauthorized = await port.sendTransactions('v2', [row('p-auth-1')]);
    expect(unauthorized.transientError).toMatch(/^HTTP 401: /);
    expect(made).toBe(before + 2);
    const tokens = mock.stats().tokenRequests;
    const ok = await port.sendTransactions('v2', [row('p-auth-1')]);
    expect(ok.transientError).toBeUndefined();
    expect(mock.stats().tokenRequests).toBe(tokens + 1); // the new client fetched a new token
    expect(mock.eventCount('p-auth-1')).toBe(1);
  });

  it('a port made from a client instance keeps it (nothing to renew it with)', async () => {
    const config = sampleConfig(mock);
    const fixed = createKardPort(createKardClient({ ...config, kard: { ...config.kard, maxRetries: 0 } }));
    mock.faults.set({ match: '/transactions', sequence: [{ status: 403 }] });
    expect((await fixed.sendTransactions('v2', [row('p-fixed')])).transientError).toMatch(/^HTTP 403: /);
    expect((await fixed.sendTransactions('v2', [row('p-fixed')])).transientError).toBeUndefined();
  });

  it('createUser passes Kard per-user errors on', async () => {
    const again = await port.createUser({
      data: ['port-user', 'port-user-2'].map((id) => ({
        type: 'user',
        id,
        attributes: { enrolledRewards: ['CARDLINKED'] },
      })),
    });
    expect(again.rejected).toHaveLength(1);
    expect(again.rejected[0]).toEqual({
      status: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
  });

  it('listOffers passes page[size], page[after] and page[before] through and returns the next cursor', async () => {
    const first = await port.listOffers('port-user', { size: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.next).toMatchObject({ 'page[after]': expect.any(String) });
    expect(first.links).toBeDefined();
    const sent = mock.requests.at(-1);
    expect(sent?.query).toEqual({ 'page[size]': '2' });
    const second = await port.listOffers('port-user', { size: 2, after: first.next!['page[after]']! });
    expect(mock.requests.at(-1)?.query).toMatchObject({
      'page[size]': '2',
      'page[after]': expect.any(String),
    });
    expect(second.data[0]).not.toEqual(first.data[0]);
    await port.listOffers('port-user', { before: 'cursor-x' }).catch(() => {});
    expect(mock.requests.at(-1)?.query).toEqual({ 'page[before]': 'cursor-x' });
    mock.faults.set({ match: '/offers', sequence: [{ status: 200, body: { data: [{ id: 'o-last' }] } }] });
    const last = await port.listOffers('port-user', {});
    expect(last).toEqual({ data: [{ id: 'o-last' }], next: null });
  });

  it('listEarnedRewards returns the first page of Kard\u2019s own list', async () => {
    const rewarded = row('p-reward', { merchant: MERCHANT, status: 'SETTLED' });
    (rewarded.payload.attributes as Record<string, unknown>).settledDate = '2026-11-21T10:00:00Z';
    await port.sendTransactions('v2', [rewarded]);
    const rewards = await port.listEarnedRewards('port-user');
    expect(Array.isArray(rewards)).toBe(true);
    expect(mock.requests.at(-1)?.path).toContain('/users/port-user/earned-rewards');
  });

  it('describeError maps SDK errors to answers for the sample\u2019s callers', () => {
    expect(port.describeError(new KardValidationError([]))).toEqual({
      status: 400,
      body: { error: 'rejected before sending to Kard', issues: [] },
    });
    expect(port.describeError(apiError(404))).toEqual({
      status: 404,
      body: { error: 'Kard answered HTTP 404', errors: [{ status: '404' }] },
    });
    for (const status of [401, 403, 500, 503]) expect(port.describeError(apiError(status))?.status).toBe(502);
    expect(port.describeError(apiError(499))?.status).toBe(499);
    expect(port.describeError(new KardConnectionError('x'))).toEqual({
      status: 504,
      body: { error: 'Kard did not answer' },
    });
    expect(port.describeError(new KardTimeoutError('x'))?.status).toBe(504);
    expect(port.describeError(new Error('other'))).toBeNull();
  });
});
