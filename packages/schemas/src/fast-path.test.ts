// The common case is fast: a valid transaction batch (up to the 500-event cap, R11) is accepted
// by the hand-written checks without running the zod schema, which then judges only what they
// do not accept. (What both paths decide is the same: properties.test.ts compares them.)
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkBatch,
  safeParseLegacyIncomingTransaction,
  safeParseLegacyIncomingTransactions,
  safeParseTransactionEvent,
  safeParseTransactionsRequest,
} from './index.js';
import { settledBatch, validCore, validLegacy, validMatched, validTransaction } from './testing.js';
import {
  legacyIncomingTransactionSchema,
  legacyIncomingTransactionsSchema,
  transactionEventSchema,
  transactionsRequestSchema,
  uploadPartItemSchema,
} from './transactions.js';

afterEach(() => vi.restoreAllMocks());

const zodRuns = (schema: { safeParse: unknown }) =>
  vi.spyOn(schema as { safeParse: () => unknown }, 'safeParse');

describe('valid transactions skip the zod schema', () => {
  it('a batch of 500 valid events: accepted without zod; 501 or a repeated id: judged by zod', () => {
    const zod = zodRuns(transactionsRequestSchema);
    expect(safeParseTransactionsRequest(settledBatch(500)).success).toBe(true);
    expect(safeParseTransactionsRequest(settledBatch(1)).success).toBe(true);
    expect(zod).not.toHaveBeenCalled();

    expect(safeParseTransactionsRequest(settledBatch(501)).issues[0]).toMatchObject({ rule: 'R11' });
    expect(zod).toHaveBeenCalledTimes(1);
    const repeated = settledBatch(3);
    repeated.data[2]!.id = repeated.data[0]!.id;
    expect(safeParseTransactionsRequest(repeated).issues[0]).toMatchObject({
      rule: 'R10',
      path: 'data[2].id',
    });
    expect(zod).toHaveBeenCalledTimes(2);
    const invalidLast = settledBatch(3);
    invalidLast.data[2]!.attributes.cardBIN = '4111';
    expect(safeParseTransactionsRequest(invalidLast).issues[0]).toMatchObject({
      rule: 'R4',
      path: 'data[2].attributes.cardBIN',
    });
    expect(zod).toHaveBeenCalledTimes(3);
  });
  it('one event of each type and status', () => {
    const zod = zodRuns(transactionEventSchema);
    const approved = validTransaction({ status: 'APPROVED' });
    delete approved.attributes.settledDate;
    const events = [
      validTransaction(),
      approved,
      validTransaction({ status: 'DECLINED', transactionDate: '2024-05-01T10:00:00Z' }),
      validTransaction({ status: 'REVERSED', transactionDate: '2024-05-01T10:00:00Z' }),
      validTransaction({ status: 'RETURNED', transactionDate: '2024-05-01T10:00:00Z' }),
      validMatched(),
      validCore(),
    ].map((e) => JSON.parse(JSON.stringify(e)));
    for (const e of events)
      expect(safeParseTransactionEvent(e).issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(zod).not.toHaveBeenCalled();
    expect(safeParseTransactionEvent(validTransaction({ cardBIN: '4111' })).success).toBe(false);
    expect(zod).toHaveBeenCalledTimes(1);
  });
  it('legacy incoming records, as an array and one by one', () => {
    const many = zodRuns(legacyIncomingTransactionsSchema);
    const one = zodRuns(legacyIncomingTransactionSchema);
    const second = validLegacy({ transactionId: 'txn-2' });
    expect(safeParseLegacyIncomingTransactions([validLegacy(), second]).success).toBe(true);
    expect(safeParseLegacyIncomingTransaction(validLegacy()).success).toBe(true);
    expect(many).not.toHaveBeenCalled();
    expect(one).not.toHaveBeenCalled();
    // One bad record among good ones sends the whole array to zod, which names it.
    const r = safeParseLegacyIncomingTransactions([validLegacy(), { ...second, cardBIN: '4111' }]);
    expect(r.issues[0]).toMatchObject({ rule: 'R4', path: '[1].cardBIN' });
    expect(many).toHaveBeenCalledTimes(1);
    expect(safeParseLegacyIncomingTransaction({ ...second, cardBIN: '4111' }).success).toBe(false);
    expect(one).toHaveBeenCalled();
  });
  it('checkBatch runs zod only for the items the fast checks do not accept', () => {
    const events = zodRuns(transactionEventSchema);
    const parts = zodRuns(uploadPartItemSchema);
    const legacy = zodRuns(legacyIncomingTransactionSchema);
    const batch = settledBatch(3).data;
    batch[1]!.attributes.cardBIN = '4111';
    expect(checkBatch('transactions', batch).valid.map((v) => v.index)).toEqual([0, 2]);
    expect(events).toHaveBeenCalledTimes(1);
    const historical = settledBatch(2).data.map((t) => ({ ...t, type: 'historicalTransaction' }));
    expect(checkBatch('uploadParts', historical).valid).toHaveLength(2);
    expect(parts).not.toHaveBeenCalled();
    expect(
      checkBatch('legacyIncoming', [validLegacy(), validLegacy({ transactionId: 't2' })]).valid,
    ).toHaveLength(2);
    expect(legacy).not.toHaveBeenCalled();
  });
});
