import { readdirSync, readFileSync } from 'node:fs';
import { safeParseLegacyIncomingTransaction } from '@kardkit/schemas';
import { describe, expect, it } from 'vitest';
import { fromStripeIssuing, toLegacyIncoming } from '../src/index.js';
import type { KardTransaction, MapResult } from '../src/types.js';

const dir = new URL('./fixtures/stripe-issuing/', import.meta.url);
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Record<string, unknown>;

const BIN = '424242';
const opts = { cardBin: BIN };

function events(r: MapResult): KardTransaction[] {
  if (r.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events;
}
const one = (name: string, o: Parameters<typeof fromStripeIssuing>[1] = opts) => {
  const list = events(fromStripeIssuing(fixture(name), o));
  expect(list).toHaveLength(1);
  return list[0] as KardTransaction;
};

const cafe = {
  id: '123456789012345',
  name: 'CORNER CAFE',
  addrCity: 'AUSTIN',
  addrState: 'TX',
  addrZipcode: '78701',
  addrCountry: 'US',
  storeId: 'T0042',
} as const;

describe('fromStripeIssuing: authorizations', () => {
  it('an approved authorization is APPROVED on the authorization id, with card, merchant and codes', () => {
    expect(one('authorization-created-approved')).toEqual({
      type: 'transaction',
      id: 'iauth_1Ov6Y02eZvKYlo2CnQ7gK1tS:APPROVED',
      attributes: {
        userId: 'ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q',
        transactionId: 'iauth_1Ov6Y02eZvKYlo2CnQ7gK1tS',
        amount: 1250,
        status: 'APPROVED',
        currency: 'USD',
        description: 'CORNER CAFE',
        mcc: '5812',
        merchant: cafe,
        authorizationDate: '2025-11-07T10:00:00.000Z',
        cardBIN: BIN,
        cardLastFour: '4242',
        cardNetwork: 'VISA',
        authorizationCode: 'S498162',
        systemTraceAuditNumber: '123456',
        direction: 'DEBIT',
        paymentType: 'CARD',
      },
    });
  });

  it('a declined authorization is DECLINED with its transactionDate and the amount asked for', () => {
    expect(one('authorization-created-declined')).toEqual({
      type: 'transaction',
      id: 'iauth_1Ov6Z02eZvKYlo2CxD3cL9uV:DECLINED',
      attributes: {
        userId: 'ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q',
        transactionId: 'iauth_1Ov6Z02eZvKYlo2CxD3cL9uV',
        amount: 8900,
        status: 'DECLINED',
        currency: 'USD',
        description: 'BIG BOX ELECTRONICS',
        mcc: '5732',
        merchant: {
          id: '987654321098765',
          name: 'BIG BOX ELECTRONICS',
          addrCity: 'DALLAS',
          addrState: 'TX',
          addrZipcode: '75201',
          addrCountry: 'US',
        },
        transactionDate: '2025-11-07T11:00:00.000Z',
        cardBIN: BIN,
        cardLastFour: '4242',
        cardNetwork: 'VISA',
        systemTraceAuditNumber: '654321',
        direction: 'DEBIT',
        paymentType: 'CARD',
      },
    });
  });

  it('a voided authorization is REVERSED for the amount it held, dated by the event', () => {
    const created = one('authorization-created-hotel');
    const reversed = one('authorization-updated-reversed');
    expect(reversed).toEqual({
      type: 'transaction',
      id: 'iauth_1Ov6d02eZvKYlo2CkT8mN4pQ:REVERSED',
      attributes: {
        userId: 'ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q',
        transactionId: 'iauth_1Ov6d02eZvKYlo2CkT8mN4pQ',
        amount: 20000,
        status: 'REVERSED',
        currency: 'USD',
        description: 'RIVERSIDE HOTEL',
        mcc: '7011',
        merchant: {
          id: '555566667777888',
          name: 'RIVERSIDE HOTEL',
          addrCity: 'AUSTIN',
          addrState: 'TX',
          addrZipcode: '78701',
          addrCountry: 'US',
        },
        authorizationDate: '2025-11-07T13:00:00.000Z',
        transactionDate: '2025-11-07T15:00:00.000Z',
        cardBIN: BIN,
        cardLastFour: '4242',
        cardNetwork: 'VISA',
        authorizationCode: 'S771122',
        systemTraceAuditNumber: '222333',
        direction: 'DEBIT',
        paymentType: 'CARD',
      },
    });
    expect(created.attributes.status).toBe('APPROVED');
    expect(created.attributes.transactionId).toBe(reversed.attributes.transactionId);
    expect(created.id).not.toBe(reversed.id);
  });

  it('an authorization that expired without capture is REVERSED for the amount still held', () => {
    const e = one('authorization-updated-expiry');
    expect(e.id).toBe('iauth_1Ov6g02eZvKYlo2CpL0qW3rT:REVERSED');
    expect(e.attributes).toMatchObject({
      status: 'REVERSED',
      amount: 4500,
      transactionId: 'iauth_1Ov6g02eZvKYlo2CpL0qW3rT',
      authorizationDate: '2025-10-31T10:00:00.000Z',
      transactionDate: '2025-11-08T10:00:00.000Z',
      mcc: '3357',
    });
  });

  it('the status `expired` (in the API reference enum) is REVERSED as well', () => {
    const ev = fixture('authorization-updated-expiry');
    (ev.data as { object: Record<string, unknown> }).object.status = 'expired';
    const e = events(fromStripeIssuing(ev, opts))[0];
    expect(e?.id).toBe('iauth_1Ov6g02eZvKYlo2CpL0qW3rT:REVERSED');
    expect(e?.attributes.status).toBe('REVERSED');
  });

  it('skips what Kard has no status for, with the reason', () => {
    const cases: [string, string, RegExp][] = [
      ['authorization-request', 'no-kard-status', /real-time authorization request/],
      [
        'authorization-created-zero-amount',
        'non-financial',
        /zero-amount authorization iauth_1Ov6a02eZvKYlo2CvR5wE2xY/,
      ],
      [
        'authorization-updated-closed',
        'no-kard-status',
        /is closed: a capture arrives as issuing_transaction\.created/,
      ],
      ['authorization-updated-incremental', 'no-kard-status', /changed while pending/],
      ['authorization-updated-reversed-metadata', 'no-kard-status', /already reversed/],
      ['transaction-updated', 'no-kard-status', /reported when it was created/],
      [
        'transaction-created-refund-reversal',
        'no-kard-status',
        /refund reversal ipi_1Ov6l02eZvKYlo2Ch2I3j4K5/,
      ],
      ['card-created', 'not-a-transaction', /issuing_card\.created is not about card spending/],
      [
        'authorization-created-atm',
        'not-a-transaction',
        /^authorization iauth_1Ov6n02eZvKYlo2Cw3E4r5T6 is a cash withdrawal \(MCC 6011\)$/,
      ],
    ];
    for (const [name, code, reason] of cases) {
      const r = fromStripeIssuing(fixture(name), opts);
      expect(r, name).toEqual({ kind: 'skip', code, reason: expect.stringMatching(reason) });
    }
  });
});

describe('fromStripeIssuing: transactions', () => {
  it('a capture is SETTLED on its authorization id, positive amount, settled when created', () => {
    expect(one('transaction-created-capture', { cardBin: BIN, cardLastFour: () => '4242' })).toEqual({
      type: 'transaction',
      id: 'ipi_1Ov6h02eZvKYlo2Cs7D8eF9g:SETTLED',
      attributes: {
        userId: 'ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q',
        transactionId: 'iauth_1Ov6Y02eZvKYlo2CnQ7gK1tS',
        amount: 1250,
        status: 'SETTLED',
        currency: 'USD',
        description: 'CORNER CAFE',
        mcc: '5812',
        merchant: cafe,
        settledDate: '2025-11-08T10:00:00.000Z',
        cardBIN: BIN,
        cardLastFour: '4242',
        authorizationCode: 'S498162',
        direction: 'DEBIT',
        paymentType: 'CARD',
      },
    });
  });

  it('a capture names its card by id only: cardLastFour comes from the option, else the event is invalid on it', () => {
    const seen: unknown[] = [];
    const e = one('transaction-created-capture', {
      cardBin: BIN,
      cardLastFour: (ref) => {
        seen.push(ref);
        return '4242';
      },
    });
    expect(e.attributes.cardLastFour).toBe('4242');
    expect(seen).toEqual([
      {
        processor: 'stripe-issuing',
        cardholderId: 'ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q',
        cardId: 'ic_1Ov6Xc2eZvKYlo2C4cB8n0Qe',
      },
    ]);
    const r = fromStripeIssuing(fixture('transaction-created-capture'), opts);
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') {
      expect(r.events[0]?.attributes.cardLastFour).toBe('');
      expect(r.issues).toContainEqual(
        expect.objectContaining({ path: '[0].attributes.cardLastFour', severity: 'error' }),
      );
    }
  });

  it('the lifecycle shares one transactionId; every step has its own id (R10, R26, R28)', () => {
    const withLast4 = { cardBin: BIN, cardLastFour: () => '4242' };
    const lifecycle = [
      one('authorization-created-approved', withLast4),
      one('transaction-created-capture', withLast4),
      one('transaction-created-capture-second', withLast4),
    ];
    expect(new Set(lifecycle.map((e) => e.attributes.transactionId))).toEqual(
      new Set(['iauth_1Ov6Y02eZvKYlo2CnQ7gK1tS']),
    );
    expect(new Set(lifecycle.map((e) => e.id)).size).toBe(3);
    const settled = lifecycle.slice(1).map((e) => e.attributes);
    expect(settled.map((a) => [a.status, a.amount, a.settledDate])).toEqual([
      ['SETTLED', 1250, '2025-11-08T10:00:00.000Z'],
      ['SETTLED', 300, '2025-11-09T10:00:00.000Z'],
    ]);
  });

  it('a force capture without an authorization is SETTLED on its own id, authorized and settled at once (R27)', () => {
    const e = one('transaction-created-force-capture', { cardBin: BIN, cardLastFour: () => '4242' });
    expect(e.id).toBe('ipi_1Ov6j02eZvKYlo2Cz4A5b6C7:SETTLED');
    expect(e.attributes).toMatchObject({
      transactionId: 'ipi_1Ov6j02eZvKYlo2Cz4A5b6C7',
      amount: 699,
      status: 'SETTLED',
      settledDate: '2025-11-08T12:00:00.000Z',
      authorizationDate: '2025-11-08T12:00:00.000Z',
      mcc: '3000',
    });
    expect(e.attributes).not.toHaveProperty('authorizationCode');
  });

  it('a capture whose authorization is expanded carries the authorization date', () => {
    const ev = fixture('transaction-created-capture');
    const data = ev.data as { object: Record<string, unknown> };
    data.object.authorization = { id: 'iauth_1Ov6Y02eZvKYlo2CnQ7gK1tS', created: 1762509600 };
    const e = events(fromStripeIssuing(ev, { cardBin: BIN, cardLastFour: () => '4242' }))[0];
    expect(e?.attributes.transactionId).toBe('iauth_1Ov6Y02eZvKYlo2CnQ7gK1tS');
    expect(e?.attributes.authorizationDate).toBe('2025-11-07T10:00:00.000Z');
  });

  it('the capture of a cash withdrawal (MCC 6010 or 6011) is not for Kard', () => {
    for (const mcc of ['6010', '6011']) {
      const ev = fixture('transaction-created-capture');
      const obj = (ev.data as { object: { merchant_data: Record<string, unknown> } }).object;
      obj.merchant_data.category_code = mcc;
      expect(fromStripeIssuing(ev, opts)).toEqual({
        kind: 'skip',
        code: 'not-a-transaction',
        reason: `capture ipi_1Ov6h02eZvKYlo2Cs7D8eF9g is a cash withdrawal (MCC ${mcc})`,
      });
    }
  });

  it('a refund is RETURNED / CREDIT with a positive amount on its own id', () => {
    const e = one('transaction-created-refund', { cardBin: BIN, cardLastFour: () => '4242' });
    expect(e).toEqual({
      type: 'transaction',
      id: 'ipi_1Ov6k02eZvKYlo2Cd8E9f0G1:RETURNED',
      attributes: {
        userId: 'ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q',
        transactionId: 'ipi_1Ov6k02eZvKYlo2Cd8E9f0G1',
        amount: 500,
        status: 'RETURNED',
        currency: 'USD',
        description: 'CORNER CAFE',
        mcc: '5812',
        merchant: cafe,
        transactionDate: '2025-11-10T10:00:00.000Z',
        cardBIN: BIN,
        cardLastFour: '4242',
        direction: 'CREDIT',
        paymentType: 'CARD',
      },
    });
  });
});

