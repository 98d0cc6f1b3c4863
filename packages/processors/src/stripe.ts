import {
  cardBinFor,
  finish,
  isJsonObject,
  isoFromUnixSeconds,
  type JsonObject,
  skip,
  str,
  text,
  userIdFor,
  usState,
} from './common.js';
import { header, type WebhookHeaders, WebhookSignatureError } from './errors.js';
import type { CardholderRef, KardTransaction, MapOptions, MapResult } from './types.js';

/*
 * Stripe Issuing webhook events → Kard v2 `transaction` events (openapi/kard.yaml,
 * `TransactionsAttributes`). The input types below follow Stripe's API reference
 * (https://docs.stripe.com/api/issuing/authorizations/object,
 * https://docs.stripe.com/api/issuing/transactions/object, https://docs.stripe.com/api/events/object)
 * and list only the fields read here; every other field is tolerated.
 */

/** Where a merchant's details sit in an Authorization or a Transaction (`merchant_data`). */
export interface StripeIssuingMerchantData {
  name?: string | null;
  category?: string | null;
  category_code?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
  network_id?: string | null;
  terminal_id?: string | null;
}

/** The fields read from an Issuing Card (expanded in an Authorization). */
export interface StripeIssuingCard {
  id?: string;
  last4?: string | null;
  brand?: string | null;
  cardholder?: string | { id?: string } | null;
}

/** One `request_history` entry of an Authorization. */
export interface StripeIssuingRequestHistory {
  amount?: number;
  approved?: boolean;
  authorization_code?: string | null;
  created?: number;
}

/** `data.object` of `issuing_authorization.*` events. */
export interface StripeIssuingAuthorization {
  id: string;
  object: 'issuing.authorization';
  amount: number;
  approved: boolean;
  status: 'pending' | 'closed' | 'reversed' | 'expired' | (string & {});
  currency: string;
  created: number;
  card?: StripeIssuingCard | null;
  cardholder?: string | { id?: string } | null;
  merchant_data?: StripeIssuingMerchantData | null;
  request_history?: StripeIssuingRequestHistory[] | null;
  network_data?: { system_trace_audit_number?: string | null; transaction_id?: string | null } | null;
}

/** `data.object` of `issuing_transaction.*` events. */
export interface StripeIssuingTransaction {
  id: string;
  object: 'issuing.transaction';
  type: 'capture' | 'refund' | (string & {});
  /** Negative for captures (money leaves the Issuing balance), positive for refunds. */
  amount: number;
  currency: string;
  created: number;
  authorization?: string | { id?: string; created?: number } | null;
  card?: string | StripeIssuingCard | null;
  cardholder?: string | { id?: string } | null;
  merchant_data?: StripeIssuingMerchantData | null;
  network_data?: { authorization_code?: string | null; processing_date?: string | null } | null;
}

/** A Stripe `Event` as delivered to a webhook endpoint. */
export interface StripeIssuingEvent {
  id: string;
  object?: 'event';
  type: string;
  created?: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> | null };
}

/** Options of `fromStripeIssuing`: the shared ones, plus the last four digits of a card. */
export interface StripeIssuingMapOptions extends MapOptions {
  /**
   * The card's last four digits when the event does not carry them: `issuing_transaction.*`
   * events name their card by id (`card: "ic_…"`), while Kard requires `cardLastFour`. Look the
   * card up by `ref.cardId` in your records (or with `stripe.issuing.cards.retrieve`). The
   * event's own `card.last4` (always there on authorizations) wins.
   */
  cardLastFour?: (ref: CardholderRef) => string | undefined;
}

const int = (v: unknown): number | undefined => (Number.isSafeInteger(v) ? (v as number) : undefined);
/** The id of a field Stripe either gives as an id or expands into its object. */
const idOf = (v: unknown): string | undefined => text(str(v) ?? (isJsonObject(v) ? str(v.id) : undefined));

