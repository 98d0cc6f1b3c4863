import { z } from 'zod';
import {
  CARD_NETWORK,
  DIRECTION_TYPE,
  PAYMENT_TYPE,
  PROCESSOR,
  RECEIPT_MEDIUM_TYPE,
  STATES,
  TRANSACTION_PAYMENT_TYPE,
  TRANSACTION_STATUS,
} from './enums.js';
import { joinPath, type ValidationIssue, warn } from './issues.js';
import {
  ALWAYS,
  binProblem,
  DATE_TIME_EXPECTED,
  isAllDigits,
  isCurrencyCode,
  isIsoDateTime,
  isLastFour,
  isObj,
  isStr,
} from './primitives.js';

// ---------------------------------------------------------------------------------------------
// Field schemas (shared by every transaction shape)
// ---------------------------------------------------------------------------------------------

type Ctx = z.core.$RefinementCtx<unknown>;

/** Reports a custom issue carrying its rule id and expectation (read back by fromZodIssues). */
export function addIssue(
  ctx: Ctx,
  path: PropertyKey[],
  message: string,
  rule: string | null,
  expected?: string,
) {
  ctx.addIssue({ code: 'custom', path: path as (string | number)[], message, params: { rule, expected } });
}

export const nonEmptyString = z.string().min(1);
/**
 * An integer. (Not `.int()`: zod marks that issue as aborting, which would silence the
 * always-running cross-field checks of the enclosing object.)
 */
export const integer = z.number().refine(Number.isSafeInteger, {
  message: 'must be an integer',
  params: { expected: 'an integer' },
});
/** R23: amounts are integer cents. */
export const cents = z.number().refine(Number.isSafeInteger, {
  message: 'must be an integer number of cents',
  params: { rule: 'R23', expected: 'integer cents' },
});
/** R24: ISO 8601 date-time with zone designator. */
export const dateTime = z.string().refine(isIsoDateTime, {
  message: 'must be an ISO 8601 date-time with a zone designator (Z or ±hh:mm)',
  params: { rule: 'R24', expected: DATE_TIME_EXPECTED },
});
/** R4: exactly 6 digits; a longer BIN is an error that says to send the first 6. */
export const cardBin = z.string().superRefine((s, ctx) => {
  const p = binProblem(s);
  if (p) ctx.addIssue({ code: 'custom', message: p, params: { rule: 'R4', expected: '6 digits' } });
});
export const lastFour = z.string().refine(isLastFour, {
  message: 'must be exactly 4 digits',
  params: { rule: null, expected: '4 digits' },
});
/** R20: ISO 4217 alpha-3. */
export const currencyAlpha3 = z.string().refine(isCurrencyCode, {
  message: 'must be an ISO 4217 alphabetic currency code',
  params: { rule: 'R20', expected: 'ISO 4217 alpha-3, e.g. USD' },
});

export const transactionStatusSchema = z.enum(TRANSACTION_STATUS);
export const directionTypeSchema = z.enum(DIRECTION_TYPE);
export const cardNetworkSchema = z.enum(CARD_NETWORK);
export const paymentTypeSchema = z.enum(PAYMENT_TYPE);
export const transactionPaymentTypeSchema = z.enum(TRANSACTION_PAYMENT_TYPE);
export const receiptMediumTypeSchema = z.enum(RECEIPT_MEDIUM_TYPE);
export const stateSchema = z.enum(STATES);

const STATUS_SET: ReadonlySet<unknown> = new Set(TRANSACTION_STATUS);
const DIRECTION_SET: ReadonlySet<unknown> = new Set(DIRECTION_TYPE);
const NETWORK_SET: ReadonlySet<unknown> = new Set(CARD_NETWORK);
const PAYMENT_SET: ReadonlySet<unknown> = new Set(PAYMENT_TYPE);
const RECEIPT_SET: ReadonlySet<unknown> = new Set(RECEIPT_MEDIUM_TYPE);
const STATE_SET: ReadonlySet<unknown> = new Set(STATES);

