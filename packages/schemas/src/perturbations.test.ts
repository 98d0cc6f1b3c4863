// Every field of a valid body of every validator, broken one way at a time (removed, null, the
// wrong type, empty), and the issues users get for it, checked against the committed snapshot
// (src/__snapshots__/perturbations.test.ts.snap). The snapshot is the error contract: which rule
// id, path, message and expectation each mistake gets, and that the rest of the body stays quiet.
// After an intended change to a message or a rule, review the diff of `vitest run -u`.
import { describe, expect, it } from 'vitest';
import {
  type BatchKind,
  checkBatch,
  type ParseResult,
  SchemaValidationError,
  safeParseBulkUploadUrlRequest,
  safeParseCompleteUploadRequest,
  safeParseContentStrategyRequest,
  safeParseCreateAttributionsRequest,
  safeParseCreateAuditsRequest,
  safeParseCreateChildOrganizationRequest,
  safeParseCreatePlacementRequest,
  safeParseCreateSubscriptionsRequest,
  safeParseCreateUploadRequest,
  safeParseCreateUsersRequest,
  safeParseFraudMarkersRequest,
  safeParseLegacyCreateUserRequest,
  safeParseLegacyIncomingTransaction,
  safeParseLegacyIncomingTransactions,
  safeParseTransactionEvent,
  safeParseTransactionsRequest,
  safeParseUpdateChildOrganizationRequest,
  safeParseUpdatePlacementRequest,
  safeParseUpdateSubscriptionRequest,
  safeParseUpdateUserRequest,
  safeParseUploadPartRequest,
  validateBulkUploadUrlRequest,
  validateCompleteUploadRequest,
  validateContentStrategyRequest,
  validateCreateAttributionsRequest,
  validateCreateAuditsRequest,
  validateCreateChildOrganizationRequest,
  validateCreatePlacementRequest,
  validateCreateSubscriptionsRequest,
  validateCreateUploadRequest,
  validateCreateUsersRequest,
  validateFraudMarkersRequest,
  validateLegacyCreateUserRequest,
  validateLegacyIncomingTransaction,
  validateLegacyIncomingTransactions,
  validateTransactionEvent,
  validateTransactionsRequest,
  validateUpdateChildOrganizationRequest,
  validateUpdatePlacementRequest,
  validateUpdateSubscriptionRequest,
  validateUpdateUserRequest,
  validateUploadPartRequest,
} from './index.js';
import {
  validCore,
  validLegacy,
  validMatched,
  validOfferAttribution,
  validTransaction,
  validUser,
} from './testing.js';

type Parse = (input: unknown) => ParseResult<unknown>;
type Validate = (input: unknown) => unknown;
type Path = (string | number)[];

const slots = [
  { placementId: 'p-1', alias: 'first', shortDescription: 'Coffee offers' },
  { placementId: 'p-2', alias: 'second' },
];

/** The same event under another event id and transaction id (R10: ids are unique per batch). */
function second<T extends { id: string; attributes: Record<string, unknown> }>(t: T): T {
  return { ...t, id: `${t.id}-2`, attributes: { ...t.attributes, transactionId: 'txn-2' } };
}

