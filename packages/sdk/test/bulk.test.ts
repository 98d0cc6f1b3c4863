import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchOutcome, PreparedItem } from '../src/bulk/types.js';
import {
  type KardClient,
  KardError,
  KardForbiddenError,
  KardServerError,
  type SendProgress,
} from '../src/index.js';
import { captureLogger, mockAndClient, txn } from './support.js';

let mock: MockKard;
let kard: KardClient;
const cap = captureLogger();
beforeAll(async () => {
  ({ mock, kard } = await mockAndClient({ uploadUrlTtlSeconds: 60 }, { logger: cap.logger }));
});
afterAll(() => mock?.close());
beforeEach(() => {
  mock.faults.clear();
  mock.reset();
});

async function* generate(n: number, bad: Set<number> = new Set()) {
  for (let i = 0; i < n; i++) {
    yield bad.has(i) ? txn({ cardBIN: 'x' }, `bulk-${i}`) : txn({}, `bulk-${i}`);
  }
}

describe('transactions.send (bulk engine)', () => {
  it('streams 1,234 events from an async iterable in batches of ≤500 and reports', async () => {
    const progress: SendProgress[] = [];
    const report = await kard.transactions.send(generate(1234, new Set([3, 700, 1200])), {
      concurrency: 3,
      onProgress: (p) => progress.push(p),
    });
    expect(report.read).toBe(1234);
    expect(report.sent).toBe(1231);
    expect(report.accepted).toBe(1231);
    expect(report.batches).toBe(3);
    expect(report.rejected.map((r) => r.id).sort()).toEqual(['bulk-1200', 'bulk-3', 'bulk-700']);
    for (const r of report.rejected) {
      expect(r.reason).toBe('invalid');
      expect(r.issues!.some((i) => i.path.includes('cardBIN'))).toBe(true);
    }
    // Issue paths point into the whole stream, not the batch.
    expect(report.rejected.find((r) => r.id === 'bulk-1200')!.issues![0]!.path).toMatch(/^data\[1200\]/);
    expect(progress).toHaveLength(3);
    expect(progress.at(-1)!.sent).toBe(1231);
    expect(mock.stats().transactions.accepted).toBe(1231);
    const sizes = mock.requests
      .filter((r) => r.path.endsWith('/transactions'))
      .map((r) => (r.body as { data: unknown[] }).data.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
  });

  it('with validate:false the API rejects the bad ones (207) and the rest still goes', async () => {
    const report = await kard.transactions.send(generate(20, new Set([5])), {
      batchSize: 7,
      validate: false,
    });
    expect(report.accepted).toBe(19);
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0]).toMatchObject({ id: 'bulk-5', reason: 'rejected' });
    expect(report.rejected[0]!.error!.status).toBe('400');
    expect(report.batches).toBe(3);
  });

  it('accepts a plain (sync) iterable', async () => {
    const events = [txn(), txn(), txn()];
    const report = await kard.transactions.send(events, { batchSize: 2 });
    expect(report).toMatchObject({ read: 3, sent: 3, accepted: 3, batches: 2 });
  });

  it('retries under random 503s and every event is counted exactly once', async () => {
    mock.faults.set({ rate: 0.4, step: { status: 503 }, seed: 7, match: '/transactions' });
    const report = await kard.transactions.send(generate(600), {
      batchSize: 50,
      concurrency: 4,
      maxRetries: 8,
    });
    expect(report.accepted).toBe(600);
    expect(report.retried).toBeGreaterThan(0);
    for (let i = 0; i < 600; i++) expect(mock.eventCount(`bulk-${i}`)).toBe(1);
    expect(mock.stats().transactions.accepted).toBe(600);
  });

  it('a batch that exhausts its retries stops the run and the error carries the partial report', async () => {
    mock.faults.set({ rate: 1, step: { status: 500 }, match: '/transactions' });
    const err = await kard.transactions.send(generate(10), { maxRetries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardServerError);
    expect(err.report).toMatchObject({ read: 10, accepted: 0 });
  });

  it('memory stays bounded: the source is read only a little ahead of what was sent', async () => {
    let produced = 0;
    let maxAhead = 0;
    const sentSoFar = () => mock.stats().transactions.received;
    async function* counting() {
      for (let i = 0; i < 3000; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - sentSoFar());
        yield txn({}, `mem-${i}`);
      }
    }
    const report = await kard.transactions.send(counting(), { batchSize: 100, concurrency: 2 });
    expect(report.accepted).toBe(3000);
    // At most `concurrency` batches in flight plus the one being filled.
    expect(maxAhead).toBeLessThanOrEqual(100 * 3 + 1);
  });

  it('legacy records go to POST /transactions/incoming (schema: legacy and kard.legacy.transactions.send)', async () => {
    const legacy = (i: number) => ({
      transactionId: `legacy-${i}`,
      referringPartnerUserId: 'user-1',
      amount: 1500,
      status: 'APPROVED',
      currency: 'USD',
      description: 'Corner Hardware',
      mcc: '5251',
      authorizationDate: '2024-05-01T10:00:00Z',
      merchantId: '123456789012345',
      merchantName: 'Corner Hardware',
      merchantAddrState: 'CA',
      cardBIN: '411111',
      cardLastFour: '4321',
      isDeposit: false,
    });
    const a = await kard.transactions.send([legacy(1), legacy(2), { ...legacy(3), cardBIN: '1' }], {
      schema: 'legacy',
    });
    expect(a).toMatchObject({ read: 3, sent: 2, accepted: 2 });
    expect(a.rejected[0]!.reason).toBe('invalid');
    const b = await kard.legacy.transactions.send([legacy(4)]);
    expect(b.accepted).toBe(1);
    const posts = mock.requests.filter((r) => r.path === '/transactions/incoming');
    expect(posts).toHaveLength(2);
    expect(Array.isArray(posts[0]!.body)).toBe(true);
    expect(mock.stats().legacyIncoming.accepted).toBe(3);
  });
});