/** Merchant: R7 name is required whenever a merchant object is sent. */
export const merchantSchema = z.looseObject({
  id: z.string().optional(),
  name: nonEmptyString,
  addrStreet: z.string().optional(),
  addrCity: z.string().optional(),
  addrState: stateSchema.optional(),
  addrZipcode: z.string().optional(),
  addrCountry: z.string().optional(),
  latitude: z.string().optional(),
  longitude: z.string().optional(),
  storeId: z.string().optional(),
});

/** R8: processor VISA requires mids.vmid and mids.vsid. */
export const processorMidSchema = z.looseObject({
  processor: z.enum(PROCESSOR),
  mids: z.looseObject({ vmid: nonEmptyString, vsid: nonEmptyString }),
});

// ---------------------------------------------------------------------------------------------
// Cross-field rules: written as always-running checks so they report together with field errors.
// ---------------------------------------------------------------------------------------------

/** R1–R3: dates required by status (v2 transaction, historicalTransaction, legacy incoming). */
function statusDateRules(v: unknown, ctx: Ctx): void {
  if (!isObj(v)) return;
  const st = v.status;
  if (st === 'APPROVED' && v.authorizationDate === undefined) {
    addIssue(ctx, ['authorizationDate'], 'required when status is APPROVED', 'R1', DATE_TIME_EXPECTED);
  } else if (st === 'SETTLED' && v.settledDate === undefined) {
    addIssue(ctx, ['settledDate'], 'required when status is SETTLED', 'R2', DATE_TIME_EXPECTED);
  } else if (
    (st === 'REVERSED' || st === 'RETURNED' || st === 'DECLINED') &&
    v.transactionDate === undefined
  ) {
    addIssue(ctx, ['transactionDate'], `required when status is ${st}`, 'R3', DATE_TIME_EXPECTED);
  }
}

/** R13–R18: matchedTransaction fields that depend on paymentType. */
function matchedRules(v: unknown, ctx: Ctx): void {
  if (!isObj(v)) return;
  const pt = v.paymentType;
  const cashOrUnknown = pt === 'CASH' || pt === 'UNKNOWN';
  if (
    pt === 'UNKNOWN' &&
    v.matchedOfferId !== undefined &&
    v.orderId === undefined &&
    v.cardLastFour === undefined
  ) {
    addIssue(
      ctx,
      ['matchedOfferId'],
      'must be omitted when paymentType is UNKNOWN and neither orderId nor cardLastFour is sent',
      'R13',
      'absent',
    );
  }
  if (pt === 'UNKNOWN' && v.matchedLocationId !== undefined) {
    addIssue(ctx, ['matchedLocationId'], 'must be omitted when paymentType is UNKNOWN', 'R14', 'absent');
  }
  if (cashOrUnknown && v.cardBIN !== undefined) {
    addIssue(ctx, ['cardBIN'], `must be omitted when paymentType is ${pt}`, 'R15', 'absent');
  }
  if (pt === 'CARD' && v.matchedOfferId !== undefined && v.cardLastFour === undefined) {
    addIssue(
      ctx,
      ['cardLastFour'],
      'required when paymentType is CARD and matchedOfferId is sent',
      'R16',
      '4 digits',
    );
  }
  if (pt === 'CASH' && v.cardLastFour !== undefined) {
    addIssue(ctx, ['cardLastFour'], 'must be omitted when paymentType is CASH', 'R16', 'absent');
  }
  if (cashOrUnknown && v.cardNetwork !== undefined) {
    addIssue(ctx, ['cardNetwork'], `must be omitted when paymentType is ${pt}`, 'R17', 'absent');
  }
  if (cashOrUnknown && v.cardProductId !== undefined) {
    addIssue(ctx, ['cardProductId'], `must be omitted when paymentType is ${pt}`, 'R18', 'absent');
  }
}

// ---------------------------------------------------------------------------------------------
// Attribute schemas
// ---------------------------------------------------------------------------------------------

