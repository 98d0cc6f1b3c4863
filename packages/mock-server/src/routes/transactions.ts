import { randomUUID } from 'node:crypto';
import { checkBatch, type ValidationIssue } from '@kardkit/schemas';
import type { MockCore, ReceivedTransaction } from '../core.js';
import {
  describeIssues,
  type ErrorObject,
  errorObject,
  fail,
  issueMessage,
  reply,
  reportable,
  toPointer,
} from '../http.js';
import { type Ctx, dataArray, MALFORMED, type RouteDef } from '../router.js';

type Kind = Parameters<typeof checkBatch>[0];

/** One error per rejected item: `id` = the failing data[].id, pointer = its first error (openapi/kard.yaml TransactionsMultiStatusResponse). */
function itemError(
  item: unknown,
  index: number,
  issues: readonly ValidationIssue[],
  title: string,
  base = 'data',
): ErrorObject {
  const shown = reportable(issues);
  const first = shown[0];
  const id = (item as { id?: unknown } | null)?.id;
  return errorObject(400, describeIssues(shown), {
    title,
    pointer: first?.path ? toPointer(first.path) : `/${base}/${index}`,
    ...(typeof id === 'string' ? { id } : {}),
  });
}

interface Split {
  valid: { index: number; item: unknown }[];
  invalid: { index: number; item: unknown; issues: readonly ValidationIssue[] }[];
  errors: ErrorObject[];
}

export function split(kind: Kind, items: unknown[], title: string): Split {
  const r = checkBatch(kind, items);
  return {
    valid: r.valid,
    invalid: r.invalid,
    errors: r.invalid.map((x) => itemError(x.item, x.index, x.issues, title)),
  };
}

const issueLines = (issues: readonly ValidationIssue[]) =>
  issues.map((i) => `${i.severity} ${i.path ? `${i.path}: ` : ''}${issueMessage(i)}`);

/** A rejected event, for the dashboard's transaction list. */
function noteRejectedItem(
  core: MockCore,
  source: 'v2' | 'legacy',
  item: unknown,
  issues: readonly ValidationIssue[],
): void {
  const it = (item ?? {}) as Record<string, unknown>;
  const a = (source === 'v2' ? (it.attributes ?? {}) : it) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const entry: ReceivedTransaction = {
    at: new Date().toISOString(),
    id: String((source === 'v2' ? it.id : it.transactionId) ?? ''),
    source,
    outcome: 'rejected',
    issues: issueLines(issues),
    match: 'not matched: rejected by validation',
  };
  const userId = str(source === 'v2' ? a.userId : a.referringPartnerUserId);
  if (userId !== undefined) entry.userId = userId;
  const transactionId = str(a.transactionId);
  if (transactionId !== undefined) entry.transactionId = transactionId;
  const status = str(a.status);
  if (status !== undefined) entry.status = status;
  if (typeof a.amount === 'number') entry.amount = a.amount;
  const merchant =
    str((a.merchant as { name?: unknown } | undefined)?.name) ?? str(a.merchantName) ?? str(a.description);
  if (merchant !== undefined) entry.merchant = merchant;
  core.noteReceived(entry);
}

export const job = (message: string) => ({
  type: 'job',
  id: randomUUID(),
  attributes: { status: 'queued', message },
});

/** 1. POST /v2/issuers/{org}/transactions — 202 / 207 / 400 (R10, R11). Hot path: keep it lean. */
function createTransactions(ctx: Ctx) {
  const core = ctx.core;
  const data = dataArray(ctx, 500, 'R11');
  const st = core.stats.transactions;
  st.received += data.length;
  const { valid, invalid, errors } = split('transactions', data, 'Invalid transaction');
  if (errors.length) {
    st.rejected += errors.length;
    for (const e of errors) if (e.id !== undefined) core.noteRejected(e.id);
    for (const x of invalid) noteRejectedItem(core, 'v2', x.item, x.issues);
  }
  let fresh = 0;
  for (const { item } of valid) if (core.acceptEvent(item as { id: string })) fresh += 1;
  st.accepted += fresh;
  st.duplicates += valid.length - fresh;
  core.changed('transactions');
  if (valid.length === 0) return reply(400, { errors });
  const message = `${valid.length} transaction event(s) queued for processing`;
  if (errors.length === 0) return reply(202, { data: job(message) });
  return reply(207, { errors, data: job(message) });
}

/** SDK-only POST /v2/issuers/{org}/fraud (R29): flags transactionIds so they earn no reward. */
function createFraudMarkers(ctx: Ctx) {
  const data = dataArray(ctx, 500, 'R29');
  const { valid, errors } = split('fraudMarkers', data, 'Invalid fraud marker');
  if (valid.length === 0) return reply(400, { errors });
  const out = valid.map(({ item }) => {
    const it = item as { id: string; attributes: { userId: string } };
    ctx.core.fraudulent.add(it.id);
    return { type: 'fraudulentTransaction', id: it.id, attributes: { userId: it.attributes.userId } };
  });
  return errors.length ? reply(207, { errors, data: out }) : reply(201, { data: out });
}

