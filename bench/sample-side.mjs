// One side of bench/sample-drain.bench.mjs, in a process of its own. Imports the BUILT packages.
//   node bench/sample-side.mjs mock [latencyMs]      the mock; prints its connection, answers "stats"
//   node bench/sample-side.mjs ingest CONN N         POSTs N events in 500-event batches (4 connections)
//   node bench/sample-side.mjs drain CONN DB N [C]   fills the outbox with N events (untimed), then
//                                                    one forwarder (C batches in flight) drains it
//   node bench/sample-side.mjs worker CONN DB C [watch]  waits for "go" on stdin, drains a shared outbox;
//                                                    with watch, says when it is drained, else stops on "stop"
//   node bench/sample-side.mjs fill DB N PREFIX      only fills the outbox
//   node bench/sample-side.mjs ready DIR             opens a fresh PGlite directory and migrates it
// CONN: JSON of the mock's url, organizationId, clientId, clientSecret. DB: postgres://… or a folder.
// Each prints one line `@@ {json}` with its figures.
import http from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import {
  counts,
  createKardClient,
  createKardPort,
  createLogger,
  enqueue,
  Forwarder,
  migrate,
  openDatabase,
} from '../apps/express-sample/dist/index.js';
import { startMockKard } from '../packages/mock-server/dist/index.js';
import { benchEvent } from './event.mjs';
import { post } from './post.mjs';

const BATCH = 500;
const say = (o) => process.stdout.write(`@@ ${JSON.stringify(o)}\n`);
const [mode, ...args] = process.argv.slice(2);

const dbOptions = (db) => (db.startsWith('postgres') ? { databaseUrl: db, poolSize: 8 } : { dataDir: db });

async function open(db) {
  const database = await openDatabase(dbOptions(db));
  await migrate(database);
  return database;
}

function outboxEvent(id) {
  const payload = benchEvent(id);
  return {
    id,
    kind: 'v2',
    payload,
    userId: payload.attributes.userId,
    transactionId: payload.attributes.transactionId,
    eventStatus: payload.attributes.status,
  };
}

async function fill(db, n, prefix) {
  for (let i = 0; i < n; i += BATCH) {
    const events = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) events.push(outboxEvent(`${prefix}-${j}`));
    await enqueue(db, events);
  }
}

function forwarderFor(db, conn, concurrency) {
  const config = {
    kard: {
      baseUrl: conn.url,
      organizationId: conn.organizationId,
      clientId: conn.clientId,
      clientSecret: conn.clientSecret,
      timeoutMs: 30_000,
      maxRetries: 2,
    },
  };
  const kard = createKardPort(() => createKardClient(config));
  const logger = createLogger({ level: 'silent' });
  return new Forwarder({
    db,
    send: kard.sendTransactions,
    logger,
    pollMs: 20,
    ...(concurrency ? { concurrency } : {}),
  });
}

// Polled every 10 ms: one probe of the index of unfinished rows (outbox_open), not a count of the
// whole table, so that watching the drain costs the database next to nothing. Nothing is added to
// the outbox while it drains, so its first unfinished row only moves forward: each probe starts
// there, instead of stepping again over the index entries every row sent so far left behind
// (they stay until a vacuum removes them; stepping over 100,000 of them takes milliseconds).
// It returns as soon as nothing is unfinished: the caller reads the clock then, before any count.
async function drained(db) {
  let from = 0;
  for (;;) {
    const open = await db.query(
      'SELECT seq FROM outbox WHERE sent_at IS NULL AND seq >= $1 ORDER BY seq LIMIT 1',
      [from],
    );
    if (open.rows.length === 0) return;
    from = open.rows[0].seq;
    await delay(10);
  }
}

if (mode === 'mock') {
  const mock = await startMockKard({ maxRecordedRequests: 0 });
  if (Number(args[0]) > 0) mock.faults.set({ latencyMs: Number(args[0]), match: '/transactions' });
  say({
    url: mock.url,
    organizationId: mock.organizationId,
    clientId: mock.clientId,
    clientSecret: mock.clientSecret,
  });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stats') say(mock.stats());
  }
  await mock.close();
} else if (mode === 'ingest') {
  const conn = JSON.parse(args[0]);
  const n = Number(args[1]);
  const tokenRes = await fetch(`${conn.url}/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: conn.clientId, client_secret: conn.clientSecret }),
  });
  const { access_token: token } = await tokenRes.json();
  const url = `${conn.url}/v2/issuers/${conn.organizationId}/transactions`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const prefix = `ing-${process.pid}-${Date.now()}`;
  const bodies = [];
  for (let i = 0; i < n; i += BATCH) {
    const data = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) data.push(benchEvent(`${prefix}-${j}`));
    bodies.push(Buffer.from(JSON.stringify({ data })));
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < bodies.length) {
        const status = await post(agent, url, token, bodies[next++]);
        if (status !== 201 && status !== 202) throw new Error(`HTTP ${status}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  say({ eventsPerS: n / seconds });
} else if (mode === 'drain') {
  const [connJson, dbArg, nArg, cArg] = args;
  const conn = JSON.parse(connJson);
  const n = Number(nArg);
  const db = await open(dbArg);
  await db.exec('DELETE FROM outbox');
  await fill(db, n, `drain-${process.pid}-${Date.now()}`);
  const forwarder = forwarderFor(db, conn, cArg ? Number(cArg) : undefined);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  forwarder.start();
  await drained(db);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const c = await counts(db);
  await forwarder.stop();
  await db.close();
  say({
    eventsPerS: n / seconds,
    cpuUsPerEvent: (cpu.user + cpu.system) / n,
    sent: c.sent,
    rejected: c.rejected,
  });
} else if (mode === 'fill') {
  const [dbArg, nArg, prefix] = args;
  const db = await open(dbArg);
  await db.exec('DELETE FROM outbox');
  await fill(db, Number(nArg), prefix);
  await db.close();
  say({ filled: Number(nArg) });
} else if (mode === 'worker') {
  // One worker of a run ('watch') also watches the outbox and says when it is drained; the others
  // forward until told to stop. So a run of four forwarders probes the database as often as a run of
  // one: four watchers would add three times the probes, on the database the forwarders share.
  const [connJson, dbArg, cArg, role] = args;
  const db = await open(dbArg);
  const forwarder = forwarderFor(db, JSON.parse(connJson), Number(cArg));
  say({ ready: true });
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  await lines.next(); // "go"
  forwarder.start();
  if (role === 'watch') {
    await drained(db);
    say({ done: performance.timeOrigin + performance.now() });
  } else {
    await lines.next(); // "stop"
  }
  await forwarder.stop();
  await db.close();
  say({ stopped: true });
} else if (mode === 'ready') {
  const started = performance.now();
  const db = await open(args[0]);
  const ms = performance.now() - started;
  await db.close();
  say({ readyMs: ms });
} else {
  throw new Error(`unknown mode ${mode}`);
}