/** `TransactionsAttributes` (v2 `transaction` and `historicalTransaction`). */
export const transactionAttributesSchema = z
  .looseObject({
    userId: nonEmptyString,
    amount: cents,
    subtotal: cents.optional(),
    status: transactionStatusSchema,
    currency: nonEmptyString,
    description: nonEmptyString,
    description2: z.string().optional(),
    mcc: z.string().optional(),
    coreProviderId: z.string().optional(),
    transactionDate: dateTime.optional(),
    authorizationDate: dateTime.optional(),
    settledDate: dateTime.optional(),
    merchant: merchantSchema.optional(),
    cardPresence: z.string().optional(),
    panEntryMode: z.string().optional(),
    cardBIN: cardBin,
    cardLastFour: lastFour,
    authorizationCode: z.string().optional(),
    retrievalReferenceNumber: z.string().optional(),
    systemTraceAuditNumber: z.string().optional(),
    acquirerReferenceNumber: z.string().optional(),
    direction: directionTypeSchema,
    paymentType: transactionPaymentTypeSchema,
    cardNetwork: cardNetworkSchema.optional(),
    transactionId: nonEmptyString,
    cardProductId: z.string().optional(),
    userZipCode: z.string().optional(),
    processorMids: processorMidSchema.optional(),
    accountId: z.string().optional(),
  })
  .superRefine(statusDateRules, ALWAYS);

/** `MatchedTransactionsAttributes` (v2 `matchedTransaction`; no status). */
export const matchedTransactionAttributesSchema = z
  .looseObject({
    userId: nonEmptyString,
    amount: cents,
    subtotal: cents.optional(),
    description: nonEmptyString,
    authorizationDate: dateTime,
    matchedOfferId: z.string().optional(),
    matchedLocationId: z.string().optional(),
    merchant: merchantSchema.optional(),
    paymentType: paymentTypeSchema,
    cardBIN: cardBin.optional(),
    cardLastFour: lastFour.optional(),
    authorizationCode: z.string().optional(),
    retrievalReferenceNumber: z.string().optional(),
    systemTraceAuditNumber: z.string().optional(),
    acquirerReferenceNumber: z.string().optional(),
    direction: directionTypeSchema,
    cardNetwork: cardNetworkSchema.optional(),
    transactionId: nonEmptyString,
    cardProductId: z.string().optional(),
    orderId: z.string().optional(),
    receiptMedium: receiptMediumTypeSchema.optional(),
  })
  .superRefine(matchedRules, ALWAYS);

/** `CoreTransactionAttributes` (v2 `coreTransaction`). R19: always SETTLED with both dates. */
export const coreTransactionAttributesSchema = z.looseObject({
  userId: nonEmptyString,
  transactionId: nonEmptyString,
  amount: cents,
  currency: currencyAlpha3,
  description: nonEmptyString,
  direction: directionTypeSchema,
  status: z.enum(['SETTLED']),
  settledDate: dateTime,
  authorizationDate: dateTime,
  financialInstitutionName: z.string().optional(),
  financialInstitutionId: z.string().optional(),
  cardLastFours: z.array(lastFour).optional(),
});

export const transactionItemSchema = z.looseObject({
  type: z.literal('transaction'),
  id: nonEmptyString,
  attributes: transactionAttributesSchema,
});
export const matchedTransactionItemSchema = z.looseObject({
  type: z.literal('matchedTransaction'),
  id: nonEmptyString,
  attributes: matchedTransactionAttributesSchema,
});
export const coreTransactionItemSchema = z.looseObject({
  type: z.literal('coreTransaction'),
  id: nonEmptyString,
  attributes: coreTransactionAttributesSchema,
});

/** One `data[]` item of POST /v2/issuers/{org}/transactions. */
export const transactionEventSchema = z.discriminatedUnion('type', [
  transactionItemSchema,
  matchedTransactionItemSchema,
  coreTransactionItemSchema,
]);

/** Calls onRepeat(i, first) for each item whose string `key` the earlier item at index `first` already has. */
export function eachRepeat(
  items: readonly unknown[],
  key: string,
  onRepeat: (i: number, first: number) => void,
): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isObj(item)) continue;
    const value = item[key];
    if (typeof value !== 'string') continue;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else onRepeat(i, first);
  }
}