describe('transactions.send: onBatch outcomes and prepared items', () => {
  it('prepared items are spliced into the body as given (not validated, not re-serialised); onBatch settles every position once', async () => {
    // Item 9 breaks R4 (cardBIN): prepared items are trusted, so the API (the mock) rejects it in a 207.
    const events = Array.from({ length: 20 }, (_, i) =>
      i === 9 ? txn({ cardBIN: 'x' }, `prep-${i}`) : txn({}, `prep-${i}`),
    );
    async function* items() {
      for (const [i, e] of events.entries()) {
        // Odd spacing: the text goes into the body exactly as written.
        yield { json: ` ${JSON.stringify(e, null, i === 0 ? 1 : undefined)}\n`, id: e.id, ref: 1000 + i };
      }
    }
    const outcomes: BatchOutcome[] = [];
    const progress: SendProgress[] = [];
    const report = await kard.transactions.send(items(), {
      prepared: true,
      batchSize: 7,
      concurrency: 2,
      onBatch: (o) => outcomes.push(o),
      onProgress: (p) => progress.push(p),
    });
    expect(report).toMatchObject({ read: 20, sent: 20, accepted: 19, batches: 3 });
    expect(report.rejected).toHaveLength(1);
    const [rej] = report.rejected;
    expect(rej).toMatchObject({ id: 'prep-9', reason: 'rejected', position: 9 });
    expect(rej!.error!.status).toBe('400');
    expect(JSON.parse((rej!.item as PreparedItem).json as string)).toEqual(events[9]);
    expect((rej!.item as PreparedItem).ref).toBe(1009);

    // One outcome per batch; together they cover positions 0..19 exactly once, with the refs given.
    expect(outcomes.map((o) => o.batch).sort()).toEqual([0, 1, 2]);
    const byBatch = [...outcomes].sort((a, b) => a.batch - b.batch);
    expect(byBatch.map((o) => [o.start, o.count, o.sent])).toEqual([
      [0, 7, 7],
      [7, 7, 7],
      [14, 6, 6],
    ]);
    expect(byBatch.flatMap((o) => o.refs)).toEqual(events.map((_, i) => 1000 + i));
    const settled = byBatch.flatMap((o) => [
      ...o.accepted,
      ...o.rejected.map((r) => events[r.position!]!.id),
    ]);
    expect(settled.sort()).toEqual(events.map((e) => e.id).sort());
    expect(byBatch[1]!.rejected).toHaveLength(1);
    expect(byBatch[1]!.accepted).toHaveLength(6);
    expect(outcomes.every((o) => o.error === undefined && o.retried === 0)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ read: 20, accepted: 19, rejected: 1, batches: 3 });

    const bodies = mock.requests.filter((r) => r.path.endsWith('/transactions')).map((r) => r.body);
    expect(bodies.flatMap((b) => (b as { data: unknown[] }).data)).toEqual(events);
    for (let i = 0; i < 20; i++) expect(mock.eventCount(`prep-${i}`)).toBe(i === 9 ? 0 : 1);
  });

  it('prepared items under 503s and a dropped connection: retried, counted once, retries reported per batch', async () => {
    mock.faults.set({ match: '/transactions', sequence: [{ status: 503 }, { drop: true }] });
    const outcomes: BatchOutcome[] = [];
    const report = await kard.transactions.send(
      Array.from({ length: 30 }, (_, i) => {
        const e = txn({}, `prep-retry-${i}`);
        return { json: new TextEncoder().encode(JSON.stringify(e)), ref: i };
      }),
      { prepared: true, batchSize: 10, concurrency: 1, onBatch: (o) => outcomes.push(o) },
    );
    expect(report).toMatchObject({ accepted: 30, retried: 2, rejected: [] });
    expect(outcomes.reduce((n, o) => n + o.retried, 0)).toBe(2);
    // No id given: accepted items are reported as null (ids are read back only for errors).
    expect(outcomes.every((o) => o.accepted.every((id) => id === null))).toBe(true);
    for (let i = 0; i < 30; i++) expect(mock.eventCount(`prep-retry-${i}`)).toBe(1);
  });

  it('legacy prepared records go to POST /transactions/incoming; a batch refused whole (400) is reported item by item', async () => {
    const legacy = (i: number, over: Record<string, unknown> = {}) => ({
      transactionId: `legacy-prep-${i}`,
      referringPartnerUserId: 'user-1',
      amount: 1500,
      status: 'SETTLED',
      currency: 'USD',
      description: 'Corner Hardware',
      authorizationDate: '2024-05-01T10:00:00Z',
      settledDate: '2024-05-02T10:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4321',
      ...over,
    });
    const records = [legacy(0), legacy(1), legacy(2), legacy(3, { settledDate: undefined }), legacy(4)];
    const outcomes: BatchOutcome[] = [];
    const report = await kard.legacy.transactions.send(
      records.map((r, i) => ({ json: JSON.stringify(r), ref: i })),
      { prepared: true, batchSize: 3, onBatch: (o) => outcomes.push(o) },
    );
    // The second batch (records 3–4) holds an invalid record: the legacy endpoint refuses it whole.
    expect(report).toMatchObject({ read: 5, sent: 5, accepted: 3, batches: 2 });
    expect(report.rejected.map((r) => [r.position, r.id, r.reason])).toEqual([
      [3, 'legacy-prep-3', 'failed'],
      [4, 'legacy-prep-4', 'failed'],
    ]);
    expect(outcomes.find((o) => o.batch === 0)!.accepted).toEqual([null, null, null]);
    expect(mock.stats().legacyIncoming.accepted).toBe(3);
    const posts = mock.requests.filter((r) => r.path === '/transactions/incoming');
    expect(posts.map((p) => (p.body as unknown[]).length)).toEqual([3, 2]);
  });

  it('onBatch with plain items covers the invalid ones too; a failed request is an outcome with its error', async () => {
    const outcomes: BatchOutcome[] = [];
    const ok = await kard.transactions.send(generate(12, new Set([4])), {
      batchSize: 5,
      onBatch: (o) => outcomes.push(o),
    });
    expect(ok.accepted).toBe(11);
    const first = outcomes.find((o) => o.batch === 0)!;
    expect(first).toMatchObject({ start: 0, count: 5, sent: 4 });
    expect(first.rejected).toEqual([
      expect.objectContaining({ id: 'bulk-4', reason: 'invalid', position: 4 }),
    ]);
    expect(first.accepted).toEqual(['bulk-0', 'bulk-1', 'bulk-2', 'bulk-3']);
    expect((first.refs[0] as { id: string }).id).toBe('bulk-0');

    mock.faults.set({ rate: 1, step: { status: 500 }, match: '/transactions' });
    const failed: BatchOutcome[] = [];
    const err = await kard.transactions
      .send(generate(5, new Set([1])), { maxRetries: 0, onBatch: (o) => failed.push(o) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(KardServerError);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toBe(err);
    expect(failed[0]!.accepted).toEqual([]);
    // The local verdict stands; the sent items are settled neither way.
    expect(failed[0]!.rejected.map((r) => r.reason)).toEqual(['invalid']);
  });

  it('a source that throws stops the run: batches in flight finish, the partial batch is not sent, the error carries the report', async () => {
    const stop = new Error('stop reading');
    async function* source() {
      for (let i = 0; i < 25; i++) yield { json: JSON.stringify(txn({}, `prep-stop-${i}`)), ref: i };
      throw stop;
    }
    const outcomes: BatchOutcome[] = [];
    const err = await kard.transactions
      .send(source(), { prepared: true, batchSize: 10, onBatch: (o) => outcomes.push(o) })
      .catch((e) => e);
    expect(err).toBe(stop);
    expect(err.report).toMatchObject({ read: 25, sent: 20, accepted: 20, batches: 2 });
    expect(outcomes).toHaveLength(2);
    expect(mock.stats().transactions.received).toBe(20);
  });

  it('a prepared item that is not one JSON object stops the run before it is sent (KardError)', async () => {
    const err = await kard.transactions
      .send([{ json: JSON.stringify(txn()) }, { json: '{"a":1},{"b":2' }], { prepared: true })
      .catch((e) => e);
    expect(err).toBeInstanceOf(KardError);
    expect(err.message).toMatch(/position 1/);
    expect(mock.stats().transactions.received).toBe(0);
  });
});

describe('transactions.send: a batch refused whole in the middle of a run (409)', () => {
  const conflict = { status: '409', title: 'Conflict', detail: 'a batch with these ids is being processed' };
  // The first request is served normally, the second is refused with 409, the rest are served normally.
  const midRun409 = (errors: unknown[]) =>
    mock.faults.set({
      sequence: [{ latencyMs: 0 }, { status: 409, body: { errors } }],
      match: '/transactions',
    });

  it('plain items: the refused batch fails item by item with the API error, the batches around it go through', async () => {
    midRun409([conflict]);
    const outcomes: BatchOutcome[] = [];
    const report = await kard.transactions.send(generate(12), {
      batchSize: 4,
      concurrency: 1,
      onBatch: (o) => outcomes.push(o),
    });
    expect(report).toMatchObject({ read: 12, sent: 12, accepted: 8, batches: 3, retried: 0 });
    expect(report.rejected).toEqual(
      [4, 5, 6, 7].map((i) => ({
        id: `bulk-${i}`,
        item: expect.objectContaining({ id: `bulk-${i}` }),
        reason: 'failed',
        error: conflict,
        position: i,
      })),
    );
    expect(outcomes.map((o) => [o.batch, o.accepted.length, o.rejected.length, o.error])).toEqual([
      [0, 4, 0, undefined],
      [1, 0, 4, undefined],
      [2, 4, 0, undefined],
    ]);
    for (let i = 0; i < 12; i++) expect(mock.eventCount(`bulk-${i}`)).toBe(i >= 4 && i < 8 ? 0 : 1);
  });

  it('plain items: per-item errors of the refused batch are kept, the other items fail with the first error', async () => {
    const itemError = {
      status: '409',
      title: 'Conflict',
      detail: 'duplicate id',
      source: { pointer: '/data/1' },
    };
    midRun409([itemError]);
    const report = await kard.transactions.send(generate(6), { batchSize: 3, concurrency: 1 });
    expect(report.accepted).toBe(3);
    expect(report.rejected.map((r) => [r.position, r.id, r.reason, r.error])).toEqual([
      [4, 'bulk-4', 'rejected', itemError],
      [3, 'bulk-3', 'failed', itemError],
      [5, 'bulk-5', 'failed', itemError],
    ]);
  });

  it('a refused batch whose body names no error fails with the status and message', async () => {
    mock.faults.set({ sequence: [{ latencyMs: 0 }, { status: 409, body: {} }], match: '/transactions' });
    const report = await kard.transactions.send(generate(4), { batchSize: 2, concurrency: 1 });
    expect(report.accepted).toBe(2);
    expect(report.rejected.map((r) => r.error)).toEqual([
      {
        status: '409',
        detail: expect.stringMatching(/^Kard API 409 on POST \/v2\/issuers\/[^ ]+\/transactions/),
      },
      { status: '409', detail: expect.stringMatching(/^Kard API 409/) },
    ]);
  });

  it('prepared items: the same, matched by pointer (/data/i) and by id', async () => {
    const byId = { status: '409', title: 'Conflict', detail: 'duplicate id', id: 'prep409-4' };
    midRun409([byId]);
    const outcomes: BatchOutcome[] = [];
    const report = await kard.transactions.send(
      Array.from({ length: 9 }, (_, i) => ({ json: JSON.stringify(txn({}, `prep409-${i}`)), ref: i })),
      { prepared: true, batchSize: 3, concurrency: 1, onBatch: (o) => outcomes.push(o) },
    );
    expect(report).toMatchObject({ read: 9, sent: 9, accepted: 6, batches: 3 });
    expect(report.rejected.map((r) => [r.position, r.id, r.reason, r.error])).toEqual([
      [4, 'prep409-4', 'rejected', byId],
      [3, 'prep409-3', 'failed', byId],
      [5, 'prep409-5', 'failed', byId],
    ]);
    expect((report.rejected[1]!.item as PreparedItem).ref).toBe(3);
    expect(outcomes.find((o) => o.batch === 1)!.accepted).toEqual([]);
  });

  it('a 403 in the middle stops the run instead (not a refusal of the batch): the batch after it is not sent', async () => {
    mock.faults.set({ sequence: [{ latencyMs: 0 }, { status: 403 }], match: '/transactions' });
    const err = await kard.transactions.send(generate(6), { batchSize: 2, concurrency: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardForbiddenError);
    expect(err.report).toMatchObject({ read: 6, sent: 4, accepted: 2, batches: 1, rejected: [] });
    expect(mock.stats().transactions.received).toBe(2);
  });
});

describe('historical upload flow (create → parts → complete)', () => {
  it('users.uploads.send uploads parts of ≤500 and completes the session', async () => {
    const items = Array.from({ length: 1100 }, (_, i) => {
      const t = txn({}, `hist-${i}`);
      return { ...t, type: 'historicalTransaction' };
    });
    const report = await kard.users.uploads.send('user-1', items);
    expect(report.uploadId).toBeTruthy();
    expect(report.accepted).toBe(1100);
    expect(report.batches).toBe(3);
    const paths = mock.requests.map((r) => `${r.method} ${r.path.replace(/^\/v2\/issuers\/[^/]+/, '')}`);
    expect(paths[0]).toBe('POST /users/user-1/uploads');
    expect(paths.filter((p) => p.endsWith('/parts'))).toHaveLength(3);
    expect(paths.at(-1)).toBe(`PUT /users/user-1/uploads/${report.uploadId}`);
  });
});

describe('bulk-file flow (presigned URL, gzipped JSONL PUT)', () => {
  async function* lines(n: number, prefix: string) {
    for (let i = 0; i < n; i++) yield { ...txn({}, `${prefix}-${i}`), type: 'historicalTransaction' };
  }

  it('builds gzipped JSONL and PUTs it with a length to the presigned URL (default)', async () => {
    const r = await kard.transactions.uploadFile(lines(2000, 'file'), { filename: 'history.jsonl.gz' });
    expect(r).toMatchObject({ records: 2000, urlsRequested: 1, filename: 'history.jsonl.gz' });
    expect(mock.stats().uploads).toMatchObject({ files: 1, lines: 2000, valid: 2000 });
  });

  it('streams gzipped JSONL with stream: true', async () => {
    const r = await kard.transactions.uploadFile(lines(1500, 'streamed'), { stream: true });
    expect(r).toMatchObject({ records: 1500, urlsRequested: 1 });
    expect(mock.stats().uploads).toMatchObject({ files: 1, lines: 1500, valid: 1500 });
  });

  it('a built file is retried after a 503 from the store', async () => {
    mock.faults.set({ sequence: [{ status: 503 }], match: '/__uploads/' });
    cap.lines.length = 0;
    const r = await kard.transactions.uploadFile(lines(10, 'retry'));
    expect(r.records).toBe(10);
    expect(cap.lines.filter((l) => l.includes('kard: retrying') && l.includes('"status":503'))).toHaveLength(
      1,
    );
    expect(mock.stats().uploads.files).toBe(1);
  });

  it('plain JSONL works too (gzip: false)', async () => {
    const r = await kard.transactions.uploadFile([txn({}, 'plain-1'), txn({}, 'plain-2')], {
      gzip: false,
      filename: 'today.jsonl',
      fileType: 'incomingTransactionsFile',
    });
    expect(r.records).toBe(2);
    expect(mock.stats().uploads.lines).toBe(2);
  });

  it('requests a new URL when the first one expired before the upload (and never sends to the stale one)', async () => {
    const { mock: m2, kard: k2 } = await mockAndClient({ uploadUrlTtlSeconds: 60 });
    // One clock for the SDK and the in-process mock: it runs at real speed and jumps past the URL's
    // 60 s lifetime while the records are being opened, after the first URL was issued.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      let first = true;
      const r = await k2.transactions.uploadFile(
        async () => {
          if (first) {
            first = false;
            vi.setSystemTime(Date.now() + 61_000); // the URL expires meanwhile
          }
          return [txn({}, 'late-1')];
        },
        { stream: true },
      );
      expect(r.urlsRequested).toBe(2);
      expect(m2.stats().uploads.files).toBe(1);
      // Renewed before sending: the one PUT went to the fresh URL and was accepted.
      const puts = m2.requests.filter((q) => q.method === 'PUT' && q.path.includes('/__uploads/'));
      expect(puts.map((q) => q.status)).toEqual([200]);
    } finally {
      vi.useRealTimers();
      await m2.close();
    }
  });

  it('a URL is used until a tenth of its lifetime (at most 5 s) before it ends: 10 s → renewed after 9 s, not at 6 s', async () => {
    const { mock: m2, kard: k2 } = await mockAndClient({ uploadUrlTtlSeconds: 10 });
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      const after = (ms: number) => async () => {
        vi.setSystemTime(Date.now() + ms);
        return [txn()];
      };
      expect((await k2.transactions.uploadFile(after(6_000), { stream: true })).urlsRequested).toBe(1);
      expect((await k2.transactions.uploadFile(after(9_500), { stream: true })).urlsRequested).toBe(2);
    } finally {
      vi.useRealTimers();
      await m2.close();
    }
  });

  it('a URL refused once (403) is requested again for records given as a function; a one-shot stream is not sent twice', async () => {
    mock.faults.set({ sequence: [{ status: 403 }], match: '/__uploads/' });
    const replayed = await kard.transactions.uploadFile(() => [txn({}, 'fn-1')], { stream: true });
    expect(replayed).toMatchObject({ urlsRequested: 2, records: 1 });
    mock.faults.set({ sequence: [{ status: 403 }], match: '/__uploads/' });
    async function* once() {
      yield txn({}, 'once-1');
    }
    const err = await kard.transactions.uploadFile(once(), { stream: true }).catch((e) => e);
    expect(err).toBeInstanceOf(KardForbiddenError);
  });

  it('the PUT to the store carries no Kard token, and does carry the headers given for the call', async () => {
    await kard.transactions.uploadFile([txn()], { headers: { 'x-trace-id': 'trace-1' } });
    const put = mock.requests.find((q) => q.method === 'PUT' && q.path.includes('/__uploads/'))!;
    expect(put.headers.authorization).toBeUndefined();
    expect(put.headers['x-trace-id']).toBe('trace-1');
  });

  it('a URL refused as expired is logged, with a logger that has warn and with one that has not', async () => {
    cap.lines.length = 0;
    mock.faults.set({ sequence: [{ status: 410 }], match: '/__uploads/' });
    expect((await kard.transactions.uploadFile([txn()])).urlsRequested).toBe(2);
    expect(
      cap.lines.filter((l) =>
        l.startsWith('warn kard: upload URL rejected (expired?), requesting a new one'),
      ),
    ).toHaveLength(1);
    const { mock: m2, kard: k2 } = await mockAndClient({}, { logger: { info: () => {} } as never });
    try {
      m2.faults.set({ sequence: [{ status: 410 }], match: '/__uploads/' });
      expect((await k2.transactions.uploadFile([txn()])).urlsRequested).toBe(2);
    } finally {
      await m2.close();
    }
  });

  it('an expired URL with a one-shot stream fails with KardForbiddenError and no signature in the message', async () => {
    const { mock: m2, kard: k2 } = await mockAndClient({ uploadUrlTtlSeconds: 0 });
    try {
      async function* once() {
        yield txn();
      }
      const err = await k2.transactions.uploadFile(once(), { stream: true }).catch((e) => e);
      expect(err).toBeInstanceOf(KardForbiddenError);
      expect(err.message).toContain('AccessDenied: Request has expired');
      expect(err.message).not.toMatch(/X-Amz/i);
    } finally {
      await m2.close();
    }
  });
});

