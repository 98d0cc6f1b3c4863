// The value checks every schema and fast path shares (src/primitives.ts), each with the cases at its
// edges. properties.test.ts checks them against fast-check's generators; these named examples say
// what each rule accepts and refuses, and run in every test run (also under mutation testing).
import { describe, expect, it } from 'vitest';
import {
  binProblem,
  hasExtension,
  isAllDigits,
  isCurrencyCode,
  isE164,
  isIsoDateTime,
  isIsoDuration,
  isLastFour,
  isLettersAndSpaces,
  isObj,
  isSha256Hex,
  isStr,
  isTimeOfDay,
} from './primitives.js';

const cases = (check: (s: string) => boolean, yes: string[], no: string[]) => {
  for (const s of yes) expect(check(s), JSON.stringify(s)).toBe(true);
  for (const s of no) expect(check(s), JSON.stringify(s)).toBe(false);
};

describe('shapes', () => {
  it('isObj: a plain object, not null or an array', () => {
    expect([{}, { a: 1 }].map(isObj)).toEqual([true, true]);
    expect([null, [], 'x', 1, undefined].map(isObj)).toEqual([false, false, false, false, false]);
  });

  it('isStr: a non-empty string', () => {
    expect([isStr('a'), isStr(''), isStr(1), isStr(null)]).toEqual([true, false, false, false]);
  });

  it('isAllDigits: exactly that many ASCII digits', () => {
    expect(isAllDigits('0123456789', 10)).toBe(true);
    expect(isAllDigits('1234', 3)).toBe(false);
    expect(isAllDigits('123', 4)).toBe(false);
    // the characters just outside '0'…'9', at the start, middle and end
    for (const s of ['/234', '12:4', '123/', '123:', 'a234', '１２３４'])
      expect(isAllDigits(s, 4), s).toBe(false);
  });
});

describe('card data', () => {
  it('R4: a BIN is exactly 6 digits, with a message for each way it is not', () => {
    expect(binProblem('411111')).toBeNull();
    expect(binProblem('41111111')).toBe('must be exactly 6 digits; got 8 digits, send the first 6');
    expect(binProblem('4111111')).toBe('must be exactly 6 digits; got 7 digits, send the first 6');
    expect(binProblem('41111')).toBe('must be exactly 6 digits; got 5');
    expect(binProblem('')).toBe('must be exactly 6 digits (numbers only)');
    expect(binProblem('4111x1')).toBe('must be exactly 6 digits (numbers only)');
    expect(binProblem('4111111x')).toBe('must be exactly 6 digits (numbers only)');
  });

  it('R5: the last four are 4 digits', () => {
    cases(isLastFour, ['1234', '0000'], ['123', '12345', '12a4', '']);
  });
});

