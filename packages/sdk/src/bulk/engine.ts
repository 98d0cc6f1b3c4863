/**
 * The batching engine behind transactions.send, legacy.transactions.send and users.uploads.send:
 * validates items as they stream in, fills batches of at most 500, keeps at most `concurrency` in
 * flight, matches the API's errors[] to items and reports. Memory stays bounded: only counts and
 * rejected items are kept.
 */
import { abortError } from '../core/backoff.js';
import type { KardLiteClient } from '../core/client-base.js';
import { idOf, type PartialResult, toPartialResult } from '../core/partial.js';
import { type BatchKind, loadSchemas, logWarnings } from '../core/schemas.js';
import type { Stats } from '../core/transport.js';
import { type ApiErrorObject, KardApiError, KardError, type ValidationIssue } from '../errors.js';
import type { BatchOutcome, PreparedItem, SendOptions, SendReport, Source } from './types.js';

const MAX_BATCH = 500;

export interface Engine {
  kind: BatchKind;
  validate: boolean;
  /** Sends one batch of valid items; resolves to the API's verdict. */
  send(items: unknown[], stats: Stats): Promise<PartialResult | { accepted: unknown[]; rejected: [] }>;
  /** Set when the items are PreparedItems: sends one built body. */
  prepared?: PreparedEngine;
}

export interface PreparedEngine {
  legacy: boolean;
  send(body: Uint8Array, stats: Stats): Promise<unknown>;
}

/** What one batch holds while it is filled and in flight. */
interface Batch {
  index: number;
  start: number;
  /** plain items */
  items: unknown[];
  /** prepared items: the body built so far */
  body?: PreparedBody;
}

const itemCount = (batch: Batch) => (batch.body ? batch.body.count : batch.items.length);

