// `kard transactions send` run in this process (src/cli.ts `run`) against the mock Kard on loopback:
// the accounting, the checkpoint and --rejected, record by record. test/send.test.ts runs the built
// bin for what needs a process of its own (signals, a crash).
import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../src/checkpoint.js';
import { runSend, type SendOptions } from '../src/commands/send.js';
import { UsageError } from '../src/errors.js';
import type { Io } from '../src/output.js';
import {
  cleanEnv,
  fileEvent,
  fileWriter,
  legacyRecord,
  mockEnv,
  ndjson,
  range,
  runIn,
  useMockSandbox,
  waitFor,
} from './helpers.js';

let dir: string;
let mock: MockKard;
let env: NodeJS.ProcessEnv;
useMockSandbox({ maxRecordedRequests: 5000 }, (s) => {
  ({ dir, mock, env } = s);
});

const write = fileWriter(() => dir, 'in');
/** A number for the names of files written here by hand. */
let seq = 0;
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
/** records/s as the report defines it: records finished (accepted, rejected, invalid) per second. */
const expectRate = (report: Record<string, unknown> | undefined) => {
  const r = report as Record<string, number>;
  const finished = r.accepted + r.rejected + r.invalid;
  expect(r.recordsPerSecond).toBe(r.durationMs > 0 ? Math.round((finished * 1000) / r.durationMs) : 0);
};
const posts = () => mock.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/transactions'));

async function send(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; tty?: boolean } = {}) {
  const r = await runIn(['transactions', 'send', ...args], {
    env: opts.env ?? env,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.tty ? { stderrTTY: true } : {}),
  });
  let report: Record<string, unknown> | undefined;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    report = undefined;
  }
  return { ...r, report };
}

describe('kard transactions send --resume with a checkpoint that has gaps', () => {
  it('sends exactly the records outside the acknowledged ranges, once each', async () => {
    const ids = range(1, 61); // record n is evt-n
    const file = write(ids.map((i) => fileEvent(i)));
    // As after a crash with concurrency > 1: ranges finished out of order, with holes between them.
    const header = JSON.stringify(Checkpoint.header(file));
    writeFileSync(Checkpoint.defaultPath(file), `${header}\n[21,30]\n[1,10]\n[41,45]\n[44,50]\n[60,60]\n`);
    const done = new Set([...range(1, 11), ...range(21, 31), ...range(41, 51), 60]);
    const r = await send([file, '--resume', '--batch-size', '7', '--concurrency', '2', '--json']);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({
      records: 60,
      skipped: done.size,
      accepted: 60 - done.size,
      sent: 60 - done.size,
      complete: true,
    });
    for (const i of ids) expect(mock.receivedCount(`evt-${i}`), `evt-${i}`).toBe(done.has(i) ? 0 : 1);
    // The checkpoint now covers the whole file and says so.
    const again = await send([file, '--resume', '--json']);
    expect(again.report).toMatchObject({ records: 60, skipped: 60, accepted: 0 });
    expect(posts()).toHaveLength(Math.ceil((60 - done.size) / 7));
  });

  it('a skipped record still counts for the duplicate id check (R10)', async () => {
    const file = write([fileEvent(1), fileEvent(2), fileEvent(1, { transactionId: 'again' })]);
    writeFileSync(Checkpoint.defaultPath(file), `${JSON.stringify(Checkpoint.header(file))}\n[1,1]\n`);
    const r = await send([file, '--resume', '--json']);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ records: 3, skipped: 1, accepted: 1, invalid: 1 });
    expect(mock.receivedCount('evt-1')).toBe(0);
  });
});

