import {
  cardBinFor,
  finish,
  isJsonObject,
  isoFromProcessorTime,
  type JsonObject,
  skip,
  str,
  text,
  userIdFor,
  usState,
} from './common.js';
import { header, type WebhookHeaders, WebhookSignatureError } from './errors.js';
import type { CardholderRef, KardTransaction, MapOptions, MapResult } from './types.js';

/**
 * Options of `fromLithic`: the shared ones, plus the card's last four digits. Lithic's transaction
 * webhooks name the card only by `card_token`, while Kard requires `cardLastFour` on every v2
 * transaction; an issuer looks it up from the card token (Lithic's card object has `last_four`).
 * A `card.last_four` in the event, where one is present, wins.
 */
export interface LithicMapOptions extends MapOptions {
  cardLastFour?: string | ((ref: CardholderRef) => string | undefined);
}

/**
 * The Lithic transaction event types (`events[].type` of a Lithic `Transaction`), as Lithic's API
 * reference lists them.
 */
export type LithicEventType =
  | 'AUTHORIZATION'
  | 'AUTHORIZATION_ADVICE'
  | 'AUTHORIZATION_EXPIRY'
  | 'AUTHORIZATION_REVERSAL'
  | 'BALANCE_INQUIRY'
  | 'CLEARING'
  | 'CORRECTION_CREDIT'
  | 'CORRECTION_DEBIT'
  | 'CREDIT_AUTHORIZATION'
  | 'CREDIT_AUTHORIZATION_ADVICE'
  | 'FINANCIAL_AUTHORIZATION'
  | 'FINANCIAL_CREDIT_AUTHORIZATION'
  | 'RETURN'
  | 'RETURN_REVERSAL';

/** An amount of a Lithic transaction event: minor units of `currency`, always positive. */
export interface LithicAmount {
  amount?: number;
  currency?: string;
}

/** One step of a Lithic transaction (`events[]`); only the fields this mapping reads. */
export interface LithicTransactionEvent {
  token?: string;
  type?: LithicEventType | (string & {});
  /** `APPROVED`, or the decline reason (`INSUFFICIENT_FUNDS`, `ORIGINAL_NOT_FOUND`, …). */
  result?: string;
  /** RFC 3339, UTC. */
  created?: string;
  amounts?: {
    cardholder?: LithicAmount | null;
    settlement?: LithicAmount | null;
    merchant?: LithicAmount | null;
  };
  /** Deprecated by Lithic: the amount in the settlement currency, negative for credits. */
  amount?: number;
  effective_polarity?: 'CREDIT' | 'DEBIT';
  network_info?: {
    acquirer?: {
      acquirer_reference_number?: string | null;
      retrieval_reference_number?: string | null;
    } | null;
  } | null;
}

/**
 * A Lithic `card_transaction.updated` webhook: the whole `Transaction` object with its events,
 * plus `event_type`. Only the fields this mapping reads; everything else is tolerated.
 */
export interface LithicCardTransactionEvent {
  event_type?: 'card_transaction.updated';
  token?: string;
  account_token?: string;
  card_token?: string;
  status?: 'PENDING' | 'SETTLED' | 'DECLINED' | 'VOIDED' | 'EXPIRED' | (string & {});
  result?: string;
  created?: string;
  authorization_code?: string | null;
  network?: 'AMEX' | 'INTERLINK' | 'MAESTRO' | 'MASTERCARD' | 'UNKNOWN' | 'VISA' | (string & {}) | null;
  amounts?: {
    cardholder?: LithicAmount | null;
    settlement?: LithicAmount | null;
    merchant?: LithicAmount | null;
    hold?: LithicAmount | null;
  };
  merchant?: {
    acceptor_id?: string;
    descriptor?: string;
    mcc?: string;
    city?: string;
    state?: string;
    country?: string;
    postal_code?: string | null;
    street_address?: string | null;
  };
  pos?: { entry_mode?: { card?: string; pan?: string } };
  events?: LithicTransactionEvent[];
}

