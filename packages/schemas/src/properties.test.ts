import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import {
  checkBatch,
  legacyIncomingTransactionSchema,
  safeParseLegacyIncomingTransactions,
  safeParseLegacyIncomingTransactionsWithZod,
  safeParseTransactionEvent,
  safeParseTransactionsRequest,
  safeParseTransactionsRequestWithZod,
  transactionEventSchema,
  uploadPartItemSchema,
} from './index.js';
import { fastLegacyIncoming, fastTransactionEvent, fastUploadPartItem } from './transactions.js';

// ------------------------------------------------------------------ arbitraries for VALID records

const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
const text = fc.string({ minLength: 1, maxLength: 30 });
const offset = fc.oneof(
  fc.constant('Z'),
  fc
    .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([s, h, m]) => `${s}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
);
const isoDate = fc
  .tuple(
    fc.date({
      min: new Date('1990-01-01T00:00:00Z'),
      max: new Date('2090-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    offset,
    fc.constantFrom('', '.5', '.123', '.123456'),
  )
  .map(([d, off, frac]) => `${d.toISOString().slice(0, 19)}${frac}${off}`);
const cents = fc.integer({ min: -1_000_000, max: 100_000_000 });
const merchant = fc.record(
  {
    name: text,
    id: digits(15),
    addrCity: text,
    addrState: fc.constantFrom(...api.STATES),
    addrZipcode: digits(5),
  },
  { requiredKeys: ['name'] },
);

const cardTxAttrs = fc
  .tuple(
    fc.record(
      {
        userId: id,
        amount: cents,
        subtotal: cents,
        currency: fc.constantFrom('USD', 'EUR', 'CAD'),
        description: text,
        description2: fc.string(),
        mcc: digits(4),
        merchant,
        cardBIN: digits(6),
        cardLastFour: digits(4),
        direction: fc.constantFrom(...api.DIRECTION_TYPE),
        paymentType: fc.constant('CARD'),
        cardNetwork: fc.constantFrom(...api.CARD_NETWORK),
        transactionId: id,
        processorMids: fc.record({ processor: fc.constant('VISA'), mids: fc.record({ vmid: id, vsid: id }) }),
        accountId: fc.string(),
      },
      {
        requiredKeys: [
          'userId',
          'amount',
          'currency',
          'description',
          'cardBIN',
          'cardLastFour',
          'direction',
          'paymentType',
          'transactionId',
        ],
      },
    ),
    fc.constantFrom(...api.TRANSACTION_STATUS),
    isoDate,
    isoDate,
    isoDate,
  )
  .map(([a, status, d1, d2, d3]) => {
    const out: Record<string, unknown> = { ...a, status };
    // R1–R3: the dates each status needs, sometimes with extra ones.
    if (status === 'APPROVED') out.authorizationDate = d1;
    if (status === 'SETTLED') Object.assign(out, { settledDate: d2, authorizationDate: d1 });
    if (status === 'REVERSED' || status === 'RETURNED' || status === 'DECLINED') out.transactionDate = d3;
    return out;
  });

const matchedAttrs = fc
  .tuple(
    fc.record({
      userId: id,
      amount: cents,
      description: text,
      authorizationDate: isoDate,
      transactionId: id,
    }),
    fc.constantFrom(...api.DIRECTION_TYPE),
    fc.constantFrom('CARD', 'CASH', 'UNKNOWN'),
    fc.option(id, { nil: undefined }),
    fc.option(id, { nil: undefined }),
    digits(6),
    digits(4),
    fc.boolean(),
  )
  .map(([base, direction, paymentType, offerId, orderId, bin, l4, withCard]) => {
    const a: Record<string, unknown> = { ...base, direction, paymentType };
    if (paymentType === 'CARD') {
      if (offerId) Object.assign(a, { matchedOfferId: offerId, cardLastFour: l4 }); // R16
      if (withCard) Object.assign(a, { cardBIN: bin, cardNetwork: 'VISA', cardProductId: 'p' });
    } else if (paymentType === 'CASH') {
      if (offerId) a.matchedOfferId = offerId;
    } else if (offerId && orderId) {
      Object.assign(a, { matchedOfferId: offerId, orderId }); // R13
    }
    return a;
  });

const coreAttrs = fc.record(
  {
    userId: id,
    transactionId: id,
    amount: cents,
    currency: fc.constantFrom('USD', 'EUR', 'GBP', 'JPY'),
    description: text,
    direction: fc.constantFrom(...api.DIRECTION_TYPE),
    status: fc.constant('SETTLED'),
    settledDate: isoDate,
    authorizationDate: isoDate,
    financialInstitutionId: id,
    cardLastFours: fc.array(digits(4), { maxLength: 3 }),
  },
  {
    requiredKeys: [
      'userId',
      'transactionId',
      'amount',
      'currency',
      'description',
      'direction',
      'status',
      'settledDate',
      'authorizationDate',
    ],
  },
);

const validEvent = fc.oneof(
  fc.record({ type: fc.constant('transaction'), id, attributes: cardTxAttrs }),
  fc.record({ type: fc.constant('matchedTransaction'), id, attributes: matchedAttrs }),
  fc.record({ type: fc.constant('coreTransaction'), id, attributes: coreAttrs }),
);

const validLegacy = cardTxAttrs.map((a) => {
  const {
    userId,
    merchant: m,
    direction: _d,
    paymentType: _p,
    cardNetwork: _c,
    processorMids: _pm,
    accountId: _a,
    ...rest
  } = a as Record<string, unknown> & { merchant?: { name: string; id?: string } };
  const out: Record<string, unknown> = { ...rest, referringPartnerUserId: userId, isDeposit: false };
  if (m) Object.assign(out, { merchantName: m.name, merchantId: m.id ?? '123456789012345' });
  return out;
});

// ------------------------------------------------------------------ mutations

const POOL: unknown[] = [
  undefined,
  null,
  '',
  'x',
  42,
  1.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  {},
  ['1234'],
  '411111',
  '4111111',
  '1234',
  '12345',
  '2024-05-01T10:00:00Z',
  '2024-05-01T10:00:00',
  '2024-02-30T10:00:00Z',
  'SETTLED',
  'APPROVED',
  'REVERSED',
  'CARD',
  'CASH',
  'UNKNOWN',
  'VISA',
  'DEBIT',
  'USD',
  'usd',
  'NY',
  'ZZ',
  { name: 'M' },
  { processor: 'VISA', mids: { vmid: '1' } },
  'transaction',
  'coreTransaction',
];
const KEYS = [
  'userId',
  'amount',
  'subtotal',
  'status',
  'currency',
  'description',
  'description2',
  'mcc',
  'transactionDate',
  'authorizationDate',
  'settledDate',
  'merchant',
  'cardBIN',
  'cardLastFour',
  'direction',
  'paymentType',
  'cardNetwork',
  'transactionId',
  'processorMids',
  'matchedOfferId',
  'matchedLocationId',
  'orderId',
  'cardProductId',
  'receiptMedium',
  'financialInstitutionName',
  'cardLastFours',
  'referringPartnerUserId',
  'merchantAddrState',
  'isDeposit',
  'merchantId',
];
const mutation = fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...POOL)), {
  minLength: 1,
  maxLength: 3,
});

function mutate(obj: Record<string, unknown>, muts: [string, unknown][]): Record<string, unknown> {
  const c = { ...obj };
  for (const [k, v] of muts) {
    if (v === undefined && Math.random() < 0.5) delete c[k];
    else c[k] = v;
  }
  return c;
}
const mutatedEvent = fc
  .tuple(validEvent, mutation, fc.constantFrom('attrs', 'attrs', 'attrs', 'envelope'))
  .map(([e, m, where]) =>
    where === 'attrs'
      ? { ...e, attributes: mutate(e.attributes, m) }
      : mutate(e as Record<string, unknown>, [['type', m[0]![1]], ...m]),
  );

const RUNS = { numRuns: 400 };

describe('property: valid transactions always pass', () => {
  it('generated valid v2 events (all three types) pass, through the fast path and through zod', () => {
    fc.assert(
      fc.property(validEvent, (e) => {
        expect(transactionEventSchema.safeParse(e).success).toBe(true);
        expect(fastTransactionEvent(e)).toBe(true);
        const r = safeParseTransactionEvent(e);
        expect(r.success).toBe(true);
        expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
      }),
      RUNS,
    );
  });
  it('generated valid batches pass as a request and split all-valid in checkBatch', () => {
    fc.assert(
      fc.property(fc.uniqueArray(validEvent, { maxLength: 40, selector: (e) => e.id }), (data) => {
        expect(safeParseTransactionsRequest({ data }).success).toBe(true);
        const b = checkBatch('transactions', data);
        expect(b.invalid).toEqual([]);
        expect(b.valid.length).toBe(data.length);
      }),
      { numRuns: 100 },
    );
  });
  it('generated valid legacy incoming records pass', () => {
    fc.assert(
      fc.property(fc.array(validLegacy, { maxLength: 20 }), (rows) => {
        expect(rows.every((r) => legacyIncomingTransactionSchema.safeParse(r).success)).toBe(true);
        expect(safeParseLegacyIncomingTransactions(rows).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('property: fast path and zod agree', () => {
  it('fastTransactionEvent(x) === transactionEventSchema accepts x, for mutated events', () => {
    fc.assert(
      fc.property(mutatedEvent, (e) => {
        expect(fastTransactionEvent(e)).toBe(transactionEventSchema.safeParse(e).success);
      }),
      { numRuns: 3000 },
    );
  });
  it('fastUploadPartItem and fastLegacyIncoming agree with their zod schemas', () => {
    fc.assert(
      fc.property(mutatedEvent, (e) => {
        const part = { ...e, type: 'historicalTransaction' };
        expect(fastUploadPartItem(part)).toBe(uploadPartItemSchema.safeParse(part).success);
      }),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(validLegacy, mutation, (row, m) => {
        const x = mutate(row, m);
        expect(fastLegacyIncoming(x)).toBe(legacyIncomingTransactionSchema.safeParse(x).success);
      }),
      { numRuns: 2000 },
    );
  });
  it('safeParseTransactionsRequest returns exactly what the full zod path returns (issues included)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(validEvent, mutatedEvent), { maxLength: 8 }), (data) => {
        expect(safeParseTransactionsRequest({ data })).toEqual(safeParseTransactionsRequestWithZod({ data }));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(validLegacy, mutation), { maxLength: 5 }), (rows) => {
        const input = rows.map(([r, m]) => mutate(r, m));
        expect(safeParseLegacyIncomingTransactions(input)).toEqual(
          safeParseLegacyIncomingTransactionsWithZod(input),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: random JSON never throws', () => {
  const parsers = Object.entries(api).filter(
    ([name, fn]) => name.startsWith('safeParse') && typeof fn === 'function',
  ) as [string, (x: unknown) => api.ParseResult<unknown>][];
  it(`every safeParse… (${parsers.length}) and checkBatch return issues instead of throwing`, () => {
    expect(parsers.length).toBeGreaterThanOrEqual(23);
    const kinds: api.BatchKind[] = [
      'transactions',
      'uploadParts',
      'users',
      'fraudMarkers',
      'audits',
      'attributions',
      'legacyIncoming',
    ];
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), fc.record({ data: fc.jsonValue() })), (x) => {
        for (const [, parse] of parsers) {
          const r = parse(x);
          expect(Array.isArray(r.issues)).toBe(true);
          if (!r.success) expect(r.issues.some((i) => i.severity === 'error')).toBe(true);
        }
        for (const k of kinds) {
          const b = checkBatch(k, Array.isArray(x) ? x : [x]);
          expect(b.valid.length + b.invalid.length).toBe(Array.isArray(x) ? x.length : 1);
          for (const inv of b.invalid) expect(inv.issues.some((i) => i.severity === 'error')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: one broken required field yields an issue on that exact path', () => {
  const REQUIRED: Record<string, string[]> = {
    transaction: [
      'userId',
      'amount',
      'status',
      'currency',
      'description',
      'cardBIN',
      'cardLastFour',
      'direction',
      'paymentType',
      'transactionId',
    ],
    matchedTransaction: [
      'userId',
      'amount',
      'description',
      'authorizationDate',
      'paymentType',
      'direction',
      'transactionId',
    ],
    coreTransaction: [
      'userId',
      'transactionId',
      'amount',
      'currency',
      'description',
      'direction',
      'status',
      'settledDate',
      'authorizationDate',
    ],
  };
  const WRONG: unknown[] = [undefined, null, 42, 1.5, true, {}, [], 'not-valid-value'];
  it('removing or corrupting one required attribute reports data[i].attributes.<field>', () => {
    fc.assert(
      fc.property(
        fc.array(validEvent, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...WRONG),
        (events, iPick, kPick, wrong) => {
          const data = events.map((e, i) => ({ ...e, id: `evt-${i}` }));
          const i = iPick % data.length;
          const e = data[i]!;
          const keys = REQUIRED[e.type]!;
          const key = keys[kPick % keys.length]!;
          const attrs: Record<string, unknown> = { ...e.attributes };
          if (wrong === undefined) delete attrs[key];
          else attrs[key] = wrong;
          // a string key accepting any non-empty string cannot be "corrupted" by another string
          if (typeof wrong === 'string' && ['userId', 'description', 'transactionId'].includes(key)) return;
          // v2 `transaction` currency has no stated format: an odd string is only a warning there
          if (typeof wrong === 'string' && key === 'currency' && e.type === 'transaction') return;
          // ...and an integer is a valid amount
          if (key === 'amount' && Number.isInteger(wrong)) return;
          data[i] = { ...e, attributes: attrs } as typeof e;
          const r = safeParseTransactionsRequest({ data });
          expect(r.success).toBe(false);
          const path = `data[${i}].attributes.${key}`;
          expect(
            r.issues.some((x) => x.path === path && x.severity === 'error'),
            `${path} in ${JSON.stringify(r.issues)}`,
          ).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
  it('removing or corrupting the envelope type or id reports data[i].type / data[i].id', () => {
    fc.assert(
      fc.property(validEvent, fc.constantFrom('type', 'id'), fc.constantFrom(...WRONG), (e, key, wrong) => {
        const item: Record<string, unknown> = { ...e };
        if (wrong === undefined) delete item[key];
        else item[key] = wrong;
        if (key === 'id' && typeof wrong === 'string') return;
        const r = safeParseTransactionsRequest({ data: [item] });
        expect(r.issues.some((x) => x.path === `data[0].${key}` && x.severity === 'error')).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('property: cross-field rules report together with any field error', () => {
  const OTHER = [
    'userId',
    'amount',
    'subtotal',
    'currency',
    'description',
    'mcc',
    'merchant',
    'cardBIN',
    'cardLastFour',
    'direction',
    'paymentType',
    'cardNetwork',
    'transactionId',
    'processorMids',
  ];
  it('R2: a SETTLED transaction without settledDate reports R2 whatever else is wrong', () => {
    fc.assert(
      fc.property(
        cardTxAttrs,
        fc.array(fc.tuple(fc.constantFrom(...OTHER), fc.constantFrom(...POOL)), { maxLength: 3 }),
        (attrs, muts) => {
          const a: Record<string, unknown> = { ...attrs, status: 'SETTLED' };
          delete a.settledDate;
          for (const [k, v] of muts) a[k] = v;
          const r = safeParseTransactionsRequest({ data: [{ type: 'transaction', id: 'e', attributes: a }] });
          expect(r.issues.some((i) => i.rule === 'R2' && i.path === 'data[0].attributes.settledDate')).toBe(
            true,
          );
        },
      ),
      RUNS,
    );
  });
});
