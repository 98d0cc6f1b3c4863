import { readFileSync } from 'node:fs';
import { safeParseLegacyIncomingTransaction } from '@kardkit/schemas';
import { describe, expect, it } from 'vitest';
import {
  type CardholderRef,
  fromMarqeta,
  fromMarqetaEach,
  type MapResult,
  toLegacyIncoming,
} from '../src/index.js';
import { currencyDigits, toMinorUnits } from '../src/marqeta.js';
import type { KardTransaction } from '../src/types.js';

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  return JSON.parse(
    readFileSync(new URL(`./fixtures/marqeta/${name}.json`, import.meta.url), 'utf8'),
  ) as Json;
}

/** The first transaction of a fixture, to make variants of it. */
function first(name: string): Json {
  return (fixture(name).transactions as Json[])[0] as Json;
}

function body(...transactions: unknown[]): Json {
  return { transactions };
}

const BIN = { cardBin: '424242' };

function events(r: MapResult): KardTransaction[] {
  if (r.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events;
}

function only(r: MapResult): KardTransaction {
  const e = events(r);
  expect(e).toHaveLength(1);
  return e[0] as KardTransaction;
}

const USER = 'user_8c1e6b52';
const AUTH = '8f0b3a4e-2c1d-4e5f-9a6b-7c8d9e0f1a2b';
const CLEARING = 'c1e2a3b4-5d6f-4a7b-8c9d-0e1f2a3b4c5d';
const CORNER_CAFE = {
  id: '000000000011111',
  name: 'Corner Cafe',
  addrCity: 'Oakland',
  addrState: 'CA',
  addrZipcode: '94612',
  addrCountry: 'USA',
} as const;
const VISA_CARD = {
  cardBIN: '424242',
  cardLastFour: '1234',
  paymentType: 'CARD',
  cardNetwork: 'VISA',
  panEntryMode: 'CHIP',
  cardPresence: 'true',
} as const;

describe('fromMarqeta: the purchase lifecycle', () => {
  it('an approved authorization (PENDING, 0000) is APPROVED, with $10.10 as 1010 cents', () => {
    expect(fromMarqeta(fixture('authorization'), BIN)).toEqual({
      kind: 'events',
      issues: [],
      events: [
        {
          type: 'transaction',
          id: `${AUTH}:APPROVED`,
          attributes: {
            userId: USER,
            transactionId: AUTH,
            amount: 1010,
            status: 'APPROVED',
            currency: 'USD',
            description: 'Corner Cafe',
            mcc: '5812',
            authorizationDate: '2026-11-02T17:26:29.000Z',
            merchant: CORNER_CAFE,
            authorizationCode: '761515',
            retrievalReferenceNumber: '528294182583',
            systemTraceAuditNumber: '656761',
            direction: 'DEBIT',
            ...VISA_CARD,
          },
        },
      ],
    });
  });

  it('its clearing is SETTLED under the authorization token, with the cleared amount and both dates', () => {
    expect(only(fromMarqeta(fixture('authorization-clearing'), BIN))).toEqual({
      type: 'transaction',
      id: `${CLEARING}:SETTLED`,
      attributes: {
        userId: USER,
        transactionId: AUTH,
        amount: 1234,
        status: 'SETTLED',
        currency: 'USD',
        description: 'Corner Cafe',
        mcc: '5812',
        authorizationDate: '2026-11-02T17:26:29.000Z',
        settledDate: '2026-11-03T08:02:11.000Z',
        merchant: CORNER_CAFE,
        authorizationCode: '761515',
        retrievalReferenceNumber: '528294182583',
        systemTraceAuditNumber: '656761',
        acquirerReferenceNumber: '74123456789012345678901',
        direction: 'DEBIT',
        ...VISA_CARD,
      },
    });
  });

  it('R26: APPROVED and SETTLED share the transactionId and have distinct ids', () => {
    const approved = only(fromMarqeta(fixture('authorization'), BIN));
    const settled = only(fromMarqeta(fixture('authorization-clearing'), BIN));
    const reversed = only(fromMarqeta(fixture('authorization-reversal'), BIN));
    expect(settled.attributes.transactionId).toBe(approved.attributes.transactionId);
    expect(reversed.attributes.transactionId).toBe(approved.attributes.transactionId);
    expect(new Set([approved.id, settled.id, reversed.id]).size).toBe(3);
  });

  it('original_transaction_token, when given, is the lifecycle id (a clearing after an incremental authorization)', () => {
    const t = {
      ...first('authorization-clearing'),
      preceding_related_transaction_token: 'incr-1',
      original_transaction_token: AUTH,
    };
    expect(only(fromMarqeta(body(t), BIN)).attributes.transactionId).toBe(AUTH);
  });

  it('a clearing without an authorization (force post) is SETTLED under its own token', () => {
    const t = { ...first('authorization-clearing') };
    delete t.preceding_related_transaction_token;
    delete t.user_transaction_time;
    const e = only(fromMarqeta(body(t), BIN));
    expect(e.attributes.transactionId).toBe(CLEARING);
    expect(e.attributes.authorizationDate).toBeUndefined();
    expect(e.attributes.settledDate).toBe('2026-11-03T08:02:11.000Z');
  });

  it('settledDate falls back to settlement_date when created_time is absent', () => {
    const t = { ...first('authorization-clearing') };
    delete t.created_time;
    expect(only(fromMarqeta(body(t), BIN)).attributes.settledDate).toBe('2026-11-03T00:00:00.000Z');
  });

  it('a reversal is REVERSED, dated when Marqeta processed it', () => {
    const e = only(fromMarqeta(fixture('authorization-reversal'), BIN));
    expect(e).toMatchObject({
      id: '2a6d4c93-e5af-52c6-8d32-cf15e1d3ed13:REVERSED',
      attributes: {
        transactionId: AUTH,
        status: 'REVERSED',
        amount: 1010,
        direction: 'DEBIT',
        transactionDate: '2026-11-02T19:40:05.000Z',
      },
    });
    expect(e.attributes.authorizationDate).toBeUndefined();
    expect(e.attributes.settledDate).toBeUndefined();
  });

  it('a reversal falls back to user_transaction_time without created_time', () => {
    const t = { ...first('authorization-reversal') };
    delete t.created_time;
    expect(only(fromMarqeta(body(t), BIN)).attributes.transactionDate).toBe('2026-11-02T17:26:29.000Z');
  });

  it('authorization.reversal.issuerexpiration (an expired hold) is REVERSED too', () => {
    const t = { ...first('authorization-reversal'), type: 'authorization.reversal.issuerexpiration' };
    expect(only(fromMarqeta(body(t), BIN)).attributes.status).toBe('REVERSED');
  });

  it('R28: two clearings of one authorization are two SETTLED events with one transactionId and distinct ids and dates', () => {
    const split = only(fromMarqeta(fixture('authorization-split'), BIN));
    const settled = events(fromMarqeta(fixture('authorization-clearing-multi'), BIN));
    expect(settled.map((e) => e.attributes.status)).toEqual(['SETTLED', 'SETTLED']);
    expect(settled.map((e) => e.attributes.amount)).toEqual([6000, 4000]);
    expect(settled.map((e) => e.attributes.transactionId)).toEqual([
      split.attributes.transactionId,
      split.attributes.transactionId,
    ]);
    expect(settled.map((e) => e.attributes.userId)).toEqual([USER, USER]);
    expect(new Set([split.id, ...settled.map((e) => e.id)]).size).toBe(3);
    expect(new Set(settled.map((e) => e.attributes.settledDate)).size).toBe(2);
  });

  it('the same webhook delivered twice maps to the same ids (deterministic)', () => {
    const a = fromMarqeta(fixture('authorization-clearing-multi'), BIN);
    const b = fromMarqeta(fixture('authorization-clearing-multi'), BIN);
    expect(events(a).map((e) => e.id)).toEqual(events(b).map((e) => e.id));
  });
});

describe('fromMarqeta: declines', () => {
  it('a DECLINED authorization is DECLINED under its own token, dated when the cardholder tried', () => {
    expect(only(fromMarqeta(fixture('authorization-declined'), BIN))).toMatchObject({
      id: 'd4c3b2a1-0f9e-4d8c-8b7a-6f5e4d3c2b1a:DECLINED',
      attributes: {
        transactionId: 'd4c3b2a1-0f9e-4d8c-8b7a-6f5e4d3c2b1a',
        status: 'DECLINED',
        amount: 5875,
        transactionDate: '2026-11-04T12:00:02.000Z',
        direction: 'DEBIT',
      },
    });
  });

  it('an authorization in state ERROR is DECLINED', () => {
    const e = only(fromMarqeta(fixture('authorization-error'), BIN));
    expect(e.attributes).toMatchObject({
      status: 'DECLINED',
      amount: 750,
      transactionDate: '2026-11-04T12:05:00.000Z',
    });
  });

  it('a declined transaction without user_transaction_time is dated by created_time', () => {
    const t = { ...first('authorization-declined') };
    delete t.user_transaction_time;
    expect(only(fromMarqeta(body(t), BIN)).attributes.transactionDate).toBe('2026-11-04T12:00:03.000Z');
  });

  it.each(['0000', '0002', '1830'])('response code %s on a PENDING authorization is APPROVED', (code) => {
    const t = { ...first('authorization'), response: { code } };
    expect(only(fromMarqeta(body(t), BIN)).attributes.status).toBe('APPROVED');
  });

  it('any other response code on a PENDING authorization is DECLINED', () => {
    const t = { ...first('authorization'), response: { code: '1016', memo: 'Insufficient funds' } };
    expect(only(fromMarqeta(body(t), BIN)).attributes.status).toBe('DECLINED');
  });

  it('a PENDING authorization without a response code is APPROVED', () => {
    const t = { ...first('authorization') };
    delete t.response;
    expect(only(fromMarqeta(body(t), BIN)).attributes.status).toBe('APPROVED');
  });

  it('a declined PIN debit is DECLINED', () => {
    const declined = { ...first('pindebit'), state: 'DECLINED' };
    const refused = { ...first('pindebit'), response: { code: '1016' } };
    expect(only(fromMarqeta(body(declined), BIN)).attributes.status).toBe('DECLINED');
    expect(only(fromMarqeta(body(refused), BIN)).attributes.status).toBe('DECLINED');
  });
});

describe('fromMarqeta: steps Kard has no status for', () => {
  it('an authorization later in state CLEARED is skipped (its clearing reports SETTLED)', () => {
    expect(fromMarqeta(fixture('authorization-cleared'), BIN)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'authorization in state CLEARED: already completed; its clearing reports SETTLED',
    });
  });

  it('an advice adjusting an open authorization is skipped', () => {
    expect(fromMarqeta(fixture('authorization-advice'), BIN)).toMatchObject({
      kind: 'skip',
      code: 'no-kard-status',
    });
  });

  it('an advice on its own (a stand-in approval) is APPROVED under its own token', () => {
    const t = { ...first('authorization-advice') };
    delete t.preceding_related_transaction_token;
    const e = only(fromMarqeta(body(t), BIN));
    expect(e.attributes).toMatchObject({ status: 'APPROVED', transactionId: t.token, amount: 900 });
  });

  it('an incremental authorization is skipped (the clearing carries the final amount)', () => {
    expect(fromMarqeta(fixture('authorization-incremental'), BIN)).toMatchObject({
      kind: 'skip',
      code: 'no-kard-status',
    });
  });

  it.each([
    ['authorization', 'COMPLETION'],
    ['authorization', 'SOMETHING'],
    ['authorization.clearing', 'DECLINED'],
    ['authorization.reversal', 'ERROR'],
    ['refund', 'PENDING'],
    ['pindebit', 'CLEARED'],
  ])('%s in state %s is skipped', (type, state) => {
    const t = { ...first('authorization'), type, state };
    expect(fromMarqeta(body(t), BIN)).toMatchObject({ kind: 'skip', code: 'no-kard-status' });
  });

  it('a transaction without a state is skipped, naming it', () => {
    const t = { ...first('authorization') };
    delete t.state;
    expect(fromMarqeta(body(t), BIN)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'authorization in state (none): not a state an authorization reports',
    });
  });

  it('a chargeback is skipped', () => {
    const t = { ...first('authorization-clearing'), type: 'authorization.clearing.chargeback' };
    expect(fromMarqeta(body(t), BIN)).toMatchObject({ kind: 'skip', code: 'no-kard-status' });
    const r = { ...first('authorization-clearing'), type: 'authorization.clearing.representment' };
    expect(fromMarqeta(body(r), BIN)).toMatchObject({ kind: 'skip', code: 'no-kard-status' });
  });
});