describe('R24: ISO 8601 date-time with a zone, calendar-checked', () => {
  it('accepts Z and ±hh:mm zones, fractional seconds, and every last day of a month', () => {
    cases(
      isIsoDateTime,
      [
        '2024-05-01T10:00:00Z',
        '2024-05-01T10:00:00.5Z',
        '2024-05-01T10:00:00.123456+05:30',
        '2024-05-01T23:59:59-12:00',
        '2024-05-01T00:00:00+23:59',
        '2024-01-31T00:00:00Z',
        '2024-03-31T00:00:00Z',
        '2024-04-30T00:00:00Z',
        '2024-05-31T00:00:00Z',
        '2024-06-30T00:00:00Z',
        '2024-07-31T00:00:00Z',
        '2024-08-31T00:00:00Z',
        '2024-09-30T00:00:00Z',
        '2024-10-31T00:00:00Z',
        '2024-11-30T00:00:00Z',
        '2024-12-31T00:00:00Z',
        '2024-02-28T00:00:00Z',
        '2024-12-29T00:00:00Z',
        '2024-12-30T00:00:00Z',
      ],
      [
        '2024-05-01T10:00:00', // no zone
        '2024-05-01 10:00:00Z',
        'x2024-05-01T10:00:00Z',
        '2024-05-01T10:00:00Zx',
        '2024-05-01T10:00:00+05:30x',
        '2024-05-32T10:00:00Z',
        '2024-05-00T10:00:00Z',
        '2024-13-01T10:00:00Z',
        '2024-00-01T10:00:00Z',
        '2024-05-01T24:00:00Z',
        '2024-05-01T10:60:00Z',
        '2024-05-01T10:00:60Z',
        '2024-05-01T10:00:00+24:00',
        '2024-05-01T10:00:00+05:60',
        '2024-04-31T00:00:00Z',
        '2024-06-31T00:00:00Z',
        '2024-09-31T00:00:00Z',
        '2024-11-31T00:00:00Z',
        '2024-02-30T00:00:00Z',
        '2024-02-31T00:00:00Z',
      ],
    );
  });

  it('February 29 only in leap years: every 4th year, not every 100th, but every 400th', () => {
    cases(
      isIsoDateTime,
      [
        '2024-02-29T00:00:00Z',
        '2000-02-29T00:00:00Z',
        '1996-02-29T00:00:00Z',
        '2400-02-29T00:00:00Z',
        '0004-02-29T00:00:00Z',
      ],
      [
        '2023-02-29T00:00:00Z',
        '1900-02-29T00:00:00Z',
        '2100-02-29T00:00:00Z',
        '2025-02-29T00:00:00Z',
        '1999-02-29T00:00:00Z',
        '2022-02-29T00:00:00Z',
        '2021-02-29T00:00:00Z',
      ],
    );
  });

  it('the 29th and 30th of months other than February', () => {
    cases(isIsoDateTime, ['2023-01-29T00:00:00Z', '2023-04-29T00:00:00Z', '2023-04-30T00:00:00Z'], []);
  });
});

describe('codes and formats', () => {
  it('R20: an ISO 4217 code: three upper-case letters the runtime knows', () => {
    cases(
      isCurrencyCode,
      ['USD', 'EUR', 'JPY', 'AZN', 'ZAR'],
      ['usd', 'Usd', 'USd', 'US', 'USDD', 'U$D', '@SD', 'US[', 'ZZZ', ''],
    );
  });

  it('R41: E.164: a + then 2 to 15 digits, no leading 0', () => {
    cases(
      isE164,
      ['+12', '+14155552671', '+123456789012345'],
      ['+1', '+0123', '14155552671', '+1234567890123456', 'x+14155552671', '+14155552671x'],
    );
  });

  it('R42: SHA-256 as 64 lower-case hex characters', () => {
    const hex = 'a'.repeat(63) + '0';
    cases(
      isSha256Hex,
      [hex],
      [hex.toUpperCase(), hex.slice(1), `${hex}0`, `x${hex}`, `${hex}x`, `${hex.slice(1)}g`],
    );
  });

  it('R96: an ISO 8601 duration', () => {
    cases(
      isIsoDuration,
      [
        'P7D',
        'PT12H',
        'P1M',
        'P2W',
        'P1Y2M3DT4H5M6S',
        'P10Y',
        'P12M',
        'P10W',
        'P30D',
        'PT10H',
        'PT90M',
        'PT1.5S',
        'PT10.25S',
      ],
      ['P', 'PT', 'P1DT', '7D', 'xP7D', 'P7Dx', 'P1H', 'PT1D', 'P1.5D'],
    );
  });

  it('R93: HH:mm on a 24-hour clock', () => {
    cases(
      isTimeOfDay,
      ['00:00', '09:30', '23:59', '19:05'],
      ['24:00', '23:60', '9:30', '09:5', 'x09:30', '09:30x'],
    );
  });

  it('R86: letters and spaces, at least one letter', () => {
    cases(isLettersAndSpaces, ['New York', 'Zürich', 'a'], [' ', '', 'New York 2', 'St. Louis']);
  });

  it('R33: a file name with an extension', () => {
    cases(
      hasExtension,
      ['transactions_2024-01-01.jsonl', 'a.b', 'file.tar.gz', '.x.csv'],
      ['transactions', 'file.', '.csv', 'dir/file.csv', 'dir\\file.csv', 'file.js!'],
    );
  });
});
