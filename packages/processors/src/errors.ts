import type { ProcessorName } from './types.js';

/**
 * A processor webhook whose signature does not verify (missing header, wrong secret, altered
 * body, timestamp outside the tolerance). The message says which; it never holds the secret or
 * the signature.
 */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
  constructor(
    readonly processor: ProcessorName,
    message: string,
  ) {
    super(`${processor} webhook signature: ${message}`);
  }
}

/** Headers as Node's `IncomingMessage.headers` or a fetch `Headers` give them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** One header's value, case-insensitively, from either header form. */
export function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? v.join(',') : v;
  }
  return undefined;
}
