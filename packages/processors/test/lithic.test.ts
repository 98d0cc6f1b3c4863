import { readdirSync, readFileSync } from 'node:fs';
import { safeParseLegacyIncomingTransaction } from '@kardkit/schemas';
import { describe, expect, it } from 'vitest';
import { toLegacyIncoming } from '../src/index.js';
import { fromLithic, type LithicMapOptions } from '../src/lithic.js';
import type { KardTransaction, MapResult } from '../src/types.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests edit fixture payloads at any depth
type Json = Record<string, any>;
const dir = new URL('./fixtures/lithic/', import.meta.url);
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Json;

const ACCOUNT = 'b68b3c3a-6d7c-4d63-9a51-4ea7c1a6f0a1';
const CARD = '19c22c47-7a75-43ee-9891-595419830f7e';
const T1 = '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f01';
const T2 = '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f04';
const opts: LithicMapOptions = { cardBin: '411111', cardLastFour: '4142' };

function events(r: MapResult): KardTransaction[] {
  if (r.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events;
}
const one = (input: string | Json, o: LithicMapOptions = opts): KardTransaction => {
  const list = events(fromLithic(typeof input === 'string' ? fixture(input) : input, o));
  expect(list).toHaveLength(1);
  return list[0] as KardTransaction;
};

const heron = {
  id: '445283188990',
  name: 'BLUE HERON COFFEE',
  addrStreet: '1021 SW MORRISON ST',
  addrCity: 'PORTLAND',
  addrState: 'OR',
  addrZipcode: '97205',
  addrCountry: 'USA',
} as const;
/** The attributes every event of the Blue Heron transaction (T1) shares. */
const inPerson = {
  userId: ACCOUNT,
  currency: 'USD',
  paymentType: 'CARD',
  description: 'BLUE HERON COFFEE',
  mcc: '5814',
  merchant: heron,
  cardBIN: '411111',
  cardLastFour: '4142',
  cardNetwork: 'VISA',
  authorizationCode: '418035',
  panEntryMode: 'CONTACTLESS',
  cardPresence: 'PRESENT',
} as const;
/** The attributes of the online Timberline transactions. */
const online = {
  userId: ACCOUNT,
  currency: 'USD',
  paymentType: 'CARD',
  description: 'TIMBERLINE OUTFITTERS',
  mcc: '5941',
  merchant: {
    id: '000447781200019',
    name: 'TIMBERLINE OUTFITTERS',
    addrCity: 'SEATTLE',
    addrState: 'WA',
    addrZipcode: '98101',
    addrCountry: 'USA',
  },
  cardBIN: '411111',
  cardLastFour: '4142',
  cardNetwork: 'MASTERCARD',
  authorizationCode: '418035',
  panEntryMode: 'ECOMMERCE',
  cardPresence: 'NOT_PRESENT',
} as const;
const grocery = {
  ...inPerson,
  description: 'CASCADE GROCERY',
  mcc: '5411',
  merchant: { ...heron, id: '302918445566778', name: 'CASCADE GROCERY' },
  panEntryMode: 'ICC',
} as const;

describe('fromLithic: a purchase (dual message)', () => {
  it('an approved authorization is APPROVED on the event token, with card, merchant and codes', () => {
    expect(one('authorization-approved')).toEqual({
      type: 'transaction',
      id: 'a6b1c2d3-0001-4f5e-8a9b-0c1d2e3f4a01',
      attributes: {
        ...inPerson,
        transactionId: T1,
        amount: 1250,
        status: 'APPROVED',
        direction: 'DEBIT',
        authorizationDate: '2026-11-02T18:04:12.000Z',
        retrievalReferenceNumber: '431518000193',
      },
    });
  });

  it('a clearing is SETTLED on the clearing token, with both dates and the ARN', () => {
    expect(one('authorization-cleared')).toEqual({
      type: 'transaction',
      id: 'a6b1c2d3-0002-4f5e-8a9b-0c1d2e3f4a02',
      attributes: {
        ...inPerson,
        transactionId: T1,
        amount: 1250,
        status: 'SETTLED',
        direction: 'DEBIT',
        authorizationDate: '2026-11-02T18:04:12.000Z',
        settledDate: '2026-11-03T09:30:00.000Z',
        retrievalReferenceNumber: '431518000193',
        acquirerReferenceNumber: '74512346307000000012345',
      },
    });
  });

  it('an authorization reversal is REVERSED with its transactionDate', () => {
    expect(one('authorization-reversal')).toEqual({
      type: 'transaction',
      id: 'a6b1c2d3-0003-4f5e-8a9b-0c1d2e3f4a03',
      attributes: {
        ...inPerson,
        transactionId: T1,
        amount: 1250,
        status: 'REVERSED',
        direction: 'DEBIT',
        transactionDate: '2026-11-02T18:20:45.000Z',
        retrievalReferenceNumber: '431518000193',
      },
    });
  });

  it('a partial reversal, after which the transaction stays PENDING, is skipped', () => {
    const t = fixture('authorization-reversal');
    t.status = 'PENDING';
    t.events[1].amounts.cardholder.amount = 250;
    expect(fromLithic(t, opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'AUTHORIZATION_REVERSAL released part of the authorization; the rest stays open',
    });
  });

  it("Lithic's expiry of an uncleared authorization is REVERSED too", () => {
    expect(one('authorization-expiry')).toEqual({
      type: 'transaction',
      id: 'a6b1c2d3-0004-4f5e-8a9b-0c1d2e3f4a04',
      attributes: {
        ...inPerson,
        transactionId: T1,
        amount: 1250,
        status: 'REVERSED',
        direction: 'DEBIT',
        transactionDate: '2026-11-09T18:04:12.000Z',
      },
    });
  });

  it('a declined authorization is DECLINED, with the amount the merchant asked for', () => {
    expect(one('authorization-declined')).toEqual({
      type: 'transaction',
      id: 'a6b1c2d3-0005-4f5e-8a9b-0c1d2e3f4a05',
      attributes: {
        ...inPerson,
        transactionId: '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f02',
        amount: 4599,
        status: 'DECLINED',
        direction: 'DEBIT',
        transactionDate: '2026-11-04T12:00:00.000Z',
        retrievalReferenceNumber: '431518000193',
      },
    });
  });

  it("a network stand-in decline after the approval is the transaction's final DECLINED", () => {
    expect(one('authorization-advice-stand-in-decline')).toEqual({
      type: 'transaction',
      id: 'a6b1c2d3-0008-4f5e-8a9b-0c1d2e3f4a08',
      attributes: {
        ...inPerson,
        transactionId: T1,
        amount: 1250,
        status: 'DECLINED',
        direction: 'DEBIT',
        transactionDate: '2026-11-02T18:04:20.000Z',
        retrievalReferenceNumber: '431518000193',
      },
    });
  });

  it('a declined increase of an approved authorization leaves it standing: skipped while the transaction is PENDING', () => {
    const t = fixture('authorization-advice-stand-in-decline');
    t.status = 'PENDING';
    expect(fromLithic(t, opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'AUTHORIZATION_ADVICE declined a change of amount; the approved authorization stands',
    });
    t.events[1].type = 'AUTHORIZATION';
    expect(fromLithic(t, opts)).toMatchObject({ kind: 'skip', code: 'no-kard-status' });
    delete t.status;
    expect(fromLithic(t, opts)).toMatchObject({ kind: 'skip', code: 'no-kard-status' });
  });

  it('an authorization advice that starts a transaction (offline sale) is APPROVED', () => {
    expect(one('authorization-advice-standalone')).toEqual({
      type: 'transaction',
      id: 'a6b1c2d3-0007-4f5e-8a9b-0c1d2e3f4a07',
      attributes: {
        ...inPerson,
        transactionId: '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f03',
        amount: 1800,
        status: 'APPROVED',
        direction: 'DEBIT',
        authorizationDate: '2026-11-05T07:15:00.000Z',
        retrievalReferenceNumber: '431518000193',
      },
    });
  });

  it('an advice that raises an approved authorization, or a late decline after a reversal, is skipped', () => {
    expect(fromLithic(fixture('authorization-advice-increase'), opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: expect.stringContaining('AUTHORIZATION_ADVICE after an approved authorization'),
    });
    const secondAdvice = fixture('authorization-advice-standalone');
    secondAdvice.events.push({ ...secondAdvice.events[0], token: 'adv-2', created: '2026-11-05T08:00:00Z' });
    expect(fromLithic(secondAdvice, opts)).toMatchObject({ kind: 'skip', code: 'no-kard-status' });
    const incremental = fixture('authorization-approved');
    incremental.events.push({ ...incremental.events[0], token: 'incr-1', created: '2026-11-02T19:00:00Z' });
    expect(fromLithic(incremental, opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: expect.stringContaining('AUTHORIZATION after an approved authorization'),
    });
    expect(fromLithic(fixture('authorization-advice-after-reversal'), opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: expect.stringContaining('reversed or expired'),
    });
  });

  it('a force post (clearing with no authorization) is SETTLED, authorized when the transaction occurred', () => {
    expect(one('force-post-clearing')).toEqual({
      type: 'transaction',
      id: 'c8d3e4f5-0001-4b6c-8d9e-2f3a4b5c6d01',
      attributes: {
        ...inPerson,
        transactionId: '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f05',
        amount: 3200,
        status: 'SETTLED',
        direction: 'DEBIT',
        authorizationDate: '2026-11-10T10:00:00.000Z',
        settledDate: '2026-11-10T10:00:00.000Z',
        retrievalReferenceNumber: '431518000193',
        acquirerReferenceNumber: '74512346314000000032001',
      },
    });
  });

  it('a foreign purchase is in the cardholder amount and currency, and keeps only a US state', () => {
    const e = one('foreign-currency-cleared');
    expect(e.attributes).toMatchObject({
      amount: 1090,
      currency: 'USD',
      status: 'SETTLED',
      cardNetwork: 'MASTERCARD',
    });
    expect(e.attributes.merchant).toEqual({
      id: '7744120093',
      name: 'CAFE DE LA GARE',
      addrCity: 'LYON',
      addrZipcode: '69002',
      addrCountry: 'FRA',
    });
    const oregonInFrance = fixture('foreign-currency-cleared');
    oregonInFrance.merchant.state = 'OR';
    expect(one(oregonInFrance).attributes.merchant?.addrState).toBeUndefined();
    const noCountry = fixture('authorization-approved');
    delete noCountry.merchant.country;
    expect(one(noCountry).attributes.merchant?.addrState).toBe('OR');
  });
});

describe('fromLithic: multiple completion (R28)', () => {
  const first = () => one('multiple-completion-first-clearing');
  const second = () => one('multiple-completion-second-clearing');

  it('each clearing is its own SETTLED: own id, amount and settledDate, same transactionId and user', () => {
    expect(first()).toEqual({
      type: 'transaction',
      id: 'b7c2d3e4-0002-4a5b-9c8d-1e2f3a4b5c02',
      attributes: {
        ...online,
        transactionId: T2,
        amount: 7000,
        status: 'SETTLED',
        direction: 'DEBIT',
        authorizationDate: '2026-11-06T15:40:00.000Z',
        settledDate: '2026-11-07T08:00:00.000Z',
        retrievalReferenceNumber: '431610000250',
        acquirerReferenceNumber: '74512346311000000070001',
      },
    });
    expect(second()).toEqual({
      type: 'transaction',
      id: 'b7c2d3e4-0003-4a5b-9c8d-1e2f3a4b5c03',
      attributes: {
        ...online,
        transactionId: T2,
        amount: 1000,
        status: 'SETTLED',
        direction: 'DEBIT',
        authorizationDate: '2026-11-06T15:40:00.000Z',
        settledDate: '2026-11-09T08:00:00.000Z',
        retrievalReferenceNumber: '431610000250',
        acquirerReferenceNumber: '74512346313000000010002',
      },
    });
  });

  it('the expiry of the uncleared rest is not a reversal of the settled purchase', () => {
    expect(fromLithic(fixture('multiple-completion-expiry'), opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: expect.stringContaining('already SETTLED'),
    });
  });

  it('the newest event decides by its created time, not its place in the array', () => {
    const shuffled = fixture('multiple-completion-second-clearing');
    shuffled.events = [shuffled.events[2], shuffled.events[0], shuffled.events[1]];
    expect(one(shuffled).id).toBe('b7c2d3e4-0003-4a5b-9c8d-1e2f3a4b5c03');
    const sameTime = fixture('multiple-completion-second-clearing');
    sameTime.events[2].created = sameTime.events[1].created;
    expect(one(sameTime).id).toBe('b7c2d3e4-0003-4a5b-9c8d-1e2f3a4b5c03');
  });
});

describe('fromLithic: single message, refunds and credits', () => {
  it('an approved financial authorization is one SETTLED with both dates (R27)', () => {
    expect(one('financial-authorization')).toEqual({
      type: 'transaction',
      id: 'c8d3e4f5-0002-4b6c-8d9e-2f3a4b5c6d02',
      attributes: {
        ...grocery,
        transactionId: '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f06',
        amount: 6000,
        status: 'SETTLED',
        direction: 'DEBIT',
        authorizationDate: '2026-11-11T19:22:05.000Z',
        settledDate: '2026-11-11T19:22:05.000Z',
        retrievalReferenceNumber: '431518000193',
      },
    });
    expect(one('financial-authorization-declined').attributes).toMatchObject({
      status: 'DECLINED',
      amount: 6000,
      transactionDate: '2026-11-11T19:30:00.000Z',
    });
  });

  it('a standalone return is RETURNED, direction CREDIT, with a positive amount', () => {
    expect(one('return')).toEqual({
      type: 'transaction',
      id: 'd9e4f5a6-0001-4c7d-9e0f-3a4b5c6d7e01',
      attributes: {
        ...online,
        transactionId: '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f08',
        amount: 2500,
        status: 'RETURNED',
        direction: 'CREDIT',
        transactionDate: '2026-11-14T11:45:00.000Z',
        retrievalReferenceNumber: '431518000193',
        acquirerReferenceNumber: '74512346318000000025001',
      },
    });
  });

  it('a return linked to the purchase is RETURNED on the same transactionId with its own id', () => {
    const purchase = one('financial-authorization');
    const refund = one('financial-authorization-returned');
    expect(refund.attributes).toMatchObject({ status: 'RETURNED', direction: 'CREDIT', amount: 6000 });
    expect(refund.attributes.transactionId).toBe(purchase.attributes.transactionId);
    expect(refund.id).not.toBe(purchase.id);
  });

  it('a reversal of a single-message purchase gives the settled money back: RETURNED, CREDIT', () => {
    const t = fixture('financial-authorization');
    t.events.push({
      ...t.events[0],
      token: 'c8d3e4f5-0005-4b6c-8d9e-2f3a4b5c6d05',
      type: 'AUTHORIZATION_REVERSAL',
      created: '2026-11-11T19:40:00Z',
      effective_polarity: 'CREDIT',
    });
    expect(one(t)).toMatchObject({
      id: 'c8d3e4f5-0005-4b6c-8d9e-2f3a4b5c6d05',
      attributes: {
        status: 'RETURNED',
        direction: 'CREDIT',
        amount: 6000,
        transactionId: '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f06',
        transactionDate: '2026-11-11T19:40:00.000Z',
      },
    });
  });

  it('a credit authorization settled by its return is RETURNED; financial credits too', () => {
    expect(one('credit-authorization-returned').attributes).toMatchObject({
      status: 'RETURNED',
      direction: 'CREDIT',
      amount: 4000,
      transactionId: '3b8a2e37-0c3d-4a8e-9a7d-1d4e2c6b9f11',
      transactionDate: '2026-11-16T08:00:00.000Z',
    });
    expect(one('credit-authorization-returned').id).toBe('e0f5a6b7-0002-4d8e-8f0a-4b5c6d7e8f02');
    expect(one('financial-credit-authorization')).toMatchObject({
      id: 'e0f5a6b7-0007-4d8e-8f0a-4b5c6d7e8f07',
      attributes: {
        status: 'RETURNED',
        direction: 'CREDIT',
        amount: 1500,
        transactionDate: '2026-11-17T14:00:00.000Z',
      },
    });
  });

  it('a refund that has not settled, was cancelled, declined or unmatched is skipped', () => {
    const cases: [string, string][] = [
      ['credit-authorization', 'has not settled'],
      ['credit-authorization-reversal', 'AUTHORIZATION_REVERSAL of a refund authorization'],
      ['credit-authorization-expiry', 'AUTHORIZATION_EXPIRY of a refund authorization'],
      ['credit-authorization-declined', 'CARD_CLOSED'],
      ['return-original-not-found', 'ORIGINAL_NOT_FOUND'],
      ['authorization-reversal-unmatched', 'ORIGINAL_NOT_FOUND'],
      ['return-reversal', 'RETURN_REVERSAL'],
    ];
    for (const [name, why] of cases) {
      expect(fromLithic(fixture(name), opts), name).toEqual({
        kind: 'skip',
        code: 'no-kard-status',
        reason: expect.stringContaining(why),
      });
    }
  });

  it('the expiry of the unsettled rest of a partly settled refund is skipped too', () => {
    const t = fixture('credit-authorization-returned');
    t.events.push({
      ...t.events[0],
      token: 'exp-rest',
      type: 'AUTHORIZATION_EXPIRY',
      created: '2026-11-22T10:00:00Z',
    });
    expect(fromLithic(t, opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'AUTHORIZATION_EXPIRY of a refund authorization; refunds reach Kard when they settle (RETURN)',
    });
  });

  it('a credit authorization advice is a refund not settled yet; its reversal has no status either', () => {
    const t = fixture('credit-authorization');
    t.events[0].type = 'CREDIT_AUTHORIZATION_ADVICE';
    expect(fromLithic(t, opts)).toMatchObject({
      code: 'no-kard-status',
      reason: expect.stringContaining('CREDIT_AUTHORIZATION_ADVICE holds a refund'),
    });
    const reversed = fixture('credit-authorization-reversal');
    reversed.events[0].type = 'CREDIT_AUTHORIZATION_ADVICE';
    expect(fromLithic(reversed, opts)).toMatchObject({
      code: 'no-kard-status',
      reason: expect.stringContaining('of a refund authorization'),
    });
  });

  it('a step without a result moves no money', () => {
    const t = fixture('return');
    delete t.events[0].result;
    expect(fromLithic(t, opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'RETURN with result (none) moves no money',
    });
  });

  it('network corrections have no Kard status', () => {
    for (const type of ['CORRECTION_CREDIT', 'CORRECTION_DEBIT']) {
      const t = fixture('authorization-cleared');
      t.events.push({ ...t.events[1], token: 'corr-1', type, created: '2026-11-05T00:00:00Z' });
      expect(fromLithic(t, opts)).toEqual({
        kind: 'skip',
        code: 'no-kard-status',
        reason: expect.stringContaining(type),
      });
    }
  });
});

describe('fromLithic: not for Kard', () => {
  it('balance inquiries and zero-amount authorizations are non-financial', () => {
    expect(fromLithic(fixture('balance-inquiry'), opts)).toEqual({
      kind: 'skip',
      code: 'non-financial',
      reason: expect.stringContaining('balance inquiry'),
    });
    expect(fromLithic(fixture('account-verification'), opts)).toEqual({
      kind: 'skip',
      code: 'non-financial',
      reason: expect.stringContaining('AUTHORIZATION of zero amount'),
    });
  });

  it('card, enhanced-data and approval-request webhooks are skipped with their reason', () => {
    expect(fromLithic(fixture('card-created'), opts)).toEqual({
      kind: 'skip',
      code: 'not-a-transaction',
      reason: 'card.created is not about card spending',
    });
    expect(fromLithic({ event_type: 'dispute_transaction.updated' }, opts)).toMatchObject({
      code: 'not-a-transaction',
    });
    expect(fromLithic(fixture('enhanced-data-created'), opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: expect.stringContaining('card_transaction.enhanced_data.created'),
    });
    expect(fromLithic(fixture('approval-request'), opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: expect.stringContaining('card_authorization.approval_request'),
    });
  });

  it("every family of Lithic's other webhooks is not-a-transaction", () => {
    const others = [
      'account_holder.created',
      'account_holder_document.updated',
      'auth_rules.backtest_report.created',
      'balance.updated',
      'book_transfer_transaction.created',
      'card.shipped',
      'digital_wallet.tokenization_result',
      'dispute.updated',
      'dispute_evidence.upload_failed',
      'dispute_transaction.created',
      'external_bank_account.updated',
      'external_payment.created',
      'financial_account.created',
      'funding_event.created',
      'internal_transaction.updated',
      'loan_tape.created',
      'management_operation.created',
      'network_total.updated',
      'payment_transaction.updated',
      'settlement_report.updated',
      'statements.created',
      'three_ds_authentication.challenge',
      'tokenization.updated',
    ];
    for (const type of others) {
      expect(fromLithic({ event_type: type }, opts), type).toEqual({
        kind: 'skip',
        code: 'not-a-transaction',
        reason: `${type} is not about card spending`,
      });
    }
  });

  it('says why a body is not a Lithic event', () => {
    expect(fromLithic(null, opts)).toEqual({
      kind: 'skip',
      code: 'unknown-event',
      reason: 'not a Lithic webhook event: expected a JSON object',
    });
    expect(fromLithic(['x'], opts)).toMatchObject({
      reason: expect.stringContaining('expected a JSON object'),
    });
    expect(fromLithic({ token: 'x' }, opts)).toMatchObject({
      reason: 'not a Lithic webhook event: no event_type',
    });
    expect(fromLithic({ event_type: 'card_transaction.updated', events: [] }, opts)).toMatchObject({
      reason: 'a Lithic card transaction without a token',
    });
    expect(
      fromLithic({ event_type: 'card_transaction.updated', token: 't1', events: ['x', 7, null, []] }, opts),
    ).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'Lithic transaction t1 has no events yet',
    });
  });

  it('anything else is an unknown event, never an exception', () => {
    const unknown = (input: unknown) =>
      expect(fromLithic(input, opts)).toMatchObject({ kind: 'skip', code: 'unknown-event' });
    for (const input of [null, undefined, 42, 'card_transaction.updated', [], {}, { event_type: 7 }])
      unknown(input);
    expect(fromLithic({ event_type: 'card_transaction.created' }, opts)).toEqual({
      kind: 'skip',
      code: 'unknown-event',
      reason: 'unknown Lithic event type card_transaction.created',
    });
    expect(fromLithic({ event_type: 'cards' }, opts)).toMatchObject({ code: 'unknown-event' });
    unknown({ event_type: 'card_transaction.updated' });
    unknown({ event_type: 'card_transaction.updated', token: '  ', events: [] });
    const tokenless = fixture('authorization-approved');
    delete tokenless.events[0].token;
    expect(fromLithic(tokenless, opts)).toEqual({
      kind: 'skip',
      code: 'unknown-event',
      reason: `AUTHORIZATION event without a token in Lithic transaction ${T1}`,
    });
    const untyped = fixture('authorization-approved');
    delete untyped.events[0].type;
    expect(fromLithic(untyped, opts)).toEqual({
      kind: 'skip',
      code: 'unknown-event',
      reason: 'unknown Lithic transaction event type (none)',
    });
    const strange = fixture('authorization-approved');
    strange.events[0].type = 'TELEPORT';
    expect(fromLithic(strange, opts)).toEqual({
      kind: 'skip',
      code: 'unknown-event',
      reason: expect.stringContaining('TELEPORT'),
    });
    expect(fromLithic({ ...fixture('authorization-approved'), events: [] }, opts)).toMatchObject({
      code: 'no-kard-status',
    });
    expect(fromLithic({ ...fixture('authorization-approved'), events: ['x', null] }, opts)).toMatchObject({
      code: 'no-kard-status',
    });
  });
});