/** Stripe's `card.brand` ("Visa", "MasterCard", …) as Kard's `cardNetwork`. */
function cardNetwork(brand: unknown): KardTransaction['attributes']['cardNetwork'] {
  const b = str(brand)
    ?.toLowerCase()
    .replace(/[^a-z]/g, '');
  if (b === 'visa') return 'VISA';
  if (b === 'mastercard') return 'MASTERCARD';
  if (b === 'amex' || b === 'americanexpress') return 'AMERICANEXPRESS';
  if (b === 'discover') return 'DISCOVER';
  return undefined;
}

/** `merchant_data` as Kard's description, mcc and merchant (R5, R6, R7). */
function merchantFields(md: unknown) {
  const m = isJsonObject(md) ? md : {};
  const name = text(str(m.name));
  const country = text(str(m.country))?.toUpperCase();
  const merchant = name
    ? {
        id: text(str(m.network_id)),
        name,
        addrCity: text(str(m.city)),
        // Kard's addrState is a USPS code: a state outside the US is left out.
        addrState: country === undefined || country === 'US' ? usState(str(m.state)) : undefined,
        addrZipcode: text(str(m.postal_code)),
        addrCountry: country,
        storeId: text(str(m.terminal_id)),
      }
    : undefined;
  return {
    description: name ?? text(str(m.category)) ?? 'Card transaction',
    mcc: text(str(m.category_code)),
    merchant,
  };
}

interface CardFacts {
  ref: CardholderRef;
  lastFour: string;
  cardNetwork: KardTransaction['attributes']['cardNetwork'];
}

function cardFacts(cardField: unknown, cardholderField: unknown, opts: StripeIssuingMapOptions): CardFacts {
  const card = isJsonObject(cardField) ? cardField : undefined;
  const ref: CardholderRef = {
    processor: 'stripe-issuing',
    cardholderId: idOf(cardholderField) ?? idOf(card?.cardholder),
    cardId: idOf(cardField),
    lastFour: text(str(card?.last4)),
  };
  const lastFour = ref.lastFour ?? opts.cardLastFour?.(ref) ?? '';
  return {
    ref: { ...ref, lastFour: lastFour || undefined },
    lastFour,
    cardNetwork: cardNetwork(card?.brand),
  };
}

/** The attributes every Kard event from one Stripe object shares. */
function base(obj: JsonObject, opts: StripeIssuingMapOptions) {
  const card = cardFacts(obj.card, obj.cardholder, opts);
  const currency = str(obj.currency)?.toUpperCase() ?? '';
  return {
    userId: userIdFor(opts, card.ref),
    currency,
    ...merchantFields(obj.merchant_data),
    cardBIN: cardBinFor(opts, card.ref),
    cardLastFour: card.lastFour,
    cardNetwork: card.cardNetwork,
    paymentType: 'CARD' as const,
  };
}

/** MCC 6011 (automated cash disburse: Stripe's sign of an ATM withdrawal) and 6010 (manual cash disburse). */
const CASH_MCCS: ReadonlySet<string> = new Set(['6010', '6011']);

/** A cash withdrawal is not spending at a merchant: not for Kard. */
function cashWithdrawal(obj: JsonObject, what: string): MapResult | undefined {
  const mcc = isJsonObject(obj.merchant_data) ? text(str(obj.merchant_data.category_code)) : undefined;
  return mcc && CASH_MCCS.has(mcc)
    ? skip('not-a-transaction', `${what} is a cash withdrawal (MCC ${mcc})`)
    : undefined;
}

function history(auth: JsonObject): JsonObject[] {
  return Array.isArray(auth.request_history) ? auth.request_history.filter(isJsonObject) : [];
}

/** What the authorization held: its approved requests (an incremental request adds to the hold). */
function approvedTotal(auth: JsonObject): number {
  return history(auth)
    .filter((h) => h.approved === true)
    .reduce((sum, h) => sum + Math.max(0, int(h.amount) ?? 0), 0);
}

