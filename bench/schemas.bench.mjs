// Benchmark for @kardkit/schemas (run against the BUILT package: pnpm --filter @kardkit/schemas build).
// validate_vs_stringify_ratio: time to validate a 500-transaction batch with safeParseTransactionsRequest
//   divided by the time to JSON.stringify the same batch (goal ≤ 1.0). Median of several rounds.
// validate_single_tx_per_s: safeParseTransactionEvent calls per second on one transaction (median).
// zod_only_vs_stringify_ratio: the same batch through the full zod schema only (the fallback path), for reference.
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const distUrl = new URL('../packages/schemas/dist/index.js', import.meta.url);

function makeTx(i) {
  const status = i % 5 === 0 ? 'APPROVED' : 'SETTLED';
  const attributes = {
    userId: `user-${i % 97}`,
    amount: 1000 + i,
    subtotal: 900 + i,
    status,
    currency: 'USD',
    description: 'Bean & Leaf Coffee #123 NEW YORK NY',
    description2: 'POS PURCHASE',
    mcc: '5814',
    authorizationDate: '2024-05-01T10:00:00.123Z',
    merchant: {
      id: '123456789012345',
      name: 'Bean & Leaf Coffee',
      addrStreet: '1 Main St',
      addrCity: 'New York',
      addrState: 'NY',
      addrZipcode: '10001',
      addrCountry: 'United States',
      latitude: '40.7128',
      longitude: '-74.0060',
      storeId: 'store-12',
    },
    cardPresence: 'PRESENT',
    panEntryMode: '05',
    cardBIN: '411111',
    cardLastFour: String(1000 + (i % 9000)).padStart(4, '0'),
    authorizationCode: 'A1B2C3',
    retrievalReferenceNumber: '123456789012',
    systemTraceAuditNumber: '123456',
    direction: 'DEBIT',
    paymentType: 'CARD',
    cardNetwork: 'VISA',
    transactionId: `txn-${i}`,
    cardProductId: 'prod-gold',
    userZipCode: '10001',
  };
  if (status === 'SETTLED') attributes.settledDate = '2024-05-02T08:30:00-05:00';
  return { type: 'transaction', id: `evt-${i}`, attributes };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeIt(fn, iterations) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6; // ms
}

export async function run() {
  const s = await import(distUrl.href);
  const batch = { data: Array.from({ length: 500 }, (_, i) => makeTx(i)) };
  const check = s.safeParseTransactionsRequest(batch);
  if (!check.success || check.issues.length !== 0) {
    throw new Error(`benchmark batch should be valid: ${s.formatIssues(check.issues)}`);
  }
  let sink = 0;
  const validate = () => {
    sink += s.safeParseTransactionsRequest(batch).issues.length;
  };
  const stringify = () => {
    sink += JSON.stringify(batch).length;
  };
  // warm up both
  for (let i = 0; i < 200; i++) {
    validate();
    stringify();
  }
  const ITER = 50;
  const ratios = [];
  for (let round = 0; round < 15; round++) {
    // alternate the order so neither side always runs on a warmer cache
    let v;
    let j;
    if (round % 2 === 0) {
      v = timeIt(validate, ITER);
      j = timeIt(stringify, ITER);
    } else {
      j = timeIt(stringify, ITER);
      v = timeIt(validate, ITER);
    }
    ratios.push(v / j);
    await tick();
  }

  // For reference: the same judgement through zod alone (the fallback used when something is wrong).
  const zodOnly = () => {
    sink += s.safeParseTransactionsRequestWithZod(batch).issues.length;
  };
  for (let i = 0; i < 20; i++) zodOnly();
  const zodRatios = [];
  for (let round = 0; round < 5; round++) {
    const z = timeIt(zodOnly, 10);
    const j = timeIt(stringify, 10);
    zodRatios.push(z / j);
    await tick();
  }

  const one = makeTx(7);
  const single = () => {
    sink += s.safeParseTransactionEvent(one).issues.length;
  };
  for (let i = 0; i < 20000; i++) single();
  const perSecond = [];
  const N = 50000;
  for (let round = 0; round < 9; round++) {
    const ms = timeIt(single, N);
    perSecond.push((N / ms) * 1000);
    await tick();
  }
  if (sink < 0) console.log(sink);
  return {
    validate_vs_stringify_ratio: Number(median(ratios).toFixed(3)),
    validate_single_tx_per_s: Math.round(median(perSecond)),
    zod_only_vs_stringify_ratio: Number(median(zodRatios).toFixed(3)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