describe('fromStripeIssuing: ids, options and the legacy record', () => {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));

  it('the same event mapped twice gives the same ids; no two fixtures share an event id', () => {
    const o = { cardBin: BIN, cardLastFour: () => '4242' };
    const ids: string[] = [];
    for (const name of all) {
      const a = fromStripeIssuing(fixture(name), o);
      expect(fromStripeIssuing(fixture(name), o), name).toEqual(a);
      if (a.kind === 'events') ids.push(...a.events.map((e) => e.id));
    }
    expect(ids.length).toBeGreaterThanOrEqual(9);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('without a BIN the events are invalid, naming attributes.cardBIN and R4', () => {
    const r = fromStripeIssuing(fixture('authorization-created-approved'));
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.events[0]?.attributes.cardBIN).toBe('');
    expect(r.issues).toContainEqual(
      expect.objectContaining({ path: '[0].attributes.cardBIN', rule: 'R4', severity: 'error' }),
    );
  });

  it('userId and cardBin options receive the card reference', () => {
    const refs: unknown[] = [];
    const e = one('authorization-created-approved', {
      userId: (ref) => {
        refs.push(ref);
        return `kard-${ref.cardholderId}`;
      },
      cardBin: (ref) => {
        refs.push(ref);
        return ref.cardId === 'ic_1Ov6Xc2eZvKYlo2C4cB8n0Qe' ? '411111' : undefined;
      },
    });
    expect(e.attributes.userId).toBe('kard-ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q');
    expect(e.attributes.cardBIN).toBe('411111');
    const ref = {
      processor: 'stripe-issuing',
      cardholderId: 'ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q',
      cardId: 'ic_1Ov6Xc2eZvKYlo2C4cB8n0Qe',
      lastFour: '4242',
    };
    expect(refs).toEqual([ref, ref]);
  });

  it('a userId option that knows no user makes the event invalid on attributes.userId', () => {
    const r = fromStripeIssuing(fixture('authorization-created-approved'), {
      cardBin: BIN,
      userId: () => undefined,
    });
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') {
      expect(r.issues).toContainEqual(expect.objectContaining({ path: '[0].attributes.userId' }));
    }
  });

  it('every mapped fixture gives a legacy record the legacy schema accepts', () => {
    const o = { cardBin: BIN, cardLastFour: () => '4242' };
    let n = 0;
    for (const name of all) {
      const r = fromStripeIssuing(fixture(name), o);
      if (r.kind !== 'events') continue;
      for (const e of r.events) {
        const legacy = toLegacyIncoming(e);
        expect(safeParseLegacyIncomingTransaction(legacy).success, name).toBe(true);
        expect(legacy.transactionId).toBe(e.attributes.transactionId);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(9);
  });
});
