/**
 * Bulk helpers, loaded on first use: transactions.send (v2 or legacy), the historical
 * upload flow and the bulk-file flow. Memory stays bounded: at most `concurrency` batches in flight
 * plus the one being filled; only counts and rejected items are kept.
 */
import type { KardClient } from './client.js';
import { abortError } from './core/backoff.js';
import { rawOf } from './core/operation.js';
import { type PartialResult, toPartialResult } from './core/partial.js';
import { type BatchKind, loadSchemas, logWarnings } from './core/schemas.js';
import type { RequestOptions, Stats } from './core/transport.js';
import { type ApiErrorObject, KardApiError, KardError, type ValidationIssue } from './errors.js';

export interface SendProgress {
  /** Items read from the source so far. */
  read: number;
  /** Items sent to the API (valid ones). */
  sent: number;
  accepted: number;
  rejected: number;
  /** Retried attempts (status or connection retries) across all batches. */
  retried: number;
  batches: number;
}

/**
 * An item of `send(items, { prepared: true })`: one event (v2) or legacy record already serialised
 * by the caller, and already validated (with @kardkit/schemas). Its JSON text is copied into the
 * request body as it is read, never parsed or re-serialised, and not kept afterwards.
 */
export interface PreparedItem {
  /** Exactly one JSON object: the v2 event (a `data[]` item) or the flat legacy record. */
  json: string | Uint8Array;
  /** The event id (v2 `id`) or legacy `transactionId`, if known: reported in outcomes and used to match
   *  207 errors (read back from the JSON text only when an error needs it). */
  id?: string | null;
  /** Anything that identifies the item to the caller (e.g. a record number), handed back in `onBatch`. */
  ref?: unknown;
}

/** What `onBatch` receives: the fate of every item one batch took from the source. */
export interface BatchOutcome {
  /** 0-based, in the order batches were filled (outcomes arrive in completion order). */
  batch: number;
  /** Position (0-based) in the source of the batch's first item: a batch takes `count` consecutive items. */
  start: number;
  /** Items the batch took from the source (invalid ones included). */
  count: number;
  /** Per item, in source order (`refs[i]` is the item at position `start + i`): a prepared item's `ref`,
   *  or the plain item itself. */
  refs: unknown[];
  /** Items sent in the request (the valid ones). */
  sent: number;
  /** Ids of the accepted items (null for an item without one; a prepared item's `id` as given). */
  accepted: (string | null)[];
  /** Items not accepted, with their reasons; `position` (set when the item is known) places each one. */
  rejected: SendRejection[];
  /** Retried attempts of this batch's request. */
  retried: number;
  /** Set when the request failed as a whole and stopped the run (auth, retries exhausted, timeout,
   *  abort): none of the batch's sent items is accepted or rejected (`accepted` and API rejections are
   *  empty), and `send()` rejects with this error after the batches in flight finish. */
  error?: unknown;
}

export interface SendOptions extends Omit<RequestOptions, 'validate'> {
  /** Items per request, 1–500 (R11), default 500. */
  batchSize?: number;
  /** Requests in flight at once, default 4. */
  concurrency?: number;
  onProgress?: (progress: SendProgress) => void;
  /**
   * Called once per finished batch, in completion order, with which items it took and how each one
   * fared: enough to keep a checkpoint (every item read appears in exactly one outcome). Called before
   * `onProgress`; if it throws, the run stops (like a failed request) and `send()` rejects with that error.
   */
  onBatch?: (outcome: BatchOutcome) => void;
  /** 'v2' (default): POST /v2/issuers/{org}/transactions; 'legacy': POST /transactions/incoming. */
  schema?: 'v2' | 'legacy';
  /** Check items locally first (default: the client's `validate`). Invalid items are reported, not sent.
   *  Does not apply to prepared items. */
  validate?: boolean;
  /**
   * Every item is a {@link PreparedItem}: JSON text the caller validated, spliced into the request body
   * as is (no local validation, no JSON.stringify), for callers that stream records from files with
   * flat memory. Default false.
   */
  prepared?: boolean;
  /** Keep every rejection in `report.rejected` (default true). Set false when `onBatch` records them, so
   *  that a long run with many rejections keeps flat memory. */
  collectRejected?: boolean;
}

