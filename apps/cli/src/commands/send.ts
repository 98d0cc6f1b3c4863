import { setMaxListeners } from 'node:events';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type BodyBuilder, BodyPool } from '../body.js';
import { Checkpoint } from '../checkpoint.js';
import type { GlobalFlags } from '../config.js';
import { EXIT, UsageError } from '../errors.js';
import { type InputFormat, openInput, readRecords } from '../io/records.js';
import { Judge, type RecordSchema } from '../judge.js';
import { formatDuration, type Io, Progress, paint, useColor, writeJson } from '../output.js';
import { openSession } from '../session.js';
import { type BatchOutcome, describeError, makeBatchSender } from './transport.js';

export interface SendOptions {
  format?: InputFormat | undefined;
  schema?: RecordSchema | undefined;
  batchSize: number;
  concurrency: number;
  maxRetries: number;
  rejected?: string | undefined;
  resume?: boolean | undefined;
  checkpoint?: string | undefined;
  progress?: boolean | undefined;
  dedupe?: boolean | undefined;
  json?: boolean | undefined;
}

export interface SendReport {
  file: string;
  records: number;
  skipped: number;
  valid: number;
  invalid: number;
  sent: number;
  accepted: number;
  rejected: number;
  failed: number;
  notSent: number;
  warnings: number;
  batches: number;
  retried: number;
  durationMs: number;
  recordsPerSecond: number;
  checkpoint: string | null;
  complete: boolean;
  interrupted: boolean;
  error: string | null;
}

interface Batch {
  schema: RecordSchema;
  /** the request body, built as records arrive: each record's own JSON text (the NDJSON line as
   *  read, or one JSON.stringify of a CSV/JSON record) */
  body: BodyBuilder;
}

