import type { z } from 'zod';
import {
  DATE_KEYS,
  fail,
  fromZodIssues,
  joinPath,
  type ParseOptions,
  type ParseResult,
  type RuleResolver,
  SchemaValidationError,
  type ValidationIssue,
} from './issues.js';
import { isObj } from './primitives.js';
import {
  attributionItemSchema,
  attributionWarnings,
  auditItemSchema,
  type BulkUploadUrlRequest,
  bulkUploadUrlRequestSchema,
  type CompleteUploadRequest,
  type ContentStrategyRequest,
  type CreateAttributionsRequest,
  type CreateAuditsRequest,
  type CreateChildOrganizationRequest,
  type CreatePlacementRequest,
  type CreateSubscriptionsRequest,
  type CreateUploadRequest,
  type CreateUsersRequest,
  completeUploadRequestSchema,
  contentStrategyRequestSchema,
  createAttributionsRequestSchema,
  createAuditsRequestSchema,
  createChildOrganizationRequestSchema,
  createPlacementRequestSchema,
  createSubscriptionsRequestSchema,
  createUploadRequestSchema,
  createUsersRequestSchema,
  type FraudMarkersRequest,
  fraudMarkerItemSchema,
  fraudMarkersRequestSchema,
  type LegacyCreateUserRequest,
  legacyCreateUserRequestSchema,
  legacyCreateUserWarnings,
  placementWarnings,
  type UpdateChildOrganizationRequest,
  type UpdatePlacementRequest,
  type UpdateSubscriptionRequest,
  type UpdateUserRequest,
  updateChildOrganizationRequestSchema,
  updatePlacementRequestSchema,
  updateSubscriptionRequestSchema,
  updateUserRequestSchema,
  userItemSchema,
} from './resources.js';
import {
  fastLegacyIncoming,
  fastTransactionEvent,
  fastUploadPartItem,
  type LegacyIncomingTransaction,
  type LegacyIncomingTransactions,
  legacyIncomingTransactionSchema,
  legacyIncomingTransactionsSchema,
  legacyIncomingWarnings,
  type TransactionEvent,
  type TransactionsRequest,
  transactionEventSchema,
  transactionEventWarnings,
  transactionsRequestSchema,
  type UploadPartRequest,
  uploadPartItemSchema,
  uploadPartRequestSchema,
} from './transactions.js';

// ---------------------------------------------------------------------------------------------
// Rule resolution for ordinary zod issues (custom checks carry their own rule id).
// ---------------------------------------------------------------------------------------------

type Flavor =
  | 'transactions'
  | 'legacy'
  | 'users'
  | 'audits'
  | 'fraud'
  | 'subsCreate'
  | 'attributions'
  | 'uploads'
  | 'uploadUrls'
  | 'children'
  | 'placementCreate'
  | 'placementUpdate'
  /** Only the rules every body shares (R4 BINs, R24 dates, R41 phones, R42 hashed emails). */
  | 'common';

const AMOUNT_KEYS: ReadonlySet<PropertyKey | undefined> = new Set(['amount', 'subtotal']);
const DATE_KEY_SET: ReadonlySet<PropertyKey | undefined> = DATE_KEYS;

