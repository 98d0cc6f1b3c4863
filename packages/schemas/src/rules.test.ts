import { describe, expect, it } from 'vitest';
import {
  getRule,
  type ParseResult,
  rules,
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
  type ValidationIssue,
} from './index.js';
import {
  settledBatch,
  validCore,
  validLegacy,
  validMatched,
  validOfferAttribution,
  validTransaction,
  validUser,
} from './testing.js';

function omit<T extends Record<string, unknown>>(o: T, ...keys: string[]): T {
  const c = { ...o };
  for (const k of keys) delete c[k];
  return c;
}
function txWith(over: Record<string, unknown>, drop: string[] = []) {
  const t = validTransaction(over);
  t.attributes = omit(t.attributes, ...drop);
  return { data: [t] };
}
function matchedWith(over: Record<string, unknown>, drop: string[] = []) {
  const t = validMatched(over);
  t.attributes = omit(t.attributes, ...drop);
  return { data: [t] };
}
function coreWith(over: Record<string, unknown>, drop: string[] = []) {
  const t = validCore(over);
  t.attributes = omit(t.attributes, ...drop);
  return { data: [t] };
}
const errorsOf = (r: ParseResult<unknown>) => r.issues.filter((i) => i.severity === 'error');

/**
 * Every issue of a result, as users read them, checked against the committed snapshot
 * (src/__snapshots__/rules.test.ts.snap): a changed message, expectation, path, rule id or an
 * extra issue fails the test, not only a missing one.
 */
function expectAllIssuesAsRecorded(r: ParseResult<unknown>) {
  const lines = r.issues.map(
    (i) =>
      `${i.severity} ${i.rule === null ? '-' : i.rule} ${i.path}: ${i.message}${i.expected ? ` (expected ${i.expected})` : ''}`,
  );
  expect({ success: r.success, issues: lines }).toMatchSnapshot();
}

function expectIssue(
  r: ParseResult<unknown>,
  rule: string,
  path: string,
  severity: 'error' | 'warning' = 'error',
) {
  expectAllIssuesAsRecorded(r);
  const hit = r.issues.find(
    (i: ValidationIssue) => i.rule === rule && i.path === path && i.severity === severity,
  );
  expect(
    hit,
    `expected ${severity} ${rule} at ${path}; got ${JSON.stringify(r.issues, null, 1)}`,
  ).toBeDefined();
  expect(hit!.message.length).toBeGreaterThan(3);
  if (severity === 'error') expect(r.success).toBe(false);
}
function expectNoRule(r: ParseResult<unknown>, rule: string) {
  expectAllIssuesAsRecorded(r);
  expect(r.issues.filter((i) => i.rule === rule && i.severity === 'error')).toEqual([]);
}
function expectClean(r: ParseResult<unknown>) {
  expectAllIssuesAsRecorded(r);
  expect(errorsOf(r)).toEqual([]);
  expect(r.success).toBe(true);
}

const A = 'data[0].attributes';

describe('transactions: status-dependent dates', () => {
  it('R1: APPROVED with authorizationDate passes', () => {
    expectClean(safeParseTransactionsRequest(txWith({ status: 'APPROVED' }, ['settledDate'])));
  });
  it('R1: APPROVED without authorizationDate fails', () => {
    const r = safeParseTransactionsRequest(
      txWith({ status: 'APPROVED' }, ['authorizationDate', 'settledDate']),
    );
    expectIssue(r, 'R1', `${A}.authorizationDate`);
    expect(r.issues.find((i) => i.rule === 'R1')!.message).toBe('required when status is APPROVED');
  });
  it('R1: SETTLED without authorizationDate is only a warning (does not block)', () => {
    const r = safeParseTransactionsRequest(txWith({}, ['authorizationDate']));
    expect(r.success).toBe(true);
    expectIssue(r, 'R1', `${A}.authorizationDate`, 'warning');
  });
  it('R1: legacy APPROVED without authorizationDate fails', () => {
    expectClean(safeParseLegacyIncomingTransaction(validLegacy()));
    expectIssue(
      safeParseLegacyIncomingTransaction(omit(validLegacy(), 'authorizationDate')),
      'R1',
      'authorizationDate',
    );
  });
  it('R2: SETTLED with settledDate passes', () => {
    expectClean(safeParseTransactionsRequest(txWith({})));
  });
  it('R2: SETTLED without settledDate fails with a plain message', () => {
    const r = safeParseTransactionsRequest(txWith({}, ['settledDate']));
    expectIssue(r, 'R2', `${A}.settledDate`);
    expect(r.issues.find((i) => i.rule === 'R2')!.message).toBe('required when status is SETTLED');
  });
  it('R2: legacy SETTLED without settledDate fails', () => {
    expectIssue(safeParseLegacyIncomingTransaction(validLegacy({ status: 'SETTLED' })), 'R2', 'settledDate');
  });
  for (const status of ['REVERSED', 'RETURNED', 'DECLINED']) {
    it(`R3: ${status} with transactionDate passes`, () => {
      expectClean(
        safeParseTransactionsRequest(
          txWith({ status, transactionDate: '2024-05-03T00:00:00Z' }, ['settledDate']),
        ),
      );
    });
    it(`R3: ${status} without transactionDate fails`, () => {
      expectIssue(
        safeParseTransactionsRequest(txWith({ status }, ['settledDate'])),
        'R3',
        `${A}.transactionDate`,
      );
    });
  }
  it('R3: legacy DECLINED without transactionDate fails', () => {
    expectIssue(
      safeParseLegacyIncomingTransaction(validLegacy({ status: 'DECLINED' })),
      'R3',
      'transactionDate',
    );
  });
});

