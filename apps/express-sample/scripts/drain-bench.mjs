#!/usr/bin/env node
/**
 * How fast the forwarder drains a full outbox to the mock Kard over loopback (events/s).
 *
 *   pnpm --filter @kardkit/express-sample build
 *   node scripts/drain-bench.mjs [--events 20000] [--pg postgres://…] [--module ./dist/index.js]
 *
 * Without --pg the outbox is an in-memory PGlite; with it, a schema of its own on that PostgreSQL
 * server (dropped afterwards). Events go to a merchant without offers, so no webhooks are sent. The
 * run is bounded: it gives up after --max-seconds (default 180) and always stops what it started.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startMockKard } from '@kardkit/mock-server';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    pg: { type: 'string' },
    module: { type: 'string', default: './dist/index.js' },
    'max-seconds': { type: 'string', default: '180' },
    concurrency: { type: 'string' },
  },
});
const N = Number(values.events);
const sample = await import(pathToFileURL(resolve(values.module)).href);
const { openDatabase, migrate, enqueue, counts, Forwarder, createKardPort, createKardClient, createLogger } =
  sample;

const mock = await startMockKard({ maxRecordedRequests: 0 });
const schema = `kardkit_bench_${randomBytes(4).toString('hex')}`;
let admin;
let databaseUrl;
if (values.pg) {
  admin = await openDatabase({ databaseUrl: values.pg });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const u = new URL(values.pg);
  u.searchParams.set('options', `-c search_path=${schema}`);
  databaseUrl = u.toString();
}
const db = await openDatabase(databaseUrl ? { databaseUrl } : {});
let forwarder;
try {
  await migrate(db);
  const event = (i) => ({
    type: 'transaction',
    id: `bench-${i}`,
    attributes: {
      userId: `bench-user-${i % 100}`,
      transactionId: `bench-txn-${i}`,
      amount: 1250,
      currency: 'USD',
      status: 'APPROVED',
      description: 'Ironclad Hardware Depot',
      merchant: { name: 'Ironclad Hardware Depot', id: '123456789012345' },
      mcc: '5251',
      cardBIN: '411111',
      cardLastFour: '4242',
      cardNetwork: 'VISA',
      direction: 'DEBIT',
      paymentType: 'CARD',
      authorizationDate: '2026-11-20T10:00:00Z',
    },
  });
  for (let i = 0; i < N; i += 5000) {
    const chunk = Array.from({ length: Math.min(5000, N - i) }, (_, k) => {
      const payload = event(i + k);
      return {
        id: payload.id,
        kind: 'v2',
        payload,
        userId: payload.attributes.userId,
        transactionId: payload.attributes.transactionId,
        eventStatus: 'APPROVED',
      };
    });
    await enqueue(db, chunk);
  }
  const client = () =>
    createKardClient({
      kard: {
        baseUrl: mock.url,
        clientId: mock.clientId,
        clientSecret: mock.clientSecret,
        organizationId: mock.organizationId,
        timeoutMs: 30_000,
        maxRetries: 2,
      },
    });
  // Older builds take a client, newer ones also a factory; both accept an instance.
  const port = createKardPort(client());
  forwarder = new Forwarder({
    db,
    send: port.sendTransactions,
    logger: createLogger({ level: 'silent' }),
    pollMs: 20,
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
  });
  const started = performance.now();
  forwarder.start();
  const deadline = Date.now() + Number(values['max-seconds']) * 1000;
  let c;
  for (;;) {
    c = await counts(db);
    if (c.sent + c.rejected >= N || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  await forwarder.stop();
  forwarder = undefined;
  const done = c.sent + c.rejected;
  console.log(
    JSON.stringify({
      database: db.kind,
      concurrency: values.concurrency ?? 'default',
      events: N,
      sent: c.sent,
      rejected: c.rejected,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(done / seconds),
      accepted: mock.stats().transactions.accepted,
      complete: done >= N,
    }),
  );
} finally {
  await forwarder?.stop();
  await db.close();
  if (admin) {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  }
  await mock.close();
}
