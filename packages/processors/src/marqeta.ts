import {
  cardBinFor,
  finish,
  isJsonObject,
  isoFromProcessorTime,
  type JsonObject,
  skip,
  userIdFor,
  usState,
} from './common.js';
import { header, type WebhookHeaders, WebhookSignatureError } from './errors.js';
import type { CardholderRef, KardTransaction, MapOptions, MapResult, SkipCode } from './types.js';

// ---------------------------------------------------------------------------------------------
// Marqeta payloads: only the fields the mapping reads (Marqeta Core API, `transaction` object and
// the transaction event webhook). Everything else in a payload is tolerated and ignored.
// ---------------------------------------------------------------------------------------------

/** `card_acceptor`: the merchant. Transaction Model v2 sends `country_code` and `postal_code`, v1 `country` and `zip`. */
export interface MarqetaCardAcceptor {
  mid?: string;
  mcc?: string;
  name?: string;
  city?: string;
  state?: string;
  zip?: string;
  postal_code?: string;
  country_code?: string;
  country?: string;
}

/** One Marqeta `transaction` object, as a transaction webhook carries it. */
export interface MarqetaTransaction {
  /** `authorization`, `authorization.clearing`, `authorization.reversal`, `refund`, `pindebit`, … */
  type: string;
  /** `PENDING`, `CLEARED`, `COMPLETION`, `DECLINED` or `ERROR`. */
  state?: string;
  /** This message's own id (UUID). */
  token: string;
  /** On final types (clearing, reversal, …): the token of the temporary transaction it completes. */
  preceding_related_transaction_token?: string;
  /** The first transaction of a series of related transactions. */
  original_transaction_token?: string;
  user_token?: string;
  business_token?: string;
  card_token?: string;
  /** Decimal, in the currency's major unit (10.1 = $10.10); a number or a numeric string. */
  amount?: number | string;
  currency_code?: string;
  /** When Marqeta created this transaction entry (UTC). */
  created_time?: string;
  /** When the cardholder started the transaction (UTC). */
  user_transaction_time?: string;
  settlement_date?: string;
  approval_code?: string;
  network?: string;
  acquirer_reference_id?: string;
  network_reference_id?: string;
  response?: { code?: string; memo?: string };
  card_acceptor?: MarqetaCardAcceptor;
  card?: { last_four?: string; pan?: string };
  acquirer?: { retrieval_reference_number?: string; system_trace_audit_number?: string };
  pos?: { pan_entry_mode?: string; card_presence?: boolean };
}

/** A transaction event webhook body: one or more transactions. */
export interface MarqetaTransactionWebhook {
  transactions: MarqetaTransaction[];
}

// ---------------------------------------------------------------------------------------------
// Reading unknown JSON without throwing
// ---------------------------------------------------------------------------------------------

/** A trimmed, non-empty string (numbers written as JSON numbers are taken as their text). */
function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function obj(v: unknown): JsonObject {
  return isJsonObject(v) ? v : {};
}

