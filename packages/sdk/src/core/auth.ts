import { KardError } from '../errors.js';
import { abortError } from './backoff.js';
import type { TokenSource, Transport } from './transport.js';

/** Refresh this long before the announced expiry (the official SDK's 2-minute buffer). */
export const REFRESH_BUFFER_MS = 120_000;

/** A static token: sent as is, never refreshed; a 401 is final. */
export class StaticToken implements TokenSource {
  transport: Transport | undefined;
  current = undefined;
  constructor(private readonly token: string) {}
  get(): string {
    return this.token;
  }
  invalidate(): boolean {
    return false;
  }
}

interface TokenResponse {
  access_token: string;
  expires_in?: number;
  token_type?: string;
}

/**
 * OAuth client-credentials tokens from POST /v2/auth/token (openapi/kard.yaml `auth.getToken`, JSON body
 * `TokenJsonRequest`, answer `TokenResponse`):
 * cached, refreshed 2 minutes before expiry, one request in flight whatever the concurrency, and
 * dropped on a 401 so that the caller refreshes once.
 */
export class ClientCredentials implements TokenSource {
  private token: string | undefined;
  private expiresAt = 0;
  private inflight: Promise<string> | undefined;
  transport: Transport | undefined;

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached token (for redaction only). */
  get current(): string | undefined {
    return this.token;
  }

  get(signal?: AbortSignal): Promise<string> | string {
    if (this.token !== undefined && this.now() < this.expiresAt) return this.token;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return signal ? raceAbort(this.inflight, signal) : this.inflight;
  }

  invalidate(token: string): boolean {
    if (this.token === token) {
      this.token = undefined;
      this.expiresAt = 0;
    }
    return true;
  }

  private async refresh(): Promise<string> {
    // The shared refresh is not tied to any one caller's signal: one caller aborting must not fail
    // the others (each waiter races its own signal in get()).
    const res = await this.transport!.request<TokenResponse>({
      method: 'POST',
      url: '/v2/auth/token',
      json: { client_id: this.clientId, client_secret: this.clientSecret },
      auth: false,
    });
    const body = res.data;
    if (!body || typeof body.access_token !== 'string') {
      throw new KardError('Kard token response has no access_token');
    }
    const ttlMs = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    // Short-lived tokens: keep at least half their life usable instead of treating them as expired.
    this.expiresAt = this.now() + ttlMs - Math.min(REFRESH_BUFFER_MS, ttlMs / 2);
    this.token = body.access_token;
    return body.access_token;
  }
}

/** Lets one waiter give up on the shared refresh (the refresh itself goes on for the others). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(abortError(signal));
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: `once` only frees the listener; a signal aborts once.
      signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
    }),
  ]);
}
