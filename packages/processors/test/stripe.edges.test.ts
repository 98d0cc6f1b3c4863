import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromStripeIssuing } from '../src/index.js';
import type { KardTransaction } from '../src/types.js';

type Obj = Record<string, unknown>;
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/stripe-issuing/${name}.json`, import.meta.url), 'utf8')) as {
    type: string;
    created: number;
    data: { object: Obj; previous_attributes?: Obj };
  };
const opts = { cardBin: '424242', cardLastFour: () => '4242' };
/** A fixture with its data.object changed. */
function withObject(name: string, change: (o: Obj) => void) {
  const ev = fixture(name);
  change(ev.data.object);
  return ev;
}
function only(r: ReturnType<typeof fromStripeIssuing>): KardTransaction {
  if (r.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(r)}`);
  expect(r.events).toHaveLength(1);
  return r.events[0] as KardTransaction;
}
const history = (entries: Obj[]) =>
  entries.map((e) => ({ amount: 0, approved: true, authorization_code: null, ...e }));

describe('fromStripeIssuing: amounts and codes from request_history', () => {
  it('a declined authorization with amount 0 reports the amount asked for in its requests', () => {
    const ev = withObject('authorization-created-declined', (o) => {
      o.amount = 0;
      o.request_history = history([
        { amount: 5000, approved: false },
        { amount: 3900, approved: false },
        { amount: -100, approved: false },
      ]);
    });
    expect(only(fromStripeIssuing(ev, opts)).attributes.amount).toBe(8900);
  });

  it('a declined authorization asking for nothing is non-financial', () => {
    for (const request_history of [[], history([{ amount: 0, approved: false }]), null, 'junk']) {
      const ev = withObject('authorization-created-declined', (o) => {
        o.amount = 0;
        o.request_history = request_history;
      });
      expect(fromStripeIssuing(ev, opts)).toEqual({
        kind: 'skip',
        code: 'non-financial',
        reason: 'declined zero-amount authorization iauth_1Ov6Z02eZvKYlo2CxD3cL9uV (a card check)',
      });
    }
  });

  it('a voided authorization reports what its approved requests held, not the declined ones', () => {
    const ev = withObject('authorization-updated-reversed', (o) => {
      o.request_history = history([
        { amount: 20000, approved: true },
        { amount: 5000, approved: false },
        { amount: 2500, approved: true },
        { amount: -700, approved: true },
      ]).concat(['junk', null] as never[]);
    });
    expect(only(fromStripeIssuing(ev, opts)).attributes.amount).toBe(22500);
  });

  it('an expired authorization reports the amount still held, not what was first approved', () => {
    const ev = withObject('authorization-updated-expiry', (o) => {
      o.amount = 3000;
    });
    expect(only(fromStripeIssuing(ev, opts)).attributes.amount).toBe(3000);
  });

  it('a voided authorization that held nothing is non-financial', () => {
    const ev = withObject('authorization-updated-reversed', (o) => {
      o.request_history = history([{ amount: 0 }, { amount: 900, approved: false }]);
    });
    expect(fromStripeIssuing(ev, opts)).toEqual({
      kind: 'skip',
      code: 'non-financial',
      reason: 'reversal of a zero-amount authorization iauth_1Ov6d02eZvKYlo2CkT8mN4pQ',
    });
  });

  it('the authorization code is that of the latest approved request that has one', () => {
    const ev = withObject('authorization-created-approved', (o) => {
      o.request_history = history([
        { amount: 1000, authorization_code: 'S000001' },
        { amount: 250, authorization_code: 'S000002' },
        { amount: 100, authorization_code: null },
        { amount: 100, approved: false, authorization_code: 'S999999' },
        { amount: 100, authorization_code: '  ' },
      ]);
    });
    expect(only(fromStripeIssuing(ev, opts)).attributes.authorizationCode).toBe('S000002');
  });

  it('an authorization with no request_history maps without an authorization code', () => {
    const ev = withObject('authorization-created-approved', (o) => {
      delete o.request_history;
      o.network_data = null;
    });
    const a = only(fromStripeIssuing(ev, opts)).attributes;
    expect(a.amount).toBe(1250);
    expect(a).not.toHaveProperty('authorizationCode');
    expect(a).not.toHaveProperty('systemTraceAuditNumber');
  });

  it('an update without previous_attributes that leaves the authorization reversed is REVERSED', () => {
    const ev = fixture('authorization-updated-reversed');
    delete ev.data.previous_attributes;
    expect(only(fromStripeIssuing(ev, opts)).id).toBe('iauth_1Ov6d02eZvKYlo2CkT8mN4pQ:REVERSED');
  });

  it('REVERSED is dated by the authorization when the event has no created time', () => {
    const ev = fixture('authorization-updated-reversed') as { created?: number; data: unknown };
    delete ev.created;
    expect(only(fromStripeIssuing(ev, opts)).attributes.transactionDate).toBe('2025-11-07T13:00:00.000Z');
  });

  it('an update to an unknown status is skipped', () => {
    const ev = withObject('authorization-updated-reversed', (o) => {
      delete o.status;
    });
    expect(fromStripeIssuing(ev, opts)).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: expect.stringContaining('changed while in an unknown status'),
    });
  });
});

