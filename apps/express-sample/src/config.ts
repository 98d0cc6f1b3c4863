/**
 * Configuration from the environment, checked once at start-up. A missing or malformed value stops
 * the process with one message that names every problem (never a secret's value).
 */
import { type AuthConfig, parseApiKeys } from './auth.js';
import type { ForwarderOptions } from './forwarder.js';
import { PROCESSORS, type ProcessorRoute, type ProcessorsConfig } from './processors.js';

export interface SampleConfig {
  port: number;
  /** 127.0.0.1 unless HOST says otherwise. */
  host: string;
  kard: {
    baseUrl?: string;
    environment?: 'production' | 'sandbox';
    clientId: string;
    clientSecret: string;
    organizationId: string;
    timeoutMs?: number;
    maxRetries?: number;
  };
  /**
   * Who may call the sample: SHA-256 hashes of the API keys from SAMPLE_API_KEYS (the keys themselves
   * are not kept), or `off` (SAMPLE_AUTH=off, local experiments only).
   */
  auth: AuthConfig;
  /** Key that verifies `notify-signature` on incoming webhooks. */
  webhookSecret: string;
  /**
   * The processor webhook routes (processors.ts): each one's signing secret (STRIPE_WEBHOOK_SECRET,
   * LITHIC_WEBHOOK_SECRET, MARQETA_WEBHOOK_SECRET) and the cards' BIN (SAMPLE_CARD_BIN).
   */
  processors?: ProcessorsConfig;
  /** PostgreSQL when set; otherwise PGlite, in `dataDir` (or in memory when it is not set). */
  databaseUrl?: string;
  dataDir?: string;
  /** How often to ask Kard for notifications this service missed (0: only at start; default 5 minutes). */
  reconcileIntervalMs?: number;
  logLevel?: string;
  /** The forwarder's tuning (unset: its defaults); `enabled: false` keeps it from starting. */
  forwarder?: { enabled?: boolean } & Pick<
    ForwarderOptions,
    | 'batchSize'
    | 'concurrency'
    | 'leaseMs'
    | 'maxSendMs'
    | 'pollMs'
    | 'sweepMs'
    | 'retryBaseMs'
    | 'maxRetryDelayMs'
    | 'workerId'
  >;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Where the embedded database keeps its files unless PGLITE_DATA_DIR says otherwise. */
export const DEFAULT_DATA_DIR = '.kard-data/express-sample';

const KARD_VARS = [
  'KARD_CLIENT_ID',
  'KARD_CLIENT_SECRET',
  'KARD_ORGANIZATION_ID',
  'KARD_WEBHOOK_SECRET',
] as const;

/** True when none of the Kard variables is set: main.ts then runs against the embedded mock. */
export function hasNoKardConfig(env: NodeJS.ProcessEnv): boolean {
  return [...KARD_VARS, 'KARD_BASE_URL', 'KARD_ENVIRONMENT'].every((k) => !env[k]);
}

function int(env: NodeJS.ProcessEnv, name: string, problems: string[], min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return undefined;
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  const problems: string[] = [];
  for (const name of KARD_VARS) if (!env[name]) problems.push(`${name} is missing`);
  const baseUrl = env.KARD_BASE_URL || undefined;
  const environment = env.KARD_ENVIRONMENT || undefined;
  if (!baseUrl && !environment)
    problems.push('KARD_BASE_URL or KARD_ENVIRONMENT (production | sandbox) is missing');
  if (environment && environment !== 'production' && environment !== 'sandbox') {
    problems.push(`KARD_ENVIRONMENT must be "production" or "sandbox" (got "${environment}")`);
  }
  if (baseUrl && !/^https?:\/\//.test(baseUrl)) problems.push('KARD_BASE_URL must be an http(s) URL');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const port = int(env, 'PORT', problems, 0, 65535) ?? 3000;
  const batchSize = int(env, 'FORWARDER_BATCH_SIZE', problems, 1, 500);
  const concurrency = int(env, 'FORWARDER_CONCURRENCY', problems, 1, 64);
  const leaseMs = int(env, 'FORWARDER_LEASE_MS', problems, 100, 86_400_000);
  const maxSendMs = int(env, 'FORWARDER_MAX_SEND_MS', problems, 100, 86_400_000);
  const pollMs = int(env, 'FORWARDER_POLL_MS', problems, 10, 3_600_000);
  const retryBaseMs = int(env, 'FORWARDER_RETRY_BASE_MS', problems, 1, 3_600_000);
  const maxFailures = int(env, 'SAMPLE_AUTH_MAX_FAILURES', problems, 1, 1_000_000);
  const reconcileMs = int(env, 'RECONCILE_INTERVAL_MS', problems, 0, 86_400_000);
  const authOff = env.SAMPLE_AUTH === 'off';
  if (env.SAMPLE_AUTH !== undefined && env.SAMPLE_AUTH !== '' && !authOff && env.SAMPLE_AUTH !== 'on') {
    problems.push(`SAMPLE_AUTH must be "on" or "off" (got "${env.SAMPLE_AUTH}")`);
  }
  const keys = parseApiKeys(env.SAMPLE_API_KEYS);
  problems.push(...keys.problems);
  if (keys.hashes.length === 0 && keys.problems.length === 0 && !authOff) {
    problems.push(
      'SAMPLE_API_KEYS is missing: every route but /healthz, /readyz and /webhooks/kard needs an API key. ' +
        'Set one or more keys, comma-separated, for example ' +
        `SAMPLE_API_KEYS="$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")", ` +
        'and send it as "Authorization: Bearer <key>". For local experiments only, SAMPLE_AUTH=off runs without keys.',
    );
  }
  const processorSecrets: ProcessorsConfig['secrets'] = {};
  for (const [name, p] of Object.entries(PROCESSORS) as [ProcessorRoute, { env: string }][]) {
    if (env[p.env]) processorSecrets[name] = env[p.env] as string;
  }
  const cardBin = env.SAMPLE_CARD_BIN || undefined;
  if (cardBin !== undefined && !/^\d{6}$/.test(cardBin)) {
    problems.push(`SAMPLE_CARD_BIN must be the first 6 digits of the cards (R4), got "${cardBin}"`);
  }
  if (Object.keys(processorSecrets).length > 0 && cardBin === undefined) {
    problems.push(
      'SAMPLE_CARD_BIN is missing: processors leave the card BIN out of their webhooks and Kard requires it on ' +
        'every transaction (R4); set it to the first 6 digits of your cards',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    kard: {
      ...(baseUrl ? { baseUrl } : {}),
      ...(environment ? { environment: environment as 'production' | 'sandbox' } : {}),
      clientId: env.KARD_CLIENT_ID as string,
      clientSecret: env.KARD_CLIENT_SECRET as string,
      organizationId: env.KARD_ORGANIZATION_ID as string,
    },
    auth:
      authOff && keys.hashes.length === 0
        ? { mode: 'off' }
        : { mode: 'keys', keyHashes: keys.hashes, ...(maxFailures ? { maxFailures } : {}) },
    webhookSecret: env.KARD_WEBHOOK_SECRET as string,
    processors: { secrets: processorSecrets, ...(cardBin ? { cardBin } : {}) },
    ...(reconcileMs !== undefined ? { reconcileIntervalMs: reconcileMs } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    // The outbox must outlive the process, so the embedded database lives on disk by default;
    // PGLITE_DATA_DIR=memory keeps it in memory (demos, tests).
    ...(databaseUrl || env.PGLITE_DATA_DIR === 'memory'
      ? {}
      : { dataDir: env.PGLITE_DATA_DIR || DEFAULT_DATA_DIR }),
    logLevel: env.LOG_LEVEL || 'info',
    forwarder: {
      enabled: env.FORWARDER_ENABLED !== 'false',
      ...(batchSize ? { batchSize } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(leaseMs ? { leaseMs } : {}),
      ...(maxSendMs ? { maxSendMs } : {}),
      ...(pollMs ? { pollMs } : {}),
      ...(retryBaseMs ? { retryBaseMs } : {}),
    },
  };
}
