// Ingest rate of @kardkit/mock-server alone: 500-event valid batches POSTed over loopback with a
// pre-serialised body (so the client costs almost nothing), a few keep-alive connections, bounded by
// both a request count and a time budget. Imports the BUILT package (packages/mock-server/dist).
//   node -e "import('./bench/mock.bench.mjs').then(m => m.run()).then(console.log)"
import http from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { startMockKard } from '../packages/mock-server/dist/index.js';
import { benchEvent } from './event.mjs';
import { post } from './post.mjs';

const BATCH = 500;
const CONNECTIONS = 4;
const MAX_REQUESTS = 600; // 300,000 events at most
const TIME_BUDGET_MS = 8_000;
const WARMUP_REQUESTS = 20;

function batchBody(prefix) {
  const data = [];
  for (let i = 0; i < BATCH; i++) {
    data.push(benchEvent(`${prefix}-${i}`, { userId: `user-${i % 50}`, amount: 1000 + i }));
  }
  return Buffer.from(JSON.stringify({ data }));
}

export async function run() {
  const mock = await startMockKard({ maxRecordedRequests: 0 });
  try {
    const tokenRes = await fetch(`${mock.url}/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: mock.clientId, client_secret: mock.clientSecret }),
    });
    const { access_token: token } = await tokenRes.json();
    const url = `${mock.url}/v2/issuers/${mock.organizationId}/transactions`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    // Distinct bodies so dedup sees new ids (repeats are cheaper and would flatter the figure).
    const bodies = Array.from({ length: MAX_REQUESTS + WARMUP_REQUESTS }, (_, i) => batchBody(`b${i}`));

    for (let i = 0; i < WARMUP_REQUESTS; i++) {
      const s = await post(agent, url, token, bodies[MAX_REQUESTS + i]);
      if (s !== 202) throw new Error(`warm-up batch answered ${s}`);
    }

    let next = 0;
    let events = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < MAX_REQUESTS && performance.now() - started < TIME_BUDGET_MS) {
        const body = bodies[next++];
        const status = await post(agent, url, token, body);
        if (status !== 202) throw new Error(`batch answered ${status}`);
        events += BATCH;
        await yieldToLoop();
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    const stats = mock.stats();
    if (stats.transactions.accepted !== events + WARMUP_REQUESTS * BATCH) throw new Error('mock lost events');
    const perS = Math.round(events / seconds);
    console.log(
      `mock ingest: ${events} events in ${seconds.toFixed(2)} s over ${CONNECTIONS} connections → ${perS} events/s`,
    );
    return { mock_ingest_events_per_s: perS };
  } finally {
    await mock.close();
  }
}