describe('fromStripeIssuing: card, merchant and cardholder', () => {
  it('card brands map to Kard networks; unknown brands are left out', () => {
    const cases: [unknown, string | undefined][] = [
      ['Visa', 'VISA'],
      ['MasterCard', 'MASTERCARD'],
      ['mastercard', 'MASTERCARD'],
      ['American Express', 'AMERICANEXPRESS'],
      ['amex', 'AMERICANEXPRESS'],
      ['Discover', 'DISCOVER'],
      ['UnionPay', undefined],
      [null, undefined],
      [42, undefined],
    ];
    for (const [brand, network] of cases) {
      const ev = withObject('authorization-created-approved', (o) => {
        (o.card as Obj).brand = brand;
      });
      expect(only(fromStripeIssuing(ev, opts)).attributes.cardNetwork, String(brand)).toBe(network);
    }
  });

  it('a merchant outside the US keeps no state; a blank name gives the category as description and no merchant', () => {
    const ev = withObject('authorization-created-approved', (o) => {
      o.merchant_data = { ...(o.merchant_data as Obj), country: 'ca', state: 'CA' };
    });
    const m = only(fromStripeIssuing(ev, opts)).attributes.merchant;
    expect(m?.addrCountry).toBe('CA');
    expect(m).not.toHaveProperty('addrState');

    const noState = withObject('authorization-created-approved', (o) => {
      o.merchant_data = { ...(o.merchant_data as Obj), country: null, state: 'tx' };
    });
    expect(only(fromStripeIssuing(noState, opts)).attributes.merchant?.addrState).toBe('TX');

    const nameless = withObject('authorization-created-approved', (o) => {
      o.merchant_data = { ...(o.merchant_data as Obj), name: '   ' };
    });
    const a = only(fromStripeIssuing(nameless, opts)).attributes;
    expect(a.description).toBe('eating_places_restaurants');
    expect(a).not.toHaveProperty('merchant');
    expect(a.mcc).toBe('5812');

    const bare = withObject('authorization-created-approved', (o) => {
      o.merchant_data = null;
    });
    const b = only(fromStripeIssuing(bare, opts)).attributes;
    expect(b.description).toBe('Card transaction');
    expect(b).not.toHaveProperty('mcc');
  });

  it('the cardholder comes from the authorization, else from its card (an id or the object)', () => {
    const ref = (change: (o: Obj) => void) => {
      const seen: unknown[] = [];
      const ev = withObject('authorization-created-approved', change);
      only(
        fromStripeIssuing(ev, {
          cardBin: '424242',
          userId: (r) => {
            seen.push(r.cardholderId);
            return 'u';
          },
        }),
      );
      return seen[0];
    };
    expect(ref((o) => (o.cardholder = 'ich_top'))).toBe('ich_top');
    expect(ref((o) => (o.cardholder = { id: 'ich_obj' }))).toBe('ich_obj');
    expect(ref((o) => (o.cardholder = null))).toBe('ich_1Ov6Xb2eZvKYlo2CaJ9jBJ5q');
    expect(
      ref((o) => {
        o.cardholder = null;
        (o.card as Obj).cardholder = 'ich_card';
      }),
    ).toBe('ich_card');
  });

  it('the event card last4 wins over the option; the option is asked only without it', () => {
    let asked = 0;
    const o = {
      cardBin: '424242',
      cardLastFour: () => {
        asked++;
        return '9999';
      },
    };
    expect(
      only(fromStripeIssuing(fixture('authorization-created-approved'), o)).attributes.cardLastFour,
    ).toBe('4242');
    expect(asked).toBe(0);
    const expanded = withObject('transaction-created-capture', (t) => {
      t.card = { id: 'ic_1', last4: '1881', brand: 'MasterCard', cardholder: 'ich_x' };
    });
    const a = only(fromStripeIssuing(expanded, o)).attributes;
    expect([a.cardLastFour, a.cardNetwork, asked]).toEqual(['1881', 'MASTERCARD', 0]);
  });
});

