// How issues are worded and located: the error a validate… function throws, field paths, and how
// a wrong value is described in a message.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SchemaValidationError, safeParseTransactionEvent, type ValidationIssue } from './index.js';
import { fromZodIssues, joinPath, noRules, pathOf, type RuleResolver } from './issues.js';
import { validTransaction } from './testing.js';

const issue = (over: Partial<ValidationIssue>): ValidationIssue => ({
  path: 'data[0].id',
  rule: 'R10',
  severity: 'error',
  message: 'duplicate event id',
  ...over,
});

describe('SchemaValidationError', () => {
  it('names the request, the first error with its path and rule, and how many more', () => {
    const err = new SchemaValidationError(
      [issue({ severity: 'warning', path: 'w' }), issue({}), issue({ path: 'x' }), issue({ path: 'y' })],
      'transactions request',
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SchemaValidationError');
    expect(err.message).toBe(
      'Invalid transactions request: data[0].id: duplicate event id [R10] (and 2 more)',
    );
    expect(err.issues).toHaveLength(4);
  });
  it('one error: no count; no rule: no brackets; the root path is named; the default noun is "request"', () => {
    expect(new SchemaValidationError([issue({ rule: null, path: '' })]).message).toBe(
      'Invalid request: (root): duplicate event id',
    );
  });
  it('only warnings: the message names no field', () => {
    expect(new SchemaValidationError([issue({ severity: 'warning' })], 'user').message).toBe('Invalid user');
  });
});

describe('paths', () => {
  it('indexes in brackets, identifiers after a dot, other keys quoted in brackets', () => {
    expect(joinPath('', 'data')).toBe('data');
    expect(joinPath('data', 0)).toBe('data[0]');
    expect(joinPath('data[0]', 'attributes')).toBe('data[0].attributes');
    expect(joinPath('a', '$b_1')).toBe('a.$b_1');
    expect(joinPath('a', 'b-c')).toBe('a["b-c"]');
    expect(joinPath('a', '1b')).toBe('a["1b"]');
    expect(joinPath('a', 'b c')).toBe('a["b c"]');
    expect(joinPath('', 'x.y')).toBe('["x.y"]');
    expect(pathOf('body', ['data', 2, 'attributes', 'odd key'])).toBe('body.data[2].attributes["odd key"]');
    expect(pathOf('', [])).toBe('');
  });
});

describe('how a wrong value is described', () => {
  const statusGot = (status: unknown) =>
    safeParseTransactionEvent(validTransaction({ status })).issues.find((i) => i.path === 'attributes.status')
      ?.message;
  it.each([
    ['x'.repeat(40), `the string "${'x'.repeat(40)}"`],
    ['x'.repeat(41), 'a string'],
    [7, 'the number 7'],
    [7.5, 'the non-integer 7.5'],
    [Number.NaN, 'NaN'],
    [null, 'null'],
    [[], 'an array'],
    [{}, 'an object'],
    [true, 'a boolean'],
  ])('%j is "%s"', (value, words) => {
    expect(statusGot(value)).toMatch(new RegExp(`got ${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });
});

describe('zod issues in words (fromZodIssues)', () => {
  const words = (schema: z.ZodType, input: unknown, resolve: RuleResolver = noRules) => {
    const r = schema.safeParse(input);
    const out: ValidationIssue[] = [];
    if (!r.success) fromZodIssues(r.error.issues, input, 'body', resolve, out);
    return out.map(
      (i) => `${i.severity} ${i.rule ?? '-'} ${i.path}: ${i.message} (expected ${i.expected ?? '—'})`,
    );
  };
  it.each<[string, z.ZodType, unknown]>([
    ['a missing field', z.object({ a: z.string() }), {}],
    ['the wrong type', z.object({ a: z.number() }), { a: 'x' }],
    ['a missing field under a missing parent', z.object({ a: z.object({ b: z.string() }) }), { a: null }],
    ['an enum', z.object({ a: z.enum(['X', 'Y']) }), { a: 'Z' }],
    ['a literal', z.object({ a: z.literal('X') }), { a: 'Z' }],
    ['a missing enum', z.object({ a: z.enum(['X', 'Y']) }), {}],
    [
      'a missing discriminator',
      z.object({
        d: z.discriminatedUnion('t', [z.object({ t: z.literal('A') }), z.object({ t: z.literal('B') })]),
      }),
      { d: {} },
    ],
    [
      'a wrong discriminator',
      z.object({
        d: z.discriminatedUnion('t', [z.object({ t: z.literal('A') }), z.object({ t: z.literal('B') })]),
      }),
      { d: { t: 'C' } },
    ],
    ['a plain union', z.object({ u: z.union([z.string(), z.number()]) }), { u: true }],
    ['an empty string', z.object({ s: z.string().min(1) }), { s: '' }],
    ['a short string', z.object({ s: z.string().min(3) }), { s: 'ab' }],
    ['an empty array', z.object({ l: z.array(z.string()).min(1) }), { l: [] }],
    ['a short array', z.object({ l: z.array(z.string()).min(2) }), { l: ['a'] }],
    ['a small set', z.object({ l: z.set(z.string()).min(2) }), { l: new Set(['a']) }],
    ['a small number', z.object({ n: z.number().min(5) }), { n: 1 }],
    ['a long string', z.object({ s: z.string().max(2) }), { s: 'abc' }],
    ['a long array', z.object({ l: z.array(z.string()).max(1) }), { l: ['a', 'b'] }],
    ['a big number', z.object({ n: z.number().max(5) }), { n: 9 }],
    ['not a multiple', z.object({ n: z.number().multipleOf(5) }), { n: 7 }],
    ['unknown keys', z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 }],
    ['a format', z.object({ e: z.email() }), { e: 'nope' }],
    [
      'a custom issue with its rule, expectation and severity',
      z.object({
        a: z.string().refine(() => false, {
          message: 'no',
          params: { rule: 'R99', expected: 'yes', severity: 'warning' },
        }),
      }),
      { a: 'x' },
    ],
    ['another kind of issue', z.object({ d: z.date() }), { d: new Date('invalid') }],
    ['an odd key', z.object({ 'a-b': z.string() }), {}],
  ])('%s', (_name, schema, input) => {
    expect(words(schema, input)).toMatchSnapshot();
  });
  it('a rule from the resolver, with what it is told about the issue', () => {
    const seen: unknown[] = [];
    const resolve: RuleResolver = (ctx) => {
      seen.push(ctx);
      return 'R1';
    };
    const schema = z.object({ data: z.array(z.object({ type: z.string(), n: z.number() })) });
    expect(words(schema, { data: [{ type: 'item', n: 'x' }] }, resolve)).toEqual([
      'error R1 body.data[0].n: must be a number, got the string "x" (expected a number)',
    ]);
    expect(seen).toEqual([
      { key: 'n', segs: ['data', 0, 'n'], code: 'invalid_type', missing: false, itemType: 'item' },
    ]);
    seen.length = 0;
    words(z.object({ type: z.string(), a: z.object({ b: z.string() }) }), { type: 'top', a: {} }, resolve);
    expect(seen).toEqual([
      { key: 'b', segs: ['a', 'b'], code: 'invalid_type', missing: true, itemType: 'top' },
    ]);
  });
  it('R23 and R19 wording for generated-schema issues', () => {
    const rule =
      (r: string): RuleResolver =>
      () =>
        r;
    expect(words(z.object({ amount: z.number() }), { amount: 'x' }, rule('R23'))).toEqual([
      'error R23 body.amount: must be an integer number of cents, got the string "x" (expected integer cents)',
    ]);
    expect(words(z.object({ amount: z.number() }), {}, rule('R23'))).toEqual([
      'error R23 body.amount: required (expected integer cents)',
    ]);
    expect(words(z.object({ settledDate: z.string() }), {}, rule('R19'))).toEqual([
      'error R19 body.settledDate: required: a coreTransaction is always SETTLED with settledDate and authorizationDate (expected ISO 8601 date-time with zone, e.g. 1994-11-05T08:15:30-05:00)',
    ]);
    expect(words(z.object({ settledDate: z.string() }), { settledDate: 1 }, rule('R19'))).toEqual([
      'error R19 body.settledDate: must be a string, got the number 1 (expected ISO 8601 date-time with zone, e.g. 1994-11-05T08:15:30-05:00)',
    ]);
  });
});
