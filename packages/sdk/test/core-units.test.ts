import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortError, isRetryableStatus, parseRetryAfter, retryDelay, sleep } from '../src/core/backoff.js';
import { createSseClient } from '../src/core/no-sse.js';
import { logWarnings, validateRequest } from '../src/core/schemas.js';
import { buildQuery } from '../src/core/transport.js';
import { KardAbortError, KardValidationError } from '../src/errors.js';
import { txn } from './support.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('backoff edges', () => {
  it('only 408, 429 and 5xx are retryable', () => {
    expect([407, 409, 425, 499].map(isRetryableStatus)).toEqual([false, false, false, false]);
    expect([408, 429, 500, 599].map(isRetryableStatus)).toEqual([true, true, true, true]);
  });

  it('Retry-After: undefined and blanks are absent, surrounding spaces are ignored, negatives clamp to 0', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('   ')).toBeUndefined();
    expect(parseRetryAfter(' 2 ')).toBe(2_000);
    expect(retryDelay(0, -5)).toBe(0);
    expect(retryDelay(0, 60_001)).toBe(60_000);
  });

  it('backoff without Retry-After: half fixed, half random, doubling per attempt', () => {
    expect(retryDelay(0, undefined, () => 0)).toBe(250);
    expect(retryDelay(0, undefined, () => 1)).toBe(500);
    expect(retryDelay(1, undefined, () => 0)).toBe(500);
    expect(retryDelay(2, undefined, () => 0.5)).toBe(1_500);
    expect(retryDelay(40, undefined, () => 1)).toBe(60_000);
  });

  it('sleep resolves after its time and rejects at once on an aborted signal, with the reason as cause', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let done = false;
    const p = sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    const err = await sleep(1_000, AbortSignal.abort('why')).catch((e) => e);
    expect(err).toBeInstanceOf(KardAbortError);
    expect(err.cause).toBe('why');
    expect(abortError(AbortSignal.abort('r')).message).toBe('The request was aborted');
  });
});

describe('query serialisation edges', () => {
  it('null values are dropped like undefined; numbers and booleans are strings', () => {
    expect(buildQuery({ a: null, b: 0, c: false, d: [null, 1] })).toBe('?b=0&c=false&d=1');
  });
});

describe('validateRequest (the main entry validator)', () => {
  it('throws KardValidationError on errors and logs each warning with path, rule and message', async () => {
    const warnings: unknown[] = [];
    const logger = {
      warn: (message: string, meta?: Record<string, unknown>) => void warnings.push([message, meta]),
    };
    const { authorizationDate: _a, mcc: _m, ...attributes } = txn().attributes as Record<string, unknown>;
    await validateRequest('TransactionsRequest', { data: [{ ...txn(), attributes }] }, logger);
    expect(warnings).toEqual([
      [
        'kard: validation warning',
        {
          path: 'data[0].attributes.authorizationDate',
          rule: 'R1',
          message: 'highly recommended when status is SETTLED',
        },
      ],
      [
        'kard: validation warning',
        {
          path: 'data[0].attributes.mcc',
          rule: 'R5',
          message: 'recommended: required for some national offers',
        },
      ],
    ]);
    // Loaded now: synchronous from here on.
    expect(() => validateRequest('TransactionsRequest', { data: [txn({ cardBIN: 'x' })] }, logger)).toThrow(
      KardValidationError,
    );
    expect(validateRequest('TransactionsRequest', { data: [txn()] }, undefined)).toBeUndefined();
  });

  it('an unknown kind is not checked; warnings need a logger with warn', async () => {
    await validateRequest('TransactionsRequest', { data: [txn()] }, undefined);
    expect(validateRequest('NoSuchKind', { anything: true }, undefined)).toBeUndefined();
    const issues = [{ path: 'p', rule: 'R5', severity: 'warning' as const, message: 'm' }];
    expect(() => logWarnings({}, issues)).not.toThrow();
    expect(() => logWarnings(undefined, issues)).not.toThrow();
    const seen: unknown[] = [];
    logWarnings({ warn: (...a: unknown[]) => void seen.push(a) }, [
      ...issues,
      { path: 'q', rule: 'R4', severity: 'error', message: 'not a warning' },
    ]);
    expect(seen).toEqual([['kard: validation warning', { path: 'p', rule: 'R5', message: 'm' }]]);
  });
});

describe('the server-sent-events stand-in (tsup.config.ts swaps it in for the generated client)', () => {
  it('refuses with a message that says why', () => {
    expect(() => createSseClient()).toThrow(new Error('Server-sent events are not part of the Kard API'));
  });
});
