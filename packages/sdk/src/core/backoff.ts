import { KardAbortError } from '../errors.js';

/** Longest wait between two attempts, whatever Retry-After says (the official SDK's cap too). */
export const MAX_RETRY_DELAY_MS = 60_000;
export const BASE_RETRY_DELAY_MS = 500;

/** Statuses worth another attempt: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Parses Retry-After (delta-seconds or HTTP-date) into milliseconds from `now`.
 * Returns undefined when absent or unparseable; 0 for a date in the past.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Delay before retry number `attempt` (0 = first retry). A server-sent Retry-After wins (capped);
 * otherwise exponential backoff with "equal jitter": half fixed, half random, so the delay lies in
 * [base·2^attempt / 2, base·2^attempt], capped at `cap`.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
  base = BASE_RETRY_DELAY_MS,
  cap = MAX_RETRY_DELAY_MS,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), cap);
  const exp = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** Waits `ms`, or rejects with KardAbortError as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      // Stryker disable next-line StringLiteral: removing the listener only frees it; a settled promise ignores a later reject.
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: `once` only frees the listener; a signal aborts once.
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): KardAbortError {
  return new KardAbortError('The request was aborted', { cause: signal.reason });
}
