import type { WebhookHeaders } from './errors.js';
import type { MapOptions, MapResult } from './types.js';

/** Maps one lithic webhook event to Kard transaction events (see README, "Lithic"). */
export function fromLithic(_event: unknown, _opts: MapOptions = {}): MapResult {
  throw new Error('not implemented yet');
}

/**
 * Verifies a lithic webhook on its raw body and returns the parsed event; throws
 * `WebhookSignatureError` when it does not verify.
 */
export async function verifyLithicWebhook(
  _rawBody: string | Uint8Array,
  _headers: WebhookHeaders,
  _secret: string,
): Promise<unknown> {
  throw new Error('not implemented yet');
}