/** R10: `data[].id` must be unique per event, so a batch must not repeat one. */
export function duplicateIdRule(rule: string | null, what: string) {
  return (v: unknown, ctx: Ctx): void => {
    if (!isObj(v) || !Array.isArray(v.data)) return;
    eachRepeat(v.data, 'id', (i, first) =>
      addIssue(
        ctx,
        ['data', i, 'id'],
        `duplicate ${what} id; already used by data[${first}]`,
        rule,
        'unique id',
      ),
    );
  };
}

export function maxItemsRule(max: number, rule: string, min = 0) {
  return (v: unknown, ctx: Ctx): void => {
    if (!isObj(v) || !Array.isArray(v.data)) return;
    if (v.data.length > max) {
      addIssue(
        ctx,
        ['data'],
        `at most ${max} items per request; got ${v.data.length}`,
        rule,
        `1–${max} items`,
      );
    } else if (v.data.length < min) {
      addIssue(
        ctx,
        ['data'],
        `at least ${min} item${min === 1 ? '' : 's'} per request`,
        rule,
        `${min}–${max} items`,
      );
    }
  };
}

/** POST /v2/issuers/{org}/transactions body. R11: at most 500 items. R10: unique ids. */
export const transactionsRequestSchema = z
  .looseObject({ data: z.array(transactionEventSchema) })
  .superRefine(maxItemsRule(500, 'R11'), ALWAYS)
  .superRefine(duplicateIdRule('R10', 'event'), ALWAYS);

/** One `historicalTransaction` item of an upload part (same attribute rules as `transaction`). */
export const uploadPartItemSchema = z.looseObject({
  type: z.literal('historicalTransaction'),
  id: nonEmptyString,
  attributes: transactionAttributesSchema,
});
/** PUT …/uploads/{uploadId}/parts body. R35: at most 500 items. */
export const uploadPartRequestSchema = z
  .looseObject({ data: z.array(uploadPartItemSchema) })
  .superRefine(maxItemsRule(500, 'R35'), ALWAYS)
  .superRefine(duplicateIdRule('R10', 'event'), ALWAYS);

/** Legacy `IncomingTransactionRequest` (flat; POST /transactions/incoming). */
export const legacyIncomingTransactionSchema = z
  .looseObject({
    transactionId: nonEmptyString,
    referringPartnerUserId: nonEmptyString,
    amount: cents,
    status: transactionStatusSchema,
    currency: nonEmptyString,
    description: nonEmptyString,
    description2: z.string().optional(),
    mcc: z.string().optional(),
    coreProviderId: z.string().optional(),
    transactionDate: dateTime.optional(),
    authorizationDate: dateTime.optional(),
    settledDate: dateTime.optional(),
    merchantId: z.string().optional(),
    merchantStoreId: z.string().optional(),
    cardPresence: z.string().optional(),
    merchantName: z.string().optional(),
    merchantAddrCity: z.string().optional(),
    merchantAddrState: stateSchema.optional(),
    merchantAddrZipcode: z.string().optional(),
    merchantAddrCountry: z.string().optional(),
    merchantAddrStreet: z.string().optional(),
    merchantLat: z.string().optional(),
    merchantLong: z.string().optional(),
    panEntryMode: z.string().optional(),
    cardBIN: cardBin.optional(),
    cardLastFour: lastFour.optional(),
    googleId: z.string().optional(),
    authorizationCode: z.string().optional(),
    retrievalReferenceNumber: z.string().optional(),
    systemTraceAuditNumber: z.string().optional(),
    acquirerReferenceNumber: z.string().optional(),
    isDeposit: z.boolean().optional(),
  })
  .superRefine(statusDateRules, ALWAYS);

/** Legacy POST /transactions/incoming body: a top-level array. */
export const legacyIncomingTransactionsSchema = z.array(legacyIncomingTransactionSchema);

