/**
 * Redaction: kardkit's one policy (sensitive headers and query parameters, URL userinfo, presigned-URL
 * parameters, bearer/basic credentials, JSON secret fields), shared with the mock server and the sample
 * app through @kardkit/schemas/redact. The SDK exports the same functions (src/exports.ts).
 */
export {
  isSensitiveHeader,
  isSensitiveQueryKey,
  REDACTED,
  redactHeaders,
  redactText,
  redactUrl,
} from '@kardkit/schemas/redact';
