import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchOutcome, PreparedItem } from '../src/bulk/types.js';
import { KardClient, type KardClient as KardClientType, KardError, type SendProgress } from '../src/index.js';
import { mockAndClient, mockConnection, txn } from './support.js';

let mock: MockKard;
let kard: KardClientType;
beforeAll(async () => {
  ({ mock, kard } = await mockAndClient({ uploadUrlTtlSeconds: 60, maxRecordedRequests: 1_000 }));
});
afterAll(() => mock?.close());
beforeEach(() => {
  mock.faults.clear();
  mock.reset();
});

const txPosts = () => mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/transactions'));
const sizes = () => txPosts().map((r) => (r.body as { data: unknown[] }).data.length);
const events = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => txn({}, `${prefix}-${i}`));

describe('send options', () => {
  it('batchSize is clamped to 1–500 and rounded down; concurrency to at least 1', async () => {
    await kard.transactions.send(events(3, 'bs0'), { batchSize: 0, concurrency: 0 });
    expect(sizes()).toEqual([1, 1, 1]);
    mock.reset();
    await kard.transactions.send(events(5, 'bs2'), { batchSize: 2.9 });
    expect(sizes()).toEqual([2, 2, 1]);
    mock.reset();
    await kard.transactions.send(events(501, 'bsbig'), { batchSize: 10_000, concurrency: 1 });
    expect(sizes()).toEqual([500, 1]);
    mock.reset();
    await kard.transactions.send(events(501, 'bsdef'), { concurrency: 1 });
    expect(sizes()).toEqual([500, 1]);
  });

  it('progress is reported after each batch with running totals', async () => {
    const progress: SendProgress[] = [];
    const items = [...events(3, 'pr'), txn({ cardBIN: 'x' }, 'pr-bad'), ...events(2, 'pr2')];
    await kard.transactions.send(items, {
      batchSize: 2,
      concurrency: 1,
      onProgress: (p) => progress.push(p),
    });
    // `read` runs ahead of the batches in flight; the other counts are settled per batch.
    expect(progress.map(({ read: _r, ...rest }) => rest)).toEqual([
      { sent: 2, accepted: 2, rejected: 0, retried: 0, batches: 1 },
      { sent: 3, accepted: 3, rejected: 1, retried: 0, batches: 2 },
      { sent: 5, accepted: 5, rejected: 1, retried: 0, batches: 3 },
    ]);
    expect(progress.at(-1)!.read).toBe(6);
  });

  it('collectRejected: false keeps report.rejected empty while onBatch still gets every rejection', async () => {
    const outcomes: BatchOutcome[] = [];
    const report = await kard.transactions.send([txn({ cardBIN: 'x' }, 'cr-bad'), txn({}, 'cr-ok')], {
      collectRejected: false,
      onBatch: (o) => outcomes.push(o),
      onProgress: () => undefined,
    });
    expect(report.rejected).toEqual([]);
    expect(report.accepted).toBe(1);
    expect(outcomes[0]!.rejected.map((r) => [r.id, r.reason, r.position])).toEqual([
      ['cr-bad', 'invalid', 0],
    ]);
  });

  it('per-send request options reach every batch request (headers, organizationId, maxRetries)', async () => {
    mock.faults.set({ sequence: [{ status: 503 }], match: '/transactions' });
    const err = await kard.transactions
      .send(events(2, 'opt'), { headers: { 'x-run': 'r1' }, maxRetries: 0, batchSize: 1, concurrency: 1 })
      .catch((e) => e);
    expect(err.status).toBe(503);
    expect(txPosts().map((r) => [r.status, r.headers['x-run']])).toEqual([[503, 'r1']]);
    mock.reset();
    await kard.transactions
      .send(events(1, 'org'), { organizationId: 'org-elsewhere' })
      .catch(() => undefined);
    // The mock's token is not valid for another organization: its 401 gets one token refresh and
    // one retry, both to the organization the send was given.
    expect(mock.requests.map((r) => r.path)).toEqual([
      '/v2/issuers/org-elsewhere/transactions',
      '/v2/auth/token',
      '/v2/issuers/org-elsewhere/transactions',
    ]);
  });

  it('an abort between items stops reading the source and rejects with KardAbortError', async () => {
    const ctrl = new AbortController();
    let read = 0;
    function* source() {
      for (let i = 0; i < 10; i++) {
        read++;
        if (i === 3) ctrl.abort();
        yield txn({}, `ab-${i}`);
      }
    }
    const err = await kard.transactions.send(source(), { signal: ctrl.signal, batchSize: 2 }).catch((e) => e);
    expect(err.name).toBe('KardAbortError');
    expect(read).toBe(4);
    expect(err.report.read).toBe(3); // the item that came after the abort is not used
  });

  it('an onBatch that throws stops the run with its error', async () => {
    const boom = new Error('checkpoint store down');
    const err = await kard.transactions
      .send(events(4, 'ob'), {
        batchSize: 2,
        concurrency: 1,
        onBatch: () => {
          throw boom;
        },
      })
      .catch((e) => e);
    expect(err).toBe(boom);
    expect(err.report).toMatchObject({ read: 4, accepted: 2 });
    expect(sizes()).toEqual([2]);
  });
});

