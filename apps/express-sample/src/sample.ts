/**
 * Wires the pieces together: database (+ migrations), Kard client, forwarder, HTTP server.
 * `startSample` is what main.ts, the tests and `pnpm demo` call.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { KardClient } from '@kardkit/sdk';
import type { Express } from 'express';
import type { DestinationStream, Logger } from 'pino';
import { createApp } from './app.js';
import type { SampleConfig } from './config.js';
import { type Database, openDatabase } from './db.js';
import { Forwarder } from './forwarder.js';
import { createKardPort, type KardPort } from './kard.js';
import { lockDataDir } from './lock.js';
import { createLogger } from './logger.js';
import { migrate } from './migrations.js';
import { kardNotificationLog, Reconciler } from './reconcile.js';

export interface RunningSample {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  app: Express;
  db: Database;
  kard: KardPort;
  forwarder: Forwarder;
  /** Asks Kard for earned-reward notifications this service missed (reconcile.ts). */
  reconciler: Reconciler;
  logger: Logger;
  /** Graceful stop: stop accepting requests, finish the forwarder's batch in flight, close the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Log destination when no logger is given (tests collect lines here). */
  logDestination?: DestinationStream;
  /**
   * Called when the embedded database's directory lock is lost while running (another process
   * removed it). Default: log it and stop serving; main.ts exits.
   */
  onLockLost?: (error: Error) => void;
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
  // PGlite on disk: one process per directory (lock.ts). PostgreSQL: as many as you like.
  let lost: ((error: Error) => void) | undefined;
  const lock =
    !config.databaseUrl && config.dataDir
      ? await lockDataDir(config.dataDir, {
          onCompromised: (error) => lost?.(error),
          onTakeover: (previous) =>
            logger.warn(
              {
                dataDir: resolve(config.dataDir as string),
                previousPid: previous.pid,
                since: previous.since,
              },
              'took over the data directory lock of a process that is gone (it crashed)',
            ),
        })
      : null;
  let db: Database;
  try {
    db = await openDatabase({
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied, database: db.kind }, 'migrations applied');
  } catch (error) {
    await db.close().catch(() => {});
    await lock?.release();
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
    ...(config.processors ? { processors: config.processors } : {}),
    onQueued: () => forwarder.wake(),
  });

  let server: Server;
  try {
    server = await new Promise((done, reject) => {
      const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : done(s)));
    });
  } catch (error) {
    await db.close().catch(() => {});
    await lock?.release();
    throw error;
  }
  // Idle keep-alive connections are closed by the client first (a client reusing a socket the
  // server is closing gets ECONNRESET); 65 s also outlasts the usual 60 s of load balancers.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = (server.address() as AddressInfo).port;
  if (forwarderEnabled) forwarder.start();
  // After listening: the replays it asks for are delivered to this server's webhook route.
  const reconciler = new Reconciler({
    db,
    log: kardNotificationLog(createKardClient(config)),
    logger,
    ...(config.reconcileIntervalMs !== undefined ? { intervalMs: config.reconcileIntervalMs } : {}),
  });
  reconciler.start();
  // The processor routes that are on (names only, never their secrets).
  const processorRoutes = Object.keys(config.processors?.secrets ?? {});
  logger.info(
    {
      port,
      database: db.kind,
      forwarder: forwarderEnabled ? forwarder.settings : false,
      processors: processorRoutes,
    },
    'express-sample listening',
  );

  let closing: Promise<void> | null = null;
  lost = (error) => {
    logger.fatal(
      { err: error },
      'the data directory lock was lost: another process may be writing it; stopping',
    );
    if (options.onLockLost) options.onLockLost(error);
    else void running.close();
  };
  const running: RunningSample = {
    url: `http://${config.host}:${port}`,
    port,
    app,
    db,
    kard,
    forwarder,
    reconciler,
    logger,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        await reconciler.stop();
        await forwarder.stop(); // the batch in flight is sent and recorded before this resolves
        await closed;
        await db.close();
        await lock?.release();
        logger.info('express-sample stopped');
      })();
      return closing;
    },
  };
  return running;
}
