/**
 * pino with two layers of protection: a fixed redact list for the well-known places secrets live,
 * and a scrubber that masks any key that looks secret or card-related and any PAN-like digit run
 * (13–19 digits) in any string, wherever it appears in a log line.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_KEY = /authorization|secret|token|password|signature|api[-_]?key|cookie/i;
const CARD_KEY = /^(cardBIN|cardLastFour|cardLastFours|bin|last4|pan|cardNumber)$/i;
const PAN_LIKE = /\d(?:[ -]?\d){12,18}/g;

export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PAN_LIKE, '[REDACTED]');
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) || CARD_KEY.test(key) ? '[REDACTED]' : scrub(v, depth + 1);
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
        censor: '[REDACTED]',
      },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // Message strings get the same PAN masking as fields.
          const masked = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    options.destination,
  );
}