export type TransactionAttributes = z.infer<typeof transactionAttributesSchema>;
export type MatchedTransactionAttributes = z.infer<typeof matchedTransactionAttributesSchema>;
export type CoreTransactionAttributes = z.infer<typeof coreTransactionAttributesSchema>;
export type Merchant = z.infer<typeof merchantSchema>;
export type TransactionEvent = z.infer<typeof transactionEventSchema>;
export type TransactionsRequest = z.infer<typeof transactionsRequestSchema>;
export type UploadPartItem = z.infer<typeof uploadPartItemSchema>;
export type UploadPartRequest = z.infer<typeof uploadPartRequestSchema>;
export type LegacyIncomingTransaction = z.infer<typeof legacyIncomingTransactionSchema>;
export type LegacyIncomingTransactions = z.infer<typeof legacyIncomingTransactionsSchema>;

// ---------------------------------------------------------------------------------------------
// Warnings (advisory rules; never block). Defensive: the input may be anything.
// ---------------------------------------------------------------------------------------------

function mccWarning(mcc: unknown, base: string, out: ValidationIssue[]): void {
  // R5: mcc is usually 4 digits and required for some national offers.
  if (mcc === undefined) {
    warn(out, joinPath(base, 'mcc'), 'R5', 'recommended: required for some national offers', '4 digits');
  } else if (typeof mcc === 'string' && !isAllDigits(mcc, 4)) {
    warn(out, joinPath(base, 'mcc'), 'R5', 'is usually a 4-digit merchant category code', '4 digits');
  }
}

function midWarning(mid: unknown, path: string, out: ValidationIssue[]): void {
  // R6: the acquirer MID is usually 15 digits (and required for local offers).
  if (typeof mid === 'string' && !isAllDigits(mid, 15)) {
    warn(out, path, 'R6', 'merchant id (MID) is usually 15 digits', '15 digits');
  }
}

function settledAuthorizationWarning(a: Record<string, unknown>, base: string, out: ValidationIssue[]): void {
  // R1: authorizationDate is highly recommended for SETTLED.
  if (a.status === 'SETTLED' && a.authorizationDate === undefined) {
    warn(
      out,
      joinPath(base, 'authorizationDate'),
      'R1',
      'highly recommended when status is SETTLED',
      DATE_TIME_EXPECTED,
    );
  }
}

function merchantWarnings(m: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(m)) return;
  const mp = joinPath(base, 'merchant');
  midWarning(m.id, joinPath(mp, 'id'), out);
  knownKeys().merchant.warn(m, mp, out);
}

function currencyWarning(cur: unknown, path: string, out: ValidationIssue[]): void {
  if (typeof cur === 'string' && cur.length > 0 && !isCurrencyCode(cur)) {
    warn(out, path, null, 'should be an ISO 4217 alphabetic currency code', 'ISO 4217 alpha-3, e.g. USD');
  }
}

// Unknown fields are ignored by Kard. A misspelt or misplaced optional field (a legacy `merchantName`
// in a v2 transaction, `cardBin` for `cardBIN`) silently costs matching, so it is worth a warning.
const LEGACY_TO_V2: Record<string, string> = {
  referringPartnerUserId: 'userId',
  merchantName: 'merchant.name',
  merchantId: 'merchant.id',
  merchantStoreId: 'merchant.storeId',
  merchantAddrStreet: 'merchant.addrStreet',
  merchantAddrCity: 'merchant.addrCity',
  merchantAddrState: 'merchant.addrState',
  merchantAddrZipcode: 'merchant.addrZipcode',
  merchantAddrCountry: 'merchant.addrCountry',
  merchantLat: 'merchant.latitude',
  merchantLong: 'merchant.longitude',
};
const V2_TO_LEGACY: Record<string, string> = {
  userId: 'referringPartnerUserId',
  merchant: 'merchantName, merchantId, merchantAddr…',
};

class KnownKeys {
  readonly keys: ReadonlySet<string>;
  private readonly lower = new Map<string, string>();
  constructor(
    keys: readonly string[],
    private readonly hints: Record<string, string> = {},
  ) {
    this.keys = new Set(keys);
    for (const k of keys) this.lower.set(k.toLowerCase(), k);
  }
  warn(o: Record<string, unknown>, base: string, out: ValidationIssue[]): void {
    for (const k in o) {
      if (this.keys.has(k) || !Object.hasOwn(o, k)) continue;
      const hint = this.hints[k] ?? this.lower.get(k.toLowerCase());
      warn(
        out,
        joinPath(base, k),
        null,
        `unknown field, ignored by Kard${hint ? `: did you mean ${hint}?` : ''}`,
        hint,
      );
    }
  }
}