describe('fromMarqeta: refunds', () => {
  it('a refund is RETURNED, CREDIT, with a positive amount and its own lifecycle id', () => {
    expect(only(fromMarqeta(fixture('refund'), BIN))).toEqual({
      type: 'transaction',
      id: 'f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f1a0b:RETURNED',
      attributes: {
        userId: USER,
        transactionId: 'f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f1a0b',
        amount: 2550,
        status: 'RETURNED',
        currency: 'USD',
        description: 'Green Grocer',
        mcc: '5411',
        transactionDate: '2026-11-07T10:15:00.000Z',
        merchant: {
          id: '000000000022222',
          name: 'Green Grocer',
          addrCity: 'Portland',
          addrState: 'OR',
          addrZipcode: '97205',
          addrCountry: 'USA',
        },
        acquirerReferenceNumber: '74987654321098765432109',
        direction: 'CREDIT',
        ...VISA_CARD,
      },
    });
  });

  it('a refund linked to an earlier purchase still gets its own lifecycle id', () => {
    const t = { ...first('refund'), preceding_related_transaction_token: AUTH };
    expect(only(fromMarqeta(body(t), BIN)).attributes.transactionId).toBe(first('refund').token);
  });

  it('a refund authorization is skipped; its clearing is RETURNED under the refund authorization token', () => {
    expect(fromMarqeta(fixture('refund-authorization'), BIN)).toMatchObject({
      kind: 'skip',
      code: 'no-kard-status',
    });
    const e = only(fromMarqeta(fixture('refund-authorization-clearing'), BIN));
    expect(e).toMatchObject({
      id: 'b9b8b7b6-b5b4-4b3b-8b2b-1b0bfbebdbcb:RETURNED',
      attributes: {
        transactionId: 'b0b1b2b3-b4b5-4b6b-8b7b-8b9babbbcbdb',
        status: 'RETURNED',
        direction: 'CREDIT',
        amount: 1999,
        cardNetwork: 'MASTERCARD',
        transactionDate: '2026-11-09T07:30:00.000Z',
      },
    });
  });

  it('a refund authorization reversal is skipped', () => {
    const t = {
      ...first('refund-authorization'),
      type: 'refund.authorization.reversal',
      state: 'COMPLETION',
    };
    expect(fromMarqeta(body(t), BIN)).toMatchObject({ kind: 'skip', code: 'no-kard-status' });
  });

  it('a PIN debit refund is RETURNED / CREDIT', () => {
    const e = only(fromMarqeta(fixture('pindebit-refund'), BIN));
    expect(e.attributes).toMatchObject({ status: 'RETURNED', direction: 'CREDIT', amount: 1200 });
    expect(e.attributes.transactionDate).toBe('2026-11-11T09:00:00.000Z');
  });
});