type Attributes = KardTransaction['attributes'];
type Step = { status: Attributes['status']; direction: Attributes['direction'] };

const rec = (v: unknown): JsonObject | undefined => (isJsonObject(v) ? v : undefined);
const num = (v: unknown): number | undefined => (Number.isFinite(v) ? (v as number) : undefined);

/**
 * Lithic webhook event families that are not about card spending (the `event_type` before its
 * first dot): accounts, cards, tokenizations, 3DS, disputes, ACH and book payments, reports.
 */
const NOT_SPENDING: ReadonlySet<string> = new Set([
  'account_holder',
  'account_holder_document',
  'auth_rules',
  'balance',
  'book_transfer_transaction',
  'card',
  'digital_wallet',
  'dispute',
  'dispute_evidence',
  'dispute_transaction',
  'external_bank_account',
  'external_payment',
  'financial_account',
  'funding_event',
  'internal_transaction',
  'loan_tape',
  'management_operation',
  'network_total',
  'payment_transaction',
  'settlement_report',
  'statements',
  'three_ds_authentication',
  'tokenization',
]);

/**
 * Maps one Lithic webhook event to Kard transaction events (see README, "Lithic").
 *
 * A `card_transaction.updated` carries the whole transaction with all its events; its NEWEST
 * event decides the one Kard event: an approved authorization is APPROVED, each clearing is one
 * SETTLED (R28), a reversal or expiry before any clearing is REVERSED, a return is RETURNED with
 * direction CREDIT, a declined purchase step is DECLINED. The Kard id is that event's `token`,
 * the Kard `transactionId` the transaction's `token` (R10, R26). Also accepted: the same
 * transaction inside the `payload` of Lithic's Event object, and a bare Transaction object as
 * `GET /v1/transactions` returns it. Never throws on JSON input.
 */
export function fromLithic(event: unknown, opts: LithicMapOptions = {}): MapResult {
  const body = rec(event);
  if (!body) return skip('unknown-event', 'not a Lithic webhook event: expected a JSON object');
  const type = str(body.event_type);
  if (type === undefined) {
    if (Array.isArray(body.events)) return fromTransaction(body, opts);
    return skip('unknown-event', 'not a Lithic webhook event: no event_type');
  }
  if (type === 'card_transaction.updated') return fromTransaction(rec(body.payload) ?? body, opts);
  if (type.startsWith('card_transaction.enhanced_data.')) {
    return skip(
      'no-kard-status',
      `${type} adds commercial (Level 2/3) data to a transaction whose card_transaction.updated events carry its Kard status`,
    );
  }
  if (type === 'card_authorization.approval_request') {
    return skip(
      'no-kard-status',
      'card_authorization.approval_request asks the issuer to decide; the card_transaction.updated that follows carries the result',
    );
  }
  if (NOT_SPENDING.has(type.replace(/\..*/s, '')))
    return skip('not-a-transaction', `${type} is not about card spending`);
  return skip('unknown-event', `unknown Lithic event type ${type}`);
}

interface Ev {
  raw: JsonObject;
  type: string;
  approved: boolean;
}

function fromTransaction(tx: JsonObject, opts: LithicMapOptions): MapResult {
  const transactionId = text(str(tx.token));
  if (!transactionId) return skip('unknown-event', 'a Lithic card transaction without a token');
  const events = chronological(tx.events);
  const newest = events.at(-1);
  if (!newest) return skip('no-kard-status', `Lithic transaction ${transactionId} has no events yet`);
  const step = decide(newest, events.slice(0, -1), str(tx.status));
  if ('kind' in step) return step;
  const id = text(str(newest.raw.token));
  if (!id)
    return skip(
      'unknown-event',
      `${newest.type} event without a token in Lithic transaction ${transactionId}`,
    );
  const money = amountOf(newest.raw, tx);
  if (!money)
    return skip(
      'non-financial',
      `${newest.type} of zero amount (an account verification, for example) moves no money`,
    );
  return finish([kardEvent(tx, newest, step, { id, transactionId, ...money }, opts)]);
}