function resolverFor(flavor: Flavor): RuleResolver {
  return ({ key: k, segs, missing, itemType }) => {
    // The enclosing key (undefined at the top level: index -1 of an array is undefined).
    const parent = segs[segs.length - 2];
    if (flavor === 'transactions' || flavor === 'legacy') {
      if (segs.includes('processorMids')) return 'R8';
      // The merchant's is the only `name` of a transaction.
      if (k === 'name') return 'R7';
      if (AMOUNT_KEYS.has(k)) return 'R23';
      if (k === 'cardBIN') return 'R4';
      if (DATE_KEY_SET.has(k)) {
        if (itemType === 'coreTransaction' && missing) return 'R19';
        return missing ? null : 'R24';
      }
      if (k === 'paymentType' && (itemType === 'transaction' || itemType === 'historicalTransaction'))
        return 'R9';
      if (k === 'status' && itemType === 'coreTransaction') return 'R19';
      if (k === 'currency' && itemType === 'coreTransaction') return 'R20';
      return null;
    }
    if (k === 'phoneNumber') return 'R41';
    if (k === 'hashedEmail') return 'R42';
    if (k === 'bin' || parent === 'bins' || k === 'bins') return 'R4';
    if (DATE_KEY_SET.has(k) && !missing) return 'R24';
    switch (flavor) {
      case 'users':
        return k === 'enrolledRewards' || parent === 'enrolledRewards' ? 'R39' : null;
      case 'audits':
        return k === 'auditCode' ? 'R50' : null;
      case 'fraud':
        // Only a marker's own type and id are checked (its attributes hold neither).
        return k === 'type' || k === 'id' ? 'R29' : null;
      case 'subsCreate':
        return missing && (k === 'eventName' || k === 'webhookUrl' || k === 'enabled') ? 'R74' : null;
      case 'attributions':
        return k === 'medium' ? 'R77' : null;
      case 'uploads':
        // Only data.type and data.id are checked (the attributes hold neither).
        return k === 'type' || k === 'id' ? 'R36' : null;
      case 'uploadUrls':
        return k === 'filename' ? 'R33' : null;
      case 'children':
        return k === 'name' ? 'R86' : null;
      case 'placementCreate':
      case 'placementUpdate': {
        const shape = flavor === 'placementCreate' ? 'R90' : 'R92';
        if (segs.includes('slots') && segs.length > 3) return 'R94';
        if (segs.includes('cadence') && segs.length > 3) return 'R93';
        if (
          missing &&
          (k === 'name' ||
            k === 'availableSlots' ||
            k === 'cadence' ||
            k === 'refreshInterval' ||
            k === 'slots')
        )
          return shape;
        if (k === 'availableSlots') return 'R91';
        if (k === 'refreshInterval') return 'R96';
        return null;
      }
      default:
        return null;
    }
  };
}

type WarnFn = (input: unknown, base: string, out: ValidationIssue[]) => void;

function eachItem(fn: WarnFn): WarnFn {
  return (input, base, out) => {
    if (!isObj(input) || !Array.isArray(input.data)) return;
    const p = joinPath(base, 'data');
    for (const [i, item] of input.data.entries()) fn(item, joinPath(p, i), out);
  };
}

function run<T>(
  schema: z.ZodType,
  input: unknown,
  base: string,
  resolver: RuleResolver,
  warnFn?: WarnFn,
): ParseResult<T> {
  const r = schema.safeParse(input);
  const issues: ValidationIssue[] = [];
  if (!r.success) fromZodIssues(r.error.issues, input, base, resolver, issues);
  if (warnFn) warnFn(input, base, issues);
  // No transforms or defaults anywhere: the accepted value is the input itself.
  return r.success ? { success: true, data: input as T, issues } : { success: false, issues };
}

/** What a fast path returns for a value the schema accepts: the input itself plus its warnings. */
function accepted<T>(input: unknown, base: string, warnFn: WarnFn): ParseResult<T> {
  const issues: ValidationIssue[] = [];
  warnFn(input, base, issues);
  return { success: true, data: input as T, issues };
}

function orThrow<T>(r: ParseResult<T>, what: string): T {
  if (r.success) return r.data;
  throw new SchemaValidationError(r.issues, what);
}

const R = {
  transactions: resolverFor('transactions'),
  legacy: resolverFor('legacy'),
  users: resolverFor('users'),
  audits: resolverFor('audits'),
  fraud: resolverFor('fraud'),
  subsCreate: resolverFor('subsCreate'),
  attributions: resolverFor('attributions'),
  uploads: resolverFor('uploads'),
  uploadUrls: resolverFor('uploadUrls'),
  children: resolverFor('children'),
  placementCreate: resolverFor('placementCreate'),
  placementUpdate: resolverFor('placementUpdate'),
  common: resolverFor('common'),
};

const txWarnings = eachItem(transactionEventWarnings);

// ---------------------------------------------------------------------------------------------
// Transactions (with fast paths for the common valid case)
// ---------------------------------------------------------------------------------------------