let known: {
  tx: KnownKeys;
  matched: KnownKeys;
  core: KnownKeys;
  merchant: KnownKeys;
  legacy: KnownKeys;
} | null = null;
function knownKeys() {
  known ??= {
    tx: new KnownKeys(Object.keys(transactionAttributesSchema.shape), LEGACY_TO_V2),
    matched: new KnownKeys(Object.keys(matchedTransactionAttributesSchema.shape), LEGACY_TO_V2),
    core: new KnownKeys(Object.keys(coreTransactionAttributesSchema.shape), LEGACY_TO_V2),
    merchant: new KnownKeys(Object.keys(merchantSchema.shape)),
    legacy: new KnownKeys(Object.keys(legacyIncomingTransactionSchema.shape), V2_TO_LEGACY),
  };
  return known;
}

/** Warnings for `TransactionsAttributes` at `base` (e.g. 'data[3].attributes'). */
function transactionAttributesWarnings(a: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(a)) return;
  settledAuthorizationWarning(a, base, out);
  mccWarning(a.mcc, base, out);
  merchantWarnings(a.merchant, base, out);
  currencyWarning(a.currency, joinPath(base, 'currency'), out);
  knownKeys().tx.warn(a, base, out);
}

function matchedAttributesWarnings(a: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(a)) return;
  merchantWarnings(a.merchant, base, out);
  knownKeys().matched.warn(a, base, out);
}

function coreAttributesWarnings(a: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(a)) return;
  if (a.financialInstitutionName !== undefined) {
    // R21: financialInstitutionName is deprecated.
    warn(
      out,
      joinPath(base, 'financialInstitutionName'),
      'R21',
      'deprecated: send financialInstitutionId instead',
      'financialInstitutionId',
    );
  }
  knownKeys().core.warn(a, base, out);
}

/** Warnings for one transaction event (data[] item) at `base` (e.g. 'data[3]'). */
export function transactionEventWarnings(item: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(item)) return;
  const attrs = item.attributes;
  const p = joinPath(base, 'attributes');
  switch (item.type) {
    case 'transaction':
    case 'historicalTransaction':
      transactionAttributesWarnings(attrs, p, out);
      break;
    case 'matchedTransaction':
      matchedAttributesWarnings(attrs, p, out);
      break;
    case 'coreTransaction':
      coreAttributesWarnings(attrs, p, out);
      break;
  }
}

/** Warnings for one legacy incoming transaction at `base` (e.g. '[3]'). */
export function legacyIncomingWarnings(a: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(a)) return;
  settledAuthorizationWarning(a, base, out);
  mccWarning(a.mcc, base, out);
  midWarning(a.merchantId, joinPath(base, 'merchantId'), out);
  // R25: cardBIN and cardLastFour are schema-optional but required for matching.
  if (a.cardBIN === undefined)
    warn(out, joinPath(base, 'cardBIN'), 'R25', 'required for matching', '6 digits');
  if (a.cardLastFour === undefined) {
    warn(out, joinPath(base, 'cardLastFour'), 'R25', 'required for matching', '4 digits');
  }
  currencyWarning(a.currency, joinPath(base, 'currency'), out);
  knownKeys().legacy.warn(a, base, out);
}

// ---------------------------------------------------------------------------------------------
// Fast paths. Each returns true only when the zod schema would accept the value (property-tested
// in properties.test.ts). A false answer just means "ask zod", which then reports every issue.
// ---------------------------------------------------------------------------------------------

