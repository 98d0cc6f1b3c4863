import { EXIT, UsageError } from '../errors.js';
import { type Io, paint, useColor, writeJson } from '../output.js';

/** Runs the local Kard sandbox until Ctrl-C and prints how to point the CLI, the SDK or an app at it. */
export async function runMock(
  opts: { port?: string; json?: boolean; webhookUrl?: string },
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  const port = opts.port !== undefined ? Number(opts.port) : Number(io.env.KARD_MOCK_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid port: ${opts.port}`);
  const { startMockKard } = await import('@kardkit/mock-server');
  const mock = await startMockKard({ port, ...(opts.webhookUrl ? { webhookUrl: opts.webhookUrl } : {}) });
  const info = {
    url: mock.url,
    organizationId: mock.organizationId,
    clientId: mock.clientId,
    clientSecret: mock.clientSecret,
    webhookSecret: mock.webhookSecret,
  };
  if (opts.json) writeJson(io, info);
  else {
    const p = paint(useColor(io.stdout, io.env));
    io.stdout.write(
      [
        `${p.green('mock Kard sandbox')} listening on ${p.bold(mock.url)} (Ctrl-C to stop)`,
        '',
        'Use it from this shell:',
        `  export KARD_BASE_URL=${mock.url}`,
        `  export KARD_CLIENT_ID=${mock.clientId}`,
        `  export KARD_CLIENT_SECRET=${mock.clientSecret}`,
        `  export KARD_ORGANIZATION_ID=${mock.organizationId}`,
        `  export KARD_WEBHOOK_SECRET=${mock.webhookSecret}`,
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  await mock.close();
  io.stderr.write('kard: mock stopped\n');
  return EXIT.ok;
}