/** A Marqeta date-time (UTC) as ISO 8601 with a zone (R24); a bare date is midnight UTC. */
function when(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  return isoFromProcessorTime(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
}

// ---------------------------------------------------------------------------------------------
// Amounts: Marqeta's decimal major units to Kard's integer minor units (R23), exactly
// ---------------------------------------------------------------------------------------------

const DECIMAL = /^[+-]?(\d*)(?:\.(\d*))?(?:e([+-]?\d{1,3}))?$/i;

/**
 * The number of minor-unit digits of a currency (2 for USD, 0 for JPY, 3 for KWD), from the
 * runtime's ICU currency data; 2 when the code is unknown.
 */
export function currencyDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/**
 * A decimal amount in major units (a JSON number or a numeric string) as a positive integer of
 * minor units, computed on the decimal digits (no binary floating point: 10.1 → 1010, 0.29 → 29).
 * Digits below the minor unit are rounded half up. Undefined when it is not a number or does not
 * fit a safe integer.
 */
export function toMinorUnits(amount: unknown, digits: number): number | undefined {
  // String(n) of a JSON number is its shortest round-trip text, i.e. the decimal Marqeta sent.
  const s = typeof amount === 'number' ? (Number.isFinite(amount) ? String(amount) : '') : str(amount);
  const m = s ? DECIMAL.exec(s) : null;
  if (!m) return undefined;
  const int = m[1] ?? '';
  const frac = m[2] ?? '';
  if (int === '' && frac === '') return undefined;
  const scale = Number(m[3] ?? '0') + digits - frac.length;
  const n = BigInt(`${int}${frac}`);
  let out: bigint;
  if (scale >= 0) {
    out = n * 10n ** BigInt(scale);
  } else {
    const d = 10n ** BigInt(-scale);
    out = n / d + ((n % d) * 2n >= d ? 1n : 0n);
  }
  return out <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(out) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Transaction types and states
// ---------------------------------------------------------------------------------------------

/** Response codes of a successful `authorization` or `pindebit` (Marqeta, "Event Types"). */
const APPROVED_CODES: ReadonlySet<string> = new Set(['0000', '0002', '1830']);

type Kind =
  /** A temporary authorization: PENDING → APPROVED. */
  | 'authorization'
  /** An advice: a stand-in approval when alone, an adjustment when it follows an authorization. */
  | 'advice'
  /** A change to an open authorization's amount; the clearing carries the final amount. */
  | 'adjustment'
  /** The final capture of an authorization: SETTLED. */
  | 'clearing'
  /** A single-message purchase (PIN debit): COMPLETION → SETTLED with both dates (R27). */
  | 'single'
  /** The release of an authorization: REVERSED. */
  | 'reversal'
  /** Money back to the cardholder: RETURNED / CREDIT. */
  | 'refund'
  /** A refund authorization still open (or cancelled); its clearing is the RETURNED event. */
  | 'refund-pending';

interface Classified {
  kind?: Kind;
  skip?: { code: SkipCode; reason: string };
}

const NOT_CARD_SPEND = [
  'account.funding',
  'gpa.',
  'fee.',
  'transfer.',
  'directdeposit',
  'programreserve',
  'original.credit',
];

function classify(type: string): Classified {
  if (type.endsWith('balanceinquiry')) {
    return { skip: { code: 'non-financial', reason: `${type}: a balance inquiry moves no money` } };
  }
  if (type.includes('chargeback') || type.includes('representment')) {
    return {
      skip: {
        code: 'no-kard-status',
        reason: `${type}: a dispute step, which Kard has no transaction status for`,
      },
    };
  }
  if (type.includes('atm.withdrawal') || type.includes('quasi.cash')) {
    return {
      skip: { code: 'not-a-transaction', reason: `${type}: a cash withdrawal, not a purchase at a merchant` },
    };
  }
  if (NOT_CARD_SPEND.some((p) => type.startsWith(p))) {
    return {
      skip: {
        code: 'not-a-transaction',
        reason: `${type}: moves money to or from the account, not card spending`,
      },
    };
  }
  switch (type) {
    case 'authorization':
    case 'pindebit.authorization':
      return { kind: 'authorization' };
    case 'authorization.advice':
      return { kind: 'advice' };
    case 'authorization.incremental':
      return { kind: 'adjustment' };
    case 'authorization.clearing':
    case 'pindebit.authorization.clearing':
      return { kind: 'clearing' };
    case 'pindebit':
    case 'pindebit.cashback':
      return { kind: 'single' };
    case 'refund':
    case 'pindebit.refund':
    case 'refund.authorization.clearing':
      return { kind: 'refund' };
  }
  if (
    type.startsWith('authorization.reversal') ||
    type.startsWith('pindebit.reversal') ||
    type.startsWith('pindebit.authorization.reversal')
  ) {
    return { kind: 'reversal' };
  }
  if (type.startsWith('refund.authorization')) return { kind: 'refund-pending' };
  return {
    skip: { code: 'unknown-event', reason: `transaction type "${type}" is not one this mapping knows` },
  };
}

type Status = KardTransaction['attributes']['status'];

/** The Kard status of a transaction of a known kind in a given state, or why there is none. */
function statusOf(
  kind: Kind,
  t: JsonObject,
  type: string,
  state: string,
): Status | { code: SkipCode; reason: string } {
  const failed = state === 'DECLINED' || state === 'ERROR';
  const code = str(obj(t.response).code);
  const refused = code !== undefined && !APPROVED_CODES.has(code);
  const none = (why: string) => ({
    code: 'no-kard-status' as const,
    reason: `${type} in state ${state || '(none)'}: ${why}`,
  });
  switch (kind) {
    case 'authorization':
    case 'advice':
      if (kind === 'advice' && str(t.preceding_related_transaction_token)) {
        return none('adjusts an open authorization; its clearing reports the final amount');
      }
      if (failed || (state === 'PENDING' && refused)) return 'DECLINED';
      if (state === 'PENDING') return 'APPROVED';
      if (state === 'CLEARED') return none('already completed; its clearing reports SETTLED');
      return none('not a state an authorization reports');
    case 'adjustment':
      return none('changes an open authorization; its clearing reports the final amount');
    case 'single':
      if (failed || ((state === 'COMPLETION' || state === 'PENDING') && refused)) return 'DECLINED';
      if (state === 'COMPLETION') return 'SETTLED';
      if (state === 'PENDING') return 'APPROVED';
      return none('not a state a PIN debit reports');
    case 'clearing':
      return state === 'COMPLETION' ? 'SETTLED' : none('a clearing that did not complete moved no money');
    case 'reversal':
      return state === 'COMPLETION' ? 'REVERSED' : none('a reversal that did not complete released nothing');
    case 'refund':
      return state === 'COMPLETION' ? 'RETURNED' : none('a refund that did not complete returned nothing');
    case 'refund-pending':
      return none('a refund authorization; its refund.authorization.clearing reports RETURNED');
  }
}

// ---------------------------------------------------------------------------------------------
// One transaction → one Kard event
// ---------------------------------------------------------------------------------------------

const NETWORKS: Readonly<Record<string, KardTransaction['attributes']['cardNetwork']>> = {
  VISA: 'VISA',
  MASTERCARD: 'MASTERCARD',
  DISCOVER: 'DISCOVER',
  AMEX: 'AMERICANEXPRESS',
  AMERICANEXPRESS: 'AMERICANEXPRESS',
  AMERICAN_EXPRESS: 'AMERICANEXPRESS',
};

const US = new Set(['US', 'USA', '840']);

/** The mapped event, or why the transaction is not for Kard. */
type One = { event: KardTransaction } | { skip: { code: SkipCode; reason: string } };

function mapOne(t: unknown, opts: MapOptions): One {
  if (!isJsonObject(t))
    return { skip: { code: 'unknown-event', reason: 'a transaction that is not a JSON object' } };
  const type = typeof t.type === 'string' ? str(t.type) : undefined;
  const token = str(t.token);
  if (!type) return { skip: { code: 'unknown-event', reason: 'a transaction without a type' } };
  if (!token) return { skip: { code: 'unknown-event', reason: `${type} without a token` } };
  const c = classify(type);
  if (!c.kind) return { skip: c.skip as { code: SkipCode; reason: string } };

  const state = str(t.state)?.toUpperCase() ?? '';
  const currency = str(t.currency_code)?.toUpperCase();
  const amount = toMinorUnits(t.amount, currency ? currencyDigits(currency) : 2);
  if (amount === 0)
    return { skip: { code: 'non-financial', reason: `${type}: a zero amount (account verification)` } };
  const status = statusOf(c.kind, t, type, state);
  if (typeof status !== 'string') return { skip: status };

  const card = obj(t.card);
  const acceptor = obj(t.card_acceptor);
  const acquirer = obj(t.acquirer);
  const pos = obj(t.pos);
  const lastFour = str(card.last_four);
  const ref: CardholderRef = {
    processor: 'marqeta',
    cardholderId: str(t.user_token) ?? str(t.business_token),
    cardId: str(t.card_token),
    lastFour,
  };
  const pan = str(card.pan);
  const binFromPan = pan && /^\d{6}/.test(pan) ? pan.slice(0, 6) : undefined;

  // The lifecycle id (R26). Purchases go back to their first authorization, so APPROVED and
  // SETTLED / REVERSED share it. A refund is its own lifecycle (Kard's RETURNED): the
  // refund.authorization a refund clearing completes, else the refund's own token.
  const refund = status === 'RETURNED';
  const transactionId = refund
    ? ((type === 'refund.authorization.clearing' ? str(t.preceding_related_transaction_token) : undefined) ??
      token)
    : (str(t.original_transaction_token) ?? str(t.preceding_related_transaction_token) ?? token);

  const created = when(t.created_time);
  const userTime = when(t.user_transaction_time);
  const dates: Pick<KardTransaction['attributes'], 'authorizationDate' | 'settledDate' | 'transactionDate'> =
    {};
  if (status === 'APPROVED') dates.authorizationDate = userTime ?? created;
  if (status === 'SETTLED') {
    dates.authorizationDate = userTime ?? (c.kind === 'single' ? created : undefined);
    dates.settledDate = created ?? when(t.settlement_date);
  }
  if (status === 'DECLINED') dates.transactionDate = userTime ?? created;
  if (status === 'REVERSED' || status === 'RETURNED') dates.transactionDate = created ?? userTime;

  const name = str(acceptor.name);
  const country = str(acceptor.country_code) ?? str(acceptor.country);
  const network = str(t.network)?.toUpperCase();
  const presence = pos.card_presence;

  const event: KardTransaction = {
    type: 'transaction',
    id: `${token}:${status}`,
    attributes: {
      userId: userIdFor(opts, ref),
      transactionId,
      amount: amount as number,
      status,
      currency: currency as string,
      description: name as string,
      mcc: str(acceptor.mcc),
      ...dates,
      merchant: name
        ? {
            id: str(acceptor.mid),
            name,
            addrCity: str(acceptor.city),
            addrState:
              country === undefined || US.has(country.toUpperCase())
                ? usState(str(acceptor.state))
                : undefined,
            addrZipcode: str(acceptor.postal_code) ?? str(acceptor.zip),
            addrCountry: country,
          }
        : undefined,
      cardBIN: cardBinFor(opts, ref, binFromPan),
      cardLastFour: lastFour as string,
      authorizationCode: str(t.approval_code),
      retrievalReferenceNumber: str(acquirer.retrieval_reference_number),
      systemTraceAuditNumber: str(acquirer.system_trace_audit_number),
      acquirerReferenceNumber: str(t.acquirer_reference_id),
      direction: refund ? 'CREDIT' : 'DEBIT',
      paymentType: 'CARD',
      cardNetwork: network ? NETWORKS[network] : undefined,
      panEntryMode: str(pos.pan_entry_mode),
      cardPresence: typeof presence === 'boolean' ? String(presence) : undefined,
    },
  };
  return { event };
}

// ---------------------------------------------------------------------------------------------
// Webhook bodies
// ---------------------------------------------------------------------------------------------

/** The transactions of a webhook body, or why the body carries none. */
function transactionsOf(body: unknown): unknown[] | { code: SkipCode; reason: string } {
  if (!isJsonObject(body)) return { code: 'unknown-event', reason: 'the webhook body is not a JSON object' };
  if (Array.isArray(body.transactions)) {
    return body.transactions.length > 0
      ? body.transactions
      : { code: 'unknown-event', reason: 'a transaction webhook with an empty "transactions" array' };
  }
  if (typeof body.type === 'string' && 'token' in body) return [body];
  if (Array.isArray(body.pings))
    return { code: 'not-a-transaction', reason: 'a Marqeta ping (health check)' };
  const keys = Object.keys(body);
  return keys.length > 0
    ? { code: 'not-a-transaction', reason: `a Marqeta "${keys[0]}" notification, not a transaction` }
    : { code: 'unknown-event', reason: 'an empty webhook body' };
}

/**
 * Maps a Marqeta webhook body to one result per transaction, in the body's order. A transaction
 * webhook (`{ "transactions": [ … ] }`) can carry several transactions; this lets a caller send
 * the ones that map and report each of the others on its own. A body without transactions (a
 * ping, a card or user transition) gives one `skip`. A single `transaction` object (as
 * `GET /transactions/{token}` returns it) is taken as a body of one.
 */
export function fromMarqetaEach(event: unknown, opts: MapOptions = {}): MapResult[] {
  const list = transactionsOf(event);
  if (!Array.isArray(list)) return [skip(list.code, list.reason)];
  return list.map((t) => {
    const one = mapOne(t, opts);
    return 'event' in one ? finish([one.event]) : skip(one.skip.code, one.skip.reason);
  });
}

/**
 * Maps one Marqeta webhook body to Kard transaction events (see README, "Marqeta"). All the
 * transactions of the body that are for Kard come back together in `events` (issue paths `[k]`
 * point into `events`); each transaction of the same body that is not for Kard is listed as a
 * warning in `issues`, at path `transactions[i]`, with its skip code and reason. The result is
 * `skip` only when no transaction of the body is for Kard. Use `fromMarqetaEach` to get one
 * result per transaction instead.
 */
export function fromMarqeta(event: unknown, opts: MapOptions = {}): MapResult {
  const list = transactionsOf(event);
  if (!Array.isArray(list)) return skip(list.code, list.reason);
  const events: KardTransaction[] = [];
  const skipped: { i: number; code: SkipCode; reason: string }[] = [];
  list.forEach((t, i) => {
    const one = mapOne(t, opts);
    if ('event' in one) events.push(one.event);
    else skipped.push({ i, ...one.skip });
  });
  if (events.length === 0) {
    const first = skipped[0] as { code: SkipCode; reason: string };
    return list.length === 1
      ? skip(first.code, first.reason)
      : skip(first.code, skipped.map((s) => `transactions[${s.i}]: ${s.reason}`).join('; '));
  }
  const result = finish(events);
  if (result.kind === 'skip') return result;
  for (const s of skipped) {
    result.issues.push({
      path: `transactions[${s.i}]`,
      rule: null,
      severity: 'warning',
      message: `not sent to Kard (${s.code}): ${s.reason}`,
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Webhook authentication
// ---------------------------------------------------------------------------------------------

/** The HMAC algorithms a Marqeta webhook can sign with (its `signature_algorithm`). */
export type MarqetaSignatureAlgorithm = 'sha1' | 'sha256';

export interface MarqetaVerifyOptions {
  /**
   * The algorithms to accept. Marqeta signs with HMAC-SHA1 or HMAC-SHA256, as the webhook's
   * `signature_algorithm` says; the signature's length tells which one was used. Default both,
   * which also covers the weeks after switching a webhook from SHA-1 to SHA-256, while Marqeta
   * still retries older deliveries; pass `['sha256']` to refuse SHA-1.
   */
  algorithms?: readonly MarqetaSignatureAlgorithm[];
  /**
   * The HTTP Basic credentials configured on the webhook (`config.basic_auth_username` and
   * `config.basic_auth_password`). When given, the request's `Authorization` header must carry
   * them too.
   */
  basicAuth?: { username: string; password: string };
}

const SIGNATURE_HEADER = 'X-Marqeta-Signature';
const HEX_LENGTH: Readonly<Record<number, MarqetaSignatureAlgorithm>> = { 40: 'sha1', 64: 'sha256' };

function fail(message: string): never {
  throw new WebhookSignatureError('marqeta', message);
}

/**
 * Checks the HTTP Basic credentials of a Marqeta webhook request (every Marqeta webhook sends
 * the username and password configured on it). Throws `WebhookSignatureError` when the
 * `Authorization` header is missing, not Basic, or carries other credentials. Constant time.
 */
export async function verifyMarqetaBasicAuth(
  headers: WebhookHeaders,
  credentials: { username: string; password: string },
): Promise<void> {
  const { createHash, timingSafeEqual } = await import('node:crypto');
  const value = header(headers, 'Authorization')?.trim();
  if (!value) fail('missing Authorization header (HTTP Basic credentials)');
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
  if (!m) fail('the Authorization header is not HTTP Basic');
  const given = createHash('sha256')
    .update(Buffer.from(m[1] as string, 'base64'))
    .digest();
  const expected = createHash('sha256')
    .update(`${credentials.username}:${credentials.password}`, 'utf8')
    .digest();
  if (!timingSafeEqual(given, expected)) fail('the HTTP Basic credentials do not match');
}

/**
 * Verifies a Marqeta webhook on its raw body and returns the parsed body; throws
 * `WebhookSignatureError` when it does not verify. `secret` is the webhook's `config.secret`;
 * the `X-Marqeta-Signature` header must be the hex HMAC (SHA-1 or SHA-256, see
 * `options.algorithms`) of the raw body under it. Marqeta's signature has no timestamp, so
 * there is no replay window to check: deduplicate on the ids (a delivery repeated maps to the
 * same Kard event ids). Pass `options.basicAuth` to check the Basic credentials in the same call.
 */
export async function verifyMarqetaWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: MarqetaVerifyOptions = {},
): Promise<unknown> {
  if (!secret) fail('no webhook secret given');
  if (options.basicAuth) await verifyMarqetaBasicAuth(headers, options.basicAuth);
  const { createHmac, timingSafeEqual } = await import('node:crypto');
  const signature = header(headers, SIGNATURE_HEADER)?.trim().toLowerCase();
  if (!signature) fail(`missing ${SIGNATURE_HEADER} header`);
  const algorithm = /^[0-9a-f]+$/.test(signature) ? HEX_LENGTH[signature.length] : undefined;
  if (!algorithm) fail(`${SIGNATURE_HEADER} is not a hex HMAC-SHA1 or HMAC-SHA256`);
  const accepted = options.algorithms ?? ['sha1', 'sha256'];
  if (!accepted.includes(algorithm)) fail(`HMAC-${algorithm.toUpperCase()} signatures are not accepted`);
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
  const expected = createHmac(algorithm, secret).update(body).digest();
  if (!timingSafeEqual(Buffer.from(signature, 'hex'), expected)) {
    fail('the signature does not match the body (wrong secret, or the body was changed)');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return fail('the body verifies but is not JSON');
  }
}