/** A valid body for each validator (each is checked to pass before it is broken). */
const cases: [name: string, parse: Parse, validate: Validate, body: unknown][] = [
  [
    'transaction',
    safeParseTransactionsRequest,
    validateTransactionsRequest,
    { data: [validTransaction(), second(validTransaction())] },
  ],
  [
    'matchedTransaction',
    safeParseTransactionsRequest,
    validateTransactionsRequest,
    { data: [validMatched(), second(validMatched())] },
  ],
  [
    'coreTransaction',
    safeParseTransactionsRequest,
    validateTransactionsRequest,
    { data: [validCore(), second(validCore())] },
  ],
  [
    'one transaction event',
    safeParseTransactionEvent,
    validateTransactionEvent,
    validTransaction({ status: 'APPROVED' }),
  ],
  [
    'legacy incoming',
    safeParseLegacyIncomingTransactions,
    validateLegacyIncomingTransactions,
    [validLegacy(), validLegacy({ transactionId: 'txn-l2' })],
  ],
  [
    'one legacy incoming',
    safeParseLegacyIncomingTransaction,
    validateLegacyIncomingTransaction,
    validLegacy(),
  ],
  [
    'upload part',
    safeParseUploadPartRequest,
    validateUploadPartRequest,
    {
      data: [validTransaction(), second(validTransaction())].map((t) => ({
        ...t,
        type: 'historicalTransaction',
      })),
    },
  ],
  [
    'create upload',
    safeParseCreateUploadRequest,
    validateCreateUploadRequest,
    { data: { type: 'historicalTransactionStart', attributes: {} } },
  ],
  [
    'complete upload',
    safeParseCompleteUploadRequest,
    validateCompleteUploadRequest,
    { data: { type: 'historicalTransactionComplete', id: 'up-1', attributes: {} } },
  ],
  [
    'bulk upload url',
    safeParseBulkUploadUrlRequest,
    validateBulkUploadUrlRequest,
    { data: [{ type: 'incomingTransactionsFile', attributes: { filename: 'transactions.jsonl' } }] },
  ],
  [
    'create users',
    safeParseCreateUsersRequest,
    validateCreateUsersRequest,
    { data: [validUser(), { ...validUser(), id: 'user-2' }] },
  ],
  ['update user', safeParseUpdateUserRequest, validateUpdateUserRequest, { data: validUser() }],
  [
    'legacy create user',
    safeParseLegacyCreateUserRequest,
    validateLegacyCreateUserRequest,
    {
      referringPartnerUserId: 'u-1',
      email: 'jane@example.com',
      userName: 'jane',
      phoneNumber: '+14155550123',
      enrolledRewards: ['CARDLINKED'],
      cards: [{ bin: '411111', last4: '1234', issuer: 'Kard', network: 'VISA' }],
    },
  ],
  [
    'audits',
    safeParseCreateAuditsRequest,
    validateCreateAuditsRequest,
    {
      data: [
        {
          type: 'audit',
          attributes: { auditCode: 3005, merchantName: 'M', auditDescription: 'd', transactionId: 't' },
        },
      ],
    },
  ],
  [
    'fraud markers',
    safeParseFraudMarkersRequest,
    validateFraudMarkersRequest,
    { data: [{ type: 'fraudulentTransaction', id: 'txn-1', attributes: { userId: 'u' } }] },
  ],
  [
    'create subscriptions',
    safeParseCreateSubscriptionsRequest,
    validateCreateSubscriptionsRequest,
    {
      data: [
        {
          type: 'subscription',
          attributes: { eventName: 'earnedRewardSettled', webhookUrl: 'https://x.test/h', enabled: true },
        },
      ],
    },
  ],
  [
    'update subscription',
    safeParseUpdateSubscriptionRequest,
    validateUpdateSubscriptionRequest,
    {
      data: {
        type: 'subscription',
        attributes: { eventName: 'auditUpdate', webhookUrl: 'https://x.test/h', enabled: false },
      },
    },
  ],
  [
    'attributions',
    safeParseCreateAttributionsRequest,
    validateCreateAttributionsRequest,
    {
      data: [
        validOfferAttribution(),
        {
          type: 'notificationAttribution',
          attributes: { ...validOfferAttribution().attributes, medium: 'PUSH' },
        },
        {
          type: 'placementSlotAttribution',
          attributes: {
            ...validOfferAttribution().attributes,
            entityId: 's-1',
            medium: 'CTA',
            state: { slotId: 's-1' },
          },
        },
      ],
    },
  ],
  [
    'create child organization',
    safeParseCreateChildOrganizationRequest,
    validateCreateChildOrganizationRequest,
    {
      data: {
        type: 'organization',
        attributes: { name: 'Acme Credit Union', bins: ['411111'], externalId: 'x' },
      },
    },
  ],
  [
    'update child organization',
    safeParseUpdateChildOrganizationRequest,
    validateUpdateChildOrganizationRequest,
    { data: { type: 'organization', attributes: { name: 'Acme', bins: ['411111'], externalId: 'x' } } },
  ],
  [
    'create placement',
    safeParseCreatePlacementRequest,
    validateCreatePlacementRequest,
    {
      data: { type: 'placement', attributes: { name: 'Home', availableSlots: 3, contentStrategyId: 'cs-1' } },
    },
  ],
  [
    'create push placement',
    safeParseCreatePlacementRequest,
    validateCreatePlacementRequest,
    {
      data: {
        type: 'placementPushNotification',
        attributes: { name: 'Push', cadence: { frequency: 'WEEKLY', dayOfWeek: 'FRI', timeOfDay: '09:30' } },
      },
    },
  ],
  [
    'create email placement',
    safeParseCreatePlacementRequest,
    validateCreatePlacementRequest,
    {
      data: {
        type: 'placementEmail',
        attributes: { name: 'Email', availableSlots: 5, cadence: { frequency: 'MONTHLY', dayOfMonth: 1 } },
      },
    },
  ],
  [
    'create batch activation placement',
    safeParseCreatePlacementRequest,
    validateCreatePlacementRequest,
    {
      data: {
        type: 'placementBatchActivation',
        attributes: { name: 'Batch', refreshInterval: 'P7D', slots },
      },
    },
  ],
  [
    'update group placement',
    safeParseUpdatePlacementRequest,
    validateUpdatePlacementRequest,
    { data: { type: 'placementGroup', attributes: { name: 'Group', slots } } },
  ],
  [
    'content strategy',
    safeParseContentStrategyRequest,
    validateContentStrategyRequest,
    {
      data: {
        type: 'contentStrategy',
        attributes: {
          name: 'Coffee',
          sort: 'HIGHEST_CASHBACK',
          filters: { categories: ['Food & Beverage'], offerFeatures: ['INTERACTIVE'] },
          categories: ['Food & Beverage'],
          categoryExclusions: [],
          merchantExclusions: [],
        },
      },
    },
  ],
];