/** True when every item passes the fast path and no id repeats (R10). */
function fastEvents(data: readonly unknown[]): boolean {
  const ids = new Set<string>();
  for (let i = 0; i < data.length; i++) {
    const item = data[i];
    if (!fastTransactionEvent(item)) return false;
    const id = (item as { id: string }).id;
    if (ids.has(id)) return false;
    ids.add(id);
  }
  return true;
}

/** POST /v2/issuers/{org}/transactions body (≤500 items, R11; unique ids, R10). */
export function safeParseTransactionsRequest(
  input: unknown,
  opts?: ParseOptions,
): ParseResult<TransactionsRequest> {
  if (isObj(input) && Array.isArray(input.data) && input.data.length <= 500 && fastEvents(input.data)) {
    return accepted(input, opts?.path ?? '', txWarnings);
  }
  return safeParseTransactionsRequestWithZod(input, opts);
}
export function validateTransactionsRequest(input: unknown, opts?: ParseOptions): TransactionsRequest {
  return orThrow(safeParseTransactionsRequest(input, opts), 'transactions request');
}

/** One data[] item: transaction | matchedTransaction | coreTransaction. */
export function safeParseTransactionEvent(
  input: unknown,
  opts?: ParseOptions,
): ParseResult<TransactionEvent> {
  const base = opts?.path ?? '';
  if (fastTransactionEvent(input)) return accepted(input, base, transactionEventWarnings);
  return run(transactionEventSchema, input, base, R.transactions, transactionEventWarnings);
}
export function validateTransactionEvent(input: unknown, opts?: ParseOptions): TransactionEvent {
  return orThrow(safeParseTransactionEvent(input, opts), 'transaction event');
}

function legacyArrayWarnings(input: unknown, base: string, out: ValidationIssue[]): void {
  if (!Array.isArray(input)) return;
  for (const [i, item] of input.entries()) legacyIncomingWarnings(item, joinPath(base, i), out);
}

/** Legacy POST /transactions/incoming body: a top-level array of flat records. */
export function safeParseLegacyIncomingTransactions(
  input: unknown,
  opts?: ParseOptions,
): ParseResult<LegacyIncomingTransactions> {
  if (Array.isArray(input) && input.every(fastLegacyIncoming)) {
    return accepted(input, opts?.path ?? '', legacyArrayWarnings);
  }
  return safeParseLegacyIncomingTransactionsWithZod(input, opts);
}
export function validateLegacyIncomingTransactions(
  input: unknown,
  opts?: ParseOptions,
): LegacyIncomingTransactions {
  return orThrow(safeParseLegacyIncomingTransactions(input, opts), 'legacy incoming transactions');
}

/** One legacy incoming transaction (flat record). */
export function safeParseLegacyIncomingTransaction(
  input: unknown,
  opts?: ParseOptions,
): ParseResult<LegacyIncomingTransaction> {
  const base = opts?.path ?? '';
  if (fastLegacyIncoming(input)) return accepted(input, base, legacyIncomingWarnings);
  return run(legacyIncomingTransactionSchema, input, base, R.legacy, legacyIncomingWarnings);
}
export function validateLegacyIncomingTransaction(
  input: unknown,
  opts?: ParseOptions,
): LegacyIncomingTransaction {
  return orThrow(safeParseLegacyIncomingTransaction(input, opts), 'legacy incoming transaction');
}

/** PUT …/uploads/{uploadId}/parts body (historicalTransaction items, ≤500, R35). */
export function safeParseUploadPartRequest(
  input: unknown,
  opts?: ParseOptions,
): ParseResult<UploadPartRequest> {
  return run(uploadPartRequestSchema, input, opts?.path ?? '', R.transactions, txWarnings);
}
export function validateUploadPartRequest(input: unknown, opts?: ParseOptions): UploadPartRequest {
  return orThrow(safeParseUploadPartRequest(input, opts), 'upload part request');
}

// ---------------------------------------------------------------------------------------------
// Everything else
// ---------------------------------------------------------------------------------------------

function pair<T>(schema: z.ZodType, resolver: RuleResolver, what: string, warnFn?: WarnFn) {
  const safeParse = (input: unknown, opts?: ParseOptions): ParseResult<T> =>
    run<T>(schema, input, opts?.path ?? '', resolver, warnFn);
  const validate = (input: unknown, opts?: ParseOptions): T => orThrow(safeParse(input, opts), what);
  return [safeParse, validate] as const;
}

