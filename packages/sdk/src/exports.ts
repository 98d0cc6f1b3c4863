/** Everything '@kardkit/sdk' exports except KardClient, which each build makes its own way (src/index.ts, src/index.node.ts). */
export type {
  BatchOutcome,
  BulkFileOptions,
  BulkFileResult,
  PreparedItem,
  SendOptions,
  SendProgress,
  SendRejection,
  SendReport,
  UploadReport,
} from './bulk/types.js';
export type { KardClientOptions, KardResources } from './client.js';
export { MAX_RETRY_DELAY_MS, parseRetryAfter, retryDelay } from './core/backoff.js';
export { environments } from './core/client-base.js';
export type { KyInstanceLike } from './core/ky-client.js';
export type { Logger } from './core/logger.js';
export type { RequestValidator } from './core/operation.js';
export type { Page, PagedList } from './core/pagination.js';
export type { PartialResult, RejectedItem } from './core/partial.js';
// The shared redaction policy, exactly what core/redact.ts re-exports from @kardkit/schemas/redact.
export * from './core/redact.js';
export { validateRequest } from './core/schemas.js';
export type { KardResponse, RequestOptions, RequestSpec, Stats } from './core/transport.js';
export * from './errors.js';
export type * from './generated/types.gen.js';
export { hashEmail, normalizeEmail } from './hem.js';
export {
  type LegacyEarnedRewardWebhook,
  signWebhook,
  type VerifyWebhookInput,
  verifyWebhook,
  type WebhookNotification,
} from './webhooks.js';
