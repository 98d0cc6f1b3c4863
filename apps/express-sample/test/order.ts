/**
 * Shared by the per-transaction order tests (PGlite and PostgreSQL): the events, a sender that logs
 * what it sends, and the order checks on that log and on the mock's own request log.
 */
import type { MockKard } from '@kardkit/mock-server';
import type { Sender } from '../src/forwarder.js';
import type { OutboxEvent } from '../src/intake.js';
import { NO_OFFER, txEvent } from './helpers.js';

/**
 * APPROVED and SETTLED events of `n` transactions, arriving interleaved (A0, A1, S0, A2, S1, …), so
 * that both events of a transaction are often due at the same time.
 */
export function lifecycleEvents(prefix: string, n: number): OutboxEvent[] {
  const event = (i: number, status: 'APPROVED' | 'SETTLED'): OutboxEvent => {
    const id = `${prefix}-${i}-${status}`;
    const transactionId = `${prefix}-txn-${i}`;
    return {
      id,
      kind: 'v2',
      payload: txEvent(id, { userId: `${prefix}-user`, transactionId, status, merchant: NO_OFFER }),
      userId: `${prefix}-user`,
      transactionId,
      eventStatus: status,
    };
  };
  const out: OutboxEvent[] = [];
  for (let i = 0; i <= n; i++) {
    if (i < n) out.push(event(i, 'APPROVED'));
    if (i > 0) out.push(event(i - 1, 'SETTLED'));
  }
  return out;
}

interface SendLogEntry {
  what: 'start' | 'delivered' | 'failed';
  ids: string[];
}

/** Wraps a sender; `log` lists, in order, each send's start and its end (delivered or failed ids). */
export function loggingSender(send: Sender): { send: Sender; log: SendLogEntry[] } {
  const log: SendLogEntry[] = [];
  return {
    log,
    async send(kind, rows) {
      const ids = rows.map((r) => r.id);
      log.push({ what: 'start', ids });
      const result = await send(kind, rows);
      const rejected = new Set(result.rejected.map((r) => r.id));
      log.push({
        what: result.transientError === undefined ? 'delivered' : 'failed',
        ids: ids.filter((id) => !rejected.has(id)),
      });
      return result;
    },
  };
}

/**
 * Transactions whose SETTLED event was sent before its APPROVED event was delivered: in the
 * forwarder's own log (a SETTLED send may start only after a send that delivered the APPROVED one
 * ended), and at the mock (the first request that Kard accepted with the SETTLED event comes after
 * the first one with the APPROVED event). Returns the offending transaction numbers (empty: in order).
 */
export function outOfOrder(prefix: string, n: number, log: SendLogEntry[], mock: MockKard): number[] {
  const firstIndex = (entries: { ids: string[] }[], id: string) =>
    entries.findIndex((e) => e.ids.includes(id));
  const accepted = mock.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/transactions') && r.status < 300)
    .map((r) => ({ ids: ((r.body as { data?: { id: string }[] }).data ?? []).map((e) => e.id) }));
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    const approved = `${prefix}-${i}-APPROVED`;
    const settled = `${prefix}-${i}-SETTLED`;
    const delivered = log.findIndex((e) => e.what === 'delivered' && e.ids.includes(approved));
    const started = log.findIndex((e) => e.what === 'start' && e.ids.includes(settled));
    const atKardApproved = firstIndex(accepted, approved);
    const atKardSettled = firstIndex(accepted, settled);
    if (delivered < 0 || started < delivered || atKardApproved < 0 || atKardSettled < atKardApproved)
      bad.push(i);
  }
  return bad;
}
