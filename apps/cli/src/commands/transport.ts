import {
  type ApiErrorObject,
  KardAbortError,
  KardApiError,
  type KardClient,
  KardConnectionError,
  KardError,
  type KardResponse,
  KardTimeoutError,
  KardValidationError,
  type RequestOptions,
  type RequestSpec,
} from '@kardkit/sdk';
import type { BodyBuilder } from '../body.js';
import { CliError, EXIT } from '../errors.js';
import type { RecordSchema } from '../judge.js';
import type { Session } from '../session.js';

export interface BatchOutcome {
  retried: number;
  rejected: {
    index?: number | undefined;
    id: string | null;
    item?: unknown;
    error: ApiErrorObject | undefined;
  }[];
}

interface InternalTransport {
  request(spec: RequestSpec, options?: RequestOptions, stats?: { retried: number }): Promise<KardResponse>;
}

/**
 * Sends one batch (≤500, R11) of records that the CLI already validated with @kardkit/schemas.
 * The body is assembled from each record's own JSON text (the NDJSON line, or one JSON.stringify
 * for CSV/JSON input): serialised once, and the parsed objects die young instead of being kept
 * alive across the request, which is what keeps the send path's memory flat.
 * The request goes through the KardClient's transport: the same OAuth token cache, retries
 * (408/429/5xx/connection, Retry-After), timeouts, error classes and redaction as every SDK call.
 * A 207 body's errors[] are matched back to batch positions by source.pointer (/data/3), then id.
 */
export function makeBatchSender(session: Session, opts: { maxRetries: number }) {
  const client = session.client as KardClient & { transport?: InternalTransport };
  const org = encodeURIComponent(session.organizationId);
  return async (schema: RecordSchema, batch: BodyBuilder, signal: AbortSignal): Promise<BatchOutcome> => {
    const legacy = schema === 'legacy';
    const spec: RequestSpec = {
      method: 'POST',
      url: legacy ? '/transactions/incoming' : `/v2/issuers/${org}/transactions`,
      // Bytes, not a string: fetch would otherwise re-scan the string (toUSVString) on every attempt.
      body: batch.body() as unknown as BodyInit,
      headers: { 'content-type': 'application/json' },
    };
    const stats = { retried: 0 };
    const options: RequestOptions = { signal, maxRetries: opts.maxRetries };
    const res = client.transport
      ? await client.transport.request(spec, options, stats)
      : await client.request(spec, options);
    const errors = (res.data as { errors?: ApiErrorObject[] } | undefined)?.errors;
    const rejected: BatchOutcome['rejected'] = [];
    if (Array.isArray(errors) && errors.length > 0) {
      const seen = new Set<number>();
      for (const error of errors) {
        let index: number | undefined;
        const m = /^\/(?:data\/)?(\d+)/.exec(error?.source?.pointer ?? '');
        if (m) index = Number(m[1]);
        if ((index === undefined || index >= batch.count) && typeof error?.id === 'string') {
          index = undefined;
          for (let i = 0; i < batch.count; i++) {
            if (batch.id(i) === error.id) {
              index = i;
              break;
            }
          }
        }
        if (index !== undefined && (index >= batch.count || seen.has(index))) index = undefined;
        if (index !== undefined) seen.add(index);
        rejected.push({ index, id: index !== undefined ? batch.id(index) : (error?.id ?? null), error });
      }
    }
    return { retried: stats.retried, rejected };
  };
}

/** Maps any failure to a message (secrets are never part of SDK messages) and an exit code. */
export function describeError(e: unknown): { message: string; exitCode: number; error: ApiErrorObject } {
  if (e instanceof CliError)
    return { message: e.message, exitCode: e.exitCode, error: { detail: e.message } };
  if (e instanceof KardValidationError) {
    return { message: e.message, exitCode: EXIT.data, error: { title: 'invalid', detail: e.message } };
  }
  if (e instanceof KardApiError) {
    const first = e.errors[0];
    const error: ApiErrorObject = first ?? { status: String(e.status), detail: e.message };
    // A whole batch refused for its content is a data problem; auth, rate limits and 5xx are API failures.
    const dataProblem = e.status === 400 || e.status === 409 || e.status === 422;
    let hint = '';
    if (e.status === 401 || e.status === 403)
      hint = ' (check the client id/secret, organization id and environment)';
    return {
      message: `${e.message}${e.requestId ? ` [request ${e.requestId}]` : ''}${hint}`,
      exitCode: dataProblem ? EXIT.data : EXIT.api,
      error,
    };
  }
  if (e instanceof KardConnectionError || e instanceof KardTimeoutError || e instanceof KardAbortError) {
    return { message: e.message, exitCode: EXIT.api, error: { detail: e.message } };
  }
  if (e instanceof KardError) return { message: e.message, exitCode: EXIT.api, error: { detail: e.message } };
  const msg = e instanceof Error ? e.message : String(e);
  return { message: msg, exitCode: EXIT.api, error: { detail: msg } };
}
