// Every field of a valid body of every validator, broken one way at a time (removed, null, the
// wrong type, empty), and the issues users get for it, checked against the committed snapshot
// (src/__snapshots__/perturbations.test.ts.snap). The snapshot is the error contract: which rule
// id, path, message and expectation each mistake gets, and that the rest of the body stays quiet.
// After an intended change to a message or a rule, review the diff of `vitest run -u`.
import { describe, expect, it } from 'vitest';
import {
  type ParseResult,
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
type Path = (string | number)[];

const slots = [
  { placementId: 'p-1', alias: 'first', shortDescription: 'Coffee offers' },
  { placementId: 'p-2', alias: 'second' },
];

/** A valid body for each validator (each is checked to pass before it is broken). */
const cases: [name: string, parse: Parse, body: unknown][] = [
  ['transaction', safeParseTransactionsRequest, { data: [validTransaction()] }],
  ['matchedTransaction', safeParseTransactionsRequest, { data: [validMatched()] }],
  ['coreTransaction', safeParseTransactionsRequest, { data: [validCore()] }],
  ['one transaction event', safeParseTransactionEvent, validTransaction({ status: 'APPROVED' })],
  ['legacy incoming', safeParseLegacyIncomingTransactions, [validLegacy()]],
  ['one legacy incoming', safeParseLegacyIncomingTransaction, validLegacy()],
  [
    'upload part',
    safeParseUploadPartRequest,
    { data: [{ ...validTransaction(), type: 'historicalTransaction' }] },
  ],
  [
    'create upload',
    safeParseCreateUploadRequest,
    { data: { type: 'historicalTransactionStart', attributes: {} } },
  ],
  [
    'complete upload',
    safeParseCompleteUploadRequest,
    { data: { type: 'historicalTransactionComplete', id: 'up-1', attributes: {} } },
  ],
  [
    'bulk upload url',
    safeParseBulkUploadUrlRequest,
    { data: [{ type: 'incomingTransactionsFile', attributes: { filename: 'transactions.jsonl' } }] },
  ],
  ['create users', safeParseCreateUsersRequest, { data: [validUser()] }],
  ['update user', safeParseUpdateUserRequest, { data: validUser() }],
  [
    'legacy create user',
    safeParseLegacyCreateUserRequest,
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
    { data: [{ type: 'fraudulentTransaction', id: 'txn-1', attributes: { userId: 'u' } }] },
  ],
  [
    'create subscriptions',
    safeParseCreateSubscriptionsRequest,
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
    { data: { type: 'organization', attributes: { name: 'Acme', bins: ['411111'], externalId: 'x' } } },
  ],
  [
    'create placement',
    safeParseCreatePlacementRequest,
    {
      data: { type: 'placement', attributes: { name: 'Home', availableSlots: 3, contentStrategyId: 'cs-1' } },
    },
  ],
  [
    'create push placement',
    safeParseCreatePlacementRequest,
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
    { data: { type: 'placementGroup', attributes: { name: 'Group', slots } } },
  ],
  [
    'content strategy',
    safeParseContentStrategyRequest,
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
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value !== null && typeof value === 'object') {
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
  for (const [name, parse, body] of cases) {
    it(name, () => {
      const clean = parse(body);
      expect(
        clean.issues.filter((i) => i.severity === 'error'),
        'the valid body passes',
      ).toEqual([]);
      const results: Record<string, string[]> = { valid: shown(clean) };
      for (const path of paths(body)) {
        const value = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], body);
        for (const [label, replacement] of breakings(value)) {
          const r = parse(withValue(body, path, replacement));
          const key = `${path.join('.')} ${label}`;
          results[key] = [r.success ? 'accepted' : 'rejected', ...shown(r)];
          // A rejected body always says why, and an accepted one has no error.
          expect(r.success, key).toBe(!r.issues.some((i) => i.severity === 'error'));
        }
      }
      expect(results).toMatchSnapshot();
    });
  }
});