/** The code shared with the merchant on the latest approved request. */
function authorizationCode(auth: JsonObject): string | undefined {
  const approved = history(auth).filter((h) => h.approved === true && text(str(h.authorization_code)));
  return text(str(approved.at(-1)?.authorization_code));
}

function fromAuthorization(
  type: 'created' | 'updated',
  event: JsonObject,
  auth: JsonObject,
  opts: StripeIssuingMapOptions,
): MapResult {
  const id = text(str(auth.id));
  const created = int(auth.created);
  const amount = int(auth.amount);
  if (!id || created === undefined || amount === undefined || typeof auth.approved !== 'boolean') {
    return skip(
      'unknown-event',
      `issuing_authorization.${type}: data.object lacks id, created, amount or approved`,
    );
  }
  const cash = cashWithdrawal(auth, `authorization ${id}`);
  if (cash) return cash;
  const status = str(auth.status);
  const common = {
    ...base(auth, opts),
    transactionId: id,
    direction: 'DEBIT' as const,
    authorizationCode: authorizationCode(auth),
    systemTraceAuditNumber: isJsonObject(auth.network_data)
      ? text(str(auth.network_data.system_trace_audit_number))
      : undefined,
  };

  if (type === 'created') {
    if (!auth.approved) {
      const requested = amount || history(auth).reduce((s, h) => s + Math.max(0, int(h.amount) ?? 0), 0);
      if (requested <= 0)
        return skip('non-financial', `declined zero-amount authorization ${id} (a card check)`);
      return finish([
        {
          type: 'transaction',
          id: `${id}:DECLINED`,
          attributes: {
            ...common,
            amount: requested,
            status: 'DECLINED',
            transactionDate: isoFromUnixSeconds(created),
          },
        },
      ]);
    }
    if (amount <= 0) {
      return skip('non-financial', `zero-amount authorization ${id} (an account or card verification)`);
    }
    return finish([
      {
        type: 'transaction',
        id: `${id}:APPROVED`,
        attributes: { ...common, amount, status: 'APPROVED', authorizationDate: isoFromUnixSeconds(created) },
      },
    ]);
  }

  // issuing_authorization.updated
  if (status !== 'reversed' && status !== 'expired') {
    return skip(
      'no-kard-status',
      status === 'closed'
        ? `authorization ${id} is closed: a capture arrives as issuing_transaction.created (SETTLED); a decline was reported on issuing_authorization.created`
        : `authorization ${id} changed while ${status ?? 'in an unknown status'} (an incremental authorization, a partial reversal or new metadata): Kard has no status for it; APPROVED was sent on issuing_authorization.created`,
    );
  }
  const previous = isJsonObject(event.data) ? event.data.previous_attributes : undefined;
  if (isJsonObject(previous) && !('status' in previous)) {
    return skip(
      'no-kard-status',
      `authorization ${id} was already ${status}; this update does not change its status`,
    );
  }
  // A void sets amount to 0; an expiry leaves the amount still held: either way, the released hold.
  const released = amount > 0 ? amount : approvedTotal(auth);
  if (released <= 0) return skip('non-financial', `reversal of a zero-amount authorization ${id}`);
  const when = int(event.created) ?? created;
  return finish([
    {
      type: 'transaction',
      id: `${id}:REVERSED`,
      attributes: {
        ...common,
        amount: released,
        status: 'REVERSED',
        authorizationDate: isoFromUnixSeconds(created),
        transactionDate: isoFromUnixSeconds(when),
      },
    },
  ]);
}

