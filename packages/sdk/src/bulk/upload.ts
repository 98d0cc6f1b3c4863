/** The bulk-file flow (transactions.uploadFile), loaded on first use. */
import type { KardLiteClient } from '../core/client-base.js';
import { rawOf } from '../core/operation.js';
import { KardApiError, KardError } from '../errors.js';
import { callOptions } from './options.js';
import type { BulkFileOptions, BulkFileResult, Source } from './types.js';

/**
 * Bulk-file flow (openapi/kard.yaml `transactions.createBulkUploadUrl`; R30–R33): build the records as (gzipped) JSONL, request a presigned URL and
 * PUT the file; or, with `stream: true`, stream it with bounded memory. If the URL has expired
 * (before sending, or the store answers 403/410) a new one is requested, once; a streamed replay needs
 * a re-iterable source (an array or a function returning a fresh iterable). The presigned URL is
 * never logged and never appears in errors.
 */
export async function uploadFile(
  client: KardLiteClient,
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
    const { url, expiresIn = 900 } = entry?.attributes ?? {};
    if (!entry?.id || !url) throw new KardError('The upload URL response has no url');
    const ttl = expiresIn * 1000;
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
  // A URL refused as expired is requested again once (the records must be readable again).
  for (let renewed = false; ; renewed = true) {
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
      if (expired && (file || replayable) && !renewed) {
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
