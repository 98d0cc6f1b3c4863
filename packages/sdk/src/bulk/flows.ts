/**
 * The bulk send flows, loaded on first use: transactions.send (v2 or legacy) and the historical
 * upload flow (users.uploads.send), all on the batching engine (engine.ts).
 */
import type { KardLiteClient } from '../core/client-base.js';
import { rawOf } from '../core/operation.js';
import type { PartialResult } from '../core/partial.js';
import { KardError } from '../errors.js';
import { type PreparedEngine, run } from './engine.js';
import { callOptions } from './options.js';
import type { SendOptions, SendReport, Source, UploadReport } from './types.js';

/** transactions.send / legacy.transactions.send. */
export function sendTransactions(
  client: KardLiteClient,
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
  client: KardLiteClient,
  source: Source,
  options: SendOptions = {},
): Promise<SendReport> {
  return sendTransactions(client, source, { ...options, schema: 'legacy' });
}

/** users.uploads.send: historical upload flow for one user (openapi/kard.yaml `users.uploads.create`,
 * `users.uploads.createPart`, `users.uploads.complete`; R35, R36). */
export async function sendHistorical(
  client: KardLiteClient,
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

/** An object item gets `type` unless it has its own (which the spread keeps). */
function withType(item: unknown, type: string): unknown {
  return item && typeof item === 'object' ? { type, ...item } : item;
}
