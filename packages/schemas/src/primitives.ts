/**
 * Low-level value checks shared by the zod schemas and the hand-written fast paths.
 * Both sides call the very same functions, so they cannot disagree on what a valid value is.
 */

export const ALWAYS = { when: () => true } as const;

export function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Non-empty string. */
export function isStr(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

export function isAllDigits(s: string, len: number): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function digitsOnly(s: string): boolean {
  return s.length > 0 && isAllDigits(s, s.length);
}

/** R4: a BIN is exactly 6 digits. Returns null when valid, else a message for people. */
export function binProblem(s: string): string | null {
  if (isAllDigits(s, 6)) return null;
  if (s.length > 6 && digitsOnly(s))
    return `must be exactly 6 digits; got ${s.length} digits, send the first 6`;
  if (digitsOnly(s)) return `must be exactly 6 digits; got ${s.length}`;
  return 'must be exactly 6 digits (numbers only)';
}

export function isLastFour(s: string): boolean {
  return isAllDigits(s, 4);
}

const DATE_TIME_RE =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * R24: ISO 8601 date-time with a zone designator (Z or ±hh:mm); fractional seconds allowed.
 * Calendar-checked (no 2024-02-30).
 */
export function isIsoDateTime(s: string): boolean {
  if (!DATE_TIME_RE.test(s)) return false;
  const d = (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48);
  if (d <= 28) return true;
  const m = (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48);
  if (m === 2) {
    const y =
      (s.charCodeAt(0) - 48) * 1000 +
      (s.charCodeAt(1) - 48) * 100 +
      (s.charCodeAt(2) - 48) * 10 +
      (s.charCodeAt(3) - 48);
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return d <= (leap ? 29 : 28);
  }
  if (d === 31) return m !== 4 && m !== 6 && m !== 9 && m !== 11;
  return true;
}

export const DATE_TIME_EXPECTED =
  'ISO 8601 date-time with zone, e.g. 1994-11-05T08:15:30-05:00 or 1994-11-05T13:15:30.5Z';

let currencies: Set<string> | null = null;
function currencySet(): Set<string> | null {
  if (currencies) return currencies;
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  if (typeof intl.supportedValuesOf !== 'function') return null;
  currencies = new Set(intl.supportedValuesOf('currency'));
  return currencies;
}

/** R20: ISO 4217 alphabetic code: 3 upper-case letters, and a known code when the runtime can tell. */
export function isCurrencyCode(s: string): boolean {
  if (s.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  const set = currencySet();
  return set === null || set.has(s);
}

/** R41: E.164 phone number, '+' then 2 to 15 digits, no leading 0. */
export function isE164(s: string): boolean {
  return /^\+[1-9]\d{1,14}$/.test(s);
}

/** R42: SHA-256 as 64 lower-case hex characters. */
export function isSha256Hex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** R96: ISO 8601 duration such as P7D, PT12H, P1M, P1Y2M3DT4H5M6S, P2W. */
export function isIsoDuration(s: string): boolean {
  // (?!$): not a bare P; T(?=\d): a T must be followed by a time part.
  return /^P(?!$)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/.test(
    s,
  );
}

/** R93: HH:mm, 24-hour clock. */
export function isTimeOfDay(s: string): boolean {
  return /^(?:[01]\d|2[0-3]):[0-5]\d$/.test(s);
}

/** R86: at least one letter, letters and spaces only. */
export function isLettersAndSpaces(s: string): boolean {
  return /^[\p{L} ]+$/u.test(s) && /\p{L}/u.test(s);
}

/** R33: a filename with an extension, e.g. transactions_2024-01-01.jsonl */
export function hasExtension(s: string): boolean {
  return /^[^/\\]*[^./\\][^/\\]*\.[A-Za-z0-9]+$/.test(s);
}