export const [safeParseCreateUploadRequest, validateCreateUploadRequest] = pair<CreateUploadRequest>(
  createUploadRequestSchema,
  R.uploads,
  'create upload request',
);
export const [safeParseCompleteUploadRequest, validateCompleteUploadRequest] = pair<CompleteUploadRequest>(
  completeUploadRequestSchema,
  R.uploads,
  'complete upload request',
);
export const [safeParseBulkUploadUrlRequest, validateBulkUploadUrlRequest] = pair<BulkUploadUrlRequest>(
  bulkUploadUrlRequestSchema,
  R.uploadUrls,
  'bulk upload URL request',
);
export const [safeParseCreateUsersRequest, validateCreateUsersRequest] = pair<CreateUsersRequest>(
  createUsersRequestSchema,
  R.users,
  'create users request',
);
export const [safeParseUpdateUserRequest, validateUpdateUserRequest] = pair<UpdateUserRequest>(
  updateUserRequestSchema,
  R.users,
  'update user request',
);
export const [safeParseLegacyCreateUserRequest, validateLegacyCreateUserRequest] =
  pair<LegacyCreateUserRequest>(
    legacyCreateUserRequestSchema,
    R.common,
    'legacy create user request',
    legacyCreateUserWarnings,
  );
export const [safeParseCreateAuditsRequest, validateCreateAuditsRequest] = pair<CreateAuditsRequest>(
  createAuditsRequestSchema,
  R.audits,
  'create audits request',
);
export const [safeParseFraudMarkersRequest, validateFraudMarkersRequest] = pair<FraudMarkersRequest>(
  fraudMarkersRequestSchema,
  R.fraud,
  'fraud markers request',
);
export const [safeParseCreateSubscriptionsRequest, validateCreateSubscriptionsRequest] =
  pair<CreateSubscriptionsRequest>(
    createSubscriptionsRequestSchema,
    R.subsCreate,
    'create subscriptions request',
  );
export const [safeParseUpdateSubscriptionRequest, validateUpdateSubscriptionRequest] =
  pair<UpdateSubscriptionRequest>(updateSubscriptionRequestSchema, R.common, 'update subscription request');
export const [safeParseCreateAttributionsRequest, validateCreateAttributionsRequest] =
  pair<CreateAttributionsRequest>(
    createAttributionsRequestSchema,
    R.attributions,
    'create attributions request',
    eachItem(attributionWarnings),
  );
export const [safeParseCreateChildOrganizationRequest, validateCreateChildOrganizationRequest] =
  pair<CreateChildOrganizationRequest>(
    createChildOrganizationRequestSchema,
    R.children,
    'create child organization request',
  );
export const [safeParseUpdateChildOrganizationRequest, validateUpdateChildOrganizationRequest] =
  pair<UpdateChildOrganizationRequest>(
    updateChildOrganizationRequestSchema,
    R.children,
    'update child organization request',
  );
export const [safeParseCreatePlacementRequest, validateCreatePlacementRequest] = pair<CreatePlacementRequest>(
  createPlacementRequestSchema,
  R.placementCreate,
  'create placement request',
  placementWarnings,
);
export const [safeParseUpdatePlacementRequest, validateUpdatePlacementRequest] = pair<UpdatePlacementRequest>(
  updatePlacementRequestSchema,
  R.placementUpdate,
  'update placement request',
  placementWarnings,
);
export const [safeParseContentStrategyRequest, validateContentStrategyRequest] = pair<ContentStrategyRequest>(
  contentStrategyRequestSchema,
  R.common,
  'content strategy request',
);

// ---------------------------------------------------------------------------------------------
// checkBatch: split a batch item by item (207-style partial handling)
// ---------------------------------------------------------------------------------------------

export type BatchKind =
  | 'transactions'
  | 'uploadParts'
  | 'users'
  | 'fraudMarkers'
  | 'audits'
  | 'attributions'
  | 'legacyIncoming';

export interface BatchCheck {
  valid: { index: number; item: unknown }[];
  invalid: { index: number; item: unknown; issues: ValidationIssue[] }[];
  /** Warnings of the valid items (an invalid item's warnings are in its own `issues`). */
  warnings: ValidationIssue[];
}