/**
 * The events that are objects, oldest first by `created`. The sort is stable: events of the same
 * time keep their order in the array, and so does one whose time does not parse (NaN compares
 * as equal).
 */
function chronological(value: unknown): Ev[] {
  const list = Array.isArray(value) ? value : [];
  return list
    .map(rec)
    .filter((raw): raw is JsonObject => raw !== undefined)
    .map((raw) => ({ raw, t: Date.parse(String(raw.created)) }))
    .sort((a, b) => a.t - b.t)
    .map(({ raw }) => ({ raw, type: str(raw.type) ?? '', approved: raw.result === 'APPROVED' }));
}

const PURCHASE_STEPS: ReadonlySet<string> = new Set([
  'AUTHORIZATION',
  'AUTHORIZATION_ADVICE',
  'FINANCIAL_AUTHORIZATION',
  'CLEARING',
]);
/** An approved one before an authorization or advice makes that a change of amount (incremental authorization). */
const AUTHORIZATIONS: ReadonlySet<string> = new Set(['AUTHORIZATION', 'AUTHORIZATION_ADVICE']);
const CREDIT_AUTHORIZATIONS: ReadonlySet<string> = new Set([
  'CREDIT_AUTHORIZATION',
  'CREDIT_AUTHORIZATION_ADVICE',
]);
const RELEASES: ReadonlySet<string> = new Set(['AUTHORIZATION_REVERSAL', 'AUTHORIZATION_EXPIRY']);

/** Which Kard status the newest event gives, or why it gives none (`status`: the transaction's). */
function decide(ev: Ev, earlier: Ev[], status: string | undefined): Step | MapResult {
  const t = ev.type;
  const had = (types: ReadonlySet<string>) => earlier.some((e) => e.approved && types.has(e.type));
  if (t === 'BALANCE_INQUIRY')
    return skip('non-financial', 'BALANCE_INQUIRY (a balance inquiry) moves no money');
  if (PURCHASE_STEPS.has(t)) {
    if (!ev.approved) {
      if (had(RELEASES)) {
        return skip(
          'no-kard-status',
          `${t} declined after the authorization was reversed or expired, already REVERSED`,
        );
      }
      // A declined increase (incremental authorization) leaves the approved one standing.
      if (had(AUTHORIZATIONS) && status !== 'DECLINED') {
        return skip('no-kard-status', `${t} declined a change of amount; the approved authorization stands`);
      }
      return { status: 'DECLINED', direction: 'DEBIT' };
    }
    if (t === 'CLEARING' || t === 'FINANCIAL_AUTHORIZATION') return { status: 'SETTLED', direction: 'DEBIT' };
    if (had(AUTHORIZATIONS)) {
      return skip(
        'no-kard-status',
        `${t} after an approved authorization changes its amount; SETTLED carries the final amount`,
      );
    }
    return { status: 'APPROVED', direction: 'DEBIT' };
  }
  if (!ev.approved)
    return skip('no-kard-status', `${t} with result ${str(ev.raw.result) ?? '(none)'} moves no money`);
  if (RELEASES.has(t)) {
    if (earlier.some((e) => CREDIT_AUTHORIZATIONS.has(e.type))) {
      return skip(
        'no-kard-status',
        `${t} of a refund authorization; refunds reach Kard when they settle (RETURN)`,
      );
    }
    if (had(new Set(['CLEARING']))) {
      return skip('no-kard-status', `${t} releases the uncleared rest of a transaction already SETTLED`);
    }
    // A single-message purchase moved its money at once (SETTLED); its reversal gives it back.
    if (had(new Set(['FINANCIAL_AUTHORIZATION']))) return { status: 'RETURNED', direction: 'CREDIT' };
    // A partial reversal leaves the transaction PENDING: the rest may still clear.
    if (status === 'PENDING') {
      return skip('no-kard-status', `${t} released part of the authorization; the rest stays open`);
    }
    return { status: 'REVERSED', direction: 'DEBIT' };
  }
  if (t === 'RETURN' || t === 'FINANCIAL_CREDIT_AUTHORIZATION')
    return { status: 'RETURNED', direction: 'CREDIT' };
  if (CREDIT_AUTHORIZATIONS.has(t)) {
    return skip(
      'no-kard-status',
      `${t} holds a refund that has not settled; its RETURN event gives RETURNED`,
    );
  }
  if (t === 'RETURN_REVERSAL')
    return skip('no-kard-status', 'RETURN_REVERSAL takes a refund back; Kard has no status for it');
  if (t === 'CORRECTION_CREDIT' || t === 'CORRECTION_DEBIT') {
    return skip('no-kard-status', `${t} adjusts a settled amount; Kard has no status for it`);
  }
  return skip('unknown-event', `unknown Lithic transaction event type ${t || '(none)'}`);
}

