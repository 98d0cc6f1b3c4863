/** A single injected fault. */
export type FaultStep =
  // answer with this status; `body` is sent as JSON, `raw` as is with no content type ('' for none)
  | { status: number; retryAfter?: number | string; body?: unknown; raw?: string }
  | { drop: true } // destroy the socket mid-request (after the body was read)
  | { latencyMs: number }; // delay, then serve normally

export interface FaultConfig {
  /** Consumed one per matching request, then normal service. */
  sequence?: FaultStep[];
  /** Random injection: with probability `rate` (0..1), apply `step` (default `{ status: 503 }`). */
  rate?: number;
  step?: FaultStep;
  /** Added to every matching request. */
  latencyMs?: number;
  /**
   * Only requests whose path contains this string. Default: every API route (`/v2/...`, `/ping`,
   * `/transactions/incoming`) except the token endpoint `/v2/auth/token`. `/__admin` is never faulted.
   */
  match?: string;
  /** Deterministic randomness for `rate`. */
  seed?: number;
}

export interface MockKardOptions {
  /** Default 0 (random); the bin uses 4010 (KARD_MOCK_PORT overrides). */
  port?: number;
  /** Always 127.0.0.1; any other value is rejected. */
  host?: string;
  organizationId?: string;
  clientId?: string;
  clientSecret?: string;
  webhookSecret?: string;
  /** Lifetime of issued bearer tokens (default 3600). */
  tokenTtlSeconds?: number;
  /** Lifetime of bulk upload URLs (default 900, R31). */
  uploadUrlTtlSeconds?: number;
  /**
   * The clock that token and upload URL lifetimes are measured with, in ms since the epoch (default
   * `Date.now`). Tests pass a clock they move forward instead of waiting for real time to pass.
   */
  now?: () => number;
  /**
   * Browser origins allowed to call the mock (CORS): origins such as `http://localhost:5173`, or
   * with `*` as the port for any port. Default `['http://localhost:*', 'http://127.0.0.1:*']`;
   * `[]` sends no CORS headers. Preflight OPTIONS requests need no token.
   */
  corsOrigins?: readonly string[];
  /** Convenience: subscribe this URL to every notification type at start (and after reset). */
  webhookUrl?: string;
  faults?: FaultConfig;
  /** Request log (redacted: no query strings, no headers, no bodies); off by default. */
  log?: (line: string) => void;
  /** How many requests `requests` keeps (newest last). Default 100; 0 disables recording. */
  maxRecordedRequests?: number;
  /**
   * Keep the state (users, transactions, rewards, subscriptions, notifications, and the credentials
   * unless given here) in this JSON file: loaded at start when it exists, saved atomically (mode 0600)
   * `stateDebounceMs` (default 250) after changes and on close().
   */
  stateFile?: string;
  stateDebounceMs?: number;
  /**
   * Announce this sandbox to other tools on this machine (the `kard` CLI): write sandbox.json with its
   * URL, pid and credentials (mode 0600) into `$KARD_SANDBOX_DIR`, else `$XDG_RUNTIME_DIR/kardkit`,
   * else `<tmpdir>/kardkit-<uid>`, and remove it on close. `env` (default process.env) supplies those
   * variables. Off by default; `kard mock` and `kard-mock` turn it on.
   */
  announce?: boolean | { env: NodeJS.ProcessEnv };
  /** Webhook delivery attempts per target (default 5) and base backoff (default 100 ms, doubled each retry). */
  webhookMaxAttempts?: number;
  webhookBackoffMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Secret parameters (`token`, `X-Amz-Signature`…) are `[REDACTED]` (@kardkit/schemas/redact). */
  query: Record<string, string | string[]>;
  /** Lower-cased header names; credential headers (`authorization`, `cookie`, `x-api-key`…) are `[REDACTED]`. */
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, text otherwise, null when empty or binary (uploads). */
  body: unknown;
  status: number;
  at: string;
}

export interface CounterStats {
  received: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface MockStats {
  tokenRequests: number;
  transactions: CounterStats;
  legacyIncoming: CounterStats;
  uploads: { files: number; lines: number; valid: number; invalid: number };
  rewards: number;
  webhooksSent: number;
  webhooksFailed: number;
}

export interface MockKard {
  url: string;
  organizationId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  requests: RecordedRequest[];
  faults: { set(cfg: FaultConfig): void; clear(): void };
  expireTokens(): void;
  stats(): MockStats;
  eventCount(id: string): number;
  receivedCount(id: string): number;
  reset(): void;
  /** The state file in use (`stateFile`), if any. */
  stateFile: string | undefined;
  /** Where this sandbox announced itself (`announce`), if it did. */
  discoveryFile: string | undefined;
  close(): Promise<void>;
}