describe('transactions: field formats', () => {
  it('R4: a 6-digit BIN passes', () => {
    expectClean(safeParseTransactionsRequest(txWith({ cardBIN: '545454' })));
  });
  it('R4: a longer BIN fails and says to send the first 6', () => {
    const r = safeParseTransactionsRequest(txWith({ cardBIN: '41111111' }));
    expectIssue(r, 'R4', `${A}.cardBIN`);
    expect(r.issues.find((i) => i.rule === 'R4')!.message).toMatch(/first 6/);
    expect(r.issues.find((i) => i.rule === 'R4')!.expected).toBe('6 digits');
  });
  it('R4: a 5-digit or non-numeric BIN fails (v2, matched, legacy, legacy cards)', () => {
    expectIssue(safeParseTransactionsRequest(txWith({ cardBIN: '12345' })), 'R4', `${A}.cardBIN`);
    expectIssue(safeParseTransactionsRequest(matchedWith({ cardBIN: '41a111' })), 'R4', `${A}.cardBIN`);
    expectIssue(safeParseLegacyIncomingTransaction(validLegacy({ cardBIN: '4111' })), 'R4', 'cardBIN');
    const user = {
      referringPartnerUserId: 'u',
      email: 'a@b.c',
      cards: [{ last4: '1234', bin: '41111', issuer: 'Kard Bank', network: 'AMERICAN EXPRESS' }],
    };
    expectIssue(safeParseLegacyCreateUserRequest(user), 'R4', 'cards[0].bin');
  });
  it('R4: missing cardBIN on a v2 transaction fails', () => {
    expectIssue(safeParseTransactionsRequest(txWith({}, ['cardBIN'])), 'R4', `${A}.cardBIN`);
  });
  it('R5: a 4-digit mcc gives no warning; a missing or odd mcc is a warning that does not block', () => {
    expect(safeParseTransactionsRequest(txWith({})).issues).toEqual([]);
    const missing = safeParseTransactionsRequest(txWith({}, ['mcc']));
    expect(missing.success).toBe(true);
    expectIssue(missing, 'R5', `${A}.mcc`, 'warning');
    const odd = safeParseLegacyIncomingTransaction(validLegacy({ mcc: '58' }));
    expect(odd.success).toBe(true);
    expectIssue(odd, 'R5', 'mcc', 'warning');
  });
  it('R6: a 15-digit merchant id gives no warning; another length warns without blocking', () => {
    expect(safeParseTransactionsRequest(txWith({})).issues).toEqual([]);
    const r = safeParseTransactionsRequest(txWith({ merchant: { id: '1234', name: 'X' } }));
    expect(r.success).toBe(true);
    expectIssue(r, 'R6', `${A}.merchant.id`, 'warning');
    const l = safeParseLegacyIncomingTransaction(validLegacy({ merchantId: 'abc' }));
    expect(l.success).toBe(true);
    expectIssue(l, 'R6', 'merchantId', 'warning');
  });
  it('R7: a merchant with a name passes', () => {
    expectClean(safeParseTransactionsRequest(txWith({ merchant: { name: 'Bean & Leaf' } })));
  });
  it('R7: a merchant without a name fails', () => {
    expectIssue(
      safeParseTransactionsRequest(txWith({ merchant: { id: '123456789012345' } })),
      'R7',
      `${A}.merchant.name`,
    );
    expectIssue(
      safeParseTransactionsRequest(matchedWith({ merchant: { name: '' } })),
      'R7',
      `${A}.merchant.name`,
    );
  });
  it('R8: processorMids VISA with vmid and vsid passes', () => {
    expectClean(
      safeParseTransactionsRequest(
        txWith({ processorMids: { processor: 'VISA', mids: { vmid: '1', vsid: '2' } } }),
      ),
    );
  });
  it('R8: processorMids VISA without vsid fails', () => {
    const r = safeParseTransactionsRequest(
      txWith({ processorMids: { processor: 'VISA', mids: { vmid: '1' } } }),
    );
    expectIssue(r, 'R8', `${A}.processorMids.mids.vsid`);
  });
  it('R9: paymentType CARD passes on a transaction', () => {
    expectClean(safeParseTransactionsRequest(txWith({ paymentType: 'CARD' })));
  });
  it('R9: paymentType CASH fails on a transaction', () => {
    expectIssue(safeParseTransactionsRequest(txWith({ paymentType: 'CASH' })), 'R9', `${A}.paymentType`);
  });
  it('R10: distinct event ids pass', () => {
    expectClean(safeParseTransactionsRequest(settledBatch(3)));
  });
  it('R10: a repeated data[].id in one batch fails on the later item', () => {
    const b = settledBatch(3);
    b.data[2]!.id = 'evt-0';
    expectIssue(safeParseTransactionsRequest(b), 'R10', 'data[2].id');
    const p = { data: b.data.map((t) => ({ ...t, type: 'historicalTransaction' })) };
    expectIssue(safeParseUploadPartRequest(p), 'R10', 'data[2].id');
  });
  it('R11: 500 transactions pass', () => {
    expectClean(safeParseTransactionsRequest(settledBatch(500)));
  });
  it('R11: 501 transactions fail', () => {
    expectIssue(safeParseTransactionsRequest(settledBatch(501)), 'R11', 'data');
  });
  it('R23: integer cents pass', () => {
    expectClean(safeParseTransactionsRequest(txWith({ amount: 0, subtotal: 1 })));
    expectClean(safeParseTransactionsRequest(coreWith({ amount: 123456 })));
  });
  it('R23: fractional or string amounts fail', () => {
    expectIssue(safeParseTransactionsRequest(txWith({ amount: 25.99 })), 'R23', `${A}.amount`);
    expectIssue(safeParseTransactionsRequest(txWith({ subtotal: '2300' })), 'R23', `${A}.subtotal`);
    expectIssue(safeParseTransactionsRequest(matchedWith({ amount: 1.5 })), 'R23', `${A}.amount`);
    expectIssue(safeParseLegacyIncomingTransaction(validLegacy({ amount: '15.00' })), 'R23', 'amount');
  });
  it('R24: dates with Z, ±hh:mm and fractional seconds pass', () => {
    for (const d of ['2024-02-29T23:59:59Z', '2024-05-01T10:00:00.5+05:30', '1994-11-05T08:15:30-05:00']) {
      expectClean(safeParseTransactionsRequest(txWith({ settledDate: d })));
    }
  });
  it('R24: dates without a zone designator or otherwise malformed fail', () => {
    for (const d of [
      '2024-05-01T10:00:00',
      '2024-05-01 10:00:00Z',
      '2024-05-01',
      '2023-02-29T00:00:00Z',
      'soon',
    ]) {
      expectIssue(safeParseTransactionsRequest(txWith({ settledDate: d })), 'R24', `${A}.settledDate`);
    }
    expectIssue(
      safeParseTransactionsRequest(matchedWith({ authorizationDate: '2024-05-01T10:00' })),
      'R24',
      `${A}.authorizationDate`,
    );
    expectIssue(
      safeParseLegacyIncomingTransaction(validLegacy({ authorizationDate: 1714557600 })),
      'R24',
      'authorizationDate',
    );
  });
  it('R25: legacy records with cardBIN and cardLastFour give no warning; without them a warning that does not block', () => {
    expect(safeParseLegacyIncomingTransaction(validLegacy()).issues).toEqual([]);
    const r = safeParseLegacyIncomingTransactions([omit(validLegacy(), 'cardBIN', 'cardLastFour')]);
    expect(r.success).toBe(true);
    expectIssue(r, 'R25', '[0].cardBIN', 'warning');
    expectIssue(r, 'R25', '[0].cardLastFour', 'warning');
  });
});

