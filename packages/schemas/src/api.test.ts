import { describe, expect, it } from 'vitest';
import {
  checkBatch,
  formatIssues,
  SchemaValidationError,
  safeParseTransactionsRequest,
  type ValidationIssue,
  validateCreateUsersRequest,
  validateTransactionsRequest,
} from './index.js';
import { settledBatch, validLegacy, validTransaction, validUser } from './testing.js';

describe('all issues at once', () => {
  it('R4 and R2: a bad BIN and a missing settledDate are both reported', () => {
    const t = validTransaction({ cardBIN: '12345' });
    delete t.attributes.settledDate;
    const data = [validTransaction(), validTransaction(), validTransaction(), t].map((x, i) => ({
      ...x,
      id: `e${i}`,
    }));
    const r = safeParseTransactionsRequest({ data });
    expect(r.success).toBe(false);
    const errs = r.issues.filter((i) => i.severity === 'error');
    expect(errs).toEqual([
      expect.objectContaining({ path: 'data[3].attributes.cardBIN', rule: 'R4', expected: '6 digits' }),
      expect.objectContaining({
        path: 'data[3].attributes.settledDate',
        rule: 'R2',
        message: 'required when status is SETTLED',
      }),
    ]);
  });
  it('field errors, cross-field errors, batch errors and warnings all come back together', () => {
    const a = validTransaction({ status: 'APPROVED', amount: 1.5, merchant: { id: '1' } });
    delete a.attributes.authorizationDate;
    delete a.attributes.mcc;
    const b = validTransaction();
    const r = safeParseTransactionsRequest({ data: [a, b] });
    const got = r.issues.map((i) => `${i.severity} ${i.rule} ${i.path}`).sort();
    expect(got).toEqual(
      [
        'error R23 data[0].attributes.amount',
        'error R7 data[0].attributes.merchant.name',
        'error R1 data[0].attributes.authorizationDate',
        'error R10 data[1].id',
        'warning R5 data[0].attributes.mcc',
        'warning R6 data[0].attributes.merchant.id',
      ].sort(),
    );
  });
  it('opts.path prefixes every issue path', () => {
    const t = validTransaction({ cardBIN: 'x' });
    const r = safeParseTransactionsRequest({ data: [t] }, { path: 'body' });
    expect(r.issues[0]!.path).toBe('body.data[0].attributes.cardBIN');
  });
});

