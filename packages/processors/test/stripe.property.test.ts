import { safeParseTransactionEvent } from '@kardkit/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromStripeIssuing } from '../src/index.js';

const id = (prefix: string) => fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).map((s) => `${prefix}_${s}`);
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 &'.*-]{0,29}$/);
const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
/** Unix seconds between 2000 and 2099. */
const unix = fc.integer({ min: 946_684_800, max: 4_102_444_799 });
const currency = fc.constantFrom('usd', 'eur', 'gbp', 'cad', 'jpy');
const amount = fc.integer({ min: -10_000_000, max: 10_000_000 });

const merchantData = fc.record({
  name: nullable(word),
  category: word,
  category_code: digits(4),
  city: nullable(word),
  state: nullable(fc.constantFrom('TX', 'CA', 'NY', 'ON', 'zz', '')),
  postal_code: nullable(fc.stringMatching(/^[0-9A-Z -]{0,10}$/)),
  country: nullable(fc.constantFrom('US', 'CA', 'GB', 'us')),
  network_id: digits(15),
  terminal_id: nullable(word),
});
const cardholderId = id('ich');
const card = fc.record(
  {
    id: id('ic'),
    object: fc.constant('issuing.card'),
    last4: digits(4),
    brand: fc.constantFrom('Visa', 'MasterCard', 'Mastercard', 'American Express', 'Discover', 'Other'),
    cardholder: fc.oneof(
      cardholderId,
      cardholderId.map((chId) => ({ id: chId, object: 'issuing.cardholder' })),
    ),
  },
  { requiredKeys: ['id', 'object', 'last4', 'cardholder'] },
);
const requestHistory = fc.record({
  amount: fc.integer({ min: 0, max: 10_000_000 }),
  approved: fc.boolean(),
  authorization_code: nullable(fc.stringMatching(/^S\d{6}$/)),
  created: unix,
});

/** `data.object` of issuing_authorization.* events. */
const authorization = fc.record({
  id: id('iauth'),
  object: fc.constant('issuing.authorization'),
  amount: fc.integer({ min: 0, max: 10_000_000 }),
  approved: fc.boolean(),
  status: fc.constantFrom('pending', 'closed', 'reversed', 'expired'),
  currency,
  created: unix,
  card,
  cardholder: nullable(cardholderId),
  merchant_data: merchantData,
  request_history: fc.array(requestHistory, { maxLength: 4 }),
  network_data: nullable(
    fc.record({ system_trace_audit_number: nullable(digits(6)), transaction_id: nullable(digits(15)) }),
  ),
});

/** `data.object` of issuing_transaction.* events (card by id, as Stripe sends it). */
const transaction = fc.record({
  id: id('ipi'),
  object: fc.constant('issuing.transaction'),
  type: fc.constantFrom('capture', 'refund'),
  amount,
  currency,
  created: unix,
  authorization: fc.oneof(nullable(id('iauth')), fc.record({ id: id('iauth'), created: unix })),
  card: fc.oneof(id('ic'), card),
  cardholder: cardholderId,
  merchant_data: merchantData,
  network_data: nullable(
    fc.record({
      authorization_code: nullable(fc.stringMatching(/^S\d{6}$/)),
      processing_date: nullable(fc.constant('2026-11-08')),
    }),
  ),
});

const event = (types: string[], object: fc.Arbitrary<unknown>) =>
  fc.record({
    id: id('evt'),
    object: fc.constant('event'),
    type: fc.constantFrom(...types),
    created: unix,
    data: fc.record(
      {
        object,
        previous_attributes: fc.oneof(
          fc.constant({}),
          fc.constant({ status: 'pending' }),
          fc.constant({ amount: 100, metadata: {} }),
        ),
      },
      { requiredKeys: ['object'] },
    ),
  });

const stripeEvent = fc.oneof(
  event(
    ['issuing_authorization.created', 'issuing_authorization.updated', 'issuing_authorization.request'],
    authorization,
  ),
  event(['issuing_transaction.created', 'issuing_transaction.updated'], transaction),
);

const opts = { cardBin: '424242', cardLastFour: () => '4242' };

describe('fromStripeIssuing (properties)', () => {
  it('well-formed events map to events that pass @kardkit/schemas, or to a skip', () => {
    fc.assert(
      fc.property(stripeEvent, (ev) => {
        const r = fromStripeIssuing(ev, opts);
        expect(r.kind, JSON.stringify(r)).not.toBe('invalid');
        if (r.kind !== 'events') return;
        expect(r.events).toHaveLength(1);
        for (const e of r.events) {
          const parsed = safeParseTransactionEvent(e);
          expect(parsed.issues.filter((i) => i.severity === 'error')).toEqual([]);
          expect(Number.isSafeInteger(e.attributes.amount) && e.attributes.amount > 0).toBe(true);
          expect(e.attributes.direction).toBe(e.attributes.status === 'RETURNED' ? 'CREDIT' : 'DEBIT');
          expect(e.attributes.currency).toMatch(/^[A-Z]{3}$/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the mapping is deterministic, and the Kard id names the Stripe object and the status', () => {
    fc.assert(
      fc.property(stripeEvent, (ev) => {
        const a = fromStripeIssuing(ev, opts);
        expect(fromStripeIssuing(structuredClone(ev), opts)).toEqual(a);
        if (a.kind !== 'events') return;
        const e = a.events[0];
        const obj = ev.data.object as { id: string; authorization?: unknown };
        expect(e?.id).toBe(`${obj.id}:${e?.attributes.status}`);
        if (e?.attributes.status === 'SETTLED') {
          const auth = obj.authorization;
          const authId = typeof auth === 'string' ? auth : (auth as { id?: string } | null)?.id;
          expect(e.attributes.transactionId).toBe(authId ?? obj.id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = fromStripeIssuing(v, opts);
        expect(['events', 'skip', 'invalid']).toContain(r.kind);
      }),
      { numRuns: 500 },
    );
  });

  it('a known event type around arbitrary JSON never throws', () => {
    const types = [
      'issuing_authorization.created',
      'issuing_authorization.updated',
      'issuing_transaction.created',
      'issuing_transaction.updated',
    ];
    const object = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.string(), fc.jsonValue()).map((o) => ({ ...o, object: 'issuing.authorization' })),
      fc.dictionary(fc.string(), fc.jsonValue()).map((o) => ({ ...o, object: 'issuing.transaction' })),
      // Well-formed objects with one field replaced by arbitrary JSON.
      fc
        .tuple(fc.oneof(authorization, transaction), fc.string({ maxLength: 20 }), fc.jsonValue())
        .map(([o, k, v]) => ({ ...o, [Object.keys(o)[k.length % Object.keys(o).length] as string]: v })),
    );
    fc.assert(
      fc.property(fc.constantFrom(...types), object, fc.jsonValue(), (type, obj, created) => {
        const r = fromStripeIssuing(
          { type, created, data: { object: obj, previous_attributes: created } },
          opts,
        );
        expect(['events', 'skip', 'invalid']).toContain(r.kind);
      }),
      { numRuns: 500 },
    );
  });
});
