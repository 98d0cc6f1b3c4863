import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MockKard } from '@kardkit/mock-server';
import { describe, expect, it } from 'vitest';
import {
  cleanEnv,
  collect,
  fileWriter,
  legacyRecord,
  ndjson,
  range,
  run,
  start,
  useMockSandbox,
  v2Event,
  waitFor,
} from './helpers.js';

let dir: string;
let mock: MockKard;
let env: NodeJS.ProcessEnv;
useMockSandbox({ maxRecordedRequests: 5000 }, (s) => {
  ({ dir, mock, env } = s);
});

const write = fileWriter(() => dir, 'f');

interface Report {
  records: number;
  accepted: number;
  rejected: number;
  invalid: number;
  skipped: number;
  failed: number;
  notSent: number;
  retried: number;
  complete: boolean;
}

describe('kard transactions send', () => {
  it('accounts for every record exactly once under injected 503s, 429s and dropped connections (R10 dedupe)', async () => {
    const ids = range(0, 2400);
    const invalidAt = new Set([5, 777, 1500]);
    const records = ids.map((i) =>
      invalidAt.has(i) ? JSON.parse(JSON.stringify(v2Event(i, { settledDate: undefined }))) : v2Event(i),
    );
    const file = write(records);
    const rejectedFile = join(dir, 'rejected.ndjson');
    mock.faults.set({
      match: '/transactions',
      sequence: [{ status: 429, retryAfter: 0 }, { drop: true }, { status: 503 }, { drop: true }],
      rate: 0.25,
      step: { status: 503 },
      seed: 7,
    });
    const r = await run(
      [
        'transactions',
        'send',
        file,
        '--batch-size',
        '100',
        '--concurrency',
        '4',
        '--max-retries',
        '12',
        '--rejected',
        rejectedFile,
        '--json',
      ],
      { env },
    );
    expect(r.stderr).not.toContain(mock.clientSecret);
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code).toBe(1); // three invalid records
    expect(report).toMatchObject({
      records: 2400,
      accepted: 2397,
      invalid: 3,
      rejected: 0,
      failed: 0,
      notSent: 0,
      complete: true,
    });
    expect(report.retried).toBeGreaterThan(0);
    for (const i of ids) expect(mock.eventCount(`evt-${i}`), `evt-${i}`).toBe(invalidAt.has(i) ? 0 : 1);
    expect(mock.stats().transactions.accepted).toBe(2397);
    const rejected = readFileSync(rejectedFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.map((x) => x.record)).toEqual([6, 778, 1501]);
    expect(rejected[0]).toMatchObject({ id: 'evt-5', stage: 'validation', data: { id: 'evt-5' } });
    expect(rejected[0].issues).toContainEqual(
      expect.objectContaining({ path: 'attributes.settledDate', rule: 'R2' }),
    );
  });

  it('sends legacy records to POST /transactions/incoming and v2 events to /v2/.../transactions', async () => {
    const file = write([...range(0, 30).map((i) => legacyRecord(i)), ...range(0, 20).map((i) => v2Event(i))]);
    const r = await run(['transactions', 'send', file, '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 50, accepted: 50 });
    expect(mock.stats().legacyIncoming.accepted).toBe(30);
    expect(mock.stats().transactions.accepted).toBe(20);
    const paths = new Set(mock.requests.filter((q) => q.method === 'POST').map((q) => q.path));
    expect(paths.has('/transactions/incoming')).toBe(true);
    expect([...paths].some((p) => /^\/v2\/issuers\/[^/]+\/transactions$/.test(p))).toBe(true);
  });

  it('exit 3 when the API keeps failing; --resume then sends only what is missing, exactly once', async () => {
    const ids = range(0, 1000);
    const file = write(ids.map((i) => v2Event(i)));
    // The first 3 batches succeed, then every request fails (the sequence, then rate 1).
    mock.faults.set({
      match: '/transactions',
      sequence: [{ latencyMs: 1 }, { latencyMs: 1 }, { latencyMs: 1 }],
      rate: 1,
      step: { status: 503 },
    });
    const r1 = await run(
      [
        'transactions',
        'send',
        file,
        '--batch-size',
        '100',
        '--concurrency',
        '1',
        '--max-retries',
        '1',
        '--json',
      ],
      { env },
    );
    expect(r1.code).toBe(3);
    const rep1 = JSON.parse(r1.stdout) as Report;
    expect(rep1.complete).toBe(false);
    expect(rep1).toMatchObject({ accepted: 300, failed: 100 });
    expect(existsSync(`${file}.kard-checkpoint`)).toBe(true);

    // Without --resume an unfinished checkpoint is not silently overwritten.
    const again = await run(['transactions', 'send', file], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--resume/);

    mock.faults.clear();
    const r2 = await run(['transactions', 'send', file, '--resume', '--json'], { env });
    expect(r2.code).toBe(0);
    const rep2 = JSON.parse(r2.stdout) as Report;
    expect(rep2).toMatchObject({
      records: 1000,
      skipped: rep1.accepted,
      accepted: 1000 - rep1.accepted,
      complete: true,
    });
    for (const i of ids) {
      expect(mock.eventCount(`evt-${i}`)).toBe(1);
      expect(mock.receivedCount(`evt-${i}`), `evt-${i} received`).toBe(1);
    }
  });

  it('--resume after the process is killed (SIGKILL) mid-send: nothing lost, nothing accepted twice', async () => {
    const ids = range(0, 3000);
    const file = write(ids.map((i) => v2Event(i)));
    mock.faults.set({ match: '/transactions', latencyMs: 150 });
    const child = start(['transactions', 'send', file, '--batch-size', '100', '--concurrency', '2'], { env });
    const done = collect(child);
    const cp = `${file}.kard-checkpoint`;
    // Kill it once the checkpoint holds several finished ranges (header + ≥ 8 lines).
    await waitFor(
      () => existsSync(cp) && readFileSync(cp, 'utf8').split('\n').length > 8,
      'the checkpoint to record finished batches',
    );
    child.kill('SIGKILL');
    const r1 = await done;
    expect(r1.signal).toBe('SIGKILL');
    const before = mock.stats().transactions.accepted;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(3000);
    mock.faults.clear();
    const r2 = await run(['transactions', 'send', file, '--resume', '--json'], { env });
    expect(r2.code).toBe(0);
    const rep = JSON.parse(r2.stdout) as Report;
    expect(rep.skipped + rep.accepted).toBe(3000);
    let received = 0;
    for (const i of ids) {
      expect(mock.eventCount(`evt-${i}`)).toBe(1);
      received += mock.receivedCount(`evt-${i}`);
    }
    // Only the batches in flight at the kill (≤ concurrency × batch size) can have been re-sent.
    expect(received - 3000).toBeLessThanOrEqual(200);
  });

  it('Ctrl-C (SIGINT) finishes the requests in flight, then --resume re-sends nothing', async () => {
    const ids = range(0, 2000);
    const file = write(ids.map((i) => v2Event(i)));
    mock.faults.set({ match: '/transactions', latencyMs: 150 });
    const child = start(
      ['transactions', 'send', file, '--batch-size', '100', '--concurrency', '2', '--json'],
      { env },
    );
    const done = collect(child);
    await waitFor(() => mock.stats().transactions.accepted >= 500, '500 records accepted');
    child.kill('SIGINT');
    const r1 = await done;
    expect(r1.code).toBe(130);
    const rep1 = JSON.parse(r1.stdout) as Report;
    expect(rep1.complete).toBe(false);
    mock.faults.clear();
    const r2 = await run(['transactions', 'send', file, '--resume', '--json'], { env });
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ skipped: rep1.accepted, accepted: 2000 - rep1.accepted });
    for (const i of ids) expect(mock.receivedCount(`evt-${i}`), `evt-${i}`).toBe(1);
  });

  it('reads CSV and JSON inputs too, and stdin', async () => {
    const json = join(dir, 'tx.json');
    writeFileSync(json, JSON.stringify({ data: range(0, 25).map((i) => v2Event(i)) }));
    const r1 = await run(['transactions', 'send', json, '--json'], { env });
    expect(JSON.parse(r1.stdout)).toMatchObject({ accepted: 25 });
    const r2 = await run(['transactions', 'send', '-', '--json'], {
      env,
      input: ndjson(range(100, 110).map((i) => v2Event(i))),
    });
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ accepted: 10 });
    expect(mock.stats().transactions.accepted).toBe(35);
  });
});