describe('fromMarqeta: single-message PIN debit', () => {
  it('R27: a completed PIN debit is one SETTLED event carrying both dates', () => {
    expect(only(fromMarqeta(fixture('pindebit'), BIN))).toEqual({
      type: 'transaction',
      id: '5694b670-0b56-53fa-9438-6285f4e172b8:SETTLED',
      attributes: {
        userId: USER,
        transactionId: '5694b670-0b56-53fa-9438-6285f4e172b8',
        amount: 4200,
        status: 'SETTLED',
        currency: 'USD',
        description: 'Corner Cafe',
        mcc: '5812',
        authorizationDate: '2026-11-10T14:19:58.000Z',
        settledDate: '2026-11-10T14:20:00.000Z',
        merchant: CORNER_CAFE,
        authorizationCode: '554433',
        direction: 'DEBIT',
        paymentType: 'CARD',
        cardBIN: '424242',
        cardLastFour: '1234',
        cardNetwork: 'MASTERCARD',
        panEntryMode: 'MAG_STRIPE',
        cardPresence: 'true',
      },
    });
  });

  it('a PIN debit without user_transaction_time is authorized at created_time', () => {
    const t = { ...first('pindebit') };
    delete t.user_transaction_time;
    expect(only(fromMarqeta(body(t), BIN)).attributes.authorizationDate).toBe('2026-11-10T14:20:00.000Z');
  });

  it('a dual-message PIN debit authorization is APPROVED, and a PENDING pindebit too', () => {
    const auth = { ...first('authorization'), type: 'pindebit.authorization' };
    const pending = { ...first('pindebit'), state: 'PENDING' };
    expect(only(fromMarqeta(body(auth), BIN)).attributes.status).toBe('APPROVED');
    expect(only(fromMarqeta(body(pending), BIN)).attributes.status).toBe('APPROVED');
  });

  it('pindebit.authorization.clearing is SETTLED and pindebit.reversal REVERSED', () => {
    const clearing = { ...first('authorization-clearing'), type: 'pindebit.authorization.clearing' };
    const reversal = { ...first('authorization-reversal'), type: 'pindebit.reversal' };
    const authReversal = { ...first('authorization-reversal'), type: 'pindebit.authorization.reversal' };
    const cashback = { ...first('pindebit'), type: 'pindebit.cashback' };
    expect(only(fromMarqeta(body(clearing), BIN)).attributes.status).toBe('SETTLED');
    expect(only(fromMarqeta(body(reversal), BIN)).attributes.status).toBe('REVERSED');
    expect(only(fromMarqeta(body(authReversal), BIN)).attributes.status).toBe('REVERSED');
    expect(only(fromMarqeta(body(cashback), BIN)).attributes.status).toBe('SETTLED');
  });
});