describe('kard transactions send (accounting)', () => {
  it('a complete run: every number of the report, and the checkpoint marks the file complete', async () => {
    const file = write(range(1, 26).map((i) => fileEvent(i)));
    const r = await send([file, '--batch-size', '10', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.report).toMatchObject({
      file,
      records: 25,
      skipped: 0,
      valid: 25,
      invalid: 0,
      sent: 25,
      accepted: 25,
      rejected: 0,
      failed: 0,
      notSent: 0,
      batches: 3,
      retried: 0,
      checkpoint: Checkpoint.defaultPath(file),
      complete: true,
      interrupted: false,
      error: null,
    });
    const rep = r.report as Record<string, number>;
    expect(rep.recordsPerSecond).toBe(rep.durationMs > 0 ? Math.round((25 * 1000) / rep.durationMs) : 0);
    expect(r.report!.durationMs).toBeGreaterThanOrEqual(0);
    const cp = readFileSync(Checkpoint.defaultPath(file), 'utf8').trim().split('\n');
    expect(cp).toHaveLength(1 + 3 + 1);
    expect(JSON.parse(cp.at(-1)!)).toMatchObject({ complete: true, records: 25 });
    // Finished: a run without --resume starts over instead of refusing.
    expect((await send([file, '--json'])).report).toMatchObject({ accepted: 25, skipped: 0 });
  });

  it('invalid records are written to --rejected with their issues and are checkpointed as done', async () => {
    const file = write([
      fileEvent(1),
      fileEvent(2, { settledDate: undefined }),
      fileEvent(3),
      fileEvent(4, { cardBIN: '1' }),
    ]);
    const rejected = join(dir, 'rej-invalid.ndjson');
    writeFileSync(rejected, 'old content\n');
    const r = await send([file, '--rejected', rejected, '--json']);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ records: 4, valid: 2, invalid: 2, accepted: 2, complete: true });
    expectRate(r.report);
    const out = lines(rejected); // the old content is replaced
    expect(out.map((l) => [l.record, l.id, l.stage])).toEqual([
      [2, 'evt-2', 'validation'],
      [4, 'evt-4', 'validation'],
    ]);
    expect(out[0].issues).toContainEqual({
      path: 'attributes.settledDate',
      rule: 'R2',
      severity: 'error',
      message: expect.any(String),
    });
    expect(out[1].data).toMatchObject({ id: 'evt-4' });
    const cp = readFileSync(Checkpoint.defaultPath(file), 'utf8');
    expect(cp).toContain('[2,2]');
    expect(cp).toContain('[4,4]');
  });

  it('items the API rejects (207) carry their record number; --resume appends to --rejected', async () => {
    const file = write(range(1, 7).map((i) => fileEvent(i)));
    const rejected = join(dir, 'rej-207.ndjson');
    mock.faults.set({
      match: '/transactions',
      sequence: [
        { latencyMs: 0 },
        {
          status: 207,
          body: {
            errors: [{ status: '400', detail: 'unknown user', source: { pointer: '/data/1' } }],
            data: [],
          },
        },
        { status: 503 },
      ],
    });
    const r1 = await send([
      file,
      '--batch-size',
      '2',
      '--concurrency',
      '1',
      '--max-retries',
      '0',
      '--rejected',
      rejected,
      '--json',
    ]);
    expect(r1.code).toBe(3);
    expect(r1.report).toMatchObject({ accepted: 3, rejected: 1, failed: 2, complete: false });
    expect(r1.report!.error).toMatch(/503/);
    expect(lines(rejected)).toEqual([
      expect.objectContaining({
        record: 4,
        id: 'evt-4',
        stage: 'api',
        error: expect.objectContaining({ detail: 'unknown user' }),
      }),
    ]);
    expect(lines(rejected)[0].data).toMatchObject({ id: 'evt-4', type: 'transaction' });
    expectRate(r1.report);
    // An unfinished run is protected: without --resume nothing is sent.
    const fresh = await send([file, '--json']);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toMatch(/unfinished run.*--resume/);
    const r2 = await send([file, '--resume', '--rejected', rejected, '--json']);
    expect(r2.code).toBe(0);
    expect(r2.report).toMatchObject({ records: 6, skipped: 4, accepted: 2, rejected: 0 });
    expect(lines(rejected)).toHaveLength(1); // kept, not truncated
    // The 207 stood in for the mock's own answer to evt-3/evt-4; the others were stored once.
    for (const i of [1, 2, 5, 6]) expect(mock.eventCount(`evt-${i}`), `evt-${i}`).toBe(1);
    expect(mock.receivedCount('evt-4')).toBe(0);
  });

  it('after a request fails for good, no further request is sent and the rest is reported not sent', async () => {
    // Record 3 is invalid; the first batch (records 1, 2, 4-11) gets a 207 rejecting its 2nd item,
    // every later request a 503.
    const file = write(range(1, 201).map((i) => (i === 3 ? fileEvent(i, { cardBIN: '1' }) : fileEvent(i))));
    mock.faults.set({
      match: '/transactions',
      sequence: [
        {
          status: 207,
          body: { errors: [{ status: '400', detail: 'no', source: { pointer: '/data/1' } }], data: [] },
        },
      ],
      rate: 1,
      step: { status: 503 },
    });
    const r = await send([file, '--batch-size', '10', '--concurrency', '1', '--max-retries', '0', '--json']);
    expect(r.code).toBe(3);
    expect(r.report).toMatchObject({ accepted: 9, rejected: 1, invalid: 1, failed: 10, complete: false });
    expect(posts()).toHaveLength(2);
    const rep = r.report as Record<string, number>;
    expect(rep.notSent).toBe(rep.records - 9 - 1 - 1 - 10);
    expect(rep.notSent).toBeGreaterThan(0);
    expect(rep.records).toBeLessThan(200);
  });

  it('invalid records are checkpointed by their own numbers, not the span between them', async () => {
    // Records 2 and 4 are invalid, 1, 3 and 5 valid; every request fails.
    const file = write(range(1, 6).map((i) => (i % 2 === 0 ? fileEvent(i, { cardBIN: '1' }) : fileEvent(i))));
    mock.faults.set({ match: '/transactions', rate: 1, step: { status: 503 } });
    const r1 = await send([file, '--max-retries', '0', '--json']);
    expect(r1.report).toMatchObject({ invalid: 2, accepted: 0, failed: 3 });
    mock.faults.clear();
    const r2 = await send([file, '--resume', '--json']);
    expect(r2.report).toMatchObject({ records: 5, skipped: 2, accepted: 3, complete: true });
    for (const i of [1, 3, 5]) expect(mock.eventCount(`evt-${i}`), `evt-${i}`).toBe(1);
  });

  it('counts the retries, and sends CSV and JSON records (parsed, without their own text) intact', async () => {
    mock.faults.set({ match: '/transactions', sequence: [{ status: 503 }] });
    const json = join(dir, `arr${++seq}.json`);
    writeFileSync(json, JSON.stringify(range(1, 4).map((i) => fileEvent(i))));
    const r = await send([json, '--json']);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ accepted: 3, retried: 1, batches: 1 });
    const csv = join(dir, `rows${++seq}.csv`);
    const cols = [
      'type',
      'id',
      'attributes.userId',
      'attributes.transactionId',
      'attributes.amount',
      'attributes.status',
      'attributes.currency',
      'attributes.description',
      'attributes.mcc',
      'attributes.cardBIN',
      'attributes.cardLastFour',
      'attributes.direction',
      'attributes.paymentType',
      'attributes.authorizationDate',
      'attributes.settledDate',
    ];
    const row = (i: number) => {
      const e = fileEvent(i) as { type: string; id: string; attributes: Record<string, unknown> };
      return cols
        .map((c) => String(c === 'type' ? e.type : c === 'id' ? e.id : e.attributes[c.slice(11)]))
        .join(',');
    };
    writeFileSync(csv, `${cols.join(',')}\n${row(4)}\n${row(5)}\n`);
    const c = await send([csv, '--json']);
    expect(c.report).toMatchObject({ accepted: 2, invalid: 0 });
    for (const i of [1, 2, 3, 4, 5]) expect(mock.eventCount(`evt-${i}`), `evt-${i}`).toBe(1);
  });

  it('a truncated gzip: every whole record before the cut is sent (a partial batch too), then exit 1 naming the byte offset', async () => {
    const gz = gzipSync(ndjson(range(1, 301).map((i) => fileEvent(i))));
    const file = join(dir, `trunc${++seq}.ndjson.gz`);
    const cut = gz.length - 200;
    writeFileSync(file, gz.subarray(0, cut));
    const r = await send([file, '--batch-size', '100', '--concurrency', '1', '--json']);
    expect(r.code).toBe(1);
    const rep = r.report as Record<string, number | string | boolean>;
    expect(rep.records).toBeGreaterThan(100);
    expect(rep.records).toBeLessThan(300);
    expect(rep).toMatchObject({ accepted: rep.records, failed: 0, notSent: 0, complete: false });
    expect(rep.error).toBe(
      `${file}: the gzip data ends early, at byte ${cut} of the compressed input (truncated file?); the ${rep.records} records before it were read`,
    );
    expect(mock.stats().transactions.accepted).toBe(rep.records);
    // Human report: the same message, and no claim that the run is complete.
    mock.reset();
    rmSync(Checkpoint.defaultPath(file));
    const human = await send([file, '--batch-size', '100']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`error: ${file}: the gzip data ends early, at byte ${cut}`);
  });

  it('bad credentials: exit 3 with a hint, nothing accepted, the secret never printed', async () => {
    const file = write([fileEvent(1)]);
    const r = await send([file, '--json'], { env: { ...env, KARD_CLIENT_SECRET: 'not-the-secret' } });
    expect(r.code).toBe(3);
    expect(r.report).toMatchObject({ accepted: 0, failed: 1, complete: false });
    expect(r.report!.error).toMatch(/401|credentials|client/i);
    expect(r.stdout + r.stderr).not.toContain('not-the-secret');
  });

  it('--no-dedupe sends a repeated event id (Kard then dedupes it, R10)', async () => {
    const file = write([fileEvent(1), fileEvent(1)]);
    const r = await send([file, '--no-dedupe', '--json']);
    expect(r.report).toMatchObject({ records: 2, invalid: 0, sent: 2 });
    const d = await send([write([fileEvent(1), fileEvent(1)]), '--json']);
    expect(d.report).toMatchObject({ records: 2, invalid: 1, sent: 1 });
  });

  it('legacy and v2 records of one file go to their own endpoints, each accounted', async () => {
    const file = write([legacyRecord(1), fileEvent(1), legacyRecord(2), fileEvent(2, { cardBIN: 'x' })]);
    const r = await send([file, '--json']);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ records: 4, accepted: 3, invalid: 1, batches: 2 });
    expect(mock.stats().legacyIncoming.accepted).toBe(2);
    expect(mock.stats().transactions.accepted).toBe(1);
  });

  it('stdin: no checkpoint unless --checkpoint is given; with one, --resume works', async () => {
    const input = ndjson(range(1, 6).map((i) => fileEvent(i)));
    const plain = await send(['-', '--json'], { input });
    expect(plain.report).toMatchObject({ accepted: 5, checkpoint: null, complete: true });
    const cp = join(dir, 'stdin.kard-checkpoint');
    const withCp = await send(['-', '--checkpoint', cp, '--json'], { input });
    expect(withCp.report).toMatchObject({ accepted: 5, checkpoint: cp });
    const resumed = await send(['-', '--checkpoint', cp, '--resume', '--json'], { input });
    expect(resumed.report).toMatchObject({ skipped: 5, accepted: 0 });
    const noCp = await send(['-', '--resume'], { input });
    expect(noCp.code).toBe(2);
    expect(noCp.stderr).toMatch(/--resume with stdin needs --checkpoint/);
  });
});

