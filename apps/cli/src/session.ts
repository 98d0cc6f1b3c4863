import type { MockKard } from '@kardkit/mock-server';
import { KardClient } from '@kardkit/sdk';
import { type GlobalFlags, hasCredentials, type ResolvedConfig, resolveConfig } from './config.js';
import { UsageError } from './errors.js';
import type { Io } from './output.js';

export interface Session {
  client: KardClient;
  config: ResolvedConfig;
  organizationId: string;
  /** set when no credentials were configured and the embedded mock serves this run */
  mock?: MockKard | undefined;
  baseUrl: string | undefined;
  close(): Promise<void>;
}

export interface SessionOptions {
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Builds a KardClient from flags > env > profile. With no credentials at all it starts the
 * embedded mock sandbox in-process and says so on stderr, so every command works offline.
 */
export async function openSession(flags: GlobalFlags, io: Io, opts: SessionOptions = {}): Promise<Session> {
  const config = resolveConfig(flags, io.env);
  let mock: MockKard | undefined;
  let baseUrl = config.baseUrl;
  let clientId = config.clientId;
  let clientSecret = config.clientSecret;
  let organizationId = config.organizationId;
  if (!hasCredentials(config)) {
    // Loaded only when needed: a configured run never pays for the sandbox.
    const { startMockKard } = await import('@kardkit/mock-server');
    mock = await startMockKard({});
    baseUrl = mock.url;
    clientId = mock.clientId;
    clientSecret = mock.clientSecret;
    organizationId = organizationId ?? mock.organizationId;
    io.stderr.write(
      `kard: no credentials configured; using the embedded mock Kard sandbox at ${mock.url} (run \`kard configure\` or set KARD_CLIENT_ID/KARD_CLIENT_SECRET for a real environment)\n`,
    );
  } else if (!clientId || !clientSecret) {
    throw new UsageError(
      `incomplete credentials: ${clientId ? 'KARD_CLIENT_SECRET (or --client-secret)' : 'KARD_CLIENT_ID (or --client-id)'} is missing`,
    );
  }
  if (!organizationId) {
    throw new UsageError(
      'no organization id: set KARD_ORGANIZATION_ID, pass --organization-id, or run `kard configure`',
    );
  }
  const client = new KardClient({
    ...(baseUrl ? { baseUrl } : { environment: config.environment ?? 'sandbox' }),
    organizationId,
    clientId,
    clientSecret,
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  return {
    client,
    config,
    organizationId,
    mock,
    baseUrl,
    async close() {
      if (mock) await mock.close();
    },
  };
}

/** Runs `fn` with a session and closes it (and the embedded mock, if any) afterwards. */
export async function withSession<T>(
  flags: GlobalFlags,
  io: Io,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(flags, io);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
