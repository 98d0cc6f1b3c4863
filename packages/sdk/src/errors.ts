import type { ValidationIssue } from '@kardkit/schemas';
/**
 * One error hierarchy for everything the SDK throws. Nothing throws a plain object:
 * every failure of the transport, of the API, of validation and of webhook verification is a
 * `KardError`. Messages are short and never contain tokens, secrets or presigned URL signatures.
 */

/** A JSON:API error object as Kard returns it (openapi/kard.yaml schema `ErrorObject`). */
export interface ApiErrorObject {
  status?: string;
  title?: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string; header?: string };
  id?: string;
  [key: string]: unknown;
}

/** One validation issue as reported by @kardkit/schemas (path, rule id, severity, message). */
export type { ValidationIssue } from '@kardkit/schemas';

export class KardError extends Error {
  override name = 'KardError';
}

export interface KardApiErrorInit {
  status: number;
  body?: unknown;
  headers?: Headers;
  method?: string;
  path?: string;
}

/** The API answered with a status outside 2xx. */
export class KardApiError extends KardError {
  override name = 'KardApiError';
  readonly status: number;
  /** Parsed JSON:API `errors[]` (empty when the body had none). */
  readonly errors: ApiErrorObject[];
  /** The raw response body (parsed JSON, or text). */
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly headers: Headers | undefined;

  constructor(init: KardApiErrorInit, message?: string) {
    const errors = errorsOf(init.body);
    const requestId =
      init.headers?.get('x-request-id') ??
      init.headers?.get('x-amzn-requestid') ??
      init.headers?.get('x-amz-request-id') ??
      undefined;
    super(message ?? apiMessage(init, errors, requestId));
    this.status = init.status;
    this.errors = errors;
    this.body = init.body;
    this.requestId = requestId;
    this.headers = init.headers;
  }
}

// Explicit names: minifiers rename classes, and err.name must stay meaningful in issuers' logs.
export class KardBadRequestError extends KardApiError {
  override name = 'KardBadRequestError';
}
export class KardUnauthorizedError extends KardApiError {
  override name = 'KardUnauthorizedError';
}
export class KardForbiddenError extends KardApiError {
  override name = 'KardForbiddenError';
}
export class KardNotFoundError extends KardApiError {
  override name = 'KardNotFoundError';
}
export class KardConflictError extends KardApiError {
  override name = 'KardConflictError';
}
export class KardUnprocessableEntityError extends KardApiError {
  override name = 'KardUnprocessableEntityError';
}
export class KardRateLimitError extends KardApiError {
  override name = 'KardRateLimitError';
}
/** Any 5xx. */
export class KardServerError extends KardApiError {
  override name = 'KardServerError';
}

/** The request never got an HTTP answer (DNS, refused, reset, dropped socket). */
export class KardConnectionError extends KardError {
  override name = 'KardConnectionError';
}
/** The attempt exceeded `timeoutMs`. */
export class KardTimeoutError extends KardError {
  override name = 'KardTimeoutError';
}
/** The caller's AbortSignal fired (also while waiting between retries). */
export class KardAbortError extends KardError {
  override name = 'KardAbortError';
}

/** The request body broke one or more rules; nothing was sent. */
export class KardValidationError extends KardError {
  override name = 'KardValidationError';
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], message?: string) {
    const errors = issues.filter((i) => i.severity === 'error');
    const first = errors[0];
    super(
      message ??
        (first
          ? `Invalid request: ${first.path || '(root)'}: ${first.message}${first.rule ? ` (${first.rule})` : ''}${
              errors.length > 1 ? ` (+${errors.length - 1} more)` : ''
            }`
          : 'Invalid request'),
    );
    this.issues = issues;
  }
}

/** The webhook signature is missing or does not match the raw body, or the body is not a valid event. */
export class KardWebhookSignatureError extends KardError {
  override name = 'KardWebhookSignatureError';
}

const byStatus: Record<number, typeof KardApiError> = {
  400: KardBadRequestError,
  401: KardUnauthorizedError,
  403: KardForbiddenError,
  404: KardNotFoundError,
  409: KardConflictError,
  422: KardUnprocessableEntityError,
  429: KardRateLimitError,
};

/** The single factory for API errors: picks the subclass by status. */
export function createApiError(init: KardApiErrorInit): KardApiError {
  const Ctor = byStatus[init.status] ?? (init.status >= 500 ? KardServerError : KardApiError);
  return new Ctor(init);
}

function errorsOf(body: unknown): ApiErrorObject[] {
  if (body && typeof body === 'object') {
    const errors = (body as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      // Legacy 400 bodies are {errors: string[]} (openapi/kard.yaml `LegacyValidationErrorResponse`).
      return errors.map((e) => (typeof e === 'string' ? { detail: e } : (e as ApiErrorObject)));
    }
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return [{ detail: message }];
  }
  if (typeof body === 'string' && body) {
    // S3-style XML errors (presigned uploads): keep just Code and Message.
    const xml = /<Code>([^<]*)<\/Code>[\s\S]*?<Message>([^<]*)<\/Message>/.exec(body);
    return [xml ? { title: xml[1], detail: xml[2] } : { detail: body.slice(0, 200) }];
  }
  return [];
}

function apiMessage(init: KardApiErrorInit, errors: ApiErrorObject[], requestId: string | undefined): string {
  const first = errors[0];
  const what = first ? [first.title, first.detail].filter(Boolean).join(': ') : '';
  return `Kard API ${init.status}${init.method ? ` on ${init.method} ${init.path ?? ''}` : ''}${
    what ? `: ${what}` : ''
  }${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}${requestId ? ` [request ${requestId}]` : ''}`;
}