/** Every path in a JSON value, parents before children. */
function paths(value: unknown, at: Path = []): Path[] {
  const out: Path[] = at.length > 0 ? [at] : [];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...at, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  }
  return out;
}

const REMOVE = Symbol('remove');

/** The ways a value at a path is broken: removed, null, the wrong type, empty. */
function breakings(value: unknown): [label: string, replacement: unknown][] {
  const out: [string, unknown][] = [
    ['removed', REMOVE],
    ['null', null],
  ];
  if (typeof value === 'string') out.push(['a number', 7], ['empty', ''], ['padded', ` ${value} `]);
  else if (typeof value === 'number')
    out.push(['a string', String(value)], ['negative', -value - 1], ['fractional', value + 0.5]);
  else if (typeof value === 'boolean') out.push(['a string', String(value)]);
  else if (Array.isArray(value)) out.push(['empty', []], ['an object', {}]);
  else out.push(['empty', {}], ['an array', []]);
  return out;
}

function withValue(body: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(body);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement !== REMOVE) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

const shown = (r: ParseResult<unknown>) =>
  r.issues.map(
    (i) =>
      `${i.severity} ${i.rule === null ? '-' : i.rule} ${i.path}: ${i.message}${i.expected ? ` (expected ${i.expected})` : ''}`,
  );

