export * from './api.js';
export * from './enums.js';
export {
  formatIssues,
  type ParseOptions,
  type ParseResult,
  SchemaValidationError,
  type Severity,
  type ValidationIssue,
} from './issues.js';
export * from './resources.js';
export { ENFORCED_ERROR_RULES, ENFORCED_WARNING_RULES, getRule, type RuleInfo, rules } from './rules.js';
export { signWebhookBody, verifyWebhookBodySignature } from './signature.js';
export {
  type CoreTransactionAttributes,
  cardBin,
  cardNetworkSchema,
  cents,
  coreTransactionAttributesSchema,
  coreTransactionItemSchema,
  currencyAlpha3,
  dateTime,
  directionTypeSchema,
  type LegacyIncomingTransaction,
  type LegacyIncomingTransactions,
  lastFour,
  legacyIncomingTransactionSchema,
  legacyIncomingTransactionsSchema,
  type MatchedTransactionAttributes,
  type Merchant,
  matchedTransactionAttributesSchema,
  matchedTransactionItemSchema,
  merchantSchema,
  nonEmptyString,
  paymentTypeSchema,
  processorMidSchema,
  receiptMediumTypeSchema,
  stateSchema,
  type TransactionAttributes,
  type TransactionEvent,
  type TransactionsRequest,
  transactionAttributesSchema,
  transactionEventSchema,
  transactionItemSchema,
  transactionPaymentTypeSchema,
  transactionStatusSchema,
  transactionsRequestSchema,
  type UploadPartItem,
  type UploadPartRequest,
  uploadPartItemSchema,
  uploadPartRequestSchema,
} from './transactions.js';
export { safeParseLegacyEarnedRewardWebhook, safeParseWebhookNotification } from './webhook-parse.js';
export {
  isNotificationType,
  type KnownWebhookNotificationData,
  type LegacyEarnedRewardWebhook,
  legacyEarnedRewardWebhookSchema,
  type UnknownWebhookNotificationData,
  type WebhookNotification,
  webhookAttributeSchemas,
  webhookNotificationSchema,
} from './webhooks.js';