describe('matchedTransaction: paymentType rules', () => {
  const unknownDrop = ['cardBIN', 'cardNetwork', 'cardLastFour'];
  const unknownBase = [...unknownDrop, 'matchedOfferId'];
  it('R13: UNKNOWN with matchedOfferId and an orderId passes', () => {
    expectClean(
      safeParseTransactionsRequest(matchedWith({ paymentType: 'UNKNOWN', orderId: 'o-1' }, unknownDrop)),
    );
  });
  it('R13: UNKNOWN with matchedOfferId but neither orderId nor cardLastFour fails', () => {
    const r = safeParseTransactionsRequest(matchedWith({ paymentType: 'UNKNOWN' }, unknownDrop));
    expectIssue(r, 'R13', `${A}.matchedOfferId`);
  });
  it('R14: UNKNOWN without matchedLocationId passes', () => {
    expectClean(safeParseTransactionsRequest(matchedWith({ paymentType: 'UNKNOWN' }, unknownBase)));
  });
  it('R14: UNKNOWN with matchedLocationId fails', () => {
    const r = safeParseTransactionsRequest(
      matchedWith({ paymentType: 'UNKNOWN', matchedLocationId: 'loc' }, unknownBase),
    );
    expectIssue(r, 'R14', `${A}.matchedLocationId`);
  });
  it('R15: CASH without cardBIN passes', () => {
    expectClean(
      safeParseTransactionsRequest(
        matchedWith({ paymentType: 'CASH' }, ['cardBIN', 'cardNetwork', 'cardLastFour']),
      ),
    );
  });
  it('R15: CASH or UNKNOWN with cardBIN fails', () => {
    expectIssue(
      safeParseTransactionsRequest(matchedWith({ paymentType: 'CASH' }, ['cardNetwork', 'cardLastFour'])),
      'R15',
      `${A}.cardBIN`,
    );
    expectIssue(
      safeParseTransactionsRequest(matchedWith({ paymentType: 'UNKNOWN' }, ['cardNetwork'])),
      'R15',
      `${A}.cardBIN`,
    );
  });
  it('R16: CARD with matchedOfferId and cardLastFour passes', () => {
    expectClean(safeParseTransactionsRequest(matchedWith({})));
  });
  it('R16: CARD with matchedOfferId but no cardLastFour fails; CASH with cardLastFour fails', () => {
    expectIssue(safeParseTransactionsRequest(matchedWith({}, ['cardLastFour'])), 'R16', `${A}.cardLastFour`);
    expectIssue(
      safeParseTransactionsRequest(matchedWith({ paymentType: 'CASH' }, ['cardBIN', 'cardNetwork'])),
      'R16',
      `${A}.cardLastFour`,
    );
  });
  it('R17: CARD with cardNetwork passes', () => {
    expectNoRule(safeParseTransactionsRequest(matchedWith({ cardNetwork: 'DISCOVER' })), 'R17');
  });
  it('R17: CASH with cardNetwork fails', () => {
    expectIssue(
      safeParseTransactionsRequest(matchedWith({ paymentType: 'CASH' }, ['cardBIN', 'cardLastFour'])),
      'R17',
      `${A}.cardNetwork`,
    );
  });
  it('R18: CARD with cardProductId passes', () => {
    expectClean(safeParseTransactionsRequest(matchedWith({ cardProductId: 'p-1' })));
  });
  it('R18: UNKNOWN with cardProductId fails', () => {
    const r = safeParseTransactionsRequest(
      matchedWith({ paymentType: 'UNKNOWN', cardProductId: 'p' }, unknownBase),
    );
    expectIssue(r, 'R18', `${A}.cardProductId`);
  });
});

