/**
 * Configuration from the environment, checked once at start-up. A missing or malformed value stops
 * the process with one message that names every problem (never a secret's value).
 */
import type { ForwarderOptions } from './forwarder.js';

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
  /** Key that verifies `notify-signature` on incoming webhooks. */
  webhookSecret: string;
  /** PostgreSQL when set; otherwise PGlite, in `dataDir` (or in memory when it is not set). */
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
  /** The forwarder's tuning (unset: its defaults); `enabled: false` keeps it from starting. */
  forwarder?: { enabled?: boolean } & Pick<
    ForwarderOptions,
    'batchSize' | 'leaseMs' | 'pollMs' | 'retryBaseMs' | 'maxRetryDelayMs' | 'workerId'
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
  const leaseMs = int(env, 'FORWARDER_LEASE_MS', problems, 100, 86_400_000);
  const pollMs = int(env, 'FORWARDER_POLL_MS', problems, 10, 3_600_000);
  const retryBaseMs = int(env, 'FORWARDER_RETRY_BASE_MS', problems, 1, 3_600_000);
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
    webhookSecret: env.KARD_WEBHOOK_SECRET as string,
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
      ...(leaseMs ? { leaseMs } : {}),
      ...(pollMs ? { pollMs } : {}),
      ...(retryBaseMs ? { retryBaseMs } : {}),
    },
  };
}