describe('fromMarqeta: not card spending', () => {
  it.each([
    ['balanceinquiry', 'non-financial', 'balanceinquiry: a balance inquiry moves no money'],
    ['authorization-zero-amount', 'non-financial', 'authorization: a zero amount (account verification)'],
    [
      'account-funding-authorization',
      'not-a-transaction',
      'account.funding.authorization: moves money to or from the account, not card spending',
    ],
    ['gpa-credit', 'not-a-transaction', 'gpa.credit: moves money to or from the account, not card spending'],
    ['ping', 'not-a-transaction', 'a Marqeta ping (health check)'],
    ['cardtransition', 'not-a-transaction', 'a Marqeta "cardtransitions" notification, not a transaction'],
  ])('%s is skipped as %s', (name, code, reason) => {
    expect(fromMarqeta(fixture(name), BIN)).toEqual({ kind: 'skip', code, reason });
  });

  it.each([
    ['pindebit.balanceinquiry', 'non-financial'],
    ['pindebit.atm.withdrawal', 'not-a-transaction'],
    ['authorization.atm.withdrawal', 'not-a-transaction'],
    ['authorization.quasi.cash', 'not-a-transaction'],
    ['fee.charge', 'not-a-transaction'],
    ['transfer.peer', 'not-a-transaction'],
    ['directdeposit.credit', 'not-a-transaction'],
    ['programreserve.credit', 'not-a-transaction'],
    ['original.credit.authorization', 'not-a-transaction'],
    ['gpa.debit', 'not-a-transaction'],
    ['authorization.somethingnew', 'unknown-event'],
  ])('%s is skipped as %s', (type, code) => {
    expect(fromMarqeta(body({ ...first('authorization'), type }), BIN)).toMatchObject({ kind: 'skip', code });
  });
});

