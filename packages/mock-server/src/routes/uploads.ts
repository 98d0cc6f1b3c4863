import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import {
  checkBatch,
  safeParseBulkUploadUrlRequest,
  safeParseCompleteUploadRequest,
  safeParseCreateUploadRequest,
} from '@kardkit/schemas';
import type { BulkUpload, MockCore } from '../core.js';
import { describeIssues, fail, type Reply, reply, reportable, validationFailure } from '../http.js';
import { type Ctx, dataArray, jsonBody, type RouteDef } from '../router.js';
import { split } from './transactions.js';

const ksuid = () => `2${randomBytes(13).toString('base64url').replace(/[-_]/g, 'x')}`;

/** 5. POST …/users/{user}/uploads (deprecated) — 200 historicalTransactionStart. */
function createUpload(ctx: Ctx) {
  const r = safeParseCreateUploadRequest(jsonBody(ctx));
  if (!r.success) validationFailure(r.issues);
  const id = ksuid();
  ctx.core.uploadSessions.set(id, {
    id,
    userId: ctx.params.user!,
    completed: false,
    parts: 0,
    transactions: 0,
  });
  return reply(200, { data: { type: 'historicalTransactionStart', id, attributes: {} } });
}

function session(ctx: Ctx) {
  const s = ctx.core.uploadSessions.get(ctx.params.uploadId!);
  if (!s || s.userId !== ctx.params.user)
    // 400, not 404: users.uploads.createPart and users.uploads.complete document no 404 (openapi/kard.yaml)
    return fail(400, `upload ${ctx.params.uploadId} not found for user ${ctx.params.user}`, {
      parameter: 'uploadId',
    });
  return s;
}

/** 6. PUT …/uploads/{uploadId}/parts — 200 / 207 / 400 (R35); 409 once completed. */
function createPart(ctx: Ctx) {
  const s = session(ctx);
  if (s.completed) fail(409, `upload ${s.id} is already complete`, { parameter: 'uploadId' });
  const data = dataArray(ctx, 500, 'R35');
  const { valid, errors } = split('uploadParts', data, 'Invalid historical transaction');
  if (valid.length === 0) return reply(400, { errors });
  s.parts += 1;
  s.transactions += valid.length;
  const out = valid.map(({ item }) => ({
    type: 'historicalTransaction',
    id: (item as { id: string }).id,
    attributes: {},
  }));
  return errors.length ? reply(207, { errors, data: out }) : reply(200, { data: out });
}

/** 7. PUT …/uploads/{uploadId} — completes the session (R36); 409 when completed twice. */
function completeUpload(ctx: Ctx) {
  const s = session(ctx);
  const r = safeParseCompleteUploadRequest(jsonBody(ctx));
  if (!r.success) validationFailure(r.issues);
  const body = jsonBody(ctx) as { data: { id?: unknown } };
  if (body.data.id !== s.id)
    fail(400, 'data.id must equal the uploadId in the path (R36)', { pointer: '/data/id' });
  if (s.completed) fail(409, `upload ${s.id} is already complete`, { parameter: 'uploadId' });
  s.completed = true;
  return reply(200, { data: { type: 'historicalTransactionComplete', id: s.id, attributes: {} } });
}

/** 2. POST …/transactions/uploads — 201 with presigned-style URLs on the mock itself (R30, R31, R33). */
function createBulkUploadUrls(ctx: Ctx) {
  const core = ctx.core;
  const r = safeParseBulkUploadUrlRequest(jsonBody(ctx));
  if (!r.success) validationFailure(r.issues);
  const items = (jsonBody(ctx) as { data: { type: string; attributes: { filename: string } }[] }).data;
  const ttl = core.opts.uploadUrlTtlSeconds;
  const out = items.map((it) => {
    const id = ksuid();
    const signature = randomBytes(32).toString('hex');
    const up: BulkUpload = {
      id,
      type: it.type,
      filename: it.attributes.filename,
      expiresAt: core.opts.now() + ttl * 1000,
      signature,
      state: 'waiting',
    };
    core.bulkUploads.set(id, up);
    const q = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'MOCKKEY/mock/us-east-1/s3/aws4_request',
      'X-Amz-Date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      'X-Amz-Expires': String(ttl),
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': signature,
    });
    return {
      type: it.type,
      id,
      attributes: {
        url: `${core.baseUrl}/__uploads/${id}/${encodeURIComponent(up.filename)}?${q}`,
        expiresIn: ttl,
      },
    };
  });
  return reply(201, { data: out });
}

const s3Error = (status: number, code: string, message: string): Reply => ({
  status,
  raw: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  headers: { 'content-type': 'application/xml' },
});

/**
 * PUT /__uploads/{id}/{filename}?X-Amz-…: the body is streamed, gunzipped when it starts with the
 * gzip magic bytes (R32), split into JSONL lines and validated in batches of 500; valid lines of an
 * incomingTransactionsFile are ingested like POSTed events (dedup + matching). A
 * fileProcessingResult notification follows (openapi/kard.yaml FileProcessingResultNotification).
 */
