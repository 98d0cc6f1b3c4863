import { safeParseLegacyIncomingTransaction } from '@kardkit/schemas';
import { describe, expect, it } from 'vitest';
import { finish } from '../src/common.js';
import { toLegacyIncoming } from '../src/index.js';
import type { KardTransaction } from '../src/types.js';

const settled: KardTransaction = {
  type: 'transaction',
  id: 'txn_1:SETTLED',
  attributes: {
    userId: 'user-1',
    transactionId: 'txn_1',
    amount: 1250,
    status: 'SETTLED',
    currency: 'USD',
    description: 'CORNER CAFE',
    mcc: '5814',
    authorizationDate: '2026-11-02T10:00:00.000Z',
    settledDate: '2026-11-03T08:00:00.000Z',
    merchant: {
      id: '123456789012345',
      name: 'CORNER CAFE',
      addrCity: 'Austin',
      addrState: 'TX',
      addrZipcode: '78701',
      addrCountry: 'US',
    },
    cardBIN: '424242',
    cardLastFour: '4242',
    authorizationCode: 'A1B2C3',
    direction: 'DEBIT',
    paymentType: 'CARD',
    cardNetwork: 'VISA',
  },
};

describe('toLegacyIncoming', () => {
  it('flattens the merchant, renames the user id and keeps ids, amount, status and dates', () => {
    expect(toLegacyIncoming(settled)).toEqual({
      transactionId: 'txn_1',
      referringPartnerUserId: 'user-1',
      amount: 1250,
      status: 'SETTLED',
      currency: 'USD',
      description: 'CORNER CAFE',
      mcc: '5814',
      authorizationDate: '2026-11-02T10:00:00.000Z',
      settledDate: '2026-11-03T08:00:00.000Z',
      merchantId: '123456789012345',
      merchantName: 'CORNER CAFE',
      merchantAddrCity: 'Austin',
      merchantAddrState: 'TX',
      merchantAddrZipcode: '78701',
      merchantAddrCountry: 'US',
      cardBIN: '424242',
      cardLastFour: '4242',
      authorizationCode: 'A1B2C3',
    });
  });

  it('gives a record the legacy schema accepts, with no undefined keys and no v2-only fields', () => {
    const legacy = toLegacyIncoming(settled);
    expect(safeParseLegacyIncomingTransaction(legacy).success).toBe(true);
    expect(Object.values(legacy)).not.toContain(undefined);
    expect(legacy).not.toHaveProperty('direction');
    expect(legacy).not.toHaveProperty('paymentType');
  });
});

describe('toLegacyIncoming without a merchant', () => {
  it('leaves every merchant field out instead of failing (merchant is optional on a v2 event)', () => {
    const { merchant: _, ...attributes } = settled.attributes;
    const record = toLegacyIncoming({ ...settled, attributes } as KardTransaction);
    expect(Object.keys(record).filter((k) => k.startsWith('merchant'))).toEqual([]);
    expect(record).toMatchObject({ transactionId: 'txn_1', amount: 1250, status: 'SETTLED' });
  });
});

describe('finish', () => {
  it('returns the events when they validate, without undefined keys', () => {
    const r = finish([{ ...settled, attributes: { ...settled.attributes, description2: undefined } }]);
    expect(r.kind).toBe('events');
    if (r.kind === 'events') expect(r.events[0]?.attributes).not.toHaveProperty('description2');
  });

  it('reports an event that fails the schemas as invalid, naming the path and the rule', () => {
    const r = finish([settled, { ...settled, attributes: { ...settled.attributes, cardBIN: '' } }]);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.issues).toContainEqual(
      expect.objectContaining({ path: '[1].attributes.cardBIN', rule: 'R4', severity: 'error' }),
    );
  });
});