describe('fromMarqeta: webhooks with several transactions', () => {
  it('maps the ones for Kard and lists each skipped one as a warning at transactions[i]', () => {
    const r = fromMarqeta(fixture('mixed'), BIN);
    expect(r.kind).toBe('events');
    if (r.kind !== 'events') return;
    expect(r.events.map((e) => e.id)).toEqual([`${AUTH}:APPROVED`]);
    expect(r.issues).toEqual([
      {
        path: 'transactions[1]',
        rule: null,
        severity: 'warning',
        message: 'not sent to Kard (non-financial): balanceinquiry: a balance inquiry moves no money',
      },
    ]);
  });

  it('skips the body only when no transaction is for Kard, naming each', () => {
    const r = fromMarqeta(body(first('balanceinquiry'), first('gpa-credit')), BIN);
    expect(r).toEqual({
      kind: 'skip',
      code: 'non-financial',
      reason:
        'transactions[0]: balanceinquiry: a balance inquiry moves no money; transactions[1]: gpa.credit: moves money to or from the account, not card spending',
    });
  });

  it('reports the whole body invalid when one mapped transaction fails a rule, naming its index', () => {
    const bad = { ...first('authorization-clearing') };
    delete bad.card;
    const r = fromMarqeta(body(first('authorization'), bad, first('balanceinquiry')), BIN);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.events).toHaveLength(2);
    expect(r.issues).toContainEqual(
      expect.objectContaining({ path: '[1].attributes.cardLastFour', severity: 'error' }),
    );
    expect(r.issues).toContainEqual(
      expect.objectContaining({ path: 'transactions[2]', severity: 'warning' }),
    );
  });

  it('fromMarqetaEach gives one result per transaction, in order', () => {
    const bad = { ...first('authorization-clearing') };
    delete bad.card;
    const results = fromMarqetaEach(body(first('authorization'), first('balanceinquiry'), bad), BIN);
    expect(results.map((r) => r.kind)).toEqual(['events', 'skip', 'invalid']);
    expect(events(results[0] as MapResult)[0]?.id).toBe(`${AUTH}:APPROVED`);
    expect(results[1]).toEqual({
      kind: 'skip',
      code: 'non-financial',
      reason: 'balanceinquiry: a balance inquiry moves no money',
    });
    expect((results[2] as { issues: unknown[] }).issues).toContainEqual(
      expect.objectContaining({ path: '[0].attributes.cardLastFour' }),
    );
  });

  it('fromMarqetaEach on a body without transactions gives its one skip', () => {
    expect(fromMarqetaEach(fixture('ping'))).toEqual([
      { kind: 'skip', code: 'not-a-transaction', reason: 'a Marqeta ping (health check)' },
    ]);
  });

  it('a bare transaction object maps like a body of one', () => {
    expect(fromMarqeta(first('authorization'), BIN)).toEqual(fromMarqeta(fixture('authorization'), BIN));
    expect(fromMarqetaEach(first('authorization'), BIN)).toEqual([
      fromMarqeta(fixture('authorization'), BIN),
    ]);
  });
});

