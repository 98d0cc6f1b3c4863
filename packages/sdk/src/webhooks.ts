import { loadSchemas } from './core/schemas.js';
import { KardValidationError, KardWebhookSignatureError } from './errors.js';

/** A v2 notification (openapi/kard.yaml `webhooks.notification`, schema `WebhookNotification`). Typed loosely here; @kardkit/schemas exports the precise type. */
export interface WebhookNotification {
  data: {
    type: string;
    id: string;
    attributes: Record<string, unknown>;
    relationships?: Record<string, unknown>;
  };
  meta?: { issuerId?: string; issuerName?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** The legacy earned-reward webhook (openapi/kard.yaml `webhooks.legacyEarnedReward`, schema `LegacyEarnedRewardWebhook`). */
export interface LegacyEarnedRewardWebhook {
  user: { referringPartnerUserId: string };
  card: Record<string, unknown>;
  reward: Record<string, unknown>;
  transaction: Record<string, unknown>;
  [k: string]: unknown;
}

export interface VerifyWebhookInput {
  /** The exact bytes received (string or Buffer/Uint8Array), never a re-serialised object. */
  rawBody: string | Uint8Array;
  /** The `notify-signature` header value (base64 HMAC-SHA256). */
  signature: string | string[] | null | undefined;
  /** Your webhook key from Kard. */
  secret: string;
}

/**
 * Verifies `notify-signature` over the raw body bytes (constant-time, Web Crypto), then parses the
 * event with @kardkit/schemas. Throws KardWebhookSignatureError when the signature is missing or
 * wrong (nothing is parsed then), KardValidationError when a correctly signed body is not an event.
 * The secret and the signature never appear in error messages.
 */
export async function verifyWebhook(input: VerifyWebhookInput): Promise<WebhookNotification>;
export async function verifyWebhook(
  input: VerifyWebhookInput & { kind: 'legacy' },
): Promise<LegacyEarnedRewardWebhook>;
export async function verifyWebhook(
  input: VerifyWebhookInput & { kind?: 'v2' | 'legacy' },
): Promise<WebhookNotification | LegacyEarnedRewardWebhook> {
  const { rawBody, secret } = input;
  const signature = Array.isArray(input.signature) ? input.signature[0] : input.signature;
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw new KardWebhookSignatureError(
      'rawBody must be the raw request body (string or Buffer), not a parsed object: the signature covers the exact bytes',
    );
  }
  if (!secret) throw new KardWebhookSignatureError('No webhook secret given');
  if (!signature) throw new KardWebhookSignatureError('Missing notify-signature header');
  const schemas = await loadSchemas();
  if (!(await schemas.verifyWebhookBodySignature(rawBody, signature.trim(), secret))) {
    throw new KardWebhookSignatureError('Webhook signature does not match the body');
  }
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody));
  } catch {
    throw new KardValidationError([
      { path: '', rule: null, severity: 'error', message: 'webhook body is not valid JSON' },
    ]);
  }
  const result =
    input.kind === 'legacy'
      ? schemas.safeParseLegacyEarnedRewardWebhook(body)
      : schemas.safeParseWebhookNotification(body);
  if (!result.success) throw new KardValidationError(result.issues);
  return result.data as WebhookNotification;
}

/** Signs a body like Kard does (base64 HMAC-SHA256), for issuers' own tests. */
export async function signWebhook(body: string | Uint8Array | object, secret: string): Promise<string> {
  const raw = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const schemas = await loadSchemas();
  return schemas.signWebhookBody(raw, secret);
}
