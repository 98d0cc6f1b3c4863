import type { WebhookHeaders } from './errors.js';
import type { MapOptions, MapResult } from './types.js';

/** Maps one marqeta webhook event to Kard transaction events (see README, "Marqeta"). */
export function fromMarqeta(_event: unknown, _opts: MapOptions = {}): MapResult {
  throw new Error('not implemented yet');
}

/**
 * Verifies a marqeta webhook on its raw body and returns the parsed event; throws
 * `WebhookSignatureError` when it does not verify.
 */
export async function verifyMarqetaWebhook(
  _rawBody: string | Uint8Array,
  _headers: WebhookHeaders,
  _secret: string,
): Promise<unknown> {
  throw new Error('not implemented yet');
}