describe('fromMarqeta: malformed input never throws', () => {
  it.each([
    [null, 'the webhook body is not a JSON object'],
    [[], 'the webhook body is not a JSON object'],
    ['authorization', 'the webhook body is not a JSON object'],
    [42, 'the webhook body is not a JSON object'],
    [{}, 'an empty webhook body'],
    [{ transactions: [] }, 'a transaction webhook with an empty "transactions" array'],
    [{ transactions: [null] }, 'a transaction that is not a JSON object'],
    [{ transactions: [[1]] }, 'a transaction that is not a JSON object'],
    [{ transactions: [{ token: 'x' }] }, 'a transaction without a type'],
    [{ transactions: [{ type: 7, token: 'x' }] }, 'a transaction without a type'],
    [{ transactions: [{ type: 'authorization' }] }, 'authorization without a token'],
    [{ transactions: [{ type: 'authorization', token: '  ' }] }, 'authorization without a token'],
    [{ transactions: [{ type: 'x.y', token: 't' }] }, 'transaction type "x.y" is not one this mapping knows'],
  ])('%j → unknown-event', (input, reason) => {
    expect(fromMarqeta(input, BIN)).toEqual({ kind: 'skip', code: 'unknown-event', reason });
  });

  it('fields of the wrong JSON type are left out, and what Kard requires is reported as invalid', () => {
    const t = {
      type: 'authorization',
      state: 'PENDING',
      token: 'tok-1',
      amount: { value: 1 },
      currency_code: 5,
      card: 'x',
      card_acceptor: ['x'],
      pos: 1,
      acquirer: null,
      response: 'ok',
      created_time: 12,
    };
    const r = fromMarqeta(body(t), BIN);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    const paths = r.issues.filter((i) => i.severity === 'error').map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '[0].attributes.amount',
        '[0].attributes.description',
        '[0].attributes.cardLastFour',
        '[0].attributes.userId',
      ]),
    );
  });

  it('a JSON number in a text field is read as its text (mcc 5812)', () => {
    const t = { ...first('authorization'), card_acceptor: { name: 'Corner Cafe', mcc: 5812 } };
    expect(only(fromMarqeta(body(t), BIN)).attributes.mcc).toBe('5812');
  });
});