describe('transactions.send: where each reported item sits in the source', () => {
  const posts = () => mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/transactions'));

  it('a 207 error matched to an item after a locally invalid one reports the item’s own position', async () => {
    mock.faults.set({
      sequence: [
        {
          status: 207,
          body: {
            data: { type: 'transactionJob', id: 'j' },
            errors: [{ detail: 'by pointer', source: { pointer: '/data/2' } }],
          },
        },
      ],
      match: '/transactions',
    });
    const report = await kard.transactions.send(generate(6, new Set([1])));
    // Sent: 0, 2, 3, 4, 5; /data/2 of what was sent is bulk-3.
    expect(report.rejected.map((r) => [r.position, r.id, r.reason])).toEqual([
      [1, 'bulk-1', 'invalid'],
      [3, 'bulk-3', 'rejected'],
    ]);
    expect(report.accepted).toBe(4);
  });

  it('without validation, a 207 error in a later batch reports the position in the whole source', async () => {
    mock.faults.set({
      sequence: [
        { status: 201, body: { data: { type: 'transactionJob', id: 'j' } } },
        {
          status: 207,
          body: {
            data: { type: 'transactionJob', id: 'j' },
            errors: [{ detail: 'second', source: { pointer: '/data/1' } }],
          },
        },
      ],
      match: '/transactions',
    });
    const report = await kard.transactions.send(generate(4), {
      validate: false,
      batchSize: 2,
      concurrency: 1,
    });
    expect(report.rejected.map((r) => [r.position, r.id, r.reason])).toEqual([[3, 'bulk-3', 'rejected']]);
  });

  it('a 207 error that names no item sent is reported with no position', async () => {
    mock.faults.set({
      sequence: [
        {
          status: 207,
          body: { data: { type: 'transactionJob', id: 'j' }, errors: [{ detail: 'names nothing' }] },
        },
      ],
      match: '/transactions',
    });
    const report = await kard.transactions.send(generate(2), { validate: false });
    expect(report.rejected.map((r) => [r.position, r.id, r.reason])).toEqual([[undefined, null, 'rejected']]);
  });

  it('a batch whose every item is invalid is not sent at all', async () => {
    const report = await kard.transactions.send(generate(3, new Set([0, 1, 2])));
    expect(report).toMatchObject({ read: 3, sent: 0, accepted: 0 });
    expect(report.rejected.map((r) => r.reason)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(posts()).toEqual([]);
  });

  it('validation warnings are logged with the item’s place in the whole source', async () => {
    cap.lines.length = 0;
    const items = [0, 1, 2, 3, 4].map((i) => txn(i === 3 ? { mcc: '581' } : {}, `warn-${i}`));
    const report = await kard.transactions.send(items, { batchSize: 2 });
    expect(report.accepted).toBe(5);
    const warned = cap.lines.filter((l) => l.startsWith('warn kard: validation warning'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('"path":"data[3].attributes.mcc"');
    expect(warned[0]).toContain('"rule":"R5"');
  });
});

describe('transactions.send({ prepared: true }): answers without a body, and errors that stop the run', () => {
  const prep = (n: number) =>
    [...Array(n).keys()].map((i) => ({ json: JSON.stringify(txn({}, `pnb-${i}`)) }));

  it('an accepting answer with a null body accepts every item', async () => {
    mock.faults.set({ sequence: [{ status: 201, body: null }], match: '/transactions' });
    const report = await kard.transactions.send(prep(3), { prepared: true });
    expect(report).toMatchObject({ sent: 3, accepted: 3, rejected: [] });
  });

  it('a refused batch (409) with an empty body fails its items, and the run goes on', async () => {
    mock.faults.set({ sequence: [{ status: 409, raw: '' }], match: '/transactions' });
    const report = await kard.transactions.send(prep(3), { prepared: true, batchSize: 2 });
    expect(report.rejected.map((r) => [r.position, r.reason, typeof r.error])).toEqual([
      [0, 'failed', 'object'],
      [1, 'failed', 'object'],
    ]);
    expect(report.accepted).toBe(1);
  });

  it('a server error after the retries stops the run (KardServerError), it is not reported as a refused batch', async () => {
    mock.faults.set({ rate: 1, step: { status: 500 }, match: '/transactions' });
    const err = await kard.transactions.send(prep(2), { prepared: true, maxRetries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(KardServerError);
    expect(err.report).toMatchObject({ read: 2, accepted: 0, rejected: [] });
  });
});