export async function run(
  client: KardLiteClient,
  source: Source,
  options: SendOptions,
  engine: Engine,
): Promise<SendReport> {
  const batchSize = Math.min(MAX_BATCH, Math.max(1, Math.floor(options.batchSize ?? MAX_BATCH)));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const logger = client.context.logger;
  const signal = options.signal;
  const prepared = engine.prepared;
  const schemas = engine.validate && !prepared ? await loadSchemas() : undefined;
  const collect = options.collectRejected !== false;
  const report: SendReport = { read: 0, sent: 0, accepted: 0, rejected: [], retried: 0, batches: 0 };
  let rejectedCount = 0;
  const inflight = new Set<Promise<void>>();
  const pool: PreparedBody[] = [];
  let fatal: unknown;

  const progress = () => {
    options.onProgress?.({
      read: report.read,
      sent: report.sent,
      accepted: report.accepted,
      rejected: rejectedCount,
      retried: report.retried,
      batches: report.batches,
    });
  };

  /** Plain items: validate, send, match the API's verdict back to source positions. */
  const sendPlain = async (batch: Batch, outcome: BatchOutcome, stats: Stats) => {
    const { items, start } = batch;
    let valid = items;
    let positions: number[] | undefined; // source position of each item sent (when validated)
    if (schemas) {
      const checked = schemas.checkBatch(engine.kind, items);
      // Warnings name the item's place in the whole source, as its issues do.
      logWarnings(logger, reindex(checked.warnings, start));
      for (const bad of checked.invalid) {
        outcome.rejected.push({
          id: idOf(bad.item),
          item: bad.item,
          reason: 'invalid',
          issues: reindex(bad.issues, start),
          position: start + bad.index,
        });
      }
      valid = checked.valid.map((v) => v.item);
      positions = checked.valid.map((v) => start + v.index);
    }
    if (valid.length === 0) return;
    const positionOf = (item: unknown): number | undefined => {
      const i = valid.indexOf(item);
      return i < 0 ? undefined : positions ? positions[i] : start + i;
    };
    outcome.sent = valid.length;
    report.sent += valid.length;
    let result: Pick<PartialResult, 'accepted' | 'rejected'>;
    let fallback: ApiErrorObject | undefined;
    try {
      result = await engine.send(valid, stats);
    } catch (err) {
      // A whole batch refused by the API for its content (400/409/422): report its items and go on.
      // Anything else (auth, exhausted retries, timeouts, aborts) stops the run.
      if (!refusedBatch(err)) throw err;
      // Match per-item errors where the API gave them; the rest of the batch failed with it.
      result = toPartialResult({ data: valid }, err.status, err.body);
      fallback = batchError(err);
    }
    for (const r of result.rejected) {
      // In a refused batch, an error naming no item settles nothing (the fallback covers the rest).
      if (fallback && r.item === undefined) continue;
      outcome.rejected.push({
        id: r.id,
        item: r.item,
        reason: 'rejected',
        error: r.error,
        position: positionOf(r.item),
      });
    }
    for (const item of result.accepted) {
      if (fallback) {
        outcome.rejected.push({
          id: idOf(item),
          item,
          reason: 'failed',
          error: fallback,
          position: positionOf(item),
        });
      } else outcome.accepted.push(idOf(item));
    }
  };

  /** Prepared items: send the built body, match errors[] by pointer (/data/3 or /3), then by id. */
  const sendBuilt = async (body: PreparedBody, start: number, outcome: BatchOutcome, stats: Stats) => {
    outcome.sent = body.count;
    report.sent += body.count;
    let errors: unknown;
    let fallback: ApiErrorObject | undefined;
    try {
      errors = ((await prepared!.send(body.body(), stats)) as { errors?: unknown } | undefined)?.errors;
    } catch (err) {
      if (!refusedBatch(err)) throw err;
      errors = (err.body as { errors?: unknown } | undefined)?.errors;
      fallback = batchError(err);
    }
    const hit = matchErrors(body, Array.isArray(errors) ? (errors as ApiErrorObject[]) : []);
    for (const [error, i] of hit.errors) {
      if (i === undefined) {
        // An error naming no item of the batch: reported, but it settles no item.
        if (!fallback)
          outcome.rejected.push({ id: error?.id ?? null, item: undefined, reason: 'rejected', error });
        continue;
      }
      outcome.rejected.push({
        id: body.id(i),
        item: body.item(i),
        reason: 'rejected',
        error,
        position: start + i,
      });
    }
    for (let i = 0; i < body.count; i++) {
      if (hit.rejected.has(i)) continue;
      if (fallback) {
        outcome.rejected.push({
          id: body.id(i),
          item: body.item(i),
          reason: 'failed',
          error: fallback,
          position: start + i,
        });
      } else outcome.accepted.push(body.knownId(i));
    }
  };

  const processBatch = async (batch: Batch) => {
    const count = itemCount(batch);
    const outcome: BatchOutcome = {
      batch: batch.index,
      start: batch.start,
      count,
      refs: batch.body ? batch.body.refs : batch.items,
      sent: 0,
      accepted: [],
      rejected: [],
      retried: 0,
    };
    const stats: Stats = { retried: 0 };
    let failure: unknown;
    try {
      if (batch.body) await sendBuilt(batch.body, batch.start, outcome, stats);
      else await sendPlain(batch, outcome, stats);
    } catch (err) {
      failure = err;
      outcome.error = err;
      // No item of a failed request is settled: only local verdicts stand.
      outcome.accepted.length = 0;
      // Stryker disable next-line MethodExpression: a guard; the API's verdicts are pushed only after its answer, so none is here yet.
      outcome.rejected = outcome.rejected.filter((r) => r.reason === 'invalid');
    }
    outcome.retried = stats.retried;
    report.retried += stats.retried;
    report.accepted += outcome.accepted.length;
    rejectedCount += outcome.rejected.length;
    if (collect) for (const r of outcome.rejected) report.rejected.push(r);
    if (failure === undefined) report.batches++;
    options.onBatch?.(outcome);
    // The body goes back to the pool once onBatch has seen the outcome (a throwing onBatch ends the run).
    // Stryker disable next-line ConditionalExpression: the pool only saves allocations (bench/).
    if (batch.body) pool.push(batch.body);
    if (failure !== undefined) throw failure;
    progress();
  };

  const launch = async (batch: Batch) => {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (fatal) {
      // Stryker disable next-line ConditionalExpression: the pool only saves allocations (bench/).
      if (batch.body) pool.push(batch.body);
      return;
    }
    const p: Promise<void> = processBatch(batch)
      .catch((err) => {
        fatal ??= err;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  let index = 0;
  const fresh = (start: number): Batch => {
    if (!prepared) return { index: index++, start, items: [] };
    const body = pool.pop() ?? new PreparedBody();
    body.reset(prepared.legacy);
    // Stryker disable next-line ArrayDeclaration: a prepared batch keeps its items in `body`.
    return { index: index++, start, items: [], body };
  };
  let batch = fresh(0);
  try {
    for await (const item of source) {
      if (fatal) break;
      if (signal?.aborted) {
        fatal = abortError(signal);
        break;
      }
      if (batch.body) batch.body.add(item, report.read);
      else batch.items.push(item);
      report.read++;
      if (itemCount(batch) >= batchSize) {
        await launch(batch);
        batch = fresh(report.read);
      }
    }
  } catch (err) {
    // A source (or a prepared item) that throws stops the run like a failed request: the batches in
    // flight finish, the one being filled is not sent.
    fatal ??= err;
  }
  if (itemCount(batch) > 0 && !fatal) await launch(batch);
  await Promise.all(inflight);
  if (fatal) {
    if (fatal instanceof Error) (fatal as Error & { report?: SendReport }).report = report;
    throw fatal;
  }
  return report;
}

function refusedBatch(err: unknown): err is KardApiError {
  return err instanceof KardApiError && (err.status === 400 || err.status === 409 || err.status === 422);
}

/** The error a refused batch's items fail with when the API names no item: its first error, or the status. */
function batchError(err: KardApiError): ApiErrorObject {
  return err.errors[0] ?? { status: String(err.status), detail: err.message };
}

/** errors[] → batch positions: by `source.pointer` (/data/3, or /3 for the legacy array), then by id. */
function matchErrors(
  body: PreparedBody,
  errors: ApiErrorObject[],
): { errors: [ApiErrorObject, number | undefined][]; rejected: Set<number> } {
  const rejected = new Set<number>();
  const out: [ApiErrorObject, number | undefined][] = [];
  for (const error of errors) {
    if (!error || typeof error !== 'object') {
      out.push([error, undefined]);
      continue;
    }
    let index: number | undefined;
    const m = /^\/(?:data\/)?(\d+)/.exec(error.source?.pointer ?? '');
    if (m) index = Number(m[1]);
    if ((index === undefined || index >= body.count) && typeof error.id === 'string') {
      index = undefined;
      for (let i = 0; i < body.count; i++) {
        if (body.id(i) === error.id) {
          index = i;
          break;
        }
      }
    }
    if (index !== undefined && (index >= body.count || rejected.has(index))) index = undefined;
    if (index !== undefined) rejected.add(index);
    out.push([error, index]);
  }
  return { errors: out, rejected };
}

let textEncoder: TextEncoder | undefined;
let textDecoder: TextDecoder | undefined;
type NodeBuffer = Uint8Array & { write(s: string, offset: number): number };
// Stryker disable next-line ArrowFunction: without Buffer (browsers) TextEncoder writes the same bytes.
const nodeBuffer = () => (globalThis as { Buffer?: { allocUnsafe(n: number): NodeBuffer } }).Buffer;

/**
 * A request body assembled in place from prepared items: each item's JSON text is copied into one
 * buffer as soon as it is read (so the caller's strings die young), and the buffers are pooled per
 * run: once warm, a long send allocates no new body memory. Items are read back (for rejections) by
 * their offsets.
 */
export class PreparedBody {
  private buf: Uint8Array;
  // A batch holds at most MAX_BATCH items: the offsets never grow.
  private readonly starts = new Int32Array(MAX_BATCH);
  private readonly ends = new Int32Array(MAX_BATCH);
  // Set by reset(), which runs before every use.
  private len!: number;
  private n!: number;
  private legacy!: boolean;
  private ids!: (string | null | undefined)[];
  refs!: unknown[];

  /** `alloc` makes the buffers: Node's Buffer where there is one, else a plain Uint8Array (browsers). */
  constructor(private readonly alloc: (n: number) => Uint8Array = allocBytes) {
    // Stryker disable next-line ArithmeticOperator: the first size only spares early growth (bench/).
    this.buf = alloc(256 * 1024);
  }

  get count(): number {
    return this.n;
  }

  reset(legacy: boolean): void {
    this.legacy = legacy;
    this.len = 0;
    this.n = 0;
    // Fresh arrays: the last outcome's `refs` belong to the caller now.
    this.ids = [];
    this.refs = [];
    this.write(legacy ? '[' : '{"data":[');
  }

  add(item: unknown, position: number): void {
    const p = item as PreparedItem | null;
    const json = p?.json;
    if (!(typeof json === 'string' || json instanceof Uint8Array) || !isOneObject(json)) {
      throw new KardError(
        `transactions.send({ prepared: true }): the item at position ${position} is not a { json } with one JSON object`,
      );
    }
    if (this.n > 0) this.write(',');
    this.starts[this.n] = this.len;
    this.write(json);
    this.ends[this.n] = this.len;
    this.ids.push(p!.id);
    this.refs.push(p!.ref);
    this.n++;
  }

  /** Closes and returns the body, once per batch (a view on the pooled buffer: valid until the next reset). */
  body(): Uint8Array {
    this.write(this.legacy ? ']' : ']}');
    return this.buf.subarray(0, this.len);
  }

  text(i: number): string {
    textDecoder ??= new TextDecoder();
    return textDecoder.decode(this.buf.subarray(this.starts[i], this.ends[i]));
  }

  /** The prepared item i as a rejection reports it: its JSON text read back from the body. */
  item(i: number): PreparedItem {
    return { json: this.text(i), id: this.id(i), ref: this.refs[i] };
  }

  knownId(i: number): string | null {
    return this.ids[i] ?? null;
  }

  /** The id as given, else read back from the JSON text (v2 `id`, legacy `transactionId`). */
  id(i: number): string | null {
    const known = this.ids[i];
    if (known !== undefined) return known;
    let id: string | null = null;
    try {
      const o = JSON.parse(this.text(i)) as { id?: unknown; transactionId?: unknown };
      const v = this.legacy ? o.transactionId : o.id;
      if (typeof v === 'string') id = v;
    } catch {
      // not JSON: no id
    }
    this.ids[i] = id;
    return id;
  }

  private write(s: string | Uint8Array): void {
    const max = typeof s === 'string' ? s.length * 3 : s.length;
    if (this.len + max > this.buf.length) {
      // Stryker disable next-line MethodExpression: Math.min also fits this write; only the growth steps differ.
      const next = this.alloc(Math.max(this.len + max, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    if (typeof s !== 'string') {
      this.buf.set(s, this.len);
      this.len += s.length;
    } else if ('write' in this.buf) {
      this.len += (this.buf as NodeBuffer).write(s, this.len);
    } else {
      textEncoder ??= new TextEncoder();
      this.len += textEncoder.encodeInto(s, this.buf.subarray(this.len)).written;
    }
  }
}

function allocBytes(n: number): Uint8Array {
  const B = nodeBuffer();
  return B ? B.allocUnsafe(n) : new Uint8Array(n);
}

const isSpace = (c: number | undefined) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * A cheap guard (no parse): the text starts with `{` and ends with `}`, whitespace aside. A read
 * past either end (NaN, undefined) is not whitespace, so the scans stop there by themselves.
 */
function isOneObject(json: string | Uint8Array): boolean {
  const at = typeof json === 'string' ? (i: number) => json.charCodeAt(i) : (i: number) => json[i];
  let a = 0;
  let z = json.length - 1;
  while (isSpace(at(a))) a++;
  while (isSpace(at(z))) z--;
  return at(a) === 123 && at(z) === 125;
}

/** checkBatch numbers items within the batch; renumber to positions in the whole stream. */
function reindex(issues: ValidationIssue[], offset: number): ValidationIssue[] {
  if (offset === 0) return issues;
  return issues.map((i) => ({
    ...i,
    path: i.path.replace(
      /^(data)?\[(\d+)\]/,
      (_, p: string | undefined, n: string) => `${p ?? ''}[${Number(n) + offset}]`,
    ),
  }));
}