function parseOr(raw: string | undefined): unknown {
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * A full GC every GC_INTERVAL_MS (checked as batches finish) keeps the peak RSS of a long send
 * flat (the same at 10^5 and 10^6 records): V8 otherwise lets old space and the external buffers of
 * finished requests grow with run time. It costs ~10 ms per call on this small heap (a few % of the
 * run). Opt out: KARD_NO_GC=1.
 */
const GC_INTERVAL_MS = 100;

function gcHook(env: NodeJS.ProcessEnv): (() => void) | undefined {
  if (env.KARD_NO_GC) return undefined;
  try {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (existing) return existing;
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** Consecutive runs of ascending record numbers, for compact checkpoint lines. */
function runs(ns: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  let from = ns[0];
  let prev = from;
  if (from === undefined || prev === undefined) return out;
  for (let i = 1; i < ns.length; i++) {
    const n = ns[i]!;
    if (n !== prev + 1) {
      out.push([from, prev]);
      from = n;
    }
    prev = n;
  }
  out.push([from, prev]);
  return out;
}

export async function runSend(file: string, opts: SendOptions, flags: GlobalFlags, io: Io): Promise<number> {
  if (opts.batchSize > 500) throw new UsageError('--batch-size is at most 500 (R11)');
  if (file === '-' && opts.resume && !opts.checkpoint) {
    throw new UsageError('--resume with stdin needs --checkpoint <file>');
  }
  const input = openInput(file, io.stdin as never);
  const checkpointPath = opts.checkpoint ?? (file === '-' ? undefined : Checkpoint.defaultPath(file));
  const checkpoint = checkpointPath ? Checkpoint.open(checkpointPath, file, opts.resume === true) : undefined;
  const rejectedFd = opts.rejected ? openSync(opts.rejected, opts.resume ? 'a' : 'w', 0o600) : undefined;
  const session = await openSession(flags, io, { maxRetries: opts.maxRetries });
  const started = Date.now();
  const judge = new Judge(opts.schema, { dedupe: opts.dedupe !== false, recordNumbers: false });
  const progress = new Progress(io.stderr, opts.progress !== false && io.stderr.isTTY === true, 'sending');
  const size = file !== '-' ? input : undefined;
  const totalBytes = file === '-' ? 0 : statSync(file).size;
  const r: SendReport = {
    file,
    records: 0,
    skipped: 0,
    valid: 0,
    invalid: 0,
    sent: 0,
    accepted: 0,
    rejected: 0,
    failed: 0,
    notSent: 0,
    warnings: 0,
    batches: 0,
    retried: 0,
    durationMs: 0,
    recordsPerSecond: 0,
    checkpoint: checkpointPath ?? null,
    complete: false,
    interrupted: false,
    error: null,
  };

  let rejectedBuf = '';
  const flushRejected = () => {
    if (rejectedFd !== undefined && rejectedBuf.length > 0) {
      writeSync(rejectedFd, rejectedBuf);
      rejectedBuf = '';
    }
  };
  const reject = (line: Record<string, unknown>) => {
    if (rejectedFd !== undefined) rejectedBuf += `${JSON.stringify(line)}\n`;
  };

  const collectGarbage = gcHook(io.env);
  let lastGc = Date.now();
  const pool = new BodyPool();
  const sender = makeBatchSender(session, { maxRetries: opts.maxRetries });
  const controller = new AbortController();
  // One signal shared by every request in flight (each adds an abort listener while it runs).
  setMaxListeners(opts.concurrency * 4 + 16, controller.signal);
  let stopping = false;
  let fatal: unknown;
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    r.interrupted = true;
    stopping = true;
    if (sigints === 1)
      io.stderr.write('\nkard: interrupted; finishing the requests in flight (Ctrl-C again to abort them)\n');
    else controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const inflight = new Set<Promise<void>>();
  const pendingInvalid: number[] = [];

  const finishBatch = (b: Batch, outcome: BatchOutcome) => {
    r.batches++;
    const now = Date.now();
    if (collectGarbage && now - lastGc >= GC_INTERVAL_MS) {
      lastGc = now;
      collectGarbage();
    }
    r.retried += outcome.retried;
    r.sent += b.body.count;
    let matched = 0;
    for (const rej of outcome.rejected) {
      if (rej.index !== undefined) matched++;
      reject({
        record: rej.index !== undefined ? (b.body.records[rej.index] ?? null) : null,
        id: rej.id ?? (rej.index !== undefined ? b.body.id(rej.index) : null),
        stage: 'api',
        error: rej.error,
        data: rej.index !== undefined ? parseOr(b.body.record(rej.index)) : (rej.item ?? null),
      });
    }
    r.rejected += matched;
    r.accepted += b.body.count - matched;
    // Reasons first, then the checkpoint: a crash in between re-sends, never loses.
    flushRejected();
    if (checkpoint) for (const [a, z] of runs(b.body.records)) checkpoint.mark(a, z);
  };

  const launch = (b: Batch) => {
    const p = sender(b.schema, b.body, controller.signal).then(
      (outcome) => finishBatch(b, outcome),
      (e: unknown) => {
        const d = describeError(e);
        if (d.exitCode === EXIT.data) {
          // The whole batch was refused for its content (e.g. 400): its records are rejected, not lost.
          finishBatch(b, {
            retried: 0,
            rejected: Array.from({ length: b.body.count }, (_, index) => ({
              index,
              id: b.body.id(index),
              error: d.error,
            })),
          });
          return;
        }
        r.failed += b.body.count;
        if (!fatal) fatal = e;
        stopping = true;
      },
    );
    const tracked = p.finally(() => {
      inflight.delete(tracked);
      pool.release(b.body);
    });
    inflight.add(tracked);
  };

  const batches: Record<RecordSchema, Batch> = {
    v2: { schema: 'v2', body: pool.acquire(false) },
    legacy: { schema: 'legacy', body: pool.acquire(true) },
  };
  const flushBatch = async (schema: RecordSchema, force: boolean) => {
    const b = batches[schema];
    if (b.body.count === 0 || (!force && b.body.count < opts.batchSize)) return;
    batches[schema] = { schema, body: pool.acquire(schema === 'legacy') };
    launch(b);
    while (inflight.size >= opts.concurrency) await Promise.race(inflight);
  };

  let firstChunk = true;
  const doneCount = () => r.skipped + r.invalid + r.accepted + r.rejected;

  try {
    outer: for await (const chunk of readRecords(input, { file, format: opts.format })) {
      if (firstChunk) {
        firstChunk = false;
        judge.hintFromSample(chunk, totalBytes);
      }
      for (const rec of chunk) {
        if (stopping) break outer;
        r.records++;
        if (checkpoint?.done.has(rec.n)) {
          r.skipped++;
          judge.remember(rec);
          continue;
        }
        const v = judge.judge(rec);
        // Let the parsed object go now: the rest of this chunk may wait for a free request slot.
        rec.value = undefined;
        rec.raw = undefined;
        r.warnings += v.issues.filter((i) => i.severity === 'warning').length;
        if (!v.valid) {
          r.invalid++;
          reject({
            record: v.n,
            id: v.id,
            stage: 'validation',
            issues: v.issues.map((i) => ({
              path: i.path,
              rule: i.rule ?? null,
              severity: i.severity,
              message: i.message,
            })),
            data: v.value ?? null,
          });
          pendingInvalid.push(v.n);
          continue;
        }
        r.valid++;
        const b = batches[v.schema];
        b.body.add(v.raw ?? JSON.stringify(v.value), v.n);
        if (b.body.count >= opts.batchSize) await flushBatch(v.schema, false);
      }
      if (pendingInvalid.length > 0) {
        flushRejected();
        if (checkpoint) for (const [a, z] of runs(pendingInvalid)) checkpoint.mark(a, z);
        pendingInvalid.length = 0;
      }
      const frac =
        totalBytes > 0 && size?.bytesRead !== undefined
          ? Math.min(1, size.bytesRead / totalBytes)
          : undefined;
      progress.update(doneCount(), frac, `${r.invalid + r.rejected} rejected`);
    }
    if (!stopping) {
      await flushBatch('v2', true);
      await flushBatch('legacy', true);
    }
    while (inflight.size > 0) {
      await Promise.race(inflight);
      progress.update(doneCount(), undefined, `${r.invalid + r.rejected} rejected`);
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    if (pendingInvalid.length > 0) {
      flushRejected();
      if (checkpoint) for (const [a, z] of runs(pendingInvalid)) checkpoint.mark(a, z);
    }
    flushRejected();
    if (rejectedFd !== undefined) closeSync(rejectedFd);
    progress.update(doneCount(), 1, `${r.invalid + r.rejected} rejected`, true);
    progress.done();
    await session.close();
    if (input !== io.stdin) input.destroy?.();
  }

  r.durationMs = Date.now() - started;
  r.recordsPerSecond =
    r.durationMs > 0 ? Math.round(((r.accepted + r.rejected + r.invalid) * 1000) / r.durationMs) : 0;
  r.notSent = r.records - r.skipped - r.invalid - r.accepted - r.rejected - r.failed;
  r.complete = !stopping && r.failed === 0 && !r.interrupted;
  if (fatal) r.error = describeError(fatal).message;
  if (checkpoint) {
    if (r.complete) checkpoint.finish({ records: r.records, at: new Date().toISOString() });
    checkpoint.close();
  }

  if (opts.json) writeJson(io, r);
  else printReport(r, io, opts);

  if (r.interrupted) return 130;
  if (fatal) return describeError(fatal).exitCode === EXIT.usage ? EXIT.usage : EXIT.api;
  return r.invalid + r.rejected > 0 ? EXIT.data : EXIT.ok;
}

function printReport(r: SendReport, io: Io, opts: SendOptions): void {
  const p = paint(useColor(io.stdout, io.env));
  const lines = [
    `${p.bold('records')}   ${r.records}${r.skipped ? ` (${r.skipped} already done in an earlier run, skipped)` : ''}`,
    `${p.bold('accepted')}  ${p.green(String(r.accepted))}`,
    `${p.bold('rejected')}  ${r.rejected ? p.red(String(r.rejected)) : '0'} by the API, ${r.invalid ? p.red(String(r.invalid)) : '0'} invalid (not sent)`,
  ];
  if (r.failed || r.notSent) {
    lines.push(
      `${p.bold('not sent')}  ${p.red(String(r.failed + r.notSent))} (${r.failed} in failed requests)`,
    );
  }
  lines.push(
    `${p.bold('requests')}  ${r.batches} batches, ${r.retried} retries, ${formatDuration(r.durationMs / 1000)}, ${r.recordsPerSecond} records/s`,
  );
  if (r.warnings) lines.push(`${p.bold('warnings')}  ${r.warnings} (see: kard transactions validate)`);
  if ((r.invalid || r.rejected) && opts.rejected)
    lines.push(`rejected records and reasons: ${opts.rejected}`);
  else if (r.invalid || r.rejected)
    lines.push('add --rejected <file> to keep the rejected records with their reasons');
  if (r.error) lines.push(p.red(`error: ${r.error}`));
  if (!r.complete && r.checkpoint)
    lines.push(`run again with --resume to continue (checkpoint: ${r.checkpoint})`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