export async function handleUploadPut(core: MockCore, req: IncomingMessage, url: URL): Promise<Reply> {
  const id = url.pathname.split('/')[2] ?? '';
  const up = core.bulkUploads.get(id);
  const sig = url.searchParams.get('X-Amz-Signature');
  if (!up || sig !== up.signature) {
    req.resume();
    return s3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  if (core.opts.now() >= up.expiresAt) {
    req.resume();
    return s3Error(403, 'AccessDenied', 'Request has expired');
  }
  if (up.state !== 'waiting') {
    req.resume();
    return s3Error(409, 'OperationAborted', 'This upload URL was already used.');
  }
  up.state = 'processing';
  const incoming = up.type === 'incomingTransactionsFile';
  const result = {
    lines: 0,
    valid: 0,
    invalid: 0,
    errors: [] as { line: number; id?: string; detail: string }[],
  };
  let pending: { line: number; text: string }[] = [];

  const flush = () => {
    const parsed: { line: number; item: unknown }[] = [];
    for (const p of pending) {
      try {
        parsed.push({ line: p.line, item: JSON.parse(p.text) });
      } catch {
        result.invalid += 1;
        if (result.errors.length < 100)
          result.errors.push({ line: p.line, detail: 'line is not valid JSON' });
      }
    }
    pending = [];
    const hist = parsed.filter(
      (p) => (p.item as { type?: unknown } | null)?.type === 'historicalTransaction',
    );
    const txns = parsed
      .filter((p) => (p.item as { type?: unknown } | null)?.type !== 'historicalTransaction')
      .map((p) => {
        const it = p.item as { type?: unknown } | null;
        // coreHistoricalTransaction lines validate as coreTransaction
        return it && it.type === 'coreHistoricalTransaction'
          ? { ...p, item: { ...it, type: 'coreTransaction' } }
          : p;
      });
    for (const [kind, group] of [
      ['uploadParts', hist],
      ['transactions', txns],
    ] as const) {
      if (group.length === 0) continue;
      const r = checkBatch(
        kind,
        group.map((g) => g.item),
      );
      result.valid += r.valid.length;
      result.invalid += r.invalid.length;
      for (const inv of r.invalid) {
        if (result.errors.length >= 100) break;
        const itemId = (inv.item as { id?: unknown } | null)?.id;
        result.errors.push({
          line: group[inv.index]!.line,
          ...(typeof itemId === 'string' ? { id: itemId } : {}),
          detail: describeIssues(reportable(inv.issues)).replace(/^data\[\d+\]\.?/, ''),
        });
      }
      if (incoming && kind === 'transactions') {
        const st = core.stats.transactions;
        st.received += r.valid.length;
        for (const v of r.valid) {
          if (core.acceptEvent(v.item as { id: string })) st.accepted += 1;
          else st.duplicates += 1;
        }
      }
    }
  };

  try {
    const it = req[Symbol.asyncIterator]();
    let head = Buffer.alloc(0);
    while (head.length < 2) {
      const n = await it.next();
      if (n.done) break;
      head = Buffer.concat([head, n.value as Buffer]);
    }
    const gz = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    async function* rest() {
      if (head.length) yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value as Buffer;
      }
    }
    const source = Readable.from(rest());
    const stream = gz ? source.pipe(createGunzip()) : source;
    const decoder = new StringDecoder('utf8');
    let carry = '';
    let lineNo = 0;
    const onText = (text: string) => {
      const buf = carry + text;
      let start = 0;
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        let line = buf.slice(start, nl);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        start = nl + 1;
        lineNo += 1;
        if (line.trim()) {
          result.lines += 1;
          pending.push({ line: lineNo, text: line });
          if (pending.length >= 500) flush();
        }
        nl = buf.indexOf('\n', start);
      }
      carry = buf.slice(start);
    };
    for await (const chunk of stream) onText(decoder.write(chunk as Buffer));
    onText(`${decoder.end()}\n`);
    flush();
  } catch {
    up.state = 'waiting';
    return s3Error(400, 'InvalidArgument', 'The uploaded body could not be read (corrupt gzip?).');
  }
  up.state = 'processed';
  up.result = result;
  core.stats.uploads.files += 1;
  core.stats.uploads.lines += result.lines;
  core.stats.uploads.valid += result.valid;
  core.stats.uploads.invalid += result.invalid;
  const now = new Date().toISOString();
  void core.notify('fileProcessingResult', {
    data: {
      type: 'fileProcessingResult',
      id: randomUUID(),
      attributes: {
        fileName: up.filename,
        sentAt: now,
        lastModified: now,
        downloadUrl: `${core.baseUrl}/__files/${up.id}/result.json?X-Amz-Signature=${up.signature}`,
      },
    },
    meta: { issuerId: core.opts.organizationId, issuerName: 'Mock Issuer' },
  });
  return { status: 200, raw: '', headers: { etag: `"${randomBytes(16).toString('hex')}"` } };
}

/** GET /__files/{id}/…: the processing result of an uploaded file (the fileProcessingResult downloadUrl). */
export function handleUploadResult(core: MockCore, url: URL): Reply {
  const id = url.pathname.split('/')[2] ?? '';
  const up = core.bulkUploads.get(id);
  if (!up || url.searchParams.get('X-Amz-Signature') !== up.signature || !up.result)
    return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
  return reply(200, { fileName: up.filename, type: up.type, ...up.result });
}

/** transactions.createBulkTransactionsUploadUrl, the successor of the upload session. */
const BULK_UPLOAD_URL = '/v2/issuers/:org/transactions/uploads';

export const uploadRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/v2/issuers/:org/transactions/uploads',
    auth: 'bearer',
    handler: createBulkUploadUrls,
  },
  // The upload session is deprecated in favour of the bulk upload URL (R37).
  {
    method: 'POST',
    path: '/v2/issuers/:org/users/:user/uploads',
    auth: 'bearer',
    handler: createUpload,
    successor: BULK_UPLOAD_URL,
  },
  {
    method: 'PUT',
    path: '/v2/issuers/:org/users/:user/uploads/:uploadId/parts',
    auth: 'bearer',
    handler: createPart,
    successor: BULK_UPLOAD_URL,
  },
  {
    method: 'PUT',
    path: '/v2/issuers/:org/users/:user/uploads/:uploadId',
    auth: 'bearer',
    handler: completeUpload,
    successor: BULK_UPLOAD_URL,
  },
];