describe('legacy records and the historical flow', () => {
  const legacy = (i: number, over: Record<string, unknown> = {}) => ({
    transactionId: `lg-${i}`,
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

  it('legacy issues are numbered in the whole stream ([i], no data prefix), ids are transactionIds', async () => {
    const report = await kard.legacy.transactions.send(
      [legacy(0), legacy(1), legacy(2), legacy(3, { cardBIN: '1' })],
      { batchSize: 2 },
    );
    expect(report.accepted).toBe(3);
    const [bad] = report.rejected;
    expect(bad).toMatchObject({ id: 'lg-3', reason: 'invalid', position: 3 });
    expect(bad!.issues!.map((i) => i.path)).toContain('[3].cardBIN');
  });

  it('v2 issues after the first batch are renumbered too (data[i])', async () => {
    const report = await kard.transactions.send([...events(3, 'rn'), txn({ cardBIN: '1' }, 'rn-bad')], {
      batchSize: 3,
    });
    expect(report.rejected[0]!.issues!.map((i) => i.path)).toContain('data[3].attributes.cardBIN');
  });

  it('historical items without a type get historicalTransaction; the session is completed with its id', async () => {
    // Local validation wants the type; unchecked items get it before they are sent.
    const items = events(3, 'hist-untyped').map(({ type: _t, ...rest }) => rest);
    const report = await kard.users.uploads.send('user-1', items, { batchSize: 2, validate: false });
    expect(report).toMatchObject({ accepted: 3, batches: 2 });
    const parts = mock.requests.filter((r) => r.path.endsWith('/parts'));
    expect(parts.flatMap((p) => (p.body as { data: { type: string }[] }).data.map((d) => d.type))).toEqual([
      'historicalTransaction',
      'historicalTransaction',
      'historicalTransaction',
    ]);
    const complete = mock.requests.at(-1)!;
    expect(complete.body).toEqual({
      data: { type: 'historicalTransactionComplete', id: report.uploadId, attributes: {} },
    });
  });

  it('a part that fails stops the flow before the session is completed', async () => {
    mock.faults.set({ sequence: [{ status: 500 }], match: '/parts' });
    const items = events(2, 'hist-fail').map((e) => ({ ...e, type: 'historicalTransaction' }));
    const err = await kard.users.uploads.send('user-1', items, { maxRetries: 0 }).catch((e) => e);
    expect(err.status).toBe(500);
    expect(mock.requests.map((r) => r.method)).toEqual(['POST', 'PUT']); // create, the failed part; no complete
  });

  it('an upload session without an id is a KardError before any part is sent', async () => {
    for (const answer of [
      { status: 201, body: { data: { type: 'historicalTransactionStart' } } },
      { status: 201, body: {} },
      { status: 201, raw: '' },
    ]) {
      mock.faults.set({ sequence: [answer] });
      const err = await kard.users.uploads.send('user-1', events(1, 'noid')).catch((e) => e);
      expect(err).toBeInstanceOf(KardError);
      expect(err.message).toBe('The upload session has no id');
      expect(mock.requests.filter((r) => r.path.endsWith('/parts'))).toHaveLength(0);
    }
  });

  it('a historical item with its own type keeps it; one that is not an object is sent as it is', async () => {
    const [own] = events(1, 'hist-own');
    const report = await kard.users.uploads.send('user-1', [{ ...own!, type: 'customType' }, null], {
      validate: false,
    });
    const part = mock.requests.find((r) => r.path.endsWith('/parts'))!;
    const sent = (part.body as { data: ({ type: string } | null)[] }).data;
    expect([sent[0]?.type, sent[1]]).toEqual(['customType', null]);
    expect(report.read).toBe(2);
  });

  it('validate: true on the call checks historical items even when the client does not validate', async () => {
    const lax = new KardClient({ ...mockConnection(mock), validate: false });
    const report = await lax.users.uploads.send('user-1', [txn({ cardBIN: 'x' }, 'hist-bad')], {
      validate: true,
    });
    expect(report.rejected.map((r) => [r.id, r.reason])).toEqual([['hist-bad', 'invalid']]);
    expect(mock.requests.filter((r) => r.path.endsWith('/parts'))).toHaveLength(0);
  });
});

describe('prepared items', () => {
  const prep = (e: unknown, extra: Partial<PreparedItem> = {}): PreparedItem => ({
    json: JSON.stringify(e),
    ...extra,
  });

  it('without an organizationId a v2 prepared send is refused before reading the source', async () => {
    const noOrg = new KardClient({ ...mockConnection(mock), organizationId: undefined });
    let touched = false;
    const err = await noOrg.transactions
      .send(
        (function* () {
          touched = true;
          yield prep(txn());
        })(),
        { prepared: true },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(KardError);
    expect(err.message).toBe('organizationId is required: pass it to new KardClient() or per call');
    expect(touched).toBe(false);
  });

  it('items larger than the starting buffer are copied whole (the body grows)', async () => {
    const big = events(3, 'big').map((e) => {
      const text = JSON.stringify(e);
      return { json: `{${' '.repeat(150_000)}${text.slice(1)}`, id: e.id };
    });
    const report = await kard.transactions.send(big, { prepared: true });
    expect(report).toMatchObject({ accepted: 3, rejected: [] });
    for (const e of ['big-0', 'big-1', 'big-2']) expect(mock.eventCount(e)).toBe(1);
  });

  it('bytes with surrounding whitespace are one object; "{", blanks and arrays are not', async () => {
    const ok = await kard.transactions.send(
      [{ json: new TextEncoder().encode(`\n\t ${JSON.stringify(txn({}, 'bytes-1'))} \r\n`) }],
      { prepared: true },
    );
    expect(ok.accepted).toBe(1);
    const text = await kard.transactions.send([{ json: `\n\t ${JSON.stringify(txn({}, 'text-1'))} \r\n` }], {
      prepared: true,
    });
    expect(text.accepted).toBe(1);
    for (const json of [
      '{',
      '   ',
      '[{}]',
      '1,{"a":1}',
      ' "x"} ',
      new TextEncoder().encode(' { '),
      new TextEncoder().encode('[]'),
      new TextEncoder().encode('1,{"a":1}'),
      new TextEncoder().encode('{"a":1},{"b":2'),
      new TextEncoder().encode(' "x"} '),
      42,
    ]) {
      const err = await kard.transactions.send([{ json } as never], { prepared: true }).catch((e) => e);
      expect(err).toBeInstanceOf(KardError);
      expect(err.message).toMatch(/position 0 is not a \{ json \} with one JSON object/);
    }
    const nul = await kard.transactions.send([null as never], { prepared: true }).catch((e) => e);
    expect(nul).toBeInstanceOf(KardError);
  });

  it('207 errors: by pointer /data/i, by id, duplicates and unknown ones settle no second item', async () => {
    const items = events(4, 'p207');
    const errors = [
      { status: '400', detail: 'by pointer', source: { pointer: '/data/1/attributes/amount' } },
      { status: '400', detail: 'by id', id: 'p207-3' },
      { status: '400', detail: 'same item again', source: { pointer: '/data/1' } },
      { status: '400', detail: 'unknown id', id: 'elsewhere' },
      'not an object',
      null,
    ];
    mock.faults.set({
      sequence: [{ status: 207, body: { data: { type: 'transactionJob', id: 'j' }, errors } }],
      match: '/transactions',
    });
    const report = await kard.transactions.send(
      items.map((e, i) => prep(e, { ref: i })),
      { prepared: true },
    );
    expect(report.accepted).toBe(2);
    expect(
      report.rejected.map((r) => [
        r.position,
        r.id,
        r.reason,
        (r.error as { detail?: string } | null)?.detail ?? r.error,
      ]),
    ).toEqual([
      [1, 'p207-1', 'rejected', 'by pointer'],
      [3, 'p207-3', 'rejected', 'by id'],
      [undefined, null, 'rejected', 'same item again'],
      [undefined, 'elsewhere', 'rejected', 'unknown id'],
      [undefined, null, 'rejected', 'not an object'],
      [undefined, null, 'rejected', null],
    ]);
    expect((report.rejected[0]!.item as PreparedItem).ref).toBe(1);
  });

  it('legacy prepared records are matched by a /i pointer and read back by transactionId', async () => {
    const recs = [0, 1, 2].map((i) => ({
      transactionId: `lp-${i}`,
      referringPartnerUserId: 'user-1',
      amount: 1500,
      status: 'SETTLED',
      currency: 'USD',
      description: 'Corner Hardware',
      authorizationDate: '2024-05-01T10:00:00Z',
      settledDate: '2024-05-02T10:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4321',
    }));
    mock.faults.set({
      sequence: [{ status: 400, body: { errors: ['record 2 is bad'] } }],
      match: '/transactions/incoming',
    });
    const report = await kard.legacy.transactions.send(
      recs.map((r) => ({ json: JSON.stringify(r) })),
      { prepared: true },
    );
    expect(report.rejected.map((r) => [r.position, r.id, r.reason, r.error])).toEqual([
      [0, 'lp-0', 'failed', { detail: 'record 2 is bad' }],
      [1, 'lp-1', 'failed', { detail: 'record 2 is bad' }],
      [2, 'lp-2', 'failed', { detail: 'record 2 is bad' }],
    ]);
    mock.faults.set({
      sequence: [{ status: 400, body: { errors: [{ detail: 'bad', source: { pointer: '/2/cardBIN' } }] } }],
      match: '/transactions/incoming',
    });
    const again = await kard.legacy.transactions.send(
      recs.map((r) => ({ json: JSON.stringify(r) })),
      { prepared: true },
    );
    expect(again.rejected.map((r) => [r.position, r.id, r.reason])).toEqual([
      [2, 'lp-2', 'rejected'],
      [0, 'lp-0', 'failed'],
      [1, 'lp-1', 'failed'],
    ]);
  });

  it('an item that is not JSON reads back with a null id', async () => {
    mock.faults.set({
      sequence: [{ status: 400, body: { errors: [{ detail: 'bad json' }] } }],
      match: '/transactions',
    });
    const report = await kard.transactions.send([{ json: '{not json}' }], { prepared: true });
    expect(report.rejected.map((r) => [r.id, r.reason, (r.item as PreparedItem).json])).toEqual([
      [null, 'failed', '{not json}'],
    ]);
  });
});

describe('prepared items: how errors[] names an item', () => {
  const prep = (n: number, prefix: string) => events(n, prefix).map((e) => ({ json: JSON.stringify(e) }));
  const answer207 = (errors: unknown[]) =>
    mock.faults.set({
      sequence: [{ status: 207, body: { data: { type: 'transactionJob', id: 'j' }, errors } }],
      match: '/transactions',
    });
  const verdicts = (report: { rejected: { position?: number; id: unknown }[] }) =>
    report.rejected.map((r) => [r.position, r.id]);

  it('a pointer with two digits names that item; a pointer that does not start with /data/ or /i names none', async () => {
    answer207([
      { detail: 'twelve', source: { pointer: '/data/12/attributes/amount' } },
      { detail: 'elsewhere', source: { pointer: '/meta/3' } },
    ]);
    const report = await kard.transactions.send(prep(14, 'ptr'), { prepared: true });
    expect(verdicts(report)).toEqual([
      [12, 'ptr-12'],
      [undefined, null],
    ]);
    expect(report.accepted).toBe(13);
  });

  it('a prepared body is sent as application/json', async () => {
    await kard.transactions.send(prep(2, 'ctype'), { prepared: true });
    expect(txPosts().map((r) => r.headers['content-type'])).toEqual(['application/json']);
  });

  it('a valid pointer wins over an id that names another item', async () => {
    answer207([{ detail: 'both', id: 'both-3', source: { pointer: '/data/1' } }]);
    const report = await kard.transactions.send(prep(4, 'both'), { prepared: true });
    expect(verdicts(report)).toEqual([[1, 'both-1']]);
  });

  it('a pointer past the batch falls back to the id; without an id it names no item', async () => {
    answer207([
      { detail: 'just past, with an id', id: 'past-2', source: { pointer: '/data/4' } },
      { detail: 'just past, no id', source: { pointer: '/data/4' } },
      { detail: 'far past, no id', source: { pointer: '/data/9' } },
    ]);
    const report = await kard.transactions.send(prep(4, 'past'), { prepared: true });
    expect(verdicts(report)).toEqual([
      [2, 'past-2'],
      [undefined, null],
      [undefined, null],
    ]);
    expect(report.accepted).toBe(3);
  });

  it('an id given with the item wins over the one in its JSON; a JSON id that is not a string reads back as null', async () => {
    answer207([
      { detail: 'given', source: { pointer: '/data/0' } },
      { detail: 'numeric', source: { pointer: '/data/1' } },
    ]);
    const items = [
      { json: JSON.stringify(txn({}, 'in-json-0')), id: 'given-0' },
      { json: JSON.stringify({ ...txn({}, 'x'), id: 42 }) },
    ];
    const report = await kard.transactions.send(items, { prepared: true });
    expect(verdicts(report)).toEqual([
      [0, 'given-0'],
      [1, null],
    ]);
  });

  it('multi-byte text is copied whole however full the body gets (a 1 MB batch of two-byte characters)', async () => {
    const items = events(500, 'mb').map((e) => ({
      json: JSON.stringify({
        ...e,
        attributes: { ...e.attributes, description: `Café ${'é'.repeat(1000)}` },
      }),
    }));
    const report = await kard.transactions.send(items, { prepared: true });
    expect(report).toMatchObject({ sent: 500, accepted: 500, rejected: [] });
    const posted = txPosts().at(-1)!.body as { data: { id: string; attributes: { description: string } }[] };
    expect(posted.data).toHaveLength(500);
    expect(posted.data[499]!.attributes.description).toBe(`Café ${'é'.repeat(1000)}`);
  });

  it('one item larger than twice the body so far is copied whole', async () => {
    const [e] = events(1, 'huge');
    const description = 'x'.repeat(700_000);
    const json = JSON.stringify({ ...e, attributes: { ...e!.attributes, description } });
    const report = await kard.transactions.send([{ json }], { prepared: true });
    expect(report).toMatchObject({ sent: 1, accepted: 1 });
    const posted = txPosts().at(-1)!.body as { data: { attributes: { description: string } }[] };
    expect(posted.data[0]!.attributes.description).toBe(description);
  });

  it('a whole batch refused with 422 is reported item by item and the run goes on', async () => {
    mock.faults.set({
      sequence: [{ status: 422, body: { errors: [{ status: '422', detail: 'unprocessable' }] } }],
      match: '/transactions',
    });
    const report = await kard.transactions.send(prep(4, 'r422'), { prepared: true, batchSize: 2 });
    expect(report.rejected.map((r) => [r.position, r.reason])).toEqual([
      [0, 'failed'],
      [1, 'failed'],
    ]);
    expect(report.accepted).toBe(2);
  });
});

describe('the run itself', () => {
  it('a source whose length is a multiple of batchSize makes no empty last batch', async () => {
    const outcomes: BatchOutcome[] = [];
    const plain = await kard.transactions.send(events(4, 'mult'), {
      batchSize: 2,
      onBatch: (o) => outcomes.push(o),
    });
    expect(plain.batches).toBe(2);
    expect(outcomes.map((o) => o.count)).toEqual([2, 2]);
    const prepared = await kard.transactions.send(
      events(4, 'multp').map((e) => ({ json: JSON.stringify(e) })),
      { prepared: true, batchSize: 2 },
    );
    expect(prepared.batches).toBe(2);
    expect(txPosts().map((r) => (r.body as { data: unknown[] }).data.length)).toEqual([2, 2, 2, 2]);
  });

  it('a source that throws something other than an Error stops the run with exactly that value', async () => {
    function* throwsText() {
      yield txn({}, 'text-throw-0');
      throw 'no more'; // what a careless source does
    }
    await expect(kard.transactions.send(throwsText())).rejects.toBe('no more');
  });

  it('a run that failed stops reading its source', async () => {
    mock.faults.set({ rate: 1, step: { status: 403 }, match: '/transactions' });
    let read = 0;
    function* endless() {
      while (read < 1000) {
        read++;
        yield txn({}, `stop-${read}`);
      }
    }
    const err = await kard.transactions
      .send(endless(), { batchSize: 1, concurrency: 1, maxRetries: 0 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(KardError);
    expect(read).toBeLessThan(10);
  });
});

describe('uploadFile edges', () => {
  it('defaults: historicalTransactionsFile, a .jsonl.gz name (or .jsonl without gzip)', async () => {
    const a = await kard.transactions.uploadFile([txn()]);
    expect(a.filename).toMatch(/^transactions-\d+\.jsonl\.gz$/);
    const b = await kard.transactions.uploadFile([txn()], { gzip: false });
    expect(b.filename).toMatch(/^transactions-\d+\.jsonl$/);
    const urlReqs = mock.requests.filter(
      (r) => r.path.endsWith('/transactions/upload-url') || r.path.includes('upload'),
    );
    const bodies = urlReqs.filter((r) => r.method === 'POST').map((r) => r.body);
    expect(bodies).toEqual([
      { data: [{ type: 'historicalTransactionsFile', attributes: { filename: a.filename } }] },
      { data: [{ type: 'historicalTransactionsFile', attributes: { filename: b.filename } }] },
    ]);
  });

  it('a URL answer without a url (or without attributes, an entry or a body) is a KardError', async () => {
    for (const answer of [
      { status: 201, body: { data: [{ id: 'u1', attributes: {} }] } },
      { status: 201, body: { data: [{ id: 'u1' }] } },
      { status: 201, body: { data: [] } },
      { status: 201, body: {} },
      { status: 201, raw: '' },
    ]) {
      mock.faults.set({ sequence: [answer] });
      const err = await kard.transactions.uploadFile([txn()]).catch((e) => e);
      expect(err).toBeInstanceOf(KardError);
      expect(err.message).toBe('The upload URL response has no url');
    }
  });

  it('a 410 from the store is treated as an expired URL: a new one is requested once', async () => {
    mock.faults.set({ sequence: [{ status: 410 }], match: '/__uploads/' });
    const r = await kard.transactions.uploadFile([txn()], { stream: true });
    expect(r.urlsRequested).toBe(2);
    mock.faults.set({ sequence: [{ status: 410 }, { status: 410 }], match: '/__uploads/' });
    const err = await kard.transactions.uploadFile(() => [txn()], { stream: true }).catch((e) => e);
    expect(err.status).toBe(410);
  });

  it('a built file rejected with 403 is sent again to a new URL (once)', async () => {
    mock.faults.set({ sequence: [{ status: 403 }], match: '/__uploads/' });
    const r = await kard.transactions.uploadFile(events(3, 'built403'));
    expect(r).toMatchObject({ records: 3, urlsRequested: 2 });
    expect(mock.requests.filter((q) => q.method === 'PUT').map((q) => q.status)).toEqual([403, 200]);
    expect(mock.stats().uploads.lines).toBe(3);
  });

  it('a streamed upload is not retried after a 503 (a stream cannot be sent twice)', async () => {
    mock.faults.set({ sequence: [{ status: 503 }], match: '/__uploads/' });
    const err = await kard.transactions.uploadFile([txn()], { stream: true }).catch((e) => e);
    expect(err.status).toBe(503);
    expect(mock.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([503]);
  });

  it('the URL is renewed a little before it expires (10% of its life, at most 5 s), not earlier', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      for (const [jump, urls] of [
        [53_000, 1], // 60 s URL: renewed from 54 s on
        [55_000, 2],
      ] as const) {
        let first = true;
        const r = await kard.transactions.uploadFile(
          () => {
            if (first) {
              first = false;
              vi.setSystemTime(Date.now() + jump);
            }
            return [txn()];
          },
          { stream: true },
        );
        expect(r.urlsRequested).toBe(urls);
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