describe('fromStripeIssuing: malformed input', () => {
  const unknown = (reason: string | RegExp) => ({
    kind: 'skip',
    code: 'unknown-event',
    reason: typeof reason === 'string' ? reason : expect.stringMatching(reason),
  });

  it('names what is missing', () => {
    expect(fromStripeIssuing(null)).toEqual(unknown('not a Stripe event (no string `type`)'));
    expect(fromStripeIssuing({ type: 7 })).toEqual(unknown(/no string `type`/));
    expect(fromStripeIssuing({ type: 'issuing_authorization.created' })).toEqual(
      unknown('issuing_authorization.created: data.object is not an issuing.authorization'),
    );
    expect(
      fromStripeIssuing({
        type: 'issuing_transaction.created',
        data: { object: { object: 'issuing.authorization' } },
      }),
    ).toEqual(unknown('issuing_transaction.created: data.object is not an issuing.transaction'));
    expect(fromStripeIssuing({ type: 'issuing_authorization.deleted', data: { object: {} } })).toEqual(
      unknown('issuing_authorization.deleted is not an event type this mapping knows'),
    );
    expect(fromStripeIssuing({ type: 'issuing_transaction.purchase_details_receipt_updated' })).toEqual(
      unknown(/not an event type this mapping knows/),
    );
  });

  it('an authorization without id, created, amount or approved is unknown', () => {
    const broken: ((o: Obj) => void)[] = [
      (o) => delete o.id,
      (o) => (o.id = '  '),
      (o) => (o.created = '1762509600'),
      (o) => (o.amount = 12.5),
      (o) => delete o.approved,
      (o) => (o.approved = 'true'),
    ];
    for (const change of broken) {
      for (const name of ['authorization-created-approved', 'authorization-updated-reversed']) {
        const ev = withObject(name, change);
        expect(fromStripeIssuing(ev, opts)).toEqual(
          unknown(`${ev.type}: data.object lacks id, created, amount or approved`),
        );
      }
    }
  });

  it('an authorization event around another object, or a transaction event around an authorization, is unknown', () => {
    const txn = fixture('transaction-created-capture').data.object;
    expect(fromStripeIssuing({ type: 'issuing_authorization.created', data: { object: txn } })).toEqual(
      unknown('issuing_authorization.created: data.object is not an issuing.authorization'),
    );
    const auth = fixture('authorization-created-approved').data.object;
    expect(fromStripeIssuing({ type: 'issuing_transaction.created', data: { object: auth } })).toEqual(
      unknown('issuing_transaction.created: data.object is not an issuing.transaction'),
    );
  });

  it('an event without a currency or a cardholder is invalid on those fields, not thrown', () => {
    const ev = withObject('transaction-created-capture', (o) => {
      delete o.currency;
      o.cardholder = null;
    });
    const r = fromStripeIssuing(ev, opts);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.events[0]?.attributes).toMatchObject({ currency: '', userId: '' });
    expect(r.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['[0].attributes.currency', '[0].attributes.userId']),
    );
  });

  it('a transaction without id, created, amount or a known type is unknown', () => {
    const broken: ((o: Obj) => void)[] = [
      (o) => delete o.id,
      (o) => (o.created = null),
      (o) => (o.amount = '-1250'),
      (o) => (o.type = 'dispute'),
    ];
    for (const change of broken) {
      for (const name of ['transaction-created-capture', 'transaction-updated']) {
        const ev = withObject(name, change);
        expect(fromStripeIssuing(ev, opts)).toEqual(
          unknown(`${ev.type}: data.object lacks id, created, amount or type`),
        );
      }
    }
  });

  it('a capture with a positive amount and a zero-amount refund are skipped with their reason', () => {
    expect(
      fromStripeIssuing(
        withObject('transaction-created-capture', (o) => (o.amount = 1250)),
        opts,
      ),
    ).toEqual({
      kind: 'skip',
      code: 'no-kard-status',
      reason: 'capture ipi_1Ov6h02eZvKYlo2Cs7D8eF9g with a positive amount: Kard has no status for it',
    });
    expect(
      fromStripeIssuing(
        withObject('transaction-created-refund', (o) => (o.amount = 0)),
        opts,
      ),
    ).toEqual({
      kind: 'skip',
      code: 'non-financial',
      reason: 'zero-amount refund ipi_1Ov6k02eZvKYlo2Cd8E9f0G1',
    });
  });
});