describe('each field broken one way at a time', () => {
  for (const [name, parse, validate, body] of cases) {
    it(name, () => {
      const clean = parse(body);
      expect(
        clean.issues.filter((i) => i.severity === 'error'),
        'the valid body passes',
      ).toEqual([]);
      expect(validate(body), 'validate… returns the body itself').toBe(body);
      const results: Record<string, string[]> = { valid: shown(clean) };
      for (const path of paths(body)) {
        const value = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], body);
        for (const [label, replacement] of breakings(value)) {
          const broken = withValue(body, path, replacement);
          const r = parse(broken);
          const key = `${path.join('.')} ${label}`;
          results[key] = [r.success ? 'accepted' : 'rejected', ...shown(r)];
          // A rejected body always says why, and an accepted one has no error.
          expect(r.success, key).toBe(!r.issues.some((i) => i.severity === 'error'));
          if (!r.success) results[key].push(`throws: ${thrown(() => validate(broken), r)}`);
        }
      }
      expect(results).toMatchSnapshot();
    });
  }
});

/** The message of the SchemaValidationError that validate… throws, holding the same issues. */
function thrown(call: () => unknown, r: ParseResult<unknown>): string {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaValidationError);
    expect((err as SchemaValidationError).issues).toEqual(r.issues);
    return (err as Error).message;
  }
  throw new Error('validate… accepted a body its safeParse… rejected');
}

/** Valid items of each kind for checkBatch, the first two of `cases` bodies reused. */
const batchItems: [kind: BatchKind, items: unknown[]][] = [
  ['transactions', [validTransaction(), second(validTransaction()), validMatched(), validCore()]],
  [
    'uploadParts',
    [validTransaction(), second(validTransaction())].map((t) => ({ ...t, type: 'historicalTransaction' })),
  ],
  ['users', [validUser(), { ...validUser(), id: 'user-2' }]],
  [
    'fraudMarkers',
    [
      { type: 'fraudulentTransaction', id: 'txn-1', attributes: { userId: 'u' } },
      { type: 'fraudulentTransaction', id: 'txn-2', attributes: { userId: 'u' } },
    ],
  ],
  [
    'audits',
    [
      {
        type: 'audit',
        attributes: { auditCode: 3005, merchantName: 'M', auditDescription: 'd', transactionId: 't' },
      },
    ],
  ],
  ['attributions', [validOfferAttribution(), validOfferAttribution({ medium: 'CTA' })]],
  ['legacyIncoming', [validLegacy(), validLegacy({ transactionId: 'txn-l2' })]],
];

describe('checkBatch judges each item on its own', () => {
  for (const [kind, items] of batchItems) {
    it(kind, () => {
      const clean = checkBatch(kind, items);
      expect(clean.invalid, 'every valid item passes').toEqual([]);
      expect(clean.valid.map((v) => v.index)).toEqual(items.map((_, i) => i));
      const results: Record<string, unknown> = {};
      // Each item broken on its own among valid neighbours, then the first item repeated.
      for (const [i, item] of items.entries()) {
        for (const path of paths(item)) {
          const value = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], item);
          for (const [label, replacement] of breakings(value)) {
            const list = items.slice();
            list[i] = withValue(item, path, replacement);
            const r = checkBatch(kind, list, { path: 'body' });
            results[`${i}.${path.join('.')} ${label}`] = summary(r);
          }
        }
      }
      results['first item repeated'] = summary(checkBatch(kind, [...items, items[0]]));
      expect(results).toMatchSnapshot();
    });
  }
  it('an unknown kind is a TypeError naming it; a non-array is an empty batch', () => {
    expect(() => checkBatch('nope' as BatchKind, [])).toThrow(new TypeError('unknown batch kind: nope'));
    expect(checkBatch('users', 'x' as unknown as unknown[])).toEqual({
      valid: [],
      invalid: [],
      warnings: [],
    });
  });
});

function summary(r: ReturnType<typeof checkBatch>) {
  return {
    valid: r.valid.map((v) => v.index),
    invalid: r.invalid.map((v) => `${v.index}: ${shown({ success: false, issues: v.issues }).join(' | ')}`),
    warnings: shown({ success: true, data: null, issues: r.warnings }),
  };
}