function optS(v: unknown): boolean {
  return v === undefined || typeof v === 'string';
}
function optCents(v: unknown): boolean {
  return v === undefined || Number.isSafeInteger(v);
}
function optDate(v: unknown): boolean {
  return v === undefined || (typeof v === 'string' && isIsoDateTime(v));
}
function isDate(v: unknown): boolean {
  return typeof v === 'string' && isIsoDateTime(v);
}
function isBin(v: unknown): boolean {
  return typeof v === 'string' && isAllDigits(v, 6);
}
function isL4(v: unknown): boolean {
  return typeof v === 'string' && isAllDigits(v, 4);
}

function fastMerchant(m: unknown): boolean {
  if (!isObj(m)) return false;
  return (
    isStr(m.name) &&
    optS(m.id) &&
    optS(m.addrStreet) &&
    optS(m.addrCity) &&
    (m.addrState === undefined || STATE_SET.has(m.addrState)) &&
    optS(m.addrZipcode) &&
    optS(m.addrCountry) &&
    optS(m.latitude) &&
    optS(m.longitude) &&
    optS(m.storeId)
  );
}

function fastStatusDates(a: Record<string, unknown>): boolean {
  const st = a.status;
  if (!STATUS_SET.has(st)) return false;
  if (!optDate(a.transactionDate) || !optDate(a.authorizationDate) || !optDate(a.settledDate)) return false;
  if (st === 'APPROVED') return a.authorizationDate !== undefined;
  if (st === 'SETTLED') return a.settledDate !== undefined;
  if (st === 'REVERSED' || st === 'RETURNED' || st === 'DECLINED') return a.transactionDate !== undefined;
  return true;
}

function fastTransactionAttributes(a: unknown): boolean {
  if (!isObj(a)) return false;
  if (!isStr(a.userId) || !Number.isSafeInteger(a.amount) || !optCents(a.subtotal)) return false;
  if (!isStr(a.currency) || !isStr(a.description) || !isStr(a.transactionId)) return false;
  if (!fastStatusDates(a)) return false;
  if (!isBin(a.cardBIN) || !isL4(a.cardLastFour)) return false;
  if (!DIRECTION_SET.has(a.direction) || a.paymentType !== 'CARD') return false;
  if (a.cardNetwork !== undefined && !NETWORK_SET.has(a.cardNetwork)) return false;
  if (a.merchant !== undefined && !fastMerchant(a.merchant)) return false;
  const pm = a.processorMids;
  if (pm !== undefined) {
    if (
      !isObj(pm) ||
      pm.processor !== 'VISA' ||
      !isObj(pm.mids) ||
      !isStr(pm.mids.vmid) ||
      !isStr(pm.mids.vsid)
    ) {
      return false;
    }
  }
  return (
    optS(a.description2) &&
    optS(a.mcc) &&
    optS(a.coreProviderId) &&
    optS(a.cardPresence) &&
    optS(a.panEntryMode) &&
    optS(a.authorizationCode) &&
    optS(a.retrievalReferenceNumber) &&
    optS(a.systemTraceAuditNumber) &&
    optS(a.acquirerReferenceNumber) &&
    optS(a.cardProductId) &&
    optS(a.userZipCode) &&
    optS(a.accountId)
  );
}

function fastMatchedAttributes(a: unknown): boolean {
  if (!isObj(a)) return false;
  if (!isStr(a.userId) || !Number.isSafeInteger(a.amount) || !optCents(a.subtotal)) return false;
  if (!isStr(a.description) || !isStr(a.transactionId) || !isDate(a.authorizationDate)) return false;
  const pt = a.paymentType;
  if (!PAYMENT_SET.has(pt) || !DIRECTION_SET.has(a.direction)) return false;
  if (a.cardBIN !== undefined && !isBin(a.cardBIN)) return false;
  if (a.cardLastFour !== undefined && !isL4(a.cardLastFour)) return false;
  if (a.cardNetwork !== undefined && !NETWORK_SET.has(a.cardNetwork)) return false;
  if (a.receiptMedium !== undefined && !RECEIPT_SET.has(a.receiptMedium)) return false;
  if (a.merchant !== undefined && !fastMerchant(a.merchant)) return false;
  if (
    !optS(a.matchedOfferId) ||
    !optS(a.matchedLocationId) ||
    !optS(a.authorizationCode) ||
    !optS(a.retrievalReferenceNumber) ||
    !optS(a.systemTraceAuditNumber) ||
    !optS(a.acquirerReferenceNumber) ||
    !optS(a.cardProductId) ||
    !optS(a.orderId)
  ) {
    return false;
  }
  if (pt === 'CARD') return !(a.matchedOfferId !== undefined && a.cardLastFour === undefined); // R16
  // CASH or UNKNOWN: R15, R17, R18
  if (a.cardBIN !== undefined || a.cardNetwork !== undefined || a.cardProductId !== undefined) return false;
  if (pt === 'CASH') return a.cardLastFour === undefined; // R16
  // UNKNOWN: R13, R14
  if (a.matchedLocationId !== undefined) return false;
  return !(a.matchedOfferId !== undefined && a.orderId === undefined && a.cardLastFour === undefined);
}