/**
 * The event's amount, positive, in minor units (R23): the cardholder amount (the card's billing
 * currency), else the settlement amount, else the merchant amount; for payloads from before
 * Lithic's `amounts`, the deprecated signed `amount` in the settlement currency.
 */
function amountOf(ev: JsonObject, tx: JsonObject): { amount: number; currency: string } | undefined {
  const amounts = rec(ev.amounts);
  const legacy = rec(rec(tx.amounts)?.settlement) ?? rec(rec(tx.amounts)?.cardholder);
  const candidates: JsonObject[] = amounts
    ? [amounts.cardholder, amounts.settlement, amounts.merchant].map((a) => rec(a) ?? {})
    : [{ amount: ev.amount, currency: legacy?.currency }];
  for (const a of candidates) {
    const amount = num(a.amount);
    if (amount) return { amount: Math.abs(amount), currency: currencyOf(a.currency) };
  }
  return undefined;
}

const currencyOf = (v: unknown): string => str(v)?.trim().toUpperCase() ?? '';

const NETWORKS: ReadonlyMap<unknown, Attributes['cardNetwork']> = new Map([
  ['VISA', 'VISA'],
  ['INTERLINK', 'VISA'],
  ['MASTERCARD', 'MASTERCARD'],
  ['MAESTRO', 'MASTERCARD'],
  ['AMEX', 'AMERICANEXPRESS'],
]);

/** A Lithic value, left out when blank or Lithic's "don't know". */
const known = (v: unknown): string | undefined => {
  const s = text(str(v));
  return s === 'UNKNOWN' || s === 'UNSPECIFIED' ? undefined : s;
};

function kardEvent(
  tx: JsonObject,
  ev: Ev,
  step: Step,
  ids: { id: string; transactionId: string; amount: number; currency: string },
  opts: LithicMapOptions,
): KardTransaction {
  const m = rec(tx.merchant) ?? {};
  const card = rec(tx.card);
  const ref: CardholderRef = {
    processor: 'lithic',
    cardholderId: text(str(tx.account_token)),
    cardId: text(str(tx.card_token)) ?? text(str(card?.token)),
    lastFour: text(str(card?.last_four)),
  };
  const lastFour =
    ref.lastFour ?? (typeof opts.cardLastFour === 'function' ? opts.cardLastFour(ref) : opts.cardLastFour);
  const at = isoFromProcessorTime(str(ev.raw.created) ?? '');
  const name = text(str(m.descriptor));
  const country = text(str(m.country));
  const acquirer = rec(rec(ev.raw.network_info)?.acquirer);
  const entry = rec(rec(tx.pos)?.entry_mode);
  const txCreated = str(tx.created);
  return {
    type: 'transaction',
    id: ids.id,
    attributes: {
      userId: userIdFor(opts, ref),
      transactionId: ids.transactionId,
      amount: ids.amount,
      currency: ids.currency,
      status: step.status,
      direction: step.direction,
      paymentType: 'CARD',
      description: name ?? '',
      mcc: text(str(m.mcc)),
      // SETTLED carries the authorization's date too (R1, R27): when the transaction first occurred.
      authorizationDate:
        step.status === 'APPROVED'
          ? at
          : step.status === 'SETTLED'
            ? txCreated
              ? isoFromProcessorTime(txCreated)
              : at
            : undefined,
      settledDate: step.status === 'SETTLED' ? at : undefined,
      transactionDate: step.status === 'APPROVED' || step.status === 'SETTLED' ? undefined : at,
      merchant: name
        ? {
            id: text(str(m.acceptor_id)),
            name,
            addrStreet: text(str(m.street_address)),
            addrCity: text(str(m.city)),
            addrState: !country || country === 'USA' || country === 'US' ? usState(str(m.state)) : undefined,
            addrZipcode: text(str(m.postal_code)),
            addrCountry: country,
          }
        : undefined,
      cardBIN: cardBinFor(opts, ref),
      cardLastFour: lastFour ?? '',
      cardNetwork: NETWORKS.get(tx.network),
      authorizationCode: text(str(tx.authorization_code)),
      retrievalReferenceNumber: text(str(acquirer?.retrieval_reference_number)),
      acquirerReferenceNumber: text(str(acquirer?.acquirer_reference_number)),
      panEntryMode: known(entry?.pan),
      cardPresence: known(entry?.card),
    },
  };
}

