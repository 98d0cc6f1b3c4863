import type { ApiErrorObject } from '../errors.js';

export interface RejectedItem<T = unknown> {
  /** The id of the rejected item (`data[].id`, or the error's id), or null. */
  id: string | null;
  /** The request item the API rejected (undefined if the error could not be matched to one). */
  item: T | undefined;
  /** The API's error object for that item. */
  error: ApiErrorObject;
}

/**
 * What 207-capable operations resolve to (openapi/kard.yaml `TransactionsMultiStatusResponse` and the other
 * `*MultiStatusResponse` schemas): never a silent success. `accepted` lists the
 * request items the API did not reject; `response` is the raw body; `status` 2xx (207 when partial).
 */
export interface PartialResult<T = unknown, R = unknown> {
  accepted: T[];
  rejected: RejectedItem<T>[];
  status: number;
  response: R;
}

/** Matches `errors[]` to request items by `source.pointer` (/data/3) first, then by id. */
export function toPartialResult<T, R>(
  requestBody: unknown,
  status: number,
  response: R,
): PartialResult<T, R> {
  const raw = (requestBody as { data?: unknown })?.data ?? requestBody;
  const items = (Array.isArray(raw) ? raw : []) as T[];
  const errors = ((response as { errors?: unknown })?.errors ?? []) as ApiErrorObject[];
  if (!Array.isArray(errors) || errors.length === 0) {
    return { accepted: items, rejected: [], status, response };
  }
  const byId = new Map<string, number>();
  items.forEach((item, i) => {
    const id = idOf(item);
    if (id !== null && !byId.has(id)) byId.set(id, i);
  });
  const rejectedIdx = new Set<number>();
  const rejected: RejectedItem<T>[] = [];
  for (const error of errors) {
    let index: number | undefined;
    const m = /^\/data\/(\d+)/.exec(error?.source?.pointer ?? '');
    if (m) index = Number(m[1]);
    if ((index === undefined || index >= items.length) && typeof error?.id === 'string')
      index = byId.get(error.id);
    const item = index === undefined ? undefined : items[index];
    if (index !== undefined && item !== undefined) rejectedIdx.add(index);
    rejected.push({ id: (item !== undefined ? idOf(item) : null) ?? error?.id ?? null, item, error });
  }
  return { accepted: items.filter((_, i) => !rejectedIdx.has(i)), rejected, status, response };
}

/**
 * The id the API reports an item by: a v2 item's `id`, else a legacy record's `transactionId`, else a
 * historical transaction's `attributes.transactionId`; null when it has none.
 */
export function idOf(item: unknown): string | null {
  if (!item || typeof item !== 'object') return null;
  const o = item as { id?: unknown; transactionId?: unknown; attributes?: { transactionId?: unknown } };
  if (typeof o.id === 'string') return o.id;
  if (typeof o.transactionId === 'string') return o.transactionId;
  if (typeof o.attributes?.transactionId === 'string') return o.attributes.transactionId;
  return null;
}
