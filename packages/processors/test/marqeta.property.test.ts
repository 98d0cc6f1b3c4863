import { safeParseTransactionEvent } from '@kardkit/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMarqeta, fromMarqetaEach } from '../src/index.js';
import { toMinorUnits } from '../src/marqeta.js';

const TYPES = [
  'authorization',
  'authorization.advice',
  'authorization.incremental',
  'authorization.clearing',
  'authorization.reversal',
  'authorization.reversal.issuerexpiration',
  'authorization.clearing.chargeback',
  'authorization.atm.withdrawal',
  'refund',
  'refund.authorization',
  'refund.authorization.clearing',
  'refund.authorization.reversal',
  'pindebit',
  'pindebit.authorization',
  'pindebit.authorization.clearing',
  'pindebit.reversal',
  'pindebit.refund',
  'pindebit.cashback',
  'pindebit.atm.withdrawal',
  'pindebit.balanceinquiry',
  'balanceinquiry',
  'account.funding.authorization',
  'account.funding.authorization.clearing',
  'gpa.credit',
  'gpa.credit.pending',
];
const STATES = ['PENDING', 'CLEARED', 'COMPLETION', 'DECLINED', 'ERROR'];

const token = fc.uuid();
const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 &'.-]{0,29}$/);
const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
/** A UTC date-time between 2000 and 2099, with or without milliseconds and zone. */
const time = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) =>
    fc.constantFrom(d.toISOString(), d.toISOString().replace(/\.\d{3}Z$/, 'Z'), d.toISOString().slice(0, 19)),
  );
/** An amount in major units: a JSON number or a decimal string, up to $10M with cents. */
const amount = fc
  .integer({ min: 0, max: 1_000_000_000 })
  .chain((cents) => fc.constantFrom<number | string>(cents / 100, (cents / 100).toFixed(2)));

/** A well-formed Marqeta transaction of the types and states this mapping reads. */
const transaction = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    state: fc.constantFrom(...STATES),
    token,
    preceding_related_transaction_token: token,
    original_transaction_token: token,
    user_token: token,
    card_token: token,
    amount,
    currency_code: fc.constantFrom('USD', 'usd', 'EUR', 'JPY', 'KWD', 'GBP'),
    created_time: time,
    user_transaction_time: time,
    settlement_date: time,
    approval_code: digits(6),
    network: fc.constantFrom('VISA', 'MASTERCARD', 'DISCOVER', 'PULSE'),
    acquirer_reference_id: digits(23),
    network_reference_id: digits(15),
    response: fc.record({ code: fc.constantFrom('0000', '0002', '1830', '1016', '1807'), memo: word }),
    card_acceptor: fc.record(
      {
        mid: digits(15),
        mcc: digits(4),
        name: word,
        city: word,
        state: fc.constantFrom('CA', 'NY', 'ON', 'California', ''),
        postal_code: digits(5),
        zip: digits(5),
        country_code: fc.constantFrom('USA', 'US', 'CAN', '840'),
      },
      { requiredKeys: ['name'] },
    ),
    card: fc.record(
      { last_four: digits(4), pan: fc.oneof(digits(16), fc.constant('************1234')) },
      {
        requiredKeys: ['last_four'],
      },
    ),
    acquirer: fc.record({ retrieval_reference_number: digits(12), system_trace_audit_number: digits(6) }),
    pos: fc.record({
      pan_entry_mode: fc.constantFrom('CHIP', 'MAG_STRIPE', 'MANUAL'),
      card_presence: fc.boolean(),
    }),
  },
  {
    requiredKeys: [
      'type',
      'state',
      'token',
      'user_token',
      'amount',
      'currency_code',
      'created_time',
      'card_acceptor',
      'card',
    ],
  },
);

const opts = { cardBin: '424242' };

describe('fromMarqeta (properties)', () => {
  it('well-formed transaction webhooks give events that each pass @kardkit/schemas, or a skip', () => {
    fc.assert(
      fc.property(fc.array(transaction, { minLength: 1, maxLength: 4 }), (transactions) => {
        const r = fromMarqeta({ transactions }, opts);
        expect(['events', 'skip']).toContain(r.kind);
        if (r.kind !== 'events') return;
        expect(r.events.length).toBeGreaterThan(0);
        expect(r.events.length).toBeLessThanOrEqual(transactions.length);
        for (const e of r.events) {
          expect(safeParseTransactionEvent(e).success).toBe(true);
          expect(e.attributes.amount).toBeGreaterThan(0);
          expect(e.attributes.direction).toBe(e.attributes.status === 'RETURNED' ? 'CREDIT' : 'DEBIT');
        }
        // One skipped-transaction warning per transaction not mapped.
        const warnings = r.issues.filter((i) => i.path.startsWith('transactions['));
        expect(warnings).toHaveLength(transactions.length - r.events.length);
      }),
      { numRuns: 300 },
    );
  });

  it('ids are deterministic and distinct across the transactions of a webhook', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(transaction, { selector: (t) => t.token, minLength: 1, maxLength: 4 }),
        (transactions) => {
          const a = fromMarqeta({ transactions }, opts);
          const b = fromMarqeta(JSON.parse(JSON.stringify({ transactions })), opts);
          expect(b).toEqual(a);
          if (a.kind !== 'events') return;
          expect(new Set(a.events.map((e) => e.id)).size).toBe(a.events.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fromMarqetaEach and fromMarqeta agree on which transactions are for Kard', () => {
    fc.assert(
      fc.property(fc.array(transaction, { minLength: 1, maxLength: 4 }), (transactions) => {
        const each = fromMarqetaEach({ transactions }, opts);
        expect(each).toHaveLength(transactions.length);
        const mapped = each.flatMap((r) => (r.kind === 'skip' ? [] : r.events));
        const all = fromMarqeta({ transactions }, opts);
        expect(all.kind === 'skip' ? [] : all.events).toEqual(mapped);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary JSON never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fromMarqeta(value, opts);
        fromMarqeta({ transactions: [value] }, opts);
        fromMarqeta({ transactions: value }, opts);
        fromMarqetaEach(value, opts);
      }),
      { numRuns: 500 },
    );
  });

  it('any object with arbitrary values under the fields the mapping reads never throws', () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.record({
          type: fc.oneof(fc.constantFrom(...TYPES), anyValue),
          state: fc.oneof(fc.constantFrom(...STATES), anyValue),
          token: anyValue,
          amount: anyValue,
          currency_code: anyValue,
          created_time: anyValue,
          user_transaction_time: anyValue,
          card_acceptor: anyValue,
          card: anyValue,
          pos: anyValue,
          acquirer: anyValue,
          response: anyValue,
          network: anyValue,
        }),
        (t) => {
          const r = fromMarqeta({ transactions: [t] }, opts);
          expect(['events', 'skip', 'invalid']).toContain(r.kind);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('toMinorUnits (properties)', () => {
  it('integer cents written as decimal major units come back exactly, as a number or a string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (cents) => {
        const major = `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        expect(toMinorUnits(major, 2)).toBe(cents);
        if (cents <= 1e15) expect(toMinorUnits(cents / 100, 2)).toBe(cents);
      }),
      { numRuns: 1000 },
    );
  });
});
