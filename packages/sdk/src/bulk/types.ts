/** The bulk helpers' public types: options, progress, outcomes and reports. */
import type { RequestOptions } from '../core/transport.js';
import type { ApiErrorObject, ValidationIssue } from '../errors.js';

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

export type Source = Iterable<unknown> | AsyncIterable<unknown>;

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
