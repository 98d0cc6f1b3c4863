import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE_RETRY_DELAY_MS,
  isRetryableStatus,
  MAX_RETRY_DELAY_MS,
  parseRetryAfter,
  retryDelay,
  sleep,
} from '../src/core/backoff.js';
import { buildQuery } from '../src/core/transport.js';
import { KardAbortError } from '../src/errors.js';

describe('backoff math', () => {
  it('retries 408, 429 and 5xx only', () => {
    expect([408, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 207, 400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    // several digits, several decimals, and nothing but the number
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('1.25', now)).toBe(1250);
    expect(parseRetryAfter(' 7 ', now)).toBe(7000);
    expect(parseRetryAfter('12abc', now)).toBeUndefined();
    expect(parseRetryAfter('abc12', now)).toBeUndefined();
  });

  it('Retry-After wins but is capped', () => {
    expect(retryDelay(0, 2000)).toBe(2000);
    expect(retryDelay(5, 0)).toBe(0);
    expect(retryDelay(0, 3_600_000)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('property: exponential backoff with jitter stays within [half, full] of base·2^n, capped', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const d = retryDelay(attempt, undefined, () => r);
        const full = Math.min(MAX_RETRY_DELAY_MS, BASE_RETRY_DELAY_MS * 2 ** attempt);
        expect(d).toBeGreaterThanOrEqual(Math.floor(full / 2));
        expect(d).toBeLessThanOrEqual(full);
      }),
    );
  });

  it('jitter spreads delays (not all equal for different random draws)', () => {
    expect(retryDelay(3, undefined, () => 0)).not.toBe(retryDelay(3, undefined, () => 0.99));
  });

  it('sleep rejects with KardAbortError when the signal fires', async () => {
    const c = new AbortController();
    const p = sleep(60_000, c.signal);
    c.abort();
    await expect(p).rejects.toBeInstanceOf(KardAbortError);
  });
});

describe('query serialisation', () => {
  it('repeats arrays, encodes keys and values, drops undefined', () => {
    expect(
      buildQuery({
        'page[size]': 2,
        'filter[purchaseChannel]': ['INSTORE', 'ONLINE'],
        x: undefined,
        q: 'a b&c',
      }),
    ).toBe(
      '?page%5Bsize%5D=2&filter%5BpurchaseChannel%5D=INSTORE&filter%5BpurchaseChannel%5D=ONLINE&q=a%20b%26c',
    );
    expect(buildQuery({ a: undefined })).toBe('');
  });
});
