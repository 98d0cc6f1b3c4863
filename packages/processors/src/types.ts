import type { LegacyIncomingTransaction, TransactionEvent, ValidationIssue } from '@kardkit/schemas';

/** The processors this package maps from. */
export type ProcessorName = 'stripe-issuing' | 'lithic' | 'marqeta';

/** A Kard v2 `transaction` event (`POST /v2/issuers/{organizationId}/transactions`, `data[]` item). */
export type KardTransaction = Extract<TransactionEvent, { type: 'transaction' }>;
export type { LegacyIncomingTransaction };

/**
 * What a mapping knows about the card and cardholder of a processor event; passed to the
 * `userId` and `cardBin` options so an issuer can look up its own records.
 */
export interface CardholderRef {
  processor: ProcessorName;
  /** The processor's cardholder / account / user id (Stripe `cardholder`, Lithic `account_token`, Marqeta `user_token`). */
  cardholderId?: string;
  /** The processor's card id (Stripe card `id`, Lithic `card_token`, Marqeta `card_token`). */
  cardId?: string;
  /** The card's last four digits, when the event carries them. */
  lastFour?: string;
}

export interface MapOptions {
  /**
   * The Kard user id of the cardholder (the id the issuer enrolled at Kard). Default: the
   * processor's cardholder id (`CardholderRef.cardholderId`). Return undefined when unknown: the
   * event is then reported as `invalid` on `attributes.userId`.
   */
  userId?: (ref: CardholderRef) => string | undefined;
  /**
   * The card's BIN, the first six digits of its number (R4). Card processors do not put it in
   * their transaction webhooks, while Kard requires it on every v2 transaction; an issuer knows
   * the BINs of its card programs. A string for a single BIN, or a function per card. When the
   * event does carry a BIN (Marqeta's `card.pan` prefix, for example), the event's BIN wins.
   */
  cardBin?: string | ((ref: CardholderRef) => string | undefined);
}

/** Why a processor event is not a Kard transaction event. */
export type SkipCode =
  /** The event type is not about card spending (card created, balance changed, …). */
  | 'not-a-transaction'
  /** A non-financial authorization (balance inquiry, account verification, zero amount). */
  | 'non-financial'
  /** A lifecycle step Kard has no status for, or one already reported by another event. */
  | 'no-kard-status'
  /** The event type is not one this mapping knows. */
  | 'unknown-event';

export type MapResult =
  /** One or more Kard events (usually one); each passed `@kardkit/schemas`. */
  | { kind: 'events'; events: KardTransaction[]; issues: ValidationIssue[] }
  /** Not for Kard, with the reason. */
  | { kind: 'skip'; code: SkipCode; reason: string }
  /**
   * Meant for Kard but the events fail validation (for example no BIN was configured): the
   * events as mapped, and every issue with its field path and rule.
   */
  | { kind: 'invalid'; events: KardTransaction[]; issues: ValidationIssue[] };
