/**
 * Runs the sample as a service: `node dist/main.js`. Configuration comes from the environment
 * (see README). With no Kard variables at all it starts the embedded mock Kard and says so.
 */
import { ConfigError, hasNoKardConfig, loadConfig, type SampleConfig } from './config.js';
import { startSample } from './sample.js';

async function main(): Promise<void> {
  let config: SampleConfig;
  let closeMock: (() => Promise<void>) | undefined;
  if (hasNoKardConfig(process.env)) {
    const { startMockKard } = await import('@kardkit/mock-server');
    const mock = await startMockKard();
    closeMock = () => mock.close();
    process.stderr.write(
      `No Kard configuration (KARD_CLIENT_ID, KARD_CLIENT_SECRET, KARD_ORGANIZATION_ID, KARD_WEBHOOK_SECRET, KARD_BASE_URL or KARD_ENVIRONMENT): using the embedded mock Kard at ${mock.url}\n`,
    );
    config = loadConfig({
      ...process.env,
      KARD_BASE_URL: mock.url,
      KARD_CLIENT_ID: mock.clientId,
      KARD_CLIENT_SECRET: mock.clientSecret,
      KARD_ORGANIZATION_ID: mock.organizationId,
      KARD_WEBHOOK_SECRET: mock.webhookSecret,
    });
  } else {
    config = loadConfig(process.env);
  }

  // Only hashes of the API keys are kept: the plain keys leave the environment before anything runs.
  delete process.env.SAMPLE_API_KEYS;
  const sample = await startSample(config, {
    // Another process may be writing the embedded database: stop at once rather than corrupt it.
    onLockLost: () => process.exit(1),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sample.logger.info({ signal }, 'shutting down: finishing the batch in flight');
    sample
      .close()
      .then(() => closeMock?.())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `express-sample failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
