// `kard transactions send` in this process against the mock Kard on loopback: edges of the run that
// test/send-inprocess.test.ts leaves open (a read error mid-stream, the human report's conditional
// lines, the --rejected entry of a duplicate id, how often a long run collects garbage).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { MockKard } from '@kardkit/mock-server';
import { describe, expect, it } from 'vitest';
import { runSend, type SendOptions } from '../src/commands/send.js';
import { GC_INTERVAL_MS } from '../src/gc.js';
import type { Io } from '../src/output.js';
import { fileEvent, fileWriter, ndjson, range, runIn, useMockSandbox } from './helpers.js';

let dir: string;
let mock: MockKard;
let env: NodeJS.ProcessEnv;
useMockSandbox({ maxRecordedRequests: 5000 }, (s) => {
  ({ dir, mock, env } = s);
});

const write = fileWriter(() => dir, 'edge');
const posts = () => mock.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/transactions'));
const send = (args: string[]) => runIn(['transactions', 'send', ...args], { env });

/** An Io for runSend with captured output (progress off: stderr is not a terminal). */
function io(stdin: Readable, extraEnv: NodeJS.ProcessEnv = { KARD_NO_GC: '1' }): Io & { out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.setEncoding('utf8').on('data', (d: string) => {
    text += d;
  });
  return {
    stdout,
    stderr: new PassThrough(),
    stdin,
    env: { ...env, ...extraEnv },
    out: () => text,
  };
}
const base: SendOptions = { batchSize: 10, concurrency: 1, maxRetries: 0 };

describe('kard transactions send: a read error that is not a damaged gzip', () => {
  it('stops the run: the batch being filled is not sent, and the error reaches the caller', async () => {
    // stdin delivers three whole records, then the pipe breaks (not an InputError: no partial send).
    const stdin = Readable.from(
      (async function* () {
        yield Buffer.from(ndjson(range(1, 4).map((i) => fileEvent(i))));
        throw new Error('stdin: connection reset by peer');
      })(),
    );
    await expect(runSend('-', { ...base, json: true }, {}, io(stdin))).rejects.toThrow(
      'stdin: connection reset by peer',
    );
    // Three records wait in a batch of ten: with the run stopped, none of them goes out.
    expect(posts()).toHaveLength(0);
    expect(mock.receivedCount('evt-1')).toBe(0);
  });
});

describe('kard transactions send (human report): the conditional lines', () => {
  it('a request that fails with nothing left unread: its records are reported not sent', async () => {
    mock.faults.set({ match: '/transactions', rate: 1, step: { status: 503 } });
    const r = await send([write([fileEvent(1)]), '--max-retries', '0']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\nnot sent {2}1 \(1 in failed requests\)\n/);
  });

  it('a clean run with --rejected does not point at the (empty) rejected file', async () => {
    const rejected = join(dir, 'rej-clean.ndjson');
    const r = await send([write(range(1, 4).map((i) => fileEvent(i))), '--rejected', rejected]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\naccepted {2}3\n/);
    expect(r.stdout).not.toMatch(/rejected records|add --rejected/);
    expect(readFileSync(rejected, 'utf8')).toBe('');
  });
});

describe('kard transactions send: a duplicate event id (R10)', () => {
  it('goes to --rejected as a validation issue; send keeps no record number per id, so it names none', async () => {
    const rejected = join(dir, 'rej-dup.ndjson');
    const file = write([fileEvent(1), fileEvent(2), fileEvent(1, { transactionId: 'other' })]);
    const r = await send([file, '--rejected', rejected, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 3, accepted: 2, invalid: 1 });
    const out = readFileSync(rejected, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toEqual([
      {
        record: 3,
        id: 'evt-1',
        stage: 'validation',
        issues: [
          {
            path: 'id',
            rule: 'R10',
            severity: 'error',
            message:
              'duplicate event id "evt-1": an earlier record already uses it; each distinct event needs a unique id',
          },
        ],
        data: expect.objectContaining({ id: 'evt-1' }),
      },
    ]);
    expect(mock.receivedCount('evt-1')).toBe(1);
  });
});

describe('kard transactions send: garbage collection in a long run', () => {
  it(`collects at most once per ${GC_INTERVAL_MS} ms, not after every batch`, async () => {
    const g = globalThis as { gc?: () => void };
    const saved = g.gc;
    let calls = 0;
    g.gc = () => {
      calls++;
    };
    try {
      // Many quick one-record requests: far more batches than GC intervals.
      const file = write(range(1, 101).map((i) => fileEvent(i)));
      const run = io(Readable.from([]), {});
      const started = Date.now();
      expect(await runSend(file, { ...base, batchSize: 1, json: true }, {}, run)).toBe(0);
      const elapsed = Date.now() - started;
      const report = JSON.parse(run.out()) as { batches: number };
      expect(report.batches).toBe(100);
      // Each collection comes at least GC_INTERVAL_MS after the previous one (or the start).
      expect(calls).toBeLessThanOrEqual(Math.floor(elapsed / GC_INTERVAL_MS));
      expect(calls).toBeLessThan(report.batches);
    } finally {
      g.gc = saved;
    }
  });
});