describe('kard transactions send interrupted (SIGINT / SIGTERM)', () => {
  // The signals are emitted on this process: only the handlers runSend installs receive them.
  it('the first Ctrl-C finishes the requests in flight and stops reading: exit 130, resumable', async () => {
    const file = write(range(1, 301).map((i) => fileEvent(i)));
    mock.faults.set({ match: '/transactions', latencyMs: 250 });
    const running = send([file, '--batch-size', '10', '--concurrency', '2', '--json'], { tty: true });
    await waitFor(() => mock.stats().transactions.accepted >= 20, '20 records accepted');
    process.emit('SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    // The last frame shows what was finished, not a full bar.
    const last = frameList(r.stderr.replace(/\nkard: interrupted[^\n]*\n/, '')).at(-1)!;
    expect(last.finished).toBe((r.report as Record<string, number>).accepted);
    // Not all of the file was read: its record count is estimated from the share of bytes read.
    expect(last.total).toBeGreaterThan(250);
    expect(last.total).toBeLessThan(350);
    expect(last.pct).toBe(Math.floor(((r.report as Record<string, number>).accepted * 100) / last.total!));
    expect(last.pct).toBeLessThan(100);
    expect(r.stderr).toMatch(/interrupted; finishing the requests in flight \(Ctrl-C again to abort them\)/);
    expect(r.report).toMatchObject({ interrupted: true, complete: false, failed: 0 });
    const rep = r.report as Record<string, number>;
    expect(rep.accepted).toBe(mock.stats().transactions.accepted);
    expect(rep.accepted).toBeLessThan(300);
    expect(process.listenerCount('SIGINT')).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(0);
    mock.faults.clear();
    const again = await send([file, '--resume', '--json'], { tty: true });
    expect(again.report).toMatchObject({ skipped: rep.accepted, accepted: 300 - rep.accepted });
    // Resumed: the skipped records fill the bar but are named apart (the rate and ETA leave them out).
    const frames = frameList(again.stderr);
    for (const f of frames) expect(f.earlier, f.text).toBe(rep.accepted);
    expect(frames.at(-1)).toMatchObject({ finished: 300, total: 300, pct: 100, eta: '0s' });
  });

  it('a second signal aborts the requests in flight (SIGTERM counts too)', async () => {
    // A mock of its own: its slow requests must not reach the later tests.
    const slow = await startMockKard({});
    try {
      const file = write(range(1, 101).map((i) => fileEvent(i)));
      // The first batch is answered at once, every later one only after 5 s.
      slow.faults.set({
        match: '/transactions',
        sequence: [{ latencyMs: 1 }],
        rate: 1,
        step: { latencyMs: 5_000 },
      });
      const running = send([file, '--batch-size', '10', '--concurrency', '2', '--json'], {
        env: cleanEnv(dir, mockEnv(slow)),
      });
      await waitFor(() => slow.stats().transactions.accepted >= 10, 'the first batch accepted');
      process.emit('SIGTERM');
      process.emit('SIGINT');
      const r = await running;
      expect(r.code).toBe(130);
      // The slow requests were aborted, not waited for: their records stay unfinished.
      // (The first batch's answer may or may not have reached the client before the abort.)
      expect(r.report).toMatchObject({ interrupted: true, complete: false });
      expect(r.report!.accepted).toBeLessThanOrEqual(10);
      expect(r.report!.failed).toBeGreaterThanOrEqual(10);
      expect(r.stderr.match(/interrupted;/g)).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});

describe('kard transactions send (human report)', () => {
  it('prints the counts, where the rejected records are, and how to resume', async () => {
    const file = write([
      fileEvent(1),
      fileEvent(2, { cardBIN: '1' }),
      ...range(3, 23).map((i) => fileEvent(i)),
    ]);
    mock.faults.set({ match: '/transactions', sequence: [{ latencyMs: 0 }], rate: 1, step: { status: 503 } });
    const rejected = join(dir, 'rej-human.ndjson');
    const r = await send([
      file,
      '--batch-size',
      '5',
      '--concurrency',
      '1',
      '--max-retries',
      '0',
      '--rejected',
      rejected,
    ]);
    expect(r.code).toBe(3);
    const out = r.stdout;
    expect(out).toMatch(/^records {3}\d+\n/);
    expect(out).toMatch(/\naccepted {2}5\n/);
    expect(out).toMatch(/\nrejected {2}0 by the API, 1 invalid \(not sent\)\n/);
    expect(out).toMatch(/\nnot sent {2}\d+ \(5 in failed requests\)\n/);
    expect(out).toMatch(/\nrequests {2}1 batches, 0 retries, \d+s, \d+ records\/s\n/);
    expect(out).toContain(`rejected records and reasons: ${rejected}`);
    expect(out).toMatch(/\nerror: .*503/);
    expect(out).toContain(
      `run again with --resume to continue (checkpoint: ${Checkpoint.defaultPath(file)})`,
    );

    mock.faults.clear();
    const again = await send([file, '--resume']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^records {3}22 \(6 already done in an earlier run, skipped\)\n/);
    expect(again.stdout).toMatch(/\naccepted {2}16\n/);
    expect(again.stdout).toMatch(/\nrejected {2}0 by the API, 0 invalid \(not sent\)\n/);
    expect(again.stdout).not.toMatch(/not sent {2}|error:|--resume|rejected records/);
  });

  it('without --rejected it says how to keep the rejected records; warnings are counted', async () => {
    const file = write([fileEvent(1), fileEvent(2, { cardBIN: '1' })]);
    const r = await send([file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('add --rejected <file> to keep the rejected records with their reasons');
    expect(r.stdout).not.toMatch(/warnings/);
    const noBin = JSON.parse(JSON.stringify(legacyRecord(2, { cardBIN: undefined }))); // R25: a warning
    const warned = await send([write([legacyRecord(1), noBin])]);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toMatch(/\nwarnings {2}1 \(see: kard transactions validate\)\n/);
    expect(warned.stdout).not.toMatch(/rejected records|add --rejected/);
  });

  it('on a terminal (stderr) it draws progress; --no-progress does not', async () => {
    const file = write([...range(1, 10).map((i) => fileEvent(i)), fileEvent(10, { cardBIN: '1' })]);
    const r = await send([file, '--json'], { tty: true });
    // The final redraw: every record finished, the rejected count.
    expect(r.stderr).toMatch(
      /sending \[#{24}\] 100% {2}10\/10 records {2}\d+ rec\/s {2}ETA 0s {2}1 rejected\n$/,
    );
    // From stdin the size is unknown until the end: no bar, no percentage, no ETA.
    const piped = await send(['-', '--json'], { tty: true, input: ndjson([fileEvent(11)]) });
    const draws = piped.stderr.split('\r').filter(Boolean);
    expect(draws.length).toBeGreaterThan(1);
    for (const d of draws.slice(0, -1))
      expect(d.replace('\u001b[2K', '')).toMatch(
        /^sending [01] records {2}\d+ rec\/s {2}ETA -- {2}0 rejected$/,
      );
    expect(draws.at(-1)).toMatch(/100% {2}1\/1 records/);
    const quiet = await send([write(range(1, 11).map((i) => fileEvent(i))), '--json', '--no-progress'], {
      tty: true,
    });
    expect(quiet.stderr).toBe('');
  });

  it('the bar counts records acknowledged by Kard, not bytes read', async () => {
    // ~100 KiB: read in two reads, long before the first batch is answered.
    const big = write(range(1, 401).map((i) => fileEvent(i, { description: 'x'.repeat(200) })));
    mock.faults.set({ match: '/transactions', latencyMs: 150 });
    const r = await send([big, '--json', '--batch-size', '100', '--concurrency', '1'], { tty: true });
    expect(r.code).toBe(0);
    const frames = frameList(r.stderr);
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames) {
      // Whole batches only: a count between two answers would be bytes or records merely read.
      expect(f.finished % 100, f.text).toBe(0);
      expect(f.pct, f.text).toBe(Math.floor((f.finished * 100) / f.total!));
    }
    // The whole file is read long before the last answer: a bar of bytes read would be full early.
    expect(frames[0]!.pct).toBeLessThan(100);
    expect(frames.at(-1)).toMatchObject({ finished: 400, total: 400, pct: 100 });
  });
});

/** The frames of a progress bar drawn on stderr: percentage, records finished (of total), done earlier. */
function frameList(stderr: string) {
  return stderr
    .split('\r')
    .filter(Boolean)
    .map((d) => d.replace('\u001b[2K', '').trimEnd())
    .map((text) => {
      const m =
        /^sending (?:\[[#-]{24}\] +(\d+)% {2})?(\d+)(?:\/(\d+))? records(?: \((\d+) done earlier\))? {2}(\d+) rec\/s {2}ETA (\S+)/.exec(
          text,
        );
      if (!m) throw new Error(`not a progress frame: ${JSON.stringify(text)}`);
      return {
        text,
        pct: m[1] === undefined ? undefined : Number(m[1]),
        finished: Number(m[2]),
        total: m[3] === undefined ? undefined : Number(m[3]),
        earlier: m[4] === undefined ? 0 : Number(m[4]),
        rate: Number(m[5]),
        eta: m[6],
      };
    });
}

describe('runSend', () => {
  const io = (): Io => ({
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: { ...env, KARD_NO_GC: '1' },
  });
  const base: SendOptions = { batchSize: 10, concurrency: 1, maxRetries: 0 };
  it('refuses more than 500 records per request (R11)', async () => {
    await expect(runSend(write([fileEvent(1)]), { ...base, batchSize: 501 }, {}, io())).rejects.toThrow(
      UsageError,
    );
    await expect(runSend(write([fileEvent(1)]), { ...base, batchSize: 501 }, {}, io())).rejects.toThrow(
      /at most 500 \(R11\)/,
    );
    expect(posts()).toHaveLength(0);
  });

  it('collects garbage between batches unless KARD_NO_GC is set', async () => {
    const g = globalThis as { gc?: () => void };
    const saved = g.gc;
    let calls = 0;
    g.gc = () => {
      calls++;
    };
    try {
      mock.faults.set({ match: '/transactions', latencyMs: 120 });
      const file = write(range(1, 5).map((i) => fileEvent(i)));
      const withGc = { ...io(), env: { ...env } };
      expect(await runSend(file, { ...base, batchSize: 1 }, {}, withGc)).toBe(0);
      expect(calls).toBeGreaterThan(0);
      calls = 0;
      expect(
        await runSend(write(range(1, 5).map((i) => fileEvent(i))), { ...base, batchSize: 1 }, {}, io()),
      ).toBe(0);
      expect(calls).toBe(0);
    } finally {
      g.gc = saved;
    }
  });
});

describe('kard transactions send: what the progress bar counts', () => {
  it('invalid records and records the API rejects are finished too, and counted as rejected', async () => {
    const file = write([
      fileEvent(1),
      fileEvent(2, { cardBIN: '1' }),
      ...range(3, 8).map((i) => fileEvent(i)),
    ]);
    mock.faults.set({
      match: '/transactions',
      sequence: [
        {
          status: 207,
          body: {
            errors: [{ status: '400', detail: 'unknown user', source: { pointer: '/data/1' } }],
            data: [],
          },
        },
      ],
    });
    const r = await send([file, '--batch-size', '3', '--concurrency', '1', '--json'], { tty: true });
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ records: 7, invalid: 1, rejected: 1, accepted: 5 });
    const last = frameList(r.stderr).at(-1)!;
    expect(last).toMatchObject({ finished: 7, total: 7, pct: 100, earlier: 0, eta: '0s' });
    expect(last.text).toMatch(/ {2}2 rejected$/);
  });

  it('a truncated gzip read from stdin: the bar ends on the records read', async () => {
    const gz = gzipSync(ndjson(range(1, 301).map((i) => fileEvent(i))));
    const stdin = gz.subarray(0, gz.length - 200);
    const r = await runIn(['transactions', 'send', '-', '--json'], { env, input: stdin, stderrTTY: true });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, number>;
    const last = frameList(r.stderr).at(-1)!;
    expect(last).toMatchObject({ finished: report.records, total: report.records, pct: 100 });
  });
});

/** Open file descriptors of this process that point at `path` (Linux /proc). */
const fdsOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });

describe('kard transactions send: edges of the run', () => {
  it('without --rejected, each finished batch is still checkpointed, and nothing else is written there', async () => {
    const file = write(range(1, 6).map((i) => fileEvent(i)));
    const r = await send([file, '--batch-size', '2', '--concurrency', '1', '--json']);
    expect(r.code).toBe(0);
    const cp = readFileSync(Checkpoint.defaultPath(file), 'utf8').trim().split('\n');
    expect(cp.slice(1)).toEqual(['[1,2]', '[3,4]', '[5,5]', expect.stringMatching(/^\{"complete":true/)]);
  });

  it('stdin without a checkpoint: an invalid record is reported, nothing to checkpoint', async () => {
    const r = await send(['-', '--json'], { input: ndjson([fileEvent(1), fileEvent(2, { cardBIN: '1' })]) });
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ records: 2, accepted: 1, invalid: 1, checkpoint: null });
  });

  it('many requests in flight share one abort signal without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      mock.faults.set({ match: '/transactions', latencyMs: 100 });
      const file = write(range(1, 161).map((i) => fileEvent(i)));
      const r = await send([file, '--batch-size', '1', '--concurrency', '64', '--json']);
      expect(r.report).toMatchObject({ accepted: 160 });
      // warnings are emitted on the next tick
      await new Promise((res) => setImmediate(res));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('an error the API does not tie to an item is written to --rejected with record null, and counts no record', async () => {
    mock.faults.set({
      match: '/transactions',
      sequence: [
        { status: 207, body: { errors: [{ status: '400', detail: 'batch-level note' }], data: [] } },
      ],
    });
    const file = write(range(1, 3).map((i) => fileEvent(i)));
    const rejected = join(dir, 'rej-unmatched.ndjson');
    const r = await send([file, '--rejected', rejected, '--json']);
    expect(r.report).toMatchObject({ records: 2, rejected: 0 });
    expect(lines(rejected)).toEqual([
      {
        record: null,
        id: null,
        stage: 'api',
        error: expect.objectContaining({ detail: 'batch-level note' }),
        data: null,
      },
    ]);
  });

  it('a failed request while the reader waits for room: the run ends (exit 3) instead of hanging', async () => {
    mock.faults.set({ match: '/transactions', sequence: [{ status: 503 }] });
    const file = write(range(1, 51).map((i) => fileEvent(i)));
    const r = await send([file, '--batch-size', '1', '--concurrency', '1', '--max-retries', '0', '--json']);
    expect(r.code).toBe(3);
    expect(r.report).toMatchObject({ failed: 1, accepted: 0, complete: false });
  });

  it('Ctrl-C: only whole batches go out, reading stops, and the report shows no error', async () => {
    mock.faults.set({ match: '/transactions', latencyMs: 300 });
    const file = write(range(1, 1001).map((i) => fileEvent(i)));
    const running = send([file, '--batch-size', '100', '--concurrency', '1']);
    await waitFor(() => mock.stats().transactions.accepted >= 100, 'the first batch accepted');
    process.emit('SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    const records = Number(/^records {3}(\d+)\n/.exec(r.stdout)?.[1]);
    const accepted = Number(/\naccepted {2}(\d+)\n/.exec(r.stdout)?.[1]);
    // Only whole batches went out: the one in flight and one already filled; never a partial one.
    expect(accepted % 100, r.stdout).toBe(0);
    expect(accepted).toBeLessThan(1000);
    expect(mock.stats().transactions.accepted).toBe(accepted);
    expect(records).toBeLessThan(1000);
    expect(r.stdout).not.toMatch(/error:/);
  });

  it('--rejected is closed when the run ends', async () => {
    const rejected = join(dir, 'rej-closed.ndjson');
    const r = await send([write([fileEvent(1, { cardBIN: '1' })]), '--rejected', rejected, '--json']);
    expect(r.code).toBe(1);
    expect(fdsOn(rejected)).toEqual([]);
  });

  it('--max-retries also bounds the token request', async () => {
    mock.faults.set({ match: '/auth/token', sequence: [{ status: 503 }] });
    const r = await send([write([fileEvent(1)]), '--max-retries', '0', '--json']);
    expect(r.code).toBe(3);
    expect(mock.stats().transactions.accepted).toBe(0);
  });

  it('a CSV header that is one ;-separated column stops the run with the hint (exit 2), nothing sent', async () => {
    const csv = join(dir, `semi${++seq}.csv`);
    writeFileSync(csv, 'type;id;attributes.amount\ntransaction;evt-1;100\n');
    const r = await send([csv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/looks like ';'-separated; use --delimiter ';'/);
    expect(posts()).toHaveLength(0);
  });
});
