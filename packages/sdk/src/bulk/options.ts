import type { RequestOptions } from '../core/transport.js';
import type { SendOptions } from './types.js';

/** The per-request options of a bulk flow's calls. */
export function callOptions(options: SendOptions): RequestOptions {
  return {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    headers: options.headers,
    organizationId: options.organizationId,
    validate: false, // checked per item above; the batch itself is ≤500 by construction
  };
}