describe('coreTransaction', () => {
  it('R19: SETTLED with both dates passes', () => {
    expectClean(safeParseTransactionsRequest(coreWith({})));
  });
  it('R19: a status other than SETTLED fails', () => {
    expectIssue(safeParseTransactionsRequest(coreWith({ status: 'APPROVED' })), 'R19', `${A}.status`);
  });
  it('R19: a missing settledDate or authorizationDate fails', () => {
    expectIssue(safeParseTransactionsRequest(coreWith({}, ['settledDate'])), 'R19', `${A}.settledDate`);
    expectIssue(
      safeParseTransactionsRequest(coreWith({}, ['authorizationDate'])),
      'R19',
      `${A}.authorizationDate`,
    );
  });
  it('R20: an ISO 4217 alpha-3 currency passes', () => {
    expectClean(safeParseTransactionsRequest(coreWith({ currency: 'EUR' })));
  });
  it('R20: a lower-case, short or unknown currency fails', () => {
    for (const c of ['usd', 'US', 'DOLLARS', 'QQQ']) {
      expectIssue(safeParseTransactionsRequest(coreWith({ currency: c })), 'R20', `${A}.currency`);
    }
  });
  it('R21: financialInstitutionId alone gives no warning; financialInstitutionName is a deprecation warning', () => {
    expect(safeParseTransactionsRequest(coreWith({})).issues).toEqual([]);
    const r = safeParseTransactionsRequest(coreWith({ financialInstitutionName: 'Kard Bank' }));
    expect(r.success).toBe(true);
    expectIssue(r, 'R21', `${A}.financialInstitutionName`, 'warning');
  });
});

describe('uploads', () => {
  const part = (n: number) => ({
    data: settledBatch(n).data.map((t) => ({ ...t, type: 'historicalTransaction' })),
  });
  it('R35: 500 historical transactions per part pass', () => {
    expectClean(safeParseUploadPartRequest(part(500)));
  });
  it('R35: 501 historical transactions per part fail', () => {
    expectIssue(safeParseUploadPartRequest(part(501)), 'R35', 'data');
  });
  it('R2: upload part items follow the transaction rules', () => {
    const p = part(1);
    delete p.data[0]!.attributes.settledDate;
    expectIssue(safeParseUploadPartRequest(p), 'R2', `${A}.settledDate`);
  });
  it('R36: completing with type historicalTransactionComplete and the upload id passes', () => {
    expectClean(
      safeParseCreateUploadRequest({ data: { type: 'historicalTransactionStart', attributes: {} } }),
    );
    expectClean(
      safeParseCompleteUploadRequest({
        data: { type: 'historicalTransactionComplete', id: 'up-1', attributes: {} },
      }),
    );
  });
  it('R36: completing without the upload id fails', () => {
    const r = safeParseCompleteUploadRequest({
      data: { type: 'historicalTransactionComplete', attributes: {} },
    });
    expectIssue(r, 'R36', 'data.id');
  });
  const url = (n: number, filename = 'transactions_2024-05-01.jsonl') => ({
    data: Array.from({ length: n }, () => ({ type: 'incomingTransactionsFile', attributes: { filename } })),
  });
  it('R30: 1 to 10 upload URLs pass', () => {
    expectClean(safeParseBulkUploadUrlRequest(url(1)));
    expectClean(safeParseBulkUploadUrlRequest(url(10)));
  });
  it('R30: 0 or 11 upload URLs fail', () => {
    expectIssue(safeParseBulkUploadUrlRequest(url(0)), 'R30', 'data');
    expectIssue(safeParseBulkUploadUrlRequest(url(11)), 'R30', 'data');
  });
  it('R33: a filename with an extension passes', () => {
    expectClean(safeParseBulkUploadUrlRequest(url(1, 'history.jsonl.gz')));
  });
  it('R33: a filename without an extension fails', () => {
    expectIssue(safeParseBulkUploadUrlRequest(url(1, 'transactions')), 'R33', 'data[0].attributes.filename');
    expectIssue(safeParseBulkUploadUrlRequest(url(1, '.jsonl')), 'R33', 'data[0].attributes.filename');
  });
});

