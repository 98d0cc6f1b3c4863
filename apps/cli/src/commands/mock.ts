import { EXIT, UsageError } from '../errors.js';
import { type Io, paint, useColor, writeJson } from '../output.js';

/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs the local Kard sandbox until Ctrl-C and prints how to point the CLI, the SDK or an app at it.
 * While it runs, other `kard` commands without credentials find it (the discovery file). Resolves
 * to 130 after SIGINT, 0 after SIGTERM or `signal`.
 */
export async function runMock(
  opts: { port?: string; json?: boolean; webhookUrl?: string; state?: string; log?: boolean },
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  const port = opts.port !== undefined ? Number(opts.port) : Number(io.env.KARD_MOCK_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid port: ${opts.port}`);
  const { startMockKard } = await import('@kardkit/mock-server');
  let mock: Awaited<ReturnType<typeof startMockKard>>;
  try {
    mock = await startMockKard({
      port,
      announce: { env: io.env },
      ...(opts.webhookUrl ? { webhookUrl: opts.webhookUrl } : {}),
      ...(opts.state ? { stateFile: opts.state } : {}),
      // with --json, stdout carries only the credentials object: the log goes to stderr
      ...(opts.log ? { log: (line: string) => (opts.json ? io.stderr : io.stdout).write(`${line}\n`) } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      throw new UsageError(`port ${port} is in use (is a sandbox already running? try --port 0)`);
    throw new UsageError(err.message);
  }
  const info = {
    url: mock.url,
    organizationId: mock.organizationId,
    clientId: mock.clientId,
    clientSecret: mock.clientSecret,
    webhookSecret: mock.webhookSecret,
    dashboard: `${mock.url}/`,
    ...(mock.stateFile ? { stateFile: mock.stateFile } : {}),
  };
  if (opts.json) writeJson(io, info);
  else {
    const p = paint(useColor(io.stdout, io.env));
    io.stdout.write(
      [
        `${p.green('mock Kard sandbox')} listening on ${p.bold(mock.url)} (Ctrl-C to stop)`,
        `dashboard: ${mock.url}/ (sign in with the client id as user name and the client secret as password)`,
        ...(mock.stateFile ? [`state: ${mock.stateFile}`] : []),
        '',
        'Other kard commands without credentials use it. To use it from an app or this shell:',
        `  export KARD_BASE_URL=${mock.url}`,
        `  export KARD_CLIENT_ID=${mock.clientId}`,
        `  export KARD_CLIENT_SECRET=${mock.clientSecret}`,
        `  export KARD_ORGANIZATION_ID=${mock.organizationId}`,
        `  export KARD_WEBHOOK_SECRET=${mock.webhookSecret}`,
        '',
      ].join('\n'),
    );
  }
  const code = await new Promise<number>((resolve) => {
    const onInt = () => done(EXIT_INTERRUPTED);
    const onTerm = () => done(EXIT.ok);
    const onAbort = () => done(EXIT.ok);
    const done = (c: number) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      resolve(c);
    };
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  await mock.close();
  io.stderr.write('kard: mock stopped\n');
  return code;
}