describe('fromMarqeta: options and card data', () => {
  it('R4: without a configured BIN the events are invalid on attributes.cardBIN', () => {
    const r = fromMarqeta(fixture('authorization'));
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.issues).toContainEqual(
      expect.objectContaining({ path: '[0].attributes.cardBIN', rule: 'R4', severity: 'error' }),
    );
    expect(r.events).toHaveLength(1);
  });

  it('userId and cardBin as functions get the cardholder reference', () => {
    const refs: CardholderRef[] = [];
    const e = only(
      fromMarqeta(fixture('authorization'), {
        userId: (ref) => {
          refs.push(ref);
          return `kard-${ref.cardholderId}`;
        },
        cardBin: (ref) => {
          refs.push(ref);
          return ref.cardId === 'card_3f9a0d17' ? '511111' : undefined;
        },
      }),
    );
    expect(e.attributes.userId).toBe(`kard-${USER}`);
    expect(e.attributes.cardBIN).toBe('511111');
    expect(refs).toEqual([
      { processor: 'marqeta', cardholderId: USER, cardId: 'card_3f9a0d17', lastFour: '1234' },
      { processor: 'marqeta', cardholderId: USER, cardId: 'card_3f9a0d17', lastFour: '1234' },
    ]);
  });

  it('a business card: the business_token is the cardholder id', () => {
    const t: Record<string, unknown> = { ...first('authorization'), business_token: 'biz_1' };
    delete t.user_token;
    expect(only(fromMarqeta(body(t), BIN)).attributes.userId).toBe('biz_1');
  });

  it('a userId option that does not know the cardholder makes the event invalid on attributes.userId', () => {
    const r = fromMarqeta(fixture('authorization'), { ...BIN, userId: () => undefined });
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') {
      expect(r.issues).toContainEqual(
        expect.objectContaining({ path: '[0].attributes.userId', severity: 'error' }),
      );
    }
  });

  it('the BIN the event carries (card.pan) wins over the option; a masked PAN does not', () => {
    const open = { ...first('authorization'), card: { last_four: '1234', pan: '4111119876541234' } };
    const masked = { ...first('authorization'), card: { last_four: '1234', pan: '************1234' } };
    expect(only(fromMarqeta(body(open), BIN)).attributes.cardBIN).toBe('411111');
    expect(only(fromMarqeta(body(masked), BIN)).attributes.cardBIN).toBe('424242');
  });

  it.each([
    ['VISA', 'VISA'],
    ['mastercard', 'MASTERCARD'],
    ['DISCOVER', 'DISCOVER'],
    ['AMEX', 'AMERICANEXPRESS'],
    ['AMERICAN_EXPRESS', 'AMERICANEXPRESS'],
    ['PULSE', undefined],
  ])('network %s → cardNetwork %s', (network, expected) => {
    const e = only(fromMarqeta(body({ ...first('authorization'), network }), BIN));
    expect(e.attributes.cardNetwork).toBe(expected);
  });

  it('no merchant name: no merchant object (R7), and the event is invalid for lack of a description', () => {
    const t = { ...first('authorization'), card_acceptor: { mid: '123', mcc: '5812' } };
    const r = fromMarqeta(body(t), BIN);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.events[0]?.attributes.merchant).toBeUndefined();
    expect(r.issues).toContainEqual(expect.objectContaining({ path: '[0].attributes.description' }));
  });

  it('the merchant state is kept only as a USPS code of a US merchant', () => {
    const state = (acceptor: Json) =>
      only(fromMarqeta(body({ ...first('authorization'), card_acceptor: { name: 'M', ...acceptor } }), BIN))
        .attributes.merchant?.addrState;
    expect(state({ state: 'ca', country_code: 'USA' })).toBe('CA');
    expect(state({ state: 'CA', country_code: 'US' })).toBe('CA');
    expect(state({ state: 'CA', country_code: '840' })).toBe('CA');
    expect(state({ state: 'CA' })).toBe('CA');
    expect(state({ state: 'WA', country_code: 'AUS' })).toBeUndefined();
    expect(state({ state: 'WA', country: 'AUS' })).toBeUndefined();
    expect(state({ state: 'California', country_code: 'USA' })).toBeUndefined();
  });

  it('card presence false is "false"; no pos leaves panEntryMode and cardPresence out', () => {
    const absent = { ...first('authorization'), pos: { pan_entry_mode: 'MANUAL', card_presence: false } };
    expect(only(fromMarqeta(body(absent), BIN)).attributes).toMatchObject({
      panEntryMode: 'MANUAL',
      cardPresence: 'false',
    });
    const none = { ...first('authorization') };
    delete none.pos;
    const a = only(fromMarqeta(body(none), BIN)).attributes;
    expect(a).not.toHaveProperty('panEntryMode');
    expect(a).not.toHaveProperty('cardPresence');
  });

  it('times without a zone are UTC; a lower-case currency is upper-cased', () => {
    const t = {
      ...first('authorization'),
      user_transaction_time: '2026-11-02T17:26:29',
      currency_code: 'usd',
    };
    const e = only(fromMarqeta(body(t), BIN));
    expect(e.attributes.authorizationDate).toBe('2026-11-02T17:26:29.000Z');
    expect(e.attributes.currency).toBe('USD');
  });

  it('an APPROVED authorization without user_transaction_time is dated by created_time', () => {
    const t: Record<string, unknown> = { ...first('authorization'), created_time: '2026-11-02T17:26:30Z' };
    delete t.user_transaction_time;
    expect(only(fromMarqeta(body(t), BIN)).attributes.authorizationDate).toBe('2026-11-02T17:26:30.000Z');
  });

  it('a bare settlement date is midnight UTC', () => {
    const t: Record<string, unknown> = { ...first('authorization-clearing'), settlement_date: '2026-11-03' };
    delete t.created_time;
    expect(only(fromMarqeta(body(t), BIN)).attributes.settledDate).toBe('2026-11-03T00:00:00.000Z');
  });

  it('toLegacyIncoming of every mapped fixture passes the legacy schema', () => {
    const names = [
      'authorization',
      'authorization-clearing',
      'authorization-reversal',
      'authorization-declined',
      'refund',
      'refund-authorization-clearing',
      'pindebit',
    ];
    for (const name of names) {
      const legacy = toLegacyIncoming(only(fromMarqeta(fixture(name), BIN)));
      expect(safeParseLegacyIncomingTransaction(legacy).success, name).toBe(true);
    }
  });
});

