/**
 * Everything this sample asks of Kard, in one place, implemented with @kardkit/sdk. An issuer who
 * copies the sample keeps this file as the seam between their app and the Kard API.
 */

import { checkBatch } from '@kardkit/schemas';
import {
  KardApiError,
  type KardClient,
  KardConnectionError,
  KardTimeoutError,
  KardValidationError,
} from '@kardkit/sdk';
import type { ItemRejection, Sender, SendResult } from './forwarder.js';

export interface OffersPage {
  data: unknown[];
  /** Query of the next page (page[after] cursor), or null at the end. */
  next: Record<string, string> | null;
  /** Kard's own links (its URLs); the app rewrites them to its own route. */
  links?: Record<string, unknown>;
  meta?: unknown;
}

export interface CreateUserResult {
  /** Kard's per-user errors (207); empty when the user was created. */
  rejected: { status: string | undefined; title: string | undefined; detail: string | undefined }[];
  response: unknown;
}

export interface KardPort {
  sendTransactions: Sender;
  createUser(request: { data: unknown[] }): Promise<CreateUserResult>;
  listOffers(userId: string, page: { size?: number; after?: string; before?: string }): Promise<OffersPage>;
  /** Kard's own record of the user's earned rewards (first page), to compare with the webhooks. */
  listEarnedRewards(userId: string): Promise<unknown[]>;
  /** Maps an error thrown by the SDK to an HTTP answer for the sample's own callers, or null. */
  describeError(error: unknown): { status: number; body: unknown } | null;
}

/**
 * 408, 429, 5xx and connection problems may succeed later. So may 401/403: they mean our
 * credentials or Kard's configuration are wrong (or a token was revoked), not the events, so the
 * events wait (with backoff) until that is fixed, and the next attempt starts with a new token.
 * Other 4xx answers are about the request itself.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof KardConnectionError || error instanceof KardTimeoutError) return true;
  if (error instanceof KardApiError) {
    return isAuthFailure(error) || error.status === 408 || error.status === 429 || error.status >= 500;
  }
  return !(error instanceof KardValidationError);
}

/** 401 or 403 from Kard: the token (or the credentials behind it) was not accepted. */
export function isAuthFailure(error: unknown): boolean {
  return error instanceof KardApiError && (error.status === 401 || error.status === 403);
}

/**
 * Kard answers 409 for event ids it already has (openapi/kard.yaml: transactions.create lists 409;
 * event ids are unique per event, R10).
 */
function isDuplicate(status: unknown): boolean {
  return Number(status) === 409;
}

function errorText(error: unknown): string {
  if (error instanceof KardApiError) return `HTTP ${error.status}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * `client` is a KardClient, or a function that makes one. With a function, a 401 or 403 from Kard
 * on a send replaces the client, so that the next attempt (after the forwarder's backoff) fetches a
 * new token instead of reusing the one Kard refused. (The SDK itself refreshes once on a 401 within
 * a call; a 403, or a second 401, ends the call.)
 */
export function createKardPort(client: KardClient | (() => KardClient)): KardPort {
  const makeClient = typeof client === 'function' ? client : null;
  let current: KardClient = makeClient ? makeClient() : (client as KardClient);

  const sendTransactions: Sender = async (kind, rows): Promise<SendResult> => {
    const client = current;
    // Intake validated every event already. Checking again item by item here keeps one event that a
    // newer rule no longer accepts from sinking its whole batch: it is rejected on its own, with the
    // issues as its reason, and the rest is sent (with the SDK's whole-request validation off, since
    // it would throw for the batch).
    const check = checkBatch(
      kind === 'v2' ? 'transactions' : 'legacyIncoming',
      rows.map((r) => r.payload),
    );
    const rejected: ItemRejection[] = check.invalid.map((x) => ({
      id: rows[x.index]!.id,
      reason: { source: 'kardkit validation', issues: x.issues },
    }));
    const items = check.valid.map((x) => x.item);
    if (items.length === 0) return { rejected };
    try {
      if (kind === 'legacy') {
        // The legacy endpoint answers 201 with a plain string and has no per-item errors.
        const response = await client.legacy.transactions.createIncoming(items as never, { validate: false });
        return { rejected, response };
      }
      const result = await client.transactions.create(items as never, { validate: false });
      for (const r of result.rejected) {
        // A per-event 409 means Kard already has this event id: delivered before (our earlier
        // attempt, whose answer was lost). That is success for an at-least-once sender.
        if (isDuplicate(r.error?.status)) continue;
        // The SDK matches an error to an event of the request by source.pointer or id. An error
        // that names no event of this batch cannot be pinned on one: retry rather than guess.
        const id = r.item === undefined ? null : r.id;
        if (id === null)
          return { rejected, transientError: `unattributed error in a 207: ${r.error?.detail ?? ''}` };
        rejected.push({ id, reason: r.error });
      }
      return { rejected, response: result.response };
    } catch (error) {
      if (isAuthFailure(error) && makeClient && current === client) current = makeClient();
      if (isTransient(error)) return { rejected, transientError: errorText(error) };
      if (error instanceof KardApiError && isDuplicate(error.status)) {
        // 409 on the whole request: Kard already has these event ids (a re-send after a lost
        // answer or a crash). The ids are the events' identity, so they count as delivered.
        return {
          rejected,
          response: { status: 409, errors: error.errors, note: 'already received by Kard' },
        };
      }
      // Kard refused the whole request (400, 422…): retrying the same bytes gets the same answer,
      // so every event is kept as rejected with Kard's reason.
      const reason =
        error instanceof KardApiError
          ? { status: error.status, errors: error.errors }
          : { error: errorText(error) };
      const ids = new Set(rejected.map((r) => r.id));
      for (const r of rows) if (!ids.has(r.id)) rejected.push({ id: r.id, reason });
      return { rejected };
    }
  };

  return {
    sendTransactions,
    async createUser(request) {
      const result = await current.users.create(request as never);
      return {
        rejected: result.rejected.map((r) => ({
          status: r.error?.status,
          title: r.error?.title,
          detail: r.error?.detail,
        })),
        response: result.response,
      };
    },
    async listOffers(userId, page) {
      const query: Record<string, unknown> = {};
      if (page.size !== undefined) query['page[size]'] = page.size;
      if (page.after !== undefined) query['page[after]'] = page.after;
      if (page.before !== undefined) query['page[before]'] = page.before;
      const first = await current.users.offers.list(userId, query as never).page();
      const response = (first.response ?? {}) as { meta?: unknown; links?: Record<string, unknown> };
      return {
        data: first.items as unknown[],
        next: first.next ?? null,
        ...(response.links ? { links: response.links } : {}),
        ...(response.meta !== undefined ? { meta: response.meta } : {}),
      };
    },
    async listEarnedRewards(userId) {
      const first = await current.users.earnedRewards.list(userId).page();
      return first.items as unknown[];
    },
    describeError(error) {
      if (error instanceof KardValidationError) {
        return { status: 400, body: { error: 'rejected before sending to Kard', issues: error.issues } };
      }
      if (error instanceof KardApiError) {
        // Kard's 4xx answers are passed on (404 unknown user, 409 exists…); its 5xx become 502.
        const status =
          error.status >= 500 || error.status === 401 || error.status === 403 ? 502 : error.status;
        return { status, body: { error: `Kard answered HTTP ${error.status}`, errors: error.errors } };
      }
      if (error instanceof KardConnectionError || error instanceof KardTimeoutError) {
        return { status: 504, body: { error: 'Kard did not answer' } };
      }
      return null;
    },
  };
}