function fromTransaction(
  type: 'created' | 'updated',
  txn: JsonObject,
  opts: StripeIssuingMapOptions,
): MapResult {
  const id = text(str(txn.id));
  const created = int(txn.created);
  const amount = int(txn.amount);
  const kind = str(txn.type);
  if (!id || created === undefined || amount === undefined || (kind !== 'capture' && kind !== 'refund')) {
    return skip(
      'unknown-event',
      `issuing_transaction.${type}: data.object lacks id, created, amount or type`,
    );
  }
  if (type === 'updated') {
    return skip(
      'no-kard-status',
      `transaction ${id} was reported when it was created; an update changes no Kard status`,
    );
  }
  const cash = cashWithdrawal(txn, `${kind} ${id}`);
  if (cash) return cash;
  if (amount === 0) return skip('non-financial', `zero-amount ${kind} ${id}`);
  const nd = isJsonObject(txn.network_data) ? txn.network_data : {};
  const common = {
    ...base(txn, opts),
    authorizationCode: text(str(nd.authorization_code)),
  };
  const settledDate = isoFromUnixSeconds(created);

  if (kind === 'capture') {
    // Stripe: captures are negative, funds leave the Issuing balance.
    if (amount > 0)
      return skip('no-kard-status', `capture ${id} with a positive amount: Kard has no status for it`);
    const authorization = idOf(txn.authorization);
    const authCreated = isJsonObject(txn.authorization) ? int(txn.authorization.created) : undefined;
    return finish([
      {
        type: 'transaction',
        id: `${id}:SETTLED`,
        attributes: {
          ...common,
          // A capture shares its authorization's id (R26); a force capture without one is its own
          // single-message transaction (R27), authorized and settled at once.
          transactionId: authorization ?? id,
          amount: -amount,
          status: 'SETTLED',
          direction: 'DEBIT',
          settledDate,
          authorizationDate:
            authCreated !== undefined
              ? isoFromUnixSeconds(authCreated)
              : authorization
                ? undefined
                : settledDate,
        },
      },
    ]);
  }

  // Refunds are positive; a negative refund is a refund reversal (rare).
  if (amount < 0) return skip('no-kard-status', `refund reversal ${id}: Kard has no status for it`);
  return finish([
    {
      type: 'transaction',
      id: `${id}:RETURNED`,
      attributes: {
        ...common,
        // Stripe links refunds to an authorization on a best-effort basis only (it may link an
        // unrelated one), so the refund is reported on its own id, as Kard's RETURNED expects.
        transactionId: id,
        amount,
        status: 'RETURNED',
        direction: 'CREDIT',
        transactionDate: settledDate,
      },
    },
  ]);
}

/**
 * Maps one Stripe Issuing webhook event to Kard transaction events (see the package README,
 * "Stripe Issuing"): `issuing_authorization.created` → APPROVED or DECLINED,
 * `issuing_authorization.updated` to reversed/expired → REVERSED, `issuing_transaction.created`
 * capture → SETTLED, refund → RETURNED; everything else is a `skip` with its reason. Never throws
 * on any JSON input.
 */
export function fromStripeIssuing(event: unknown, opts: StripeIssuingMapOptions = {}): MapResult {
  if (!isJsonObject(event) || typeof event.type !== 'string') {
    return skip('unknown-event', 'not a Stripe event (no string `type`)');
  }
  const type = event.type;
  const obj = isJsonObject(event.data) ? event.data.object : undefined;
  switch (type) {
    case 'issuing_authorization.request':
      return skip(
        'no-kard-status',
        'a real-time authorization request awaiting your decision; the outcome arrives as issuing_authorization.created',
      );
    case 'issuing_authorization.created':
    case 'issuing_authorization.updated':
      if (!isJsonObject(obj) || obj.object !== 'issuing.authorization') {
        return skip('unknown-event', `${type}: data.object is not an issuing.authorization`);
      }
      return fromAuthorization(
        type === 'issuing_authorization.created' ? 'created' : 'updated',
        event,
        obj,
        opts,
      );
    case 'issuing_transaction.created':
    case 'issuing_transaction.updated':
      if (!isJsonObject(obj) || obj.object !== 'issuing.transaction') {
        return skip('unknown-event', `${type}: data.object is not an issuing.transaction`);
      }
      return fromTransaction(type === 'issuing_transaction.created' ? 'created' : 'updated', obj, opts);
  }
  if (type.startsWith('issuing_authorization.') || type.startsWith('issuing_transaction.')) {
    return skip('unknown-event', `${type} is not an event type this mapping knows`);
  }
  return skip('not-a-transaction', `${type} is not about card spending`);
}

