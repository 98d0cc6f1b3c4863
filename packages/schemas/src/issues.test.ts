// How issues are worded and located: the error a validate… function throws, field paths, and how
// a wrong value is described in a message.
import { describe, expect, it } from 'vitest';
import { SchemaValidationError, safeParseTransactionEvent, type ValidationIssue } from './index.js';
import { joinPath, pathOf } from './issues.js';
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