describe('users', () => {
  it('R38: 100 users pass', () => {
    const data = Array.from({ length: 100 }, (_, i) => ({ ...validUser(), id: `u-${i}` }));
    expectClean(safeParseCreateUsersRequest({ data }));
  });
  it('R38: 101 users fail', () => {
    const data = Array.from({ length: 101 }, (_, i) => ({ ...validUser(), id: `u-${i}` }));
    expectIssue(safeParseCreateUsersRequest({ data }), 'R38', 'data');
  });
  it('R39: enrolledRewards [] or [CARDLINKED] passes', () => {
    expectClean(safeParseCreateUsersRequest({ data: [validUser({ enrolledRewards: [] })] }));
    expectClean(safeParseUpdateUserRequest({ data: validUser() }));
  });
  it('R39: a missing enrolledRewards or AFFILIATE fails', () => {
    const u = validUser();
    u.attributes = omit(u.attributes, 'enrolledRewards');
    expectIssue(safeParseCreateUsersRequest({ data: [u] }), 'R39', 'data[0].attributes.enrolledRewards');
    expectIssue(
      safeParseUpdateUserRequest({ data: validUser({ enrolledRewards: ['AFFILIATE'] }) }),
      'R39',
      'data.attributes.enrolledRewards[0]',
    );
  });
  it('R41: an E.164 phone number passes', () => {
    expectClean(safeParseCreateUsersRequest({ data: [validUser({ phoneNumber: '+442071838750' })] }));
  });
  it('R41: a phone number that is not E.164 fails (v2 and legacy)', () => {
    for (const p of ['4155550123', '+1 415 555 0123', '+0123456', '+1234567890123456']) {
      expectIssue(
        safeParseCreateUsersRequest({ data: [validUser({ phoneNumber: p })] }),
        'R41',
        'data[0].attributes.phoneNumber',
      );
    }
    expectIssue(
      safeParseLegacyCreateUserRequest({
        referringPartnerUserId: 'u',
        email: 'a@b.c',
        phoneNumber: '555-0123',
      }),
      'R41',
      'phoneNumber',
    );
  });
  it('R42: 64 lower-case hex characters pass', () => {
    expectClean(
      safeParseCreateUsersRequest({
        data: [
          validUser({ hashedEmail: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' }),
        ],
      }),
    );
  });
  it('R42: upper-case, short or non-hex hashedEmail fails', () => {
    for (const h of ['A'.repeat(64), 'a'.repeat(63), 'g'.repeat(64), 'jane@example.com']) {
      expectIssue(
        safeParseCreateUsersRequest({ data: [validUser({ hashedEmail: h })] }),
        'R42',
        'data[0].attributes.hashedEmail',
      );
    }
  });
  it('R44: legacy create user with email or userName passes', () => {
    expectClean(safeParseLegacyCreateUserRequest({ referringPartnerUserId: 'u', userName: 'jane' }));
    expectClean(safeParseLegacyCreateUserRequest({ referringPartnerUserId: 'u', email: 'jane@example.com' }));
  });
  it('R44: legacy create user with neither email nor userName fails', () => {
    expectIssue(safeParseLegacyCreateUserRequest({ referringPartnerUserId: 'u' }), 'R44', 'email');
  });
  it('R46/R48: AFFILIATE and cardInfo are deprecation warnings that do not block', () => {
    const r = safeParseLegacyCreateUserRequest({
      referringPartnerUserId: 'u',
      email: 'a@b.c',
      enrolledRewards: ['AFFILIATE'],
      cardInfo: { last4: '1234', bin: '411111', issuer: 'Kard', network: 'VISA' },
    });
    expect(r.success).toBe(true);
    expectIssue(r, 'R46', 'enrolledRewards', 'warning');
    expectIssue(r, 'R48', 'cardInfo', 'warning');
  });
});

describe('audits, fraud markers, subscriptions, attributions', () => {
  const audit = (auditCode: unknown) => ({
    data: [
      {
        type: 'audit',
        attributes: { auditCode, merchantName: 'M', auditDescription: 'd', transactionId: 't' },
      },
    ],
  });
  it('R50: auditCode 3005, 3006 and 8001 pass', () => {
    for (const c of [3005, 3006, 8001]) expectClean(safeParseCreateAuditsRequest(audit(c)));
  });
  it('R50: any other auditCode fails', () => {
    expectIssue(safeParseCreateAuditsRequest(audit(5001)), 'R50', 'data[0].attributes.auditCode');
    expectIssue(safeParseCreateAuditsRequest(audit('3005')), 'R50', 'data[0].attributes.auditCode');
  });
  const fraud = (n: number, type = 'fraudulentTransaction') => ({
    data: Array.from({ length: n }, (_, i) => ({ type, id: `txn-${i}`, attributes: { userId: 'u' } })),
  });
  it('R29: fraudulentTransaction markers up to 500 pass', () => {
    expectClean(safeParseFraudMarkersRequest(fraud(500)));
  });
  it('R29: 501 markers, a wrong type or a missing id fail', () => {
    expectIssue(safeParseFraudMarkersRequest(fraud(501)), 'R29', 'data');
    expectIssue(safeParseFraudMarkersRequest(fraud(1, 'transaction')), 'R29', 'data[0].type');
    expectIssue(
      safeParseFraudMarkersRequest({
        data: [{ type: 'fraudulentTransaction', attributes: { userId: 'u' } }],
      }),
      'R29',
      'data[0].id',
    );
  });
  it('R74: create with eventName, webhookUrl and enabled passes; PATCH with any subset passes', () => {
    expectClean(
      safeParseCreateSubscriptionsRequest({
        data: [
          {
            type: 'subscription',
            attributes: { eventName: 'earnedRewardSettled', webhookUrl: 'https://x.test/h', enabled: true },
          },
        ],
      }),
    );
    expectClean(
      safeParseUpdateSubscriptionRequest({ data: { type: 'subscription', attributes: { enabled: false } } }),
    );
    expectClean(safeParseUpdateSubscriptionRequest({ data: { type: 'subscription', attributes: {} } }));
  });
  it('R74: create without enabled fails', () => {
    const r = safeParseCreateSubscriptionsRequest({
      data: [
        { type: 'subscription', attributes: { eventName: 'auditUpdate', webhookUrl: 'https://x.test/h' } },
      ],
    });
    expectIssue(r, 'R74', 'data[0].attributes.enabled');
  });
  it('R75: 100 attribution events pass', () => {
    expectClean(
      safeParseCreateAttributionsRequest({
        data: Array.from({ length: 100 }, () => validOfferAttribution()),
      }),
    );
  });
  it('R75: 101 attribution events fail', () => {
    expectIssue(
      safeParseCreateAttributionsRequest({
        data: Array.from({ length: 101 }, () => validOfferAttribution()),
      }),
      'R75',
      'data',
    );
  });
  it('R77: each attribution type with an allowed medium passes', () => {
    expectClean(
      safeParseCreateAttributionsRequest({
        data: [
          validOfferAttribution({ medium: 'CTA' }),
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
      }),
    );
  });
  it('R77: a medium not allowed for the attribution type fails', () => {
    const r = safeParseCreateAttributionsRequest({
      data: [
        {
          type: 'notificationAttribution',
          attributes: { ...validOfferAttribution().attributes, medium: 'BROWSE' },
        },
        {
          type: 'placementSlotAttribution',
          attributes: { ...validOfferAttribution().attributes, medium: 'PUSH' },
        },
      ],
    });
    expectIssue(r, 'R77', 'data[0].attributes.medium');
    expectIssue(r, 'R77', 'data[1].attributes.medium');
  });
  it('R78: placementSlotAttribution with state.slotId equal to entityId passes', () => {
    const item = {
      type: 'placementSlotAttribution',
      attributes: {
        ...validOfferAttribution().attributes,
        entityId: 's-1',
        medium: 'CTA',
        state: { slotId: 's-1' },
      },
    };
    expect(safeParseCreateAttributionsRequest({ data: [item] }).issues).toEqual([]);
  });
  it('R78: placementSlotAttribution with a different state.slotId fails', () => {
    const item = {
      type: 'placementSlotAttribution',
      attributes: {
        ...validOfferAttribution().attributes,
        entityId: 's-1',
        medium: 'CTA',
        state: { slotId: 's-2' },
      },
    };
    expectIssue(
      safeParseCreateAttributionsRequest({ data: [item] }),
      'R78',
      'data[0].attributes.state.slotId',
    );
  });
});

describe('organizations, placements, content strategies', () => {
  const child = (name: unknown) => ({
    data: { type: 'organization', attributes: { name, bins: ['411111'] } },
  });
  it('R86: a name of letters and spaces passes', () => {
    expectClean(safeParseCreateChildOrganizationRequest(child('Acme Credit Union')));
    expectClean(
      safeParseUpdateChildOrganizationRequest({
        data: { type: 'organization', attributes: { externalId: 'x' } },
      }),
    );
  });
  it('R86: a name with digits or punctuation, or with no letter, fails', () => {
    expectIssue(safeParseCreateChildOrganizationRequest(child('Acme 2')), 'R86', 'data.attributes.name');
    expectIssue(safeParseCreateChildOrganizationRequest(child('   ')), 'R86', 'data.attributes.name');
    expectIssue(
      safeParseUpdateChildOrganizationRequest({
        data: { type: 'organization', attributes: { name: 'A-B' } },
      }),
      'R86',
      'data.attributes.name',
    );
  });
  const cadence = { frequency: 'WEEKLY', dayOfWeek: 'FRI', timeOfDay: '09:30' };
  const slots = [
    { placementId: 'p-1', alias: 'first', shortDescription: 'Coffee offers' },
    { placementId: 'p-2', alias: 'second' },
  ];
  const placements = [
    { type: 'placement', attributes: { name: 'Home', availableSlots: 3, contentStrategyId: 'cs-1' } },
    { type: 'placementPushNotification', attributes: { name: 'Push', cadence } },
    {
      type: 'placementEmail',
      attributes: { name: 'Email', availableSlots: 5, cadence: { frequency: 'MONTHLY', dayOfMonth: 1 } },
    },
    { type: 'placementBatchActivation', attributes: { name: 'Batch', refreshInterval: 'P7D', slots } },
    { type: 'placementGroup', attributes: { name: 'Group', slots } },
  ];
  it('R90: each placement type with its required attributes passes', () => {
    for (const p of placements) expectClean(safeParseCreatePlacementRequest({ data: p }));
  });
  it('R90: a placement missing an attribute its type requires fails', () => {
    expectIssue(
      safeParseCreatePlacementRequest({
        data: { type: 'placementEmail', attributes: { name: 'E', availableSlots: 1 } },
      }),
      'R90',
      'data.attributes.cadence',
    );
    expectIssue(
      safeParseCreatePlacementRequest({
        data: { type: 'placementBatchActivation', attributes: { name: 'B', slots } },
      }),
      'R90',
      'data.attributes.refreshInterval',
    );
    expectIssue(
      safeParseCreatePlacementRequest({ data: { type: 'placement', attributes: { name: 'S' } } }),
      'R90',
      'data.attributes.availableSlots',
    );
    expectIssue(
      safeParseCreatePlacementRequest({
        data: { type: 'placementGroup', attributes: { name: 'G', slots, refreshInterval: 'P1D' } },
      }),
      'R90',
      'data.attributes.refreshInterval',
    );
  });
  it('R91: availableSlots of 1 or more passes', () => {
    expectClean(
      safeParseCreatePlacementRequest({
        data: { type: 'placement', attributes: { name: 'S', availableSlots: 1 } },
      }),
    );
  });
  it('R91: availableSlots below 1 or fractional fails', () => {
    for (const n of [0, -1, 1.5]) {
      expectIssue(
        safeParseCreatePlacementRequest({
          data: { type: 'placement', attributes: { name: 'S', availableSlots: n } },
        }),
        'R91',
        'data.attributes.availableSlots',
      );
    }
  });
  it('R92: a full-replace PUT with every required attribute passes', () => {
    for (const p of placements) expectClean(safeParseUpdatePlacementRequest({ data: p }));
    expectClean(
      safeParseUpdatePlacementRequest({
        data: {
          type: 'placementGroup',
          attributes: { name: 'G', slots: [{ slotId: 's-1', placementId: 'p', alias: 'a' }] },
        },
      }),
    );
  });
  it('R92: a PUT missing a required attribute fails', () => {
    expectIssue(
      safeParseUpdatePlacementRequest({ data: { type: 'placement', attributes: { name: 'S' } } }),
      'R92',
      'data.attributes.availableSlots',
    );
  });
  it('R93: cadence with matching day fields and HH:mm passes', () => {
    expectClean(
      safeParseCreatePlacementRequest({
        data: { type: 'placementPushNotification', attributes: { name: 'P', cadence } },
      }),
    );
  });
  it('R93: dayOfMonth out of range or a bad timeOfDay fails', () => {
    const bad = (c: unknown) =>
      safeParseCreatePlacementRequest({
        data: { type: 'placementPushNotification', attributes: { name: 'P', cadence: c } },
      });
    expectIssue(bad({ frequency: 'MONTHLY', dayOfMonth: 32 }), 'R93', 'data.attributes.cadence.dayOfMonth');
    expectIssue(bad({ frequency: 'MONTHLY', dayOfMonth: 0 }), 'R93', 'data.attributes.cadence.dayOfMonth');
    expectIssue(bad({ frequency: 'DAILY', timeOfDay: '25:00' }), 'R93', 'data.attributes.cadence.timeOfDay');
    expectIssue(bad({ frequency: 'DAILY', timeOfDay: '9:30' }), 'R93', 'data.attributes.cadence.timeOfDay');
  });
  it('R93: dayOfWeek without WEEKLY or dayOfMonth without MONTHLY is ignored upstream: a warning, not a failure', () => {
    const r = safeParseCreatePlacementRequest({
      data: {
        type: 'placementEmail',
        attributes: {
          name: 'E',
          availableSlots: 1,
          cadence: { frequency: 'DAILY', dayOfWeek: 'MON', dayOfMonth: 3 },
        },
      },
    });
    expect(r.success).toBe(true);
    expectIssue(r, 'R93', 'data.attributes.cadence.dayOfWeek', 'warning');
    expectIssue(r, 'R93', 'data.attributes.cadence.dayOfMonth', 'warning');
  });
  it('R94: unique aliases and short descriptions of at most 50 characters pass', () => {
    expectClean(safeParseCreatePlacementRequest({ data: placements[4] }));
  });
  it('R94: a repeated alias, a long shortDescription or a missing placementId fails', () => {
    const r = safeParseCreatePlacementRequest({
      data: {
        type: 'placementGroup',
        attributes: {
          name: 'G',
          slots: [
            { placementId: 'p', alias: 'a', shortDescription: 'x'.repeat(51) },
            { placementId: 'p', alias: 'a' },
            { alias: 'b' },
          ],
        },
      },
    });
    expectIssue(r, 'R94', 'data.attributes.slots[0].shortDescription');
    expectIssue(r, 'R94', 'data.attributes.slots[1].alias');
    expectIssue(r, 'R94', 'data.attributes.slots[2].placementId');
  });
  it('R96: an ISO 8601 refreshInterval passes', () => {
    for (const d of ['P7D', 'PT12H', 'P1M', 'P1Y2M3DT4H5M6S', 'P2W']) {
      expectClean(
        safeParseCreatePlacementRequest({
          data: { type: 'placementBatchActivation', attributes: { name: 'B', refreshInterval: d, slots } },
        }),
      );
    }
  });
  it('R96: a refreshInterval that is not an ISO 8601 duration fails', () => {
    for (const d of ['7 days', 'P', 'PT', '7D', 'P1DT']) {
      expectIssue(
        safeParseCreatePlacementRequest({
          data: { type: 'placementBatchActivation', attributes: { name: 'B', refreshInterval: d, slots } },
        }),
        'R96',
        'data.attributes.refreshInterval',
      );
    }
  });
  it('content strategy: valid body passes; an unknown category and sort fail', () => {
    const body = {
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
    };
    expectClean(safeParseContentStrategyRequest(body));
    const bad = structuredClone(body) as { data: { attributes: Record<string, unknown> } };
    bad.data.attributes.categories = ['Food'];
    bad.data.attributes.sort = 'RANDOM';
    const r = safeParseContentStrategyRequest(bad);
    expect(r.issues.map((i) => i.path).sort()).toEqual([
      'data.attributes.categories[0]',
      'data.attributes.sort',
    ]);
  });
});

describe('single-event validators', () => {
  it('R19: safeParseTransactionEvent judges one data[] item with the same rules, honouring opts.path', () => {
    expectClean(safeParseTransactionEvent(validCore()));
    const r = safeParseTransactionEvent(validCore({ status: 'APPROVED' }), { path: 'data[7]' });
    expectIssue(r, 'R19', 'data[7].attributes.status');
  });
});

describe('rule table', () => {
  it('lists R1–R106 in order, each with appliesTo, summary, severity and enforced', () => {
    expect(rules.map((r) => r.id)).toEqual(Array.from({ length: 106 }, (_, i) => `R${i + 1}`));
    for (const r of rules) {
      expect(r.summary.length).toBeGreaterThan(3);
      expect(r.appliesTo.length).toBeGreaterThan(2);
      expect(['error', 'warning']).toContain(r.severity);
    }
  });
  it('marks every rule the issue requires as enforced, advisory ones as warnings, R40 as not enforced', () => {
    const required = [
      1, 2, 3, 4, 7, 8, 9, 11, 13, 14, 15, 16, 17, 18, 19, 20, 23, 24, 29, 30, 33, 35, 38, 39, 41, 42, 50, 74,
      75, 77, 78, 86, 90, 91, 93, 94,
    ];
    const byId = new Map(rules.map((r) => [r.id, r]));
    for (const n of required) expect(byId.get(`R${n}`)!.enforced, `R${n}`).toBe(true);
    for (const id of ['R5', 'R6', 'R21', 'R25']) {
      expect(byId.get(id)!.severity).toBe('warning');
      expect(byId.get(id)!.enforced).toBe(true);
    }
    expect(byId.get('R40')!.enforced).toBe(false);
  });
  it('getRule finds a rule by id and nothing for an unknown id', () => {
    expect(getRule('R2')).toBe(rules[1]);
    expect(getRule('R106')).toMatchObject({ id: 'R106', enforced: false });
    expect(getRule('R107')).toBeUndefined();
    expect(getRule('r2')).toBeUndefined();
  });
});
