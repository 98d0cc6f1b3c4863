import {
  type ApiErrorObject,
  KardAbortError,
  KardApiError,
  KardConnectionError,
  KardError,
  KardTimeoutError,
  KardValidationError,
  type SendReport as SdkSendReport,
} from '@kardkit/sdk';
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

/**
 * Sends one pre-validated batch (≤500) through KardClient.transactions.send, which picks the
 * endpoint (v2 POST /transactions or legacy POST /transactions/incoming), retries 408/429/5xx and
 * connection errors, and turns a 207 into per-item rejections. Records were validated by the CLI
 * with the same @kardkit/schemas rules, so the SDK is told not to validate them again. Rejected
 * items are matched back to their batch position by identity.
 */
export function makeBatchSender(session: Session) {
  return async (schema: RecordSchema, items: unknown[], signal: AbortSignal): Promise<BatchOutcome> => {
    const report: SdkSendReport = await session.client.transactions.send(items, {
      batchSize: items.length,
      concurrency: 1,
      schema,
      validate: false,
      signal,
    });
    let index: Map<unknown, number> | undefined;
    const rejected = report.rejected.map((r) => {
      if (!index) {
        index = new Map();
        for (let i = 0; i < items.length; i++) index.set(items[i], i);
      }
      const i = index.get(r.item);
      const error: ApiErrorObject | undefined =
        r.error ??
        (r.issues
          ? { title: 'invalid', detail: r.issues.map((x) => `${x.path}: ${x.message}`).join('; ') }
          : undefined);
      return { index: i, id: r.id, item: r.item, error };
    });
    return { retried: report.retried, rejected };
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
