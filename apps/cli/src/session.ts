import type { MockKard, SandboxInfo } from '@kardkit/mock-server';
import { KardClient } from '@kardkit/sdk';
import { type GlobalFlags, hasCredentials, type ResolvedConfig, resolveConfig } from './config.js';
import { UsageError } from './errors.js';
import type { Io } from './output.js';

export interface Session {
  client: KardClient;
  config: ResolvedConfig;
  organizationId: string;
  /** set when no credentials were configured and a throwaway mock serves this run */
  mock?: MockKard | undefined;
  /** set when no credentials were configured and a running sandbox (kard mock) serves this run */
  sandbox?: SandboxInfo | undefined;
  baseUrl: string | undefined;
  close(): Promise<void>;
}

export interface SessionOptions {
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  /**
   * For commands that only make sense against a sandbox that lasts (listen, trigger): with no
   * credentials and no running sandbox, fail with this hint instead of starting a throwaway one.
   */
  needsRunningSandbox?: string | undefined;
}

/**
 * Builds a KardClient from flags > env > profile. With no credentials at all it uses the sandbox
 * that `kard mock` (or `kard-mock`) runs, found through its discovery file; when none runs, it
 * starts a throwaway one in-process. Either way it says so in one line on stderr.
 */
export async function openSession(flags: GlobalFlags, io: Io, opts: SessionOptions = {}): Promise<Session> {
  const config = resolveConfig(flags, io.env);
  let mock: MockKard | undefined;
  let baseUrl = config.baseUrl;
  let clientId = config.clientId;
  let clientSecret = config.clientSecret;
  let organizationId = config.organizationId;
  let sandbox: SandboxInfo | undefined;
  if (!hasCredentials(config)) {
    // Loaded only when needed: a configured run never pays for the sandbox.
    const { findSandbox, startMockKard } = await import('@kardkit/mock-server');
    const found = await findSandbox(io.env);
    if (found.found) {
      sandbox = found.found;
      baseUrl = sandbox.url;
      clientId = sandbox.clientId;
      clientSecret = sandbox.clientSecret;
      organizationId = organizationId ?? sandbox.organizationId;
      io.stderr.write(
        `kard: no credentials configured; using the running sandbox at ${sandbox.url} (kard mock, pid ${sandbox.pid})\n`,
      );
    } else if (opts.needsRunningSandbox) {
      throw new UsageError(
        `no credentials configured and no sandbox running: ${opts.needsRunningSandbox} (start one with \`kard mock\` in another terminal)`,
      );
    } else {
      mock = await startMockKard({});
      baseUrl = mock.url;
      clientId = mock.clientId;
      clientSecret = mock.clientSecret;
      organizationId = organizationId ?? mock.organizationId;
      io.stderr.write(
        `kard: no credentials configured and no sandbox running; using a throwaway mock Kard sandbox at ${mock.url} that stops with this command (start one that lasts with \`kard mock\`; run \`kard configure\` or set KARD_CLIENT_ID/KARD_CLIENT_SECRET for a real environment)\n`,
      );
    }
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
    sandbox,
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
  opts: SessionOptions = {},
): Promise<T> {
  const session = await openSession(flags, io, opts);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
