/**
 * pino with two layers of protection: a fixed redact list for the well-known places secrets live,
 * and a scrubber that applies kardkit's one redaction policy (@kardkit/schemas/redact, shared with the
 * SDK and the mock server) to every log line: the value of any key that looks secret or holds card
 * data is masked, and in every string the PAN-like digit runs (13–19 digits), bearer/basic credentials,
 * URL userinfo and secret query parameters.
 */
import { isCardDataKey, isSecretKey, REDACTED, redactCardNumbers, redactText } from '@kardkit/schemas/redact';
import pino, { type DestinationStream, type Logger } from 'pino';

export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactCardNumbers(redactText(value));
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) || isCardDataKey(key) ? REDACTED : scrub(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go (default stdout). Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: 'kardkit-express-sample',
      level: options.level ?? 'info',
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["notify-signature"]',
          'headers.authorization',
          'clientSecret',
          'webhookSecret',
          'config.kard.clientSecret',
          'config.webhookSecret',
        ],
        censor: REDACTED,
      },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // Message strings get the same masking as string fields.
          const masked = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    options.destination,
  );
}