describe('kard transactions send (configuration)', () => {
  it('exit 2 for incomplete credentials, and that failed start does not block the next run', async () => {
    const file = write([v2Event(1)]);
    const bad = await run(['transactions', 'send', file], {
      env: cleanEnv(dir, { KARD_CLIENT_ID: 'only-an-id', KARD_ORGANIZATION_ID: 'org' }),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/KARD_CLIENT_SECRET/);
    const ok = await run(['transactions', 'send', file, '--json'], { env });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ accepted: 1 });
  });
});

describe('kard transactions send (207 partial success)', () => {
  it('items rejected in a 207 are reported with their record number and reason, never counted as accepted', async () => {
    const file = write([v2Event(1), v2Event(2), v2Event(3)]);
    const rejectedFile = join(dir, 'rej207.ndjson');
    mock.faults.set({
      match: '/transactions',
      sequence: [
        {
          status: 207,
          body: {
            errors: [
              { status: '400', title: 'Bad Request', detail: 'unknown user', source: { pointer: '/data/1' } },
            ],
            data: [],
          },
        },
      ],
    });
    const r = await run(['transactions', 'send', file, '--rejected', rejectedFile, '--json'], { env });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 3, accepted: 2, rejected: 1, invalid: 0 });
    const lines = readFileSync(rejectedFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        record: 2,
        id: 'evt-2',
        stage: 'api',
        error: expect.objectContaining({ detail: 'unknown user' }),
      }),
    ]);
    expect(lines[0].data).toMatchObject({ id: 'evt-2', type: 'transaction' });
  });
  it('a batch the API refuses whole (400) is rejected record by record with the API reason, and --resume does not send it again', async () => {
    const file = write([v2Event(11), v2Event(12), v2Event(13), v2Event(14)]);
    const rejectedFile = join(dir, 'rej400.ndjson');
    mock.faults.set({
      match: '/transactions',
      sequence: [
        {
          status: 400,
          body: { errors: [{ status: '400', title: 'Bad Request', detail: 'malformed batch' }] },
        },
      ],
    });
    const r = await run(
      [
        'transactions',
        'send',
        file,
        '--batch-size',
        '2',
        '--concurrency',
        '1',
        '--rejected',
        rejectedFile,
        '--json',
      ],
      { env },
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      records: 4,
      accepted: 2,
      rejected: 2,
      failed: 0,
      notSent: 0,
      complete: true,
    });
    const lines = readFileSync(rejectedFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.record, l.id, l.stage, l.error.detail])).toEqual([
      [1, 'evt-11', 'api', 'malformed batch'],
      [2, 'evt-12', 'api', 'malformed batch'],
    ]);
    expect(lines[0].data).toMatchObject({ id: 'evt-11' });
    const again = await run(['transactions', 'send', file, '--resume', '--json'], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ records: 4, skipped: 4, accepted: 0 });
    expect(mock.receivedCount('evt-13')).toBe(1);
  });
});
