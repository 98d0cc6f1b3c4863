/**
 * Wires the pieces together: database (+ migrations), Kard client, forwarder, HTTP server.
 * `startSample` is what main.ts, the tests and `pnpm demo` call.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KardClient } from '@kardkit/sdk';
import type { Express } from 'express';
import type { DestinationStream, Logger } from 'pino';
import { createApp } from './app.js';
import type { SampleConfig } from './config.js';
import { type Database, openDatabase } from './db.js';
import { Forwarder } from './forwarder.js';
import { createKardPort, type KardPort } from './kard.js';
import { createLogger } from './logger.js';
import { migrate } from './migrations.js';

export interface RunningSample {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  app: Express;
  db: Database;
  kard: KardPort;
  forwarder: Forwarder;
  logger: Logger;
  /** Graceful stop: stop accepting requests, finish the forwarder's batch in flight, close the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Log destination when no logger is given (tests collect lines here). */
  logDestination?: DestinationStream;
}

export function createKardClient(config: SampleConfig): KardClient {
  return new KardClient({
    ...(config.kard.baseUrl
      ? { baseUrl: config.kard.baseUrl }
      : { environment: config.kard.environment ?? 'sandbox' }),
    clientId: config.kard.clientId,
    clientSecret: config.kard.clientSecret,
    organizationId: config.kard.organizationId,
    timeoutMs: config.kard.timeoutMs ?? 30_000,
    maxRetries: config.kard.maxRetries ?? 2,
  });
}

export async function startSample(config: SampleConfig, options: StartOptions = {}): Promise<RunningSample> {
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel ?? 'info',
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  if (config.auth.mode === 'off') {
    // Said at every start, so an open instance is never mistaken for a protected one.
    logger.warn(
      'SAMPLE_AUTH=off: every route is open to anyone who can reach this address; for local experiments only (set SAMPLE_API_KEYS to protect it)',
    );
  }
  const db = await openDatabase({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
  });
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied, database: db.kind }, 'migrations applied');
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }

  // A factory, so that a 401/403 on a send gets a new client with a new token (kard.ts).
  const kard = createKardPort(() => createKardClient(config));
  const { enabled, ...tuning } = config.forwarder ?? {};
  const forwarder = new Forwarder({ db, send: kard.sendTransactions, logger, ...tuning });
  const forwarderEnabled = enabled !== false;
  const app = createApp({
    db,
    kard,
    logger,
    webhookSecret: config.webhookSecret,
    auth: config.auth,
    onQueued: () => forwarder.wake(),
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;
  if (forwarderEnabled) forwarder.start();
  logger.info({ port, database: db.kind, forwarder: forwarderEnabled }, 'express-sample listening');

  let closing: Promise<void> | null = null;
  return {
    url: `http://${config.host}:${port}`,
    port,
    app,
    db,
    kard,
    forwarder,
    logger,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await forwarder.stop(); // the batch in flight is sent and recorded before this resolves
        await closed;
        await db.close();
        logger.info('express-sample stopped');
      })();
      return closing;
    },
  };
}