export interface SendRejection {
  id: string | null;
  /** The item (for a prepared item: `{ json, id, ref }`, its JSON text read back from the request body). */
  item: unknown;
  /** 'invalid': failed local validation (not sent); 'rejected': the API rejected it (207);
   *  'failed': the API refused the whole batch (4xx). */
  reason: 'invalid' | 'rejected' | 'failed';
  issues?: ValidationIssue[];
  error?: ApiErrorObject;
  /** 0-based position of the item in the source (absent for an API error that names no known item). */
  position?: number;
}

export interface SendReport extends Omit<SendProgress, 'rejected'> {
  /** Every rejected item with its reason (invalid locally, rejected in a 207, or its batch failed). */
  rejected: SendRejection[];
}

export interface UploadReport extends SendReport {
  uploadId: string;
}

type Source = Iterable<unknown> | AsyncIterable<unknown>;

const MAX_BATCH = 500;

interface Engine {
  kind: BatchKind;
  validate: boolean;
  /** Sends one batch of valid items; resolves to the API's verdict. */
  send(items: unknown[], stats: Stats): Promise<PartialResult | { accepted: unknown[]; rejected: [] }>;
  /** Set when the items are PreparedItems: sends one built body. */
  prepared?: PreparedEngine;
}

interface PreparedEngine {
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

async function run(
  client: KardClient,
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
    let positions: number[] | undefined; // source position of each valid item (when some were dropped)
    if (schemas) {
      const checked = schemas.checkBatch(engine.kind, items, {
        path: engine.kind === 'legacyIncoming' ? '' : 'data',
      });
      if (checked.warnings.length) logWarnings(logger, checked.warnings);
      for (const bad of checked.invalid) {
        outcome.rejected.push({
          id: idOf(bad.item),
          item: bad.item,
          reason: 'invalid',
          issues: reindex(bad.issues, start),
          position: start + bad.index,
        });
      }
      if (checked.invalid.length > 0) {
        valid = checked.valid.map((v) => v.item);
        positions = checked.valid.map((v) => start + v.index);
      }
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
      outcome.rejected = outcome.rejected.filter((r) => r.reason === 'invalid');
    }
    outcome.retried = stats.retried;
    report.retried += stats.retried;
    report.accepted += outcome.accepted.length;
    rejectedCount += outcome.rejected.length;
    if (collect) for (const r of outcome.rejected) report.rejected.push(r);
    if (failure === undefined) report.batches++;
    try {
      options.onBatch?.(outcome);
    } finally {
      if (batch.body) pool.push(batch.body);
    }
    if (failure !== undefined) throw failure;
    progress();
  };