/** 3. POST /v2/issuers/{org}/users/{user}/audits — 201 / 207 / 400 / 404 / 409. */
function createAudits(ctx: Ctx) {
  const core = ctx.core;
  const userId = ctx.params.user!;
  if (!core.users.has(userId)) fail(404, `user ${userId} not found`, { parameter: 'userId' });
  const data = dataArray(ctx, 500, 'audits');
  const { valid, errors } = split('audits', data, 'Invalid audit');
  let byTxn = core.audits.get(userId);
  if (!byTxn) {
    byTxn = new Map();
    core.audits.set(userId, byTxn);
  }
  const out: unknown[] = [];
  for (const { item, index } of valid) {
    const txn = String((item as { attributes: { transactionId: string } }).attributes.transactionId);
    if (byTxn.has(txn)) {
      errors.push(
        errorObject(409, `an audit for transaction ${txn} is already open`, {
          title: 'Conflict',
          pointer: `/data/${index}/attributes/transactionId`,
          id: txn,
        }),
      );
      continue;
    }
    const auditId = randomUUID();
    byTxn.set(txn, auditId);
    out.push({ type: 'audit', id: auditId, attributes: { transactionId: txn } });
  }
  if (out.length === 0) {
    const status = errors.every((e) => e.status === '409') ? 409 : 400;
    return reply(status, { errors });
  }
  return errors.length ? reply(207, { errors, data: out }) : reply(201, { data: out });
}

/** Legacy POST /transactions/incoming: top-level array; 201 string; 400 {errors: string[]} (openapi/kard.yaml legacy.transactions.createIncoming, LegacyValidationErrorResponse). */
function legacyIncoming(ctx: Ctx) {
  const core = ctx.core;
  if (ctx.body === MALFORMED || !Array.isArray(ctx.body))
    return reply(400, { errors: ['request body must be a JSON array of transactions'] });
  const items = ctx.body as unknown[];
  const st = core.stats.legacyIncoming;
  st.received += items.length;
  if (items.length === 0)
    return reply(400, { errors: ['request body must contain at least one transaction'] });
  const r = checkBatch('legacyIncoming', items);
  if (r.invalid.length > 0) {
    st.rejected += items.length;
    for (const x of r.invalid) noteRejectedItem(core, 'legacy', x.item, x.issues);
    core.changed('transactions');
    const messages: string[] = [];
    for (const inv of r.invalid)
      for (const i of reportable(inv.issues))
        messages.push(`${i.path || `[${inv.index}]`}: ${issueMessage(i)}`);
    return reply(400, { errors: messages });
  }
  let fresh = 0;
  for (const { item } of r.valid) if (acceptLegacy(core, item as Record<string, unknown>)) fresh += 1;
  st.accepted += fresh;
  st.duplicates += items.length - fresh;
  core.changed('transactions');
  return { status: 201, raw: JSON.stringify('Created'), headers: { 'content-type': 'application/json' } };
}

function acceptLegacy(core: MockCore, t: Record<string, unknown>): boolean {
  // Legacy events carry no event id: the lifecycle key is transactionId + status + its date.
  const key = `${t.transactionId}\u0000${t.status}\u0000${t.settledDate ?? t.authorizationDate ?? t.transactionDate ?? ''}`;
  const entry: ReceivedTransaction = {
    at: new Date().toISOString(),
    id: String(t.transactionId),
    source: 'legacy',
    userId: t.referringPartnerUserId as string,
    transactionId: t.transactionId as string,
    status: t.status as string,
    amount: t.amount as number,
    merchant: (t.merchantName ?? t.description) as string,
    outcome: 'accepted',
    issues: [],
    match: 'no reward: no users enrolled',
  };
  if (core.legacySeen.has(key)) {
    entry.outcome = 'duplicate';
    entry.match = 'already received (same transactionId, status and date)';
    core.noteReceived(entry);
    return false;
  }
  core.legacySeen.add(key);
  core.noteReceived(entry);
  if (core.users.size > 0)
    entry.match = core.maybeReward({
      eventId: `legacy:${t.transactionId}:${t.status}`,
      userId: t.referringPartnerUserId as string,
      transactionId: t.transactionId as string,
      status: t.status as string,
      amount: t.amount as number,
      description: t.description as string | undefined,
      merchantName: t.merchantName as string | undefined,
      timestamp: (t.settledDate ?? t.authorizationDate ?? t.transactionDate) as string | undefined,
    });
  return true;
}

export const transactionRoutes: RouteDef[] = [
  { method: 'POST', path: '/v2/issuers/:org/transactions', auth: 'bearer', handler: createTransactions },
  { method: 'POST', path: '/v2/issuers/:org/fraud', auth: 'bearer', handler: createFraudMarkers },
  { method: 'POST', path: '/v2/issuers/:org/users/:user/audits', auth: 'bearer', handler: createAudits },
  { method: 'POST', path: '/transactions/incoming', auth: 'legacy', handler: legacyIncoming },
];
