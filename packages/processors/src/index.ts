export { type WebhookHeaders, WebhookSignatureError } from './errors.js';
export { toLegacyIncoming } from './legacy.js';
export {
  fromLithic,
  type LithicCardTransactionEvent,
  type LithicEventType,
  type LithicMapOptions,
  type LithicTransactionEvent,
  verifyLithicWebhook,
} from './lithic.js';
export {
  fromMarqeta,
  fromMarqetaEach,
  type MarqetaCardAcceptor,
  type MarqetaSignatureAlgorithm,
  type MarqetaTransaction,
  type MarqetaTransactionWebhook,
  type MarqetaVerifyOptions,
  verifyMarqetaBasicAuth,
  verifyMarqetaWebhook,
} from './marqeta.js';
export {
  fromStripeIssuing,
  type StripeIssuingAuthorization,
  type StripeIssuingEvent,
  type StripeIssuingMapOptions,
  type StripeIssuingTransaction,
  verifyStripeIssuingWebhook,
} from './stripe.js';
export type {
  CardholderRef,
  KardTransaction,
  LegacyIncomingTransaction,
  MapOptions,
  MapResult,
  ProcessorName,
  SkipCode,
} from './types.js';