/**
 * Verifies a Lithic webhook on its raw body and returns the parsed event; throws
 * `WebhookSignatureError` when it does not verify.
 *
 * Lithic signs webhooks per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, a `whsec_…` secret, a 5-minute tolerance on the timestamp). The check is
 * the one of Lithic's official SDK (`lithic`, `client.webhooks.verifySignature`), an optional peer
 * dependency loaded only here.
 */
export async function verifyLithicWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
): Promise<unknown> {
  if (!secret) throw new WebhookSignatureError('lithic', 'no webhook secret given');
  const signed: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = header(headers, name);
    if (!value) throw new WebhookSignatureError('lithic', `missing ${name} header`);
    signed[name] = value;
  }
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const webhooks = await lithicWebhooks();
  try {
    webhooks.verifySignature(body, signed, secret);
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw new WebhookSignatureError('lithic', reasonOf(err));
  }
}

/**
 * A plain reason for a failed check; never the secret, the signature or the library's text.
 * Past the headers and the body, what Standard Webhooks rejects is the secret itself (not
 * base64 after `whsec_`, or empty once decoded).
 */
function reasonOf(err: unknown): string {
  if (err instanceof SyntaxError) return 'the signed body is not JSON';
  const message = err instanceof Error ? err.message : '';
  if (/timestamp too/i.test(message)) return 'webhook-timestamp outside the 5-minute tolerance';
  if (/invalid signature headers/i.test(message)) return 'webhook-timestamp is not a Unix time';
  if (/no matching signature/i.test(message))
    return 'signature does not match (wrong secret or altered body)';
  return 'the secret is not a Lithic webhook secret (whsec_…)';
}

interface LithicWebhooks {
  verifySignature(body: string, headers: Record<string, string>, secret: string): void;
}
type LithicClient = new (opts: { apiKey: string; webhookSecret: null }) => { webhooks: LithicWebhooks };

let client: Promise<LithicWebhooks> | undefined;

/** Lithic's SDK, loaded once on first use; the webhook check makes no API call, so no API key is needed. */
function lithicWebhooks(): Promise<LithicWebhooks> {
  client ??= import('lithic').then(
    (mod: { Lithic: unknown }) => {
      const Lithic = mod.Lithic as LithicClient;
      return new Lithic({ apiKey: 'unused-by-webhook-checks', webhookSecret: null }).webhooks;
    },
    () => {
      client = undefined;
      throw new Error(
        "verifyLithicWebhook needs Lithic's official SDK, the 'lithic' package: install it next to @kardkit/processors (npm install lithic)",
      );
    },
  );
  return client;
}
