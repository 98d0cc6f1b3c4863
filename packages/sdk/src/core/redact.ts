/**
 * Redaction (the official SDK's lists, and beyond them): sensitive headers and query parameters, URL userinfo and
 * every presigned-URL parameter (X-Amz-*, X-Goog-*) become [REDACTED] before anything is logged or
 * put into an error message.
 */
export const REDACTED = '[REDACTED]';

/** The official SDK's header list, plus notify-signature and x-amz-security-token. */
const SENSITIVE_HEADER =
  /^(?:(?:proxy-)?authoriz|(?:www|proxy)-authenticate$|(?:set-)?cookie$|notify-signature$|(?:x-)?api-?(?:key|token)$|(?:x-)?auth-token$|x-(?:csrf|xsrf|session|access|amz-security)-token$)/i;

/** The official SDK's query list, plus client_secret, signatures, credentials and X-Amz-*. */
const SENSITIVE_QUERY =
  /^(?:x-amz-.*|x-goog-.*|api[_-]?(?:key|secret)|apikey|apisecret|(?:access|auth)[_-]token|token|password|passwd|(?:client_)?secret|key|session(?:[_-]id)?|signature|sig|credential)$/i;

export function isSensitiveQueryKey(key: string): boolean {
  try {
    key = decodeURIComponent(key);
  } catch {}
  return SENSITIVE_QUERY.test(key);
}

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
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