/** Stripe's default tolerance on the signature's timestamp, in seconds (passed explicitly). */
const TOLERANCE_SECONDS = 300;

/**
 * Verifies a Stripe webhook (`Stripe-Signature` header: a timestamp and HMAC-SHA256 signatures of
 * the raw body with your endpoint's `whsec_…` secret, 5-minute tolerance) with Stripe's official
 * SDK (`stripe`, `Stripe.webhooks.constructEventAsync`), an optional peer dependency loaded only
 * here; returns the parsed event. Throws `WebhookSignatureError` with a plain reason (missing
 * header, wrong secret or altered body, stale timestamp) that never holds the secret or the
 * signature; pass the body exactly as received (a string or the raw bytes), not re-serialized JSON.
 */
export async function verifyStripeIssuingWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
): Promise<unknown> {
  if (!secret) throw new WebhookSignatureError('stripe-issuing', 'no webhook secret given');
  const signature = header(headers, 'stripe-signature');
  if (!signature) throw new WebhookSignatureError('stripe-issuing', 'missing Stripe-Signature header');
  const webhooks = await stripeWebhooks();
  try {
    return await webhooks.constructEventAsync(rawBody, signature, secret, TOLERANCE_SECONDS);
  } catch (err) {
    throw new WebhookSignatureError('stripe-issuing', reasonOf(err));
  }
}

/**
 * A plain reason for a failed check. Stripe's own messages are not passed on: some describe the
 * secret (its length and last characters).
 */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (err instanceof SyntaxError) return 'the signed body is not JSON';
  if (/timestamp outside the tolerance/i.test(message)) return 'timestamp outside the 5-minute tolerance';
  if (/unable to extract timestamp|no signatures found with expected scheme/i.test(message)) {
    return 'Stripe-Signature header is not t=…,v1=…';
  }
  if (/no webhook payload/i.test(message)) return 'empty body';
  if (/payload must be provided as a string/i.test(message))
    return 'the body must be the raw string or bytes received';
  return 'signature does not match (wrong secret or altered body)';
}

interface StripeWebhooks {
  constructEventAsync(
    payload: string | Uint8Array,
    header: string,
    secret: string,
    tolerance?: number,
  ): Promise<unknown>;
}

let sdk: Promise<StripeWebhooks> | undefined;

/** Stripe's SDK, loaded once on first use; the check makes no API call, so no API key is needed. */
function stripeWebhooks(): Promise<StripeWebhooks> {
  sdk ??= import('stripe').then(
    (mod: { default?: unknown; Stripe?: unknown }) => {
      // ESM: named `Stripe` and default; CommonJS: the module itself is the Stripe class.
      const Stripe = (mod.Stripe ?? mod.default ?? mod) as { webhooks?: StripeWebhooks } | undefined;
      if (typeof Stripe?.webhooks?.constructEventAsync !== 'function') {
        sdk = undefined;
        throw new Error(
          "verifyStripeIssuingWebhook needs the 'stripe' package version 18 or later (Stripe.webhooks.constructEventAsync)",
        );
      }
      return Stripe.webhooks;
    },
    () => {
      sdk = undefined;
      throw new Error(
        "verifyStripeIssuingWebhook needs Stripe's official SDK, the 'stripe' package: install it next to @kardkit/processors (npm install stripe)",
      );
    },
  );
  return sdk;
}