interface KindSpec {
  schema: z.ZodType;
  resolver: RuleResolver;
  fast?: (item: unknown) => boolean;
  warn?: WarnFn;
  /** rule for duplicate ids within the batch; undefined = ids not checked */
  dupRule?: string | null;
  dupWhat?: string;
}

const KINDS: Record<BatchKind, KindSpec> = {
  transactions: {
    schema: transactionEventSchema,
    resolver: R.transactions,
    fast: fastTransactionEvent,
    warn: transactionEventWarnings,
    dupRule: 'R10',
    dupWhat: 'event',
  },
  uploadParts: {
    schema: uploadPartItemSchema,
    resolver: R.transactions,
    fast: fastUploadPartItem,
    warn: transactionEventWarnings,
    dupRule: 'R10',
    dupWhat: 'event',
  },
  users: { schema: userItemSchema, resolver: R.users, dupRule: null, dupWhat: 'user' },
  fraudMarkers: { schema: fraudMarkerItemSchema, resolver: R.fraud, dupRule: null, dupWhat: 'transaction' },
  audits: { schema: auditItemSchema, resolver: R.audits },
  attributions: { schema: attributionItemSchema, resolver: R.attributions, warn: attributionWarnings },
  legacyIncoming: {
    schema: legacyIncomingTransactionSchema,
    resolver: R.legacy,
    fast: fastLegacyIncoming,
    warn: legacyIncomingWarnings,
  },
};

/**
 * Validates each item on its own. Issue paths are prefixed 'data[i].' for v2 kinds and '[i].' for
 * legacyIncoming (opts.path replaces 'data'). Does not enforce the per-request item caps.
 */
export function checkBatch(kind: BatchKind, items: readonly unknown[], opts?: { path?: string }): BatchCheck {
  const spec = KINDS[kind];
  if (!spec) throw new TypeError(`unknown batch kind: ${String(kind)}`);
  const prefix = opts?.path ?? (kind === 'legacyIncoming' ? '' : 'data');
  const out: BatchCheck = { valid: [], invalid: [], warnings: [] };
  const list: readonly unknown[] = Array.isArray(items) ? items : [];
  const seen = spec.dupRule !== undefined ? new Map<string, number>() : null;
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    const base = joinPath(prefix, index);
    const issues: ValidationIssue[] = [];
    let ok: boolean;
    if (spec.fast?.(item)) {
      ok = true;
    } else {
      const r = spec.schema.safeParse(item);
      ok = r.success;
      if (!r.success) fromZodIssues(r.error.issues, item, base, spec.resolver, issues);
    }
    if (seen && isObj(item) && typeof item.id === 'string') {
      const first = seen.get(item.id);
      if (first === undefined) seen.set(item.id, index);
      else {
        ok = false;
        fail(
          issues,
          joinPath(base, 'id'),
          spec.dupRule ?? null,
          `duplicate ${spec.dupWhat} id; already used by ${joinPath(prefix, first)}`,
          'unique id',
        );
      }
    }
    if (ok) {
      if (spec.warn) spec.warn(item, base, out.warnings);
      out.valid.push({ index, item });
    } else {
      if (spec.warn) spec.warn(item, base, issues);
      out.invalid.push({ index, item, issues });
    }
  }
  return out;
}

/**
 * The same judgement as safeParseTransactionsRequest, always through the full zod schema (no fast
 * path): its fallback, and used by the tests that prove both paths agree. Slower; useful for debugging.
 */
export function safeParseTransactionsRequestWithZod(
  input: unknown,
  opts?: ParseOptions,
): ParseResult<TransactionsRequest> {
  return run(transactionsRequestSchema, input, opts?.path ?? '', R.transactions, txWarnings);
}

/** Full-zod counterpart of safeParseLegacyIncomingTransactions (no fast path). */
export function safeParseLegacyIncomingTransactionsWithZod(
  input: unknown,
  opts?: ParseOptions,
): ParseResult<LegacyIncomingTransactions> {
  return run(legacyIncomingTransactionsSchema, input, opts?.path ?? '', R.legacy, legacyArrayWarnings);
}
