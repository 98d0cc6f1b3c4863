/**
 * API-key authentication for every route except health checks and Kard's webhooks (those are
 * authenticated by their signature). Keys come from SAMPLE_API_KEYS; only their SHA-256 hashes are
 * kept, and a presented key is hashed and compared with every stored hash in constant time.
 * Failed attempts are limited per client address with express-rate-limit.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

export type AuthConfig =
  | {
      mode: 'keys';
      /** SHA-256 of each accepted key. */
      keyHashes: readonly Buffer[];
      /** Failed attempts allowed per client address and window (default 20). */
      maxFailures?: number;
      /** The window of `maxFailures` in ms (default 15 minutes). */
      windowMs?: number;
    }
  | { mode: 'off' };

/** Shorter keys are refused at start-up: a key is a password that a script can guess at. */
export const MIN_KEY_LENGTH = 16;
export const DEFAULT_MAX_FAILURES = 20;
export const DEFAULT_FAILURE_WINDOW_MS = 15 * 60_000;

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Reads SAMPLE_API_KEYS (comma-separated). Problems never quote a key. */
export function parseApiKeys(raw: string | undefined): { hashes: Buffer[]; problems: string[] } {
  const keys = (raw ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const problems: string[] = [];
  keys.forEach((key, i) => {
    if (key.length < MIN_KEY_LENGTH)
      problems.push(`SAMPLE_API_KEYS: key ${i + 1} is shorter than ${MIN_KEY_LENGTH} characters`);
    else if (!/^[\x21-\x7e]+$/.test(key))
      problems.push(`SAMPLE_API_KEYS: key ${i + 1} must be printable ASCII without spaces`);
  });
  return { hashes: problems.length > 0 ? [] : keys.map(hashKey), problems };
}

/** True when `presented` is one of the keys. Every stored hash is compared, whichever matches. */
export function keyMatches(hashes: readonly Buffer[], presented: string): boolean {
  const candidate = hashKey(presented);
  let found = false;
  for (const hash of hashes) found = timingSafeEqual(hash, candidate) || found;
  return found;
}

/** The token of `Authorization: Bearer <token>` (scheme in any case), or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match ? (match[1] as string) : null;
}

/** A JSON:API error document with one error. */
export function errorDocument(status: number, title: string, detail: string, code?: string) {
  return { errors: [{ status: String(status), ...(code ? { code } : {}), title, detail }] };
}

function unauthorized(res: Response, presented: boolean): void {
  // RFC 6750: a request with no credentials gets the bare challenge; a wrong key, invalid_token.
  res
    .status(401)
    .set(
      'WWW-Authenticate',
      presented ? 'Bearer realm="express-sample", error="invalid_token"' : 'Bearer realm="express-sample"',
    )
    .json(
      errorDocument(
        401,
        'Unauthorized',
        presented ? 'the API key is not valid' : 'an API key is required: send "Authorization: Bearer <key>"',
        presented ? 'invalid_api_key' : 'missing_api_key',
      ),
    );
}

function tooManyFailures(res: Response): void {
  res
    .status(429)
    .json(
      errorDocument(
        429,
        'Too Many Requests',
        'too many failed authentication attempts from this address; try again later',
        'auth_rate_limited',
      ),
    );
}

/**
 * The middleware that guards the protected routes. A client address that failed `maxFailures`
 * times in the window gets 429 for the rest of it, whatever it sends (so a key cannot be guessed
 * by trying on); successful requests never count. `onFailure` is told of each refusal (for logs;
 * it gets no key).
 */
export function requireApiKey(
  auth: Extract<AuthConfig, { mode: 'keys' }>,
  onFailure?: (req: Request, reason: 'missing' | 'invalid' | 'rate-limited') => void,
): RequestHandler {
  const maxFailures = auth.maxFailures ?? DEFAULT_MAX_FAILURES;
  const clientKey = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
  // Counts failures only: it runs after a key was found wanting.
  const failures = rateLimit({
    windowMs: auth.windowMs ?? DEFAULT_FAILURE_WINDOW_MS,
    limit: maxFailures,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: clientKey,
    handler: (req, res) => {
      onFailure?.(req, 'rate-limited');
      tooManyFailures(res);
    },
  });
  return async (req, res, next) => {
    const seen = await failures.getKey(clientKey(req));
    if (seen && seen.totalHits >= maxFailures) {
      onFailure?.(req, 'rate-limited');
      tooManyFailures(res);
      return;
    }
    const token = bearerToken(req.get('authorization'));
    if (token !== null && keyMatches(auth.keyHashes, token)) {
      next();
      return;
    }
    await failures(req, res, () => {
      onFailure?.(req, token === null ? 'missing' : 'invalid');
      unauthorized(res, token !== null);
    });
  };
}
