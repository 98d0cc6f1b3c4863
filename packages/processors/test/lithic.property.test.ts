import { safeParseTransactionEvent } from '@kardkit/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromLithic, type LithicMapOptions } from '../src/lithic.js';

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 &'.*#-]{0,29}$/);
const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
/** RFC 3339 times between 2000 and 2099, as Lithic writes them (UTC, with or without milliseconds). */
const time = fc
  .integer({ min: 946_684_800_000, max: 4_102_444_799_000 })
  .chain((ms) =>
    fc.constantFrom(new Date(ms).toISOString(), new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')),
  );
const currency = fc.constantFrom('USD', 'EUR', 'GBP', 'CAD', 'JPY');
const amount = fc.integer({ min: 0, max: 10_000_000 });
const money = fc.record({ amount, currency, conversion_rate: fc.constant('1.000000') });

const EVENT_TYPES = [
  'AUTHORIZATION',
  'AUTHORIZATION_ADVICE',
  'AUTHORIZATION_EXPIRY',
  'AUTHORIZATION_REVERSAL',
  'BALANCE_INQUIRY',
  'CLEARING',
  'CORRECTION_CREDIT',
  'CORRECTION_DEBIT',
  'CREDIT_AUTHORIZATION',
  'CREDIT_AUTHORIZATION_ADVICE',
  'FINANCIAL_AUTHORIZATION',
  'FINANCIAL_CREDIT_AUTHORIZATION',
  'RETURN',
  'RETURN_REVERSAL',
] as const;

const lithicEvent = fc.record({
  token: fc.uuid(),
  type: fc.constantFrom(...EVENT_TYPES),
  result: fc.oneof(
    { weight: 4, arbitrary: fc.constant('APPROVED') },
    fc.constantFrom(
      'DECLINED',
      'INSUFFICIENT_FUNDS',
      'ORIGINAL_NOT_FOUND',
      'CARD_PAUSED',
      'UNKNOWN_HOST_TIMEOUT',
    ),
  ),
  created: time,
  amount: fc.integer({ min: -10_000_000, max: 10_000_000 }),
  amounts: fc.record({ cardholder: money, merchant: money, settlement: nullable(money) }),
  effective_polarity: fc.constantFrom('CREDIT', 'DEBIT'),
  network_info: nullable(
    fc.record({
      acquirer: nullable(
        fc.record({
          acquirer_reference_number: nullable(digits(23)),
          retrieval_reference_number: nullable(digits(12)),
        }),
      ),
    }),
  ),
});

const merchant = fc.record(
  {
    acceptor_id: fc.stringMatching(/^[A-Z0-9]{1,15}$/),
    descriptor: word,
    mcc: digits(4),
    city: word,
    state: fc.constantFrom('OR', 'CA', 'NY', 'ON', '69', ''),
    country: fc.constantFrom('USA', 'CAN', 'FRA', 'QZZ'),
    postal_code: nullable(fc.stringMatching(/^[0-9A-Z -]{0,10}$/)),
    street_address: nullable(word),
  },
  { requiredKeys: ['descriptor'] },
);

/** A `card_transaction.updated` webhook as Lithic's API reference describes it. */
const cardTransaction = fc.record({
  event_type: fc.constant('card_transaction.updated'),
  token: fc.uuid(),
  account_token: fc.uuid(),
  card_token: fc.uuid(),
  status: fc.constantFrom('PENDING', 'SETTLED', 'DECLINED', 'VOIDED', 'EXPIRED'),
  result: fc.constantFrom('APPROVED', 'DECLINED'),
  created: time,
  authorization_code: nullable(digits(6)),
  network: nullable(fc.constantFrom('AMEX', 'INTERLINK', 'MAESTRO', 'MASTERCARD', 'UNKNOWN', 'VISA')),
  merchant,
  pos: fc.record({
    entry_mode: fc.record({
      card: fc.constantFrom('NOT_PRESENT', 'PREAUTHORIZED', 'PRESENT', 'UNKNOWN'),
      pan: fc.constantFrom('CONTACTLESS', 'ECOMMERCE', 'ICC', 'MAGNETIC_STRIPE', 'UNKNOWN', 'UNSPECIFIED'),
    }),
  }),
  events: fc.uniqueArray(lithicEvent, { minLength: 1, maxLength: 6, selector: (e) => e.token }),
});

const opts: LithicMapOptions = { cardBin: '411111', cardLastFour: '4142' };

describe('fromLithic (properties)', () => {
  it('well-formed card transactions map to one event that passes @kardkit/schemas, or to a skip', () => {
    fc.assert(
      fc.property(cardTransaction, (tx) => {
        const r = fromLithic(tx, opts);
        expect(['events', 'skip']).toContain(r.kind);
        if (r.kind !== 'events') return;
        expect(r.events).toHaveLength(1);
        const [e] = r.events;
        const parsed = safeParseTransactionEvent(e);
        expect(parsed.issues.filter((i) => i.severity === 'error')).toEqual([]);
        expect(parsed.success).toBe(true);
        const a = e!.attributes;
        const newest = [...tx.events]
          .map((ev, i) => ({ ev, i }))
          .sort((x, y) => {
            const d = Date.parse(x.ev.created) - Date.parse(y.ev.created);
            return d === 0 ? x.i - y.i : d;
          })
          .at(-1)!.ev;
        expect(e!.id).toBe(newest.token);
        expect(a.transactionId).toBe(tx.token);
        expect(a.userId).toBe(tx.account_token);
        expect(a.amount).toBeGreaterThan(0);
        expect(a.direction).toBe(a.status === 'RETURNED' ? 'CREDIT' : 'DEBIT');
      }),
      { numRuns: 400 },
    );
  });

  it('the same event mapped twice gives the same result (deterministic ids)', () => {
    fc.assert(
      fc.property(cardTransaction, (tx) => {
        expect(fromLithic(structuredClone(tx), opts)).toEqual(fromLithic(tx, opts));
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary JSON, nor on Lithic-shaped objects with arbitrary values', () => {
    const kinds = ['events', 'skip', 'invalid'];
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(kinds).toContain(fromLithic(value, opts).kind);
      }),
      { numRuns: 300 },
    );
    const anyValue = fc.oneof(fc.jsonValue(), fc.anything());
    const loose = fc.record(
      {
        event_type: fc.oneof(fc.constant('card_transaction.updated'), anyValue),
        token: anyValue,
        account_token: anyValue,
        card_token: anyValue,
        created: anyValue,
        network: anyValue,
        merchant: fc.oneof(anyValue, fc.dictionary(fc.string(), anyValue)),
        pos: anyValue,
        card: anyValue,
        amounts: anyValue,
        payload: anyValue,
        events: fc.oneof(
          anyValue,
          fc.array(
            fc.oneof(
              anyValue,
              fc.record(
                {
                  token: anyValue,
                  type: fc.oneof(fc.constantFrom(...EVENT_TYPES), anyValue),
                  result: fc.oneof(fc.constant('APPROVED'), anyValue),
                  created: anyValue,
                  amount: anyValue,
                  amounts: fc.oneof(
                    anyValue,
                    fc.record({ cardholder: anyValue, settlement: anyValue, merchant: anyValue }),
                  ),
                  network_info: anyValue,
                },
                { requiredKeys: [] },
              ),
            ),
          ),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(loose, (value) => {
        expect(kinds).toContain(fromLithic(value, opts).kind);
      }),
      { numRuns: 400 },
    );
  });
});