  const launch = async (batch: Batch) => {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (fatal) {
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
const nodeBuffer = () => (globalThis as { Buffer?: { allocUnsafe(n: number): NodeBuffer } }).Buffer;

/**
 * A request body assembled in place from prepared items: each item's JSON text is copied into one
 * buffer as soon as it is read (so the caller's strings die young), and the buffers are pooled per
 * run: once warm, a long send allocates no new body memory. Items are read back (for rejections) by
 * their offsets.
 */
class PreparedBody {
  private buf: Uint8Array = alloc(256 * 1024);
  private len = 0;
  private n = 0;
  private legacy = false;
  private closed = false;
  private starts = new Int32Array(512);
  private ends = new Int32Array(512);
  private ids: (string | null | undefined)[] = [];
  refs: unknown[] = [];

  get count(): number {
    return this.n;
  }

  reset(legacy: boolean): void {
    this.legacy = legacy;
    this.len = 0;
    this.n = 0;
    this.closed = false;
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
    if (this.n === this.starts.length) {
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    if (this.n > 0) this.write(',');
    this.starts[this.n] = this.len;
    this.write(json);
    this.ends[this.n] = this.len;
    this.ids.push(p!.id);
    this.refs.push(p!.ref);
    this.n++;
  }

  /** The finished body (a view on the pooled buffer: valid until the next reset). */
  body(): Uint8Array {
    if (!this.closed) {
      this.write(this.legacy ? ']' : ']}');
      this.closed = true;
    }
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
      const next = alloc(Math.max(this.len + max, this.buf.length * 2));
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

function alloc(n: number): Uint8Array {
  const B = nodeBuffer();
  return B ? B.allocUnsafe(n) : new Uint8Array(n);
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** A cheap guard (no parse): the text starts with `{` and ends with `}`, whitespace aside. */
function isOneObject(json: string | Uint8Array): boolean {
  let a = 0;
  let z = json.length - 1;
  if (typeof json === 'string') {
    while (a <= z && isSpace(json.charCodeAt(a))) a++;
    while (z >= a && isSpace(json.charCodeAt(z))) z--;
    return a < z && json.charCodeAt(a) === 123 && json.charCodeAt(z) === 125;
  }
  while (a <= z && isSpace(json[a]!)) a++;
  while (z >= a && isSpace(json[z]!)) z--;
  return a < z && json[a] === 123 && json[z] === 125;
}

function callOptions(options: SendOptions): RequestOptions {
  return {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    headers: options.headers,
    organizationId: options.organizationId,
    validate: false, // checked per item above; the batch itself is ≤500 by construction
  };
}

/** transactions.send / legacy.transactions.send. */
export function sendTransactions(
  client: KardClient,
  source: Source,
  options: SendOptions = {},
): Promise<SendReport> {
  const legacy = options.schema === 'legacy';
  const opts = callOptions(options);
  const create = legacy
    ? rawOf(client.legacy.transactions.createIncoming)
    : rawOf(client.transactions.create);
  let prepared: PreparedEngine | undefined;
  if (options.prepared) {
    const org = options.organizationId ?? client.context.organizationId;
    if (!legacy && !org) {
      return Promise.reject(
        new KardError('organizationId is required: pass it to new KardClient() or per call'),
      );
    }
    // The same transport as every call (token cache, retries, timeouts, error classes, redaction);
    // only the body is ours: bytes, serialised once, sent as is on every attempt.
    const url = legacy ? '/transactions/incoming' : `/v2/issuers/${encodeURIComponent(org!)}/transactions`;
    prepared = {
      legacy,
      send: async (body, stats) =>
        (
          await client.transport.request(
            {
              method: 'POST',
              url,
              body: body as unknown as BodyInit,
              headers: { 'content-type': 'application/json' },
            },
            opts,
            stats,
          )
        ).data,
    };
  }
  return run(client, source, options, {
    kind: legacy ? 'legacyIncoming' : 'transactions',
    validate: options.validate ?? client.context.validate,
    prepared,
    send: async (items, stats) => {
      if (legacy) {
        await create([], items, opts, stats);
        return { accepted: items, rejected: [] };
      }
      return (await create([], { data: items }, opts, stats)) as PartialResult;
    },
  });
}

/** legacy.transactions.send: the same engine to POST /transactions/incoming. */
export function sendLegacy(
  client: KardClient,
  source: Source,
  options: SendOptions = {},
): Promise<SendReport> {
  return sendTransactions(client, source, { ...options, schema: 'legacy' });
}

/** users.uploads.send: historical upload flow for one user (openapi/kard.yaml `users.uploads.create`,
 * `users.uploads.createPart`, `users.uploads.complete`; R35, R36). */
export async function sendHistorical(
  client: KardClient,
  userId: string,
  source: Source,
  options: SendOptions = {},
): Promise<UploadReport> {
  const opts = callOptions(options);
  const start = (await rawOf(client.users.uploads.create)(
    [userId],
    { data: { type: 'historicalTransactionStart', attributes: {} } },
    opts,
  )) as { data?: { id?: string } };
  const uploadId = start?.data?.id;
  if (!uploadId) throw new KardError('The upload session has no id');
  const part = rawOf(client.users.uploads.createPart);
  const report = await run(client, source, options, {
    kind: 'uploadParts',
    validate: options.validate ?? client.context.validate,
    send: async (items, stats) =>
      (await part(
        [userId, uploadId],
        { data: items.map((i) => withType(i, 'historicalTransaction')) },
        opts,
        stats,
      )) as PartialResult,
  });
  await rawOf(client.users.uploads.complete)(
    [userId, uploadId],
    { data: { type: 'historicalTransactionComplete', id: uploadId, attributes: {} } },
    opts,
  );
  return { ...report, uploadId };
}

export interface BulkFileOptions extends Omit<RequestOptions, 'validate'> {
  /** Default 'historicalTransactionsFile'. */
  fileType?: 'historicalTransactionsFile' | 'incomingTransactionsFile';
  /** Must include the extension; default `transactions-<timestamp>.jsonl.gz` (or .jsonl). */
  filename?: string;
  /** gzip the JSONL (default true). */
  gzip?: boolean;
  /**
   * Stream the body with chunked transfer encoding instead of building it first (default false).
   * S3 presigned PUTs need a Content-Length, so the default builds the (gzipped) file in memory first,
   * then requests the URL and sends it, replayable on retries and on an expired URL. `stream: true`
   * keeps memory flat, for stores that accept chunked uploads (like the mock).
   */
  stream?: boolean;
}

export interface BulkFileResult {
  uploadId: string;
  filename: string;
  /** Records written. */
  records: number;
  /** How many presigned URLs were requested (more than 1 when one expired). */
  urlsRequested: number;
}

/**
 * Bulk-file flow (openapi/kard.yaml `transactions.createBulkUploadUrl`; R30–R33): build the records as (gzipped) JSONL, request a presigned URL and
 * PUT the file; or, with `stream: true`, stream it with bounded memory. If the URL has expired
 * (before sending, or the store answers 403/410) a new one is requested, once; a streamed replay needs
 * a re-iterable source (an array or a function returning a fresh iterable). The presigned URL is
 * never logged and never appears in errors.
 */
export async function uploadFile(
  client: KardClient,
  records: Source | (() => Source | Promise<Source>),
  options: BulkFileOptions = {},
): Promise<BulkFileResult> {
  const gzip = options.gzip ?? true;
  const filename = options.filename ?? `transactions-${Date.now()}.jsonl${gzip ? '.gz' : ''}`;
  const fileType = options.fileType ?? 'historicalTransactionsFile';
  const opts = callOptions(options);
  const requestUrl = async () => {
    const started = Date.now();
    const res = (await rawOf(client.transactions.createBulkUploadUrl)(
      [],
      { data: [{ type: fileType, attributes: { filename } }] },
      opts,
    )) as { data?: { id?: string; attributes?: { url?: string; expiresIn?: number } }[] };
    const entry = res?.data?.[0];
    const url = entry?.attributes?.url;
    if (!entry?.id || !url) throw new KardError('The upload URL response has no url');
    const ttl = (entry.attributes?.expiresIn ?? 900) * 1000;
    // Renew slightly early: 10% of the lifetime, at most 5 s.
    return { id: entry.id, url, renewAt: started + ttl - Math.min(5_000, ttl / 10) };
  };
  const replayable = typeof records === 'function' || Array.isArray(records);
  const open = async (): Promise<Source> => (typeof records === 'function' ? records() : records);
  let file: Blob | undefined;
  let count = 0;
  if (!options.stream) {
    // Built before the URL is requested, so a long build cannot outlive the URL's 15 minutes.
    const counter = { records: 0 };
    file = await new Response(jsonlStream(await open(), counter, gzip)).blob();
    count = counter.records;
  }
  let target = await requestUrl();
  let urlsRequested = 1;
  for (let attempt = 0; ; attempt++) {
    const counter = { records: count };
    const body = file ?? jsonlStream(await open(), counter, gzip);
    if (Date.now() >= target.renewAt) {
      target = await requestUrl();
      urlsRequested++;
    }
    try {
      await client.transport.request(
        {
          method: 'PUT',
          url: target.url,
          body,
          auth: false,
          // A built file can be sent again; a stream cannot.
          retry: file !== undefined,
          ...(file ? {} : { init: { duplex: 'half' as const } }),
          // No content-type / content-encoding: Kard detects gzip itself (R32), and headers
          // the presigned URL did not sign could invalidate it.
        },
        { signal: options.signal, timeoutMs: options.timeoutMs, headers: options.headers },
      );
      return { uploadId: target.id, filename, records: counter.records, urlsRequested };
    } catch (err) {
      const expired = err instanceof KardApiError && (err.status === 403 || err.status === 410);
      if (expired && (file || replayable) && attempt === 0) {
        client.context.logger?.warn?.('kard: upload URL rejected (expired?), requesting a new one', {});
        target = await requestUrl();
        urlsRequested++;
        continue;
      }
      throw err;
    }
  }
}

function jsonlStream(
  source: Source,
  counter: { records: number },
  gzip: boolean,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (source as Iterable<unknown>)[Symbol.iterator]();
  const plain = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Up to 256 records per chunk: few chunks, bounded memory.
      let chunk = '';
      for (let i = 0; i < 256; i++) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += `${JSON.stringify(next.value)}\n`;
        counter.records++;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await (iterator as AsyncIterator<unknown>).return?.();
    },
  });
  return gzip
    ? plain.pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>)
    : plain;
}

function withType(item: unknown, type: string): unknown {
  if (item && typeof item === 'object' && !('type' in item)) return { type, ...(item as object) };
  return item;
}

/** A v2 event's `id`, or a legacy record's `transactionId`. */
function idOf(item: unknown): string | null {
  const o = item as { id?: unknown; transactionId?: unknown } | null;
  const id = o?.id ?? o?.transactionId;
  return typeof id === 'string' ? id : null;
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
