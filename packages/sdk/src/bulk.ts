/**
 * Bulk helpers (issue 5), loaded on first use: transactions.send (v2 or legacy), the historical
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

export interface SendOptions extends Omit<RequestOptions, 'validate'> {
  /** Items per request, 1–500 (R11), default 500. */
  batchSize?: number;
  /** Requests in flight at once, default 4. */
  concurrency?: number;
  onProgress?: (progress: SendProgress) => void;
  /** 'v2' (default): POST /v2/issuers/{org}/transactions; 'legacy': POST /transactions/incoming. */
  schema?: 'v2' | 'legacy';
  /** Check items locally first (default: the client's `validate`). Invalid items are reported, not sent. */
  validate?: boolean;
}

export interface SendRejection {
  id: string | null;
  item: unknown;
  /** 'invalid': failed local validation (not sent); 'rejected': the API rejected it (207);
   *  'failed': the API refused the whole batch (4xx). */
  reason: 'invalid' | 'rejected' | 'failed';
  issues?: ValidationIssue[];
  error?: ApiErrorObject;
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
}

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
  const schemas = engine.validate ? await loadSchemas() : undefined;
  const report: SendReport = { read: 0, sent: 0, accepted: 0, rejected: [], retried: 0, batches: 0 };
  const stats: Stats = { retried: 0 };
  const inflight = new Set<Promise<void>>();
  let fatal: unknown;

  const reject = (r: SendRejection) => {
    report.rejected.push(r);
  };
  const progress = () => {
    report.retried = stats.retried;
    options.onProgress?.({
      read: report.read,
      sent: report.sent,
      accepted: report.accepted,
      rejected: report.rejected.length,
      retried: report.retried,
      batches: report.batches,
    });
  };

  const processBatch = async (batch: unknown[], offset: number) => {
    let valid = batch;
    if (schemas) {
      const checked = schemas.checkBatch(engine.kind, batch, {
        path: engine.kind === 'legacyIncoming' ? '' : 'data',
      });
      if (checked.warnings.length) logWarnings(logger, checked.warnings);
      for (const bad of checked.invalid) {
        reject({
          id: idOf(bad.item),
          item: bad.item,
          reason: 'invalid',
          issues: reindex(bad.issues, offset),
        });
      }
      valid = checked.valid.map((v) => v.item);
    }
    if (valid.length > 0) {
      report.sent += valid.length;
      try {
        const result = await engine.send(valid, stats);
        report.accepted += result.accepted.length;
        for (const r of result.rejected)
          reject({ id: r.id, item: r.item, reason: 'rejected', error: r.error });
      } catch (err) {
        // A whole batch refused by the API for its content (400/409/422): report its items and go on.
        // Anything else (auth, exhausted retries, timeouts, aborts) stops the run.
        if (err instanceof KardApiError && (err.status === 400 || err.status === 409 || err.status === 422)) {
          // Match per-item errors where the API gave them; the rest of the batch failed with it.
          const matched = toPartialResult({ data: valid }, err.status, err.body);
          const fallback = err.errors[0] ?? { status: String(err.status), detail: err.message };
          for (const r of matched.rejected) {
            if (r.item !== undefined) reject({ id: r.id, item: r.item, reason: 'rejected', error: r.error });
          }
          for (const item of matched.accepted)
            reject({ id: idOf(item), item, reason: 'failed', error: fallback });
        } else {
          throw err;
        }
      }
    }
    report.batches++;
    progress();
  };

  const launch = async (batch: unknown[], offset: number) => {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (fatal) return;
    const p: Promise<void> = processBatch(batch, offset)
      .catch((err) => {
        fatal ??= err;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  let batch: unknown[] = [];
  let offset = 0;
  for await (const item of source) {
    if (fatal) break;
    if (signal?.aborted) {
      fatal = abortError(signal);
      break;
    }
    batch.push(item);
    report.read++;
    if (batch.length >= batchSize) {
      await launch(batch, offset);
      offset += batch.length;
      batch = [];
    }
  }
  if (batch.length && !fatal) await launch(batch, offset);
  await Promise.all(inflight);
  report.retried = stats.retried;
  if (fatal) {
    if (fatal instanceof Error) (fatal as Error & { report?: SendReport }).report = report;
    throw fatal;
  }
  return report;
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
  return run(client, source, options, {
    kind: legacy ? 'legacyIncoming' : 'transactions',
    validate: options.validate ?? client.context.validate,
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

/** users.uploads.send: historical upload flow for one user (digest §4.1). */
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
 * Bulk-file flow (digest §4.2): build the records as (gzipped) JSONL, request a presigned URL and
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
          // No content-type / content-encoding: Kard detects gzip itself (digest §4.2), and headers
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

function idOf(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
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