function fastCoreAttributes(a: unknown): boolean {
  if (!isObj(a)) return false;
  if (!isStr(a.userId) || !isStr(a.transactionId) || !Number.isSafeInteger(a.amount)) return false;
  if (typeof a.currency !== 'string' || !isCurrencyCode(a.currency) || !isStr(a.description)) return false;
  if (!DIRECTION_SET.has(a.direction) || a.status !== 'SETTLED') return false;
  if (!isDate(a.settledDate) || !isDate(a.authorizationDate)) return false;
  if (!optS(a.financialInstitutionName) || !optS(a.financialInstitutionId)) return false;
  const l = a.cardLastFours;
  if (l !== undefined) {
    if (!Array.isArray(l)) return false;
    for (let i = 0; i < l.length; i++) if (!isL4(l[i])) return false;
  }
  return true;
}

/** True when `transactionEventSchema` accepts `item`. */
export function fastTransactionEvent(item: unknown): boolean {
  if (!isObj(item) || !isStr(item.id)) return false;
  switch (item.type) {
    case 'transaction':
      return fastTransactionAttributes(item.attributes);
    case 'matchedTransaction':
      return fastMatchedAttributes(item.attributes);
    case 'coreTransaction':
      return fastCoreAttributes(item.attributes);
    default:
      return false;
  }
}

/** True when `uploadPartItemSchema` accepts `item`. */
export function fastUploadPartItem(item: unknown): boolean {
  return (
    isObj(item) &&
    item.type === 'historicalTransaction' &&
    isStr(item.id) &&
    fastTransactionAttributes(item.attributes)
  );
}

/** True when `legacyIncomingTransactionSchema` accepts `a`. */
export function fastLegacyIncoming(a: unknown): boolean {
  if (!isObj(a)) return false;
  if (!isStr(a.transactionId) || !isStr(a.referringPartnerUserId) || !Number.isSafeInteger(a.amount))
    return false;
  if (!isStr(a.currency) || !isStr(a.description)) return false;
  if (!fastStatusDates(a)) return false;
  if (a.cardBIN !== undefined && !isBin(a.cardBIN)) return false;
  if (a.cardLastFour !== undefined && !isL4(a.cardLastFour)) return false;
  if (a.merchantAddrState !== undefined && !STATE_SET.has(a.merchantAddrState)) return false;
  if (a.isDeposit !== undefined && typeof a.isDeposit !== 'boolean') return false;
  return (
    optS(a.description2) &&
    optS(a.mcc) &&
    optS(a.coreProviderId) &&
    optS(a.merchantId) &&
    optS(a.merchantStoreId) &&
    optS(a.cardPresence) &&
    optS(a.merchantName) &&
    optS(a.merchantAddrCity) &&
    optS(a.merchantAddrZipcode) &&
    optS(a.merchantAddrCountry) &&
    optS(a.merchantAddrStreet) &&
    optS(a.merchantLat) &&
    optS(a.merchantLong) &&
    optS(a.panEntryMode) &&
    optS(a.googleId) &&
    optS(a.authorizationCode) &&
    optS(a.retrievalReferenceNumber) &&
    optS(a.systemTraceAuditNumber) &&
    optS(a.acquirerReferenceNumber)
  );
}
