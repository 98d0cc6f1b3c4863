import { setMaxListeners } from 'node:events';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import type { BatchOutcome, SendReport as SdkSendReport } from '@kardkit/sdk';
import { Checkpoint } from '../checkpoint.js';
import type { GlobalFlags } from '../config.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { Feed } from '../feed.js';
import { GC_INTERVAL_MS, gcHook } from '../gc.js';
import { type InputFormat, openInput, readRecords } from '../io/records.js';
import { Judge, type RecordSchema } from '../judge.js';
import { formatDuration, type Io, Progress, paint, useColor, writeJson } from '../output.js';
import { openSession } from '../session.js';
import { describeError } from './failure.js';

export interface SendOptions {
  format?: InputFormat | undefined;
  delimiter?: string | undefined;
  maxRecordBytes?: number | undefined;
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

/** A validated record as handed to send(): its own JSON text, its id, and its record number as `ref`. */
interface Prepared {
  json: string;
  id: string | null;
  ref: number;
}

function parseOr(raw: string | undefined): unknown {
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
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

/**
 * Reads and validates the file here (with @kardkit/schemas, via Judge), and sends the valid records
 * through `KardClient.transactions.send` (`schema: 'legacy'` for legacy records): batches of ≤500
 * (R11), the client's OAuth token cache, retries (408/429/5xx/connection, Retry-After), timeouts,
 * typed errors and redaction. Records go in as prepared items (each record's own JSON text, spliced
 * into the request body by the SDK without being parsed again), and the SDK's per-batch outcomes
 * (`onBatch`) drive the accounting, --rejected and the checkpoint.
 */
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
  const controller = new AbortController();
  // One signal shared by every request in flight (each adds an abort listener while it runs).
  setMaxListeners(opts.concurrency * 8 + 16, controller.signal);
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

  /** Thrown into a feed on Ctrl-C: send() stops reading without sending the batch it is filling. */
  const INTERRUPTED = new Error('interrupted');
  /** Records finished in this run: acknowledged by Kard (accepted or rejected), or invalid and set aside. */
  const doneCount = () => r.invalid + r.accepted + r.rejected;
  let readAll = false;
  /** records the reader has handed over so far (whole chunks, whether or not processed yet) */
  let recordsRead = 0;
  /**
   * All records of the file: exact once it is read, else estimated from the share of its bytes read
   * so far (unknown for stdin). The bar moves with finished records, never with bytes read.
   */
  const total = (): number | undefined => {
    if (readAll) return r.records;
    const bytesRead = input.bytesRead;
    return bytesRead ? Math.max(recordsRead, Math.round((recordsRead * totalBytes) / bytesRead)) : undefined;
  };
  const showProgress = (force = false) =>
    progress.update(
      { done: doneCount(), skipped: r.skipped, total: total() },
      `${r.invalid + r.rejected} rejected`,
      force,
    );
  /** The input stopped being readable (truncated gzip): what was read is still sent, then exit 1. */
  let inputError: InputError | undefined;
  const pendingInvalid: number[] = [];
  /** Invalid records are done once their reasons are written: flush, then checkpoint them. */
  const settleInvalid = () => {
    flushRejected();
    if (checkpoint) for (const [a, z] of runs(pendingInvalid)) checkpoint.mark(a, z);
    pendingInvalid.length = 0;
  };

  const onBatch = (o: BatchOutcome) => {
    const now = Date.now();
    if (collectGarbage && now - lastGc >= GC_INTERVAL_MS) {
      lastGc = now;
      collectGarbage();
    }
    r.retried += o.retried;
    if (o.error !== undefined) {
      // The request failed as a whole (auth, retries exhausted, abort): its records stay unfinished.
      r.failed += o.sent;
      if (!fatal) fatal = o.error;
      stopping = true;
      return;
    }
    r.batches++;
    r.sent += o.sent;
    const refs = o.refs as number[];
    let matched = 0;
    for (const rej of o.rejected) {
      const i = rej.position !== undefined ? rej.position - o.start : undefined;
      if (i !== undefined) matched++;
      reject({
        record: i !== undefined ? (refs[i] ?? null) : null,
        id: rej.id,
        stage: 'api',
        error: rej.error,
        data: rej.item !== undefined ? parseOr((rej.item as { json: string }).json) : null,
      });
    }
    r.rejected += matched;
    r.accepted += o.accepted.length;
    // Reasons first, then the checkpoint: a crash in between re-sends, never loses.
    flushRejected();
    if (checkpoint) for (const [a, z] of runs(refs)) checkpoint.mark(a, z);
    showProgress();
  };

  // One send() per endpoint, started on the first record for it (a file may mix v2 and legacy).
  const feeds: Partial<Record<RecordSchema, Feed<Prepared>>> = {};
  const sends: Promise<SdkSendReport | undefined>[] = [];
  const feedFor = (schema: RecordSchema): Feed<Prepared> => {
    const existing = feeds[schema];
    if (existing) return existing;
    const feed = new Feed<Prepared>(opts.batchSize);
    feeds[schema] = feed;
    sends.push(
      session.client.transactions
        .send(feed, {
          schema,
          prepared: true,
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
          maxRetries: opts.maxRetries,
          signal: controller.signal,
          collectRejected: false,
          onBatch,
        })
        .catch((e: unknown) => {
          if (e !== INTERRUPTED && !fatal) fatal = e;
          stopping = true;
          // Wake the reader if it waits for room in a feed that will not be read any more.
          void feed.return();
          return undefined;
        }),
    );
    return feed;
  };

  let firstChunk = true;
  try {
    try {
      const read = readRecords(input, {
        file,
        format: opts.format,
        delimiter: opts.delimiter,
        maxRecordBytes: opts.maxRecordBytes,
      });
      outer: for await (const chunk of read) {
        recordsRead += chunk.length;
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
          const wait = feedFor(v.schema).push({
            json: v.raw ?? JSON.stringify(v.value),
            id: v.id,
            ref: v.n,
          });
          if (wait) await wait;
          // send() stopped reading (a request failed): stop too, its error comes with the outcome.
          if (feeds[v.schema]!.closed) stopping = true;
        }
        settleInvalid();
        showProgress();
      }
      if (!stopping) readAll = true;
    } catch (e) {
      if (e instanceof InputError) {
        // The records read before the damage are whole: send them, then report the damage.
        inputError = e;
        readAll = true;
      } else {
        stopping = true; // any other read error: nothing more is sent
        throw e;
      }
    } finally {
      // Normal end: send what is left. Stopped (Ctrl-C, a failed request, a read error): the batches
      // in flight finish and are recorded; the records not yet in a request are not sent.
      for (const feed of Object.values(feeds)) {
        if (stopping) feed.fail(INTERRUPTED);
        else feed.end();
      }
      await Promise.all(sends);
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    settleInvalid();
    flushRejected();
    if (rejectedFd !== undefined) closeSync(rejectedFd);
    // The last frame shows what was finished: 100 % only when every record was.
    showProgress(true);
    progress.done();
    await session.close();
    if (input !== io.stdin) input.destroy?.();
  }

  r.warnings = judge.warnings;
  r.durationMs = Date.now() - started;
  r.recordsPerSecond =
    r.durationMs > 0 ? Math.round(((r.accepted + r.rejected + r.invalid) * 1000) / r.durationMs) : 0;
  r.notSent = r.records - r.skipped - r.invalid - r.accepted - r.rejected - r.failed;
  r.complete = !stopping && r.failed === 0 && !r.interrupted && !inputError;
  const failure = fatal ? describeError(fatal) : undefined;
  if (failure) r.error = failure.message;
  else if (inputError)
    r.error = `${file}: ${inputError.message}; the ${r.records} records before it were read`;
  if (checkpoint) {
    if (r.complete) checkpoint.finish({ records: r.records, at: new Date().toISOString() });
    checkpoint.close();
  }

  if (opts.json) writeJson(io, r);
  else printReport(r, io, opts);

  if (r.interrupted) return EXIT.interrupted;
  if (failure) return failure.exitCode === EXIT.usage ? EXIT.usage : EXIT.api;
  return r.invalid + r.rejected > 0 || inputError ? EXIT.data : EXIT.ok;
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
