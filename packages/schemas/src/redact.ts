/**
 * kardkit's one redaction policy: what counts as a secret and how it is masked. The SDK (its log lines
 * and error messages), the mock server (its recorded requests) and the sample app (its logs) all use
 * this module, `@kardkit/schemas/redact`; it has no dependency (no zod), so importing it costs nothing.
 *
 * Sensitive headers and query parameters, URL userinfo and every presigned-URL parameter (X-Amz-*,
 * X-Goog-*) become [REDACTED] before anything is logged or put into an error message.
 */
export const REDACTED = '[REDACTED]';

/** The official SDK's header list, plus notify-signature and x-amz-security-token. */
const SENSITIVE_HEADER =
  /^(?:(?:proxy-)?authoriz|(?:www|proxy)-authenticate$|(?:set-)?cookie$|notify-signature$|(?:x-)?api-?(?:key|token)$|(?:x-)?auth-token$|x-(?:csrf|xsrf|session|access|amz-security)-token$)/i;

/** The official SDK's query list, plus client_secret, signatures, credentials and X-Amz-*. */
const SENSITIVE_QUERY =
  /^(?:x-amz-.*|x-goog-.*|api[_-]?(?:key|secret)|(?:access|auth)[_-]token|token|password|passwd|(?:client_)?secret|key|session(?:[_-]id)?|signature|sig|credential)$/i;

/** Words that make a JSON field or log key secret wherever they appear in it (clientSecret, access_token…). */
const SECRET_WORD = /authorization|secret|token|password|signature|api[-_]?key|cookie/i;

/** Keys that hold card data: the BIN, the last four digits, a card number. */
const CARD_KEY = /^(?:cardBIN|cardLastFour|cardLastFours|bin|last4|pan|cardNumber)$/i;

/** A run of 13–19 digits, optionally grouped by single spaces or dashes: what a card number looks like. */
const PAN_LIKE = /\d(?:[ -]?\d){12,18}/g;

/** Whether a query parameter (its raw or percent-encoded name) carries a secret. */
export function isSensitiveQueryKey(key: string): boolean {
  try {
    key = decodeURIComponent(key);
  } catch {}
  return SENSITIVE_QUERY.test(key);
}

/** Whether an HTTP header (any case) carries a credential. */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
}

/**
 * Whether the value under a JSON field or log key is a secret: any key containing authorization,
 * secret, token, password, signature, api key or cookie (clientSecret, webhookSecret, access_token,
 * notify-signature…), and every sensitive header and query parameter name.
 */
export function isSecretKey(key: string): boolean {
  return SECRET_WORD.test(key) || isSensitiveHeader(key) || isSensitiveQueryKey(key);
}

/** Whether the value under a key is card data (cardBIN, cardLastFour, bin, last4, pan, cardNumber). */
export function isCardDataKey(key: string): boolean {
  return CARD_KEY.test(key);
}

/** Masks every card-number-like run of 13–19 digits (spaces or dashes between digits allowed) in a text. */
export function redactCardNumbers(text: string): string {
  return text.replace(PAN_LIKE, REDACTED);
}

/** Redacts userinfo and sensitive query params of a URL, or of every URL in a text (keeps path and fragment). */
export function redactUrl(url: string): string {
  return url
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, `$1${REDACTED}@`)
    .replace(/([?&])([^=&#]*)=([^&#]*)/g, (all, sep: string, key: string) =>
      isSensitiveQueryKey(key) ? `${sep}${key}=${REDACTED}` : all,
    );
}

/** A plain-object copy of headers with sensitive values replaced. */
export function redactHeaders(headers: Headers | Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (v: string, k: string) => {
    out[k] = SENSITIVE_HEADER.test(k) ? REDACTED : v;
  };
  if (headers instanceof Headers) headers.forEach(put);
  else if (headers) for (const k in headers) put(headers[k]!, k);
  return out;
}

/**
 * Last line of defence for free text (error bodies a server echoes): strips bearer/basic credentials,
 * JSON secret fields, sensitive URL params and any known secret verbatim.
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactUrl(
    text
      .replace(/\b(Bearer|Basic) +[\w.~+/=-]+/gi, `$1 ${REDACTED}`)
      .replace(/("(?:access_token|client_secret|token|secret|password)" *: *)"[^"]*"/gi, `$1"${REDACTED}"`),
  );
  for (const s of secrets) if (s && s.length > 3) out = out.split(s).join(REDACTED);
  return out;
}