describe('amounts: decimal major units to integer minor units', () => {
  it.each([
    [10.1, 2, 1010],
    [0.29, 2, 29],
    [1.15, 2, 115],
    [4.35, 2, 435],
    [19.99, 2, 1999],
    [100, 2, 10000],
    ['70.00', 2, 7000],
    [' 12.5 ', 2, 1250],
    ['.5', 2, 50],
    ['5.', 2, 500],
    ['+3.10', 2, 310],
    [-12.5, 2, 1250],
    [1.005, 2, 101],
    [1.004, 2, 100],
    [0.004, 2, 0],
    [1500, 0, 1500],
    [1.234, 3, 1234],
    ['1e2', 2, 10000],
    ['2.5E-1', 2, 25],
    [1e-7, 2, 0],
    ['90071992547409.91', 2, 9007199254740991],
  ])('%j with %i minor digits → %i', (amount, digits, expected) => {
    expect(toMinorUnits(amount, digits)).toBe(expected);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['abc'],
    ['.'],
    ['1.2.3'],
    ['1e999'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [1e21],
    ['90071992547409.92'],
    [true],
    [{}],
  ])('%j is not an amount', (amount) => {
    expect(toMinorUnits(amount, 2)).toBeUndefined();
  });

  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['not a code', 2],
  ])('currency %s has %i minor digits', (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits);
  });

  it('a JPY amount is kept in yen (its minor unit), a KWD amount in fils', () => {
    const yen = only(
      fromMarqeta(body({ ...first('authorization'), amount: 1500, currency_code: 'JPY' }), BIN),
    );
    const fils = only(
      fromMarqeta(body({ ...first('authorization'), amount: 1.234, currency_code: 'KWD' }), BIN),
    );
    expect(yen.attributes).toMatchObject({ amount: 1500, currency: 'JPY' });
    expect(fils.attributes).toMatchObject({ amount: 1234, currency: 'KWD' });
  });

  it('an amount given as a decimal string maps like the number', () => {
    const t = { ...first('authorization'), amount: '10.10' };
    expect(only(fromMarqeta(body(t), BIN)).attributes.amount).toBe(1010);
  });

  it('without a currency the amount is read with 2 digits and the event is invalid on currency', () => {
    const t = { ...first('authorization') };
    delete t.currency_code;
    const r = fromMarqeta(body(t), BIN);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.events[0]?.attributes.amount).toBe(1010);
    expect(r.issues).toContainEqual(expect.objectContaining({ path: '[0].attributes.currency' }));
  });
});