describe('fromLithic: shapes, ids and options', () => {
  it("the Event object's payload and a bare Transaction map like the webhook", () => {
    const webhook = one('authorization-cleared');
    expect(one('authorization-cleared-envelope')).toEqual(webhook);
    const { event_type: _, ...bare } = fixture('authorization-cleared');
    expect(one(bare)).toEqual(webhook);
  });

  it('ids are deterministic, distinct across lifecycle steps, and the transactionId is shared (R10, R26)', () => {
    const steps = [
      'authorization-approved',
      'authorization-cleared',
      'authorization-reversal',
      'authorization-expiry',
    ];
    const mapped = steps.map((s) => one(s));
    expect(steps.map((s) => one(s).id)).toEqual(mapped.map((e) => e.id));
    expect(new Set(mapped.map((e) => e.id)).size).toBe(steps.length);
    expect(new Set(mapped.map((e) => e.attributes.transactionId))).toEqual(new Set([T1]));
  });

  it('is invalid without a BIN, naming attributes.cardBIN and R4; without last four, attributes.cardLastFour', () => {
    const r = fromLithic(fixture('authorization-approved'), { cardLastFour: '4142' });
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.events[0]?.attributes.cardBIN).toBe('');
    expect(r.issues).toContainEqual(
      expect.objectContaining({ path: '[0].attributes.cardBIN', rule: 'R4', severity: 'error' }),
    );
    const noLastFour = fromLithic(fixture('authorization-approved'), { cardBin: '411111' });
    expect(noLastFour.kind).toBe('invalid');
    if (noLastFour.kind === 'invalid') {
      expect(noLastFour.events[0]?.attributes.cardLastFour).toBe('');
      expect(noLastFour.issues).toContainEqual(
        expect.objectContaining({ path: '[0].attributes.cardLastFour', severity: 'error' }),
      );
    }
  });

  it('userId, cardBin and cardLastFour options get the card and cardholder of the event', () => {
    const seen: unknown[] = [];
    const e = one('authorization-approved', {
      userId: (ref) => {
        seen.push(ref);
        return `kard-${ref.cardholderId}`;
      },
      cardBin: (ref) => (ref.cardId === CARD ? '520000' : undefined),
      cardLastFour: (ref) => (ref.cardId === CARD ? '0007' : undefined),
    });
    expect(seen).toEqual([{ processor: 'lithic', cardholderId: ACCOUNT, cardId: CARD }]);
    expect(e.attributes).toMatchObject({
      userId: `kard-${ACCOUNT}`,
      cardBIN: '520000',
      cardLastFour: '0007',
    });
    const unknownUser = fromLithic(fixture('authorization-approved'), { ...opts, userId: () => undefined });
    expect(unknownUser.kind).toBe('invalid');
  });

  it("a card object's last_four in the event wins over the option", () => {
    const t = fixture('authorization-approved');
    t.card = { token: CARD, last_four: '9876' };
    const seen: unknown[] = [];
    const e = one(t, {
      cardBin: '411111',
      cardLastFour: (ref) => {
        seen.push(ref);
        return '4142';
      },
    });
    expect(e.attributes.cardLastFour).toBe('9876');
    expect(seen).toEqual([]);
  });

  it("takes the card token from a card object when there is no card_token, and a US merchant's state with country US", () => {
    const t = fixture('authorization-approved');
    delete t.card_token;
    t.card = { token: 'card-from-object' };
    t.merchant.country = 'US';
    const seen: unknown[] = [];
    const e = one(t, {
      cardBin: '411111',
      cardLastFour: (ref) => {
        seen.push(ref.cardId);
        return '4142';
      },
    });
    expect(seen).toEqual(['card-from-object']);
    expect(e.attributes.merchant).toMatchObject({ addrState: 'OR', addrCountry: 'US' });
  });

  it('a SETTLED without the transaction created time takes the clearing time as authorizationDate', () => {
    const t = fixture('authorization-cleared');
    delete t.created;
    expect(one(t).attributes).toMatchObject({
      authorizationDate: '2026-11-03T09:30:00.000Z',
      settledDate: '2026-11-03T09:30:00.000Z',
    });
  });

  it('maps an event without card token, card object or pos, which Lithic may leave out', () => {
    const t = fixture('authorization-approved');
    delete t.card_token;
    delete t.pos;
    const refs: unknown[] = [];
    const e = one(t, {
      cardBin: '411111',
      cardLastFour: (ref) => {
        refs.push(ref);
        return '4142';
      },
    });
    expect(refs).toEqual([{ processor: 'lithic', cardholderId: ACCOUNT }]);
    expect(e.attributes).not.toHaveProperty('panEntryMode');
    t.pos = {};
    expect(one(t).attributes).not.toHaveProperty('cardPresence');
  });

  it('maps the card networks Kard knows and leaves the others out', () => {
    const network = (n: unknown) => {
      const t = fixture('authorization-approved');
      t.network = n;
      return one(t).attributes.cardNetwork;
    };
    expect([
      network('VISA'),
      network('INTERLINK'),
      network('MASTERCARD'),
      network('MAESTRO'),
      network('AMEX'),
    ]).toEqual(['VISA', 'VISA', 'MASTERCARD', 'MASTERCARD', 'AMERICANEXPRESS']);
    expect([network('UNKNOWN'), network(null), network('toString')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('leaves out what Lithic does not know, and the merchant when it has no name (R7)', () => {
    const t = fixture('authorization-approved');
    t.pos.entry_mode = { card: 'UNKNOWN', pan: 'UNSPECIFIED' };
    t.authorization_code = null;
    t.events[0].network_info = null;
    t.merchant = { descriptor: '  ', mcc: '5814' };
    const r = fromLithic(t, opts);
    expect(r.kind).toBe('invalid');
    const a = (r.kind === 'invalid' ? r.events[0] : undefined)?.attributes;
    expect(a).toBeDefined();
    for (const key of [
      'panEntryMode',
      'cardPresence',
      'authorizationCode',
      'retrievalReferenceNumber',
      'merchant',
    ]) {
      expect(a).not.toHaveProperty(key);
    }
  });

  it('reads payloads from before `amounts`: the signed legacy amount in the settlement currency', () => {
    const t = fixture('return');
    delete t.events[0].amounts;
    t.events[0].amount = -2500;
    expect(one(t).attributes).toMatchObject({ amount: 2500, currency: 'USD', status: 'RETURNED' });
    t.amounts = { cardholder: { amount: 2500, currency: ' eur ' } };
    expect(one(t).attributes.currency).toBe('EUR');
    delete t.amounts;
    const r = fromLithic(t, opts);
    expect(r.kind).toBe('invalid');
  });

  it('falls back from the cardholder amount to the settlement, then the merchant amount', () => {
    for (const odd of ['1090', Number.POSITIVE_INFINITY, null]) {
      const t = fixture('foreign-currency-cleared');
      t.events[1].amounts.cardholder.amount = odd;
      t.events[1].amounts.settlement.amount = 1095;
      expect(one(t).attributes.amount, String(odd)).toBe(1095);
    }
    const t = fixture('foreign-currency-cleared');
    t.events[1].amounts.cardholder.amount = 0;
    expect(one(t).attributes).toMatchObject({ amount: 1090, currency: 'USD' });
    t.events[1].amounts.settlement = null;
    expect(one(t).attributes).toMatchObject({ amount: 1000, currency: 'EUR' });
  });

  it('every mapped fixture passes the legacy schema through toLegacyIncoming', () => {
    const names = readdirSync(dir).filter((f) => f.endsWith('.json'));
    let mapped = 0;
    for (const name of names) {
      const r = fromLithic(fixture(name.replace(/\.json$/, '')), opts);
      expect(r.kind, name).not.toBe('invalid');
      if (r.kind !== 'events') continue;
      for (const e of r.events) {
        expect(safeParseLegacyIncomingTransaction(toLegacyIncoming(e)).success, name).toBe(true);
        mapped++;
      }
    }
    expect(mapped).toBeGreaterThanOrEqual(18);
  });
});