describe('validate… throws SchemaValidationError', () => {
  it('returns the typed data when valid', () => {
    const body = settledBatch(2);
    expect(validateTransactionsRequest(body)).toBe(body);
    expect(validateCreateUsersRequest({ data: [validUser()] }).data[0]!.id).toBe('user-1');
  });
  it('throws with every issue and a short message naming the first', () => {
    const t = validTransaction({ cardBIN: '1', cardLastFour: 'abcd' });
    try {
      validateTransactionsRequest({ data: [t] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaValidationError);
      const err = e as SchemaValidationError;
      expect(err.issues.length).toBe(2);
      expect(err.message).toContain('data[0].attributes.cardBIN');
      expect(err.message).toContain('[R4]');
      expect(err.message).toContain('1 more');
    }
  });
});

describe('checkBatch', () => {
  it('R10: splits valid from invalid items, prefixing paths with data[i]. and flagging repeated ids', () => {
    const bad = validTransaction({ cardBIN: '4111111' });
    bad.id = 'bad';
    const items = [...settledBatch(3).data, bad, settledBatch(1).data[0]];
    const r = checkBatch('transactions', items);
    expect(r.valid.map((v) => v.index)).toEqual([0, 1, 2]);
    expect(r.invalid.map((v) => v.index)).toEqual([3, 4]);
    expect(r.invalid[0]!.issues[0]).toMatchObject({ path: 'data[3].attributes.cardBIN', rule: 'R4' });
    expect(r.invalid[1]!.issues).toEqual([expect.objectContaining({ path: 'data[4].id', rule: 'R10' })]);
    expect(r.invalid[1]!.item).toBe(items[4]);
  });
  it('uses [i]. for legacyIncoming, honours opts.path, and collects warnings of valid items', () => {
    const noBin = validLegacy();
    delete noBin.cardBIN;
    const r = checkBatch('legacyIncoming', [validLegacy(), noBin, validLegacy({ status: 'SETTLED' })]);
    expect(r.valid.map((v) => v.index)).toEqual([0, 1]);
    expect(r.warnings).toEqual([
      expect.objectContaining({ path: '[1].cardBIN', rule: 'R25', severity: 'warning' }),
    ]);
    expect(r.invalid[0]!.issues[0]).toMatchObject({ path: '[2].settledDate', rule: 'R2' });
    const u = checkBatch('users', [validUser({ phoneNumber: '123' })], { path: 'users' });
    expect(u.invalid[0]!.issues[0]).toMatchObject({ path: 'users[0].attributes.phoneNumber', rule: 'R41' });
  });
  it('R11: does not enforce the 500-item cap (the request validators do)', () => {
    expect(checkBatch('transactions', settledBatch(501).data).invalid).toEqual([]);
  });
});

describe('formatIssues', () => {
  const issues: ValidationIssue[] = [
    {
      path: 'data[3].attributes.settledDate',
      rule: 'R2',
      severity: 'error',
      message: 'required when status is SETTLED',
    },
    {
      path: 'data[0].attributes.mcc',
      rule: 'R5',
      severity: 'warning',
      message: 'recommended',
      expected: '4 digits',
    },
    { path: '', rule: null, severity: 'error', message: 'must be an object' },
  ];
  it('prints one plain line per issue with severity, path, message, expected and rule', () => {
    expect(formatIssues(issues)).toBe(
      [
        'error   data[3].attributes.settledDate: required when status is SETTLED [R2]',
        'warning data[0].attributes.mcc: recommended (expected: 4 digits) [R5]',
        'error   (root): must be an object',
      ].join('\n'),
    );
  });
  it('adds ANSI colours only when asked', () => {
    expect(formatIssues(issues)).not.toContain('\u001b[');
    const c = formatIssues(issues, { color: true });
    expect(c).toContain('\u001b[31m');
    expect(c.split('\n')).toHaveLength(3);
  });
  it('returns an empty string for no issues', () => {
    expect(formatIssues([])).toBe('');
  });
});

describe('unknown fields', () => {
  it('are kept and accepted, with a warning that says what was probably meant', () => {
    const t = validTransaction({ merchantName: 'Bean & Leaf', cardBin: '411111', somethingNew: 1 });
    t.attributes.merchant = { name: 'Bean & Leaf', id: '123456789012345', zip: '10001' };
    const r = safeParseTransactionsRequest({ data: [t] });
    expect(r.success).toBe(true);
    if (r.success) expect((r.data.data[0]!.attributes as Record<string, unknown>).somethingNew).toBe(1);
    const w = Object.fromEntries(r.issues.map((i) => [i.path, i]));
    expect(w['data[0].attributes.merchantName']).toMatchObject({
      severity: 'warning',
      expected: 'merchant.name',
    });
    expect(w['data[0].attributes.cardBin']!.message).toContain('did you mean cardBIN?');
    expect(w['data[0].attributes.somethingNew']!.message).toBe('unknown field, ignored by Kard');
    expect(w['data[0].attributes.merchant.zip']!.severity).toBe('warning');
  });
  it('legacy records hint at the legacy names', () => {
    const r = checkBatch('legacyIncoming', [{ ...validLegacy(), userId: 'u' }]);
    expect(r.valid).toHaveLength(1);
    expect(r.warnings).toEqual([
      expect.objectContaining({
        path: '[0].userId',
        expected: 'referringPartnerUserId',
        severity: 'warning',
      }),
    ]);
  });
});
