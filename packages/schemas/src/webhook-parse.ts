import {
  fail,
  fromZodIssues,
  joinPath,
  noRules,
  type ParseResult,
  type ValidationIssue,
  warn,
} from './issues.js';
import { isObj } from './primitives.js';
import {
  isKnownNotificationType,
  type LegacyEarnedRewardWebhook,
  legacyEarnedRewardWebhookSchema,
  type WebhookNotification,
  webhookAttributeSchemas,
  webhookNotificationSchema,
} from './webhooks.js';

function parseBody(body: unknown, issues: ValidationIssue[]): { ok: boolean; value: unknown } {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
      return { ok: true, value: JSON.parse(text) };
    } catch {
      fail(issues, '', null, 'body is not valid JSON', 'JSON');
      return { ok: false, value: undefined };
    }
  }
  return { ok: true, value: body };
}

function asWarnings(list: ValidationIssue[]): ValidationIssue[] {
  for (const i of list) i.severity = 'warning';
  return list;
}

/**
 * Parses a v2 notification ({data:{type,id,attributes,relationships?}, meta?}) tolerantly: unknown
 * extra fields, unknown enum values and unknown notification types pass. Accepts the parsed JSON,
 * or the raw body as a string / bytes. Only a body that is not a notification envelope fails.
 */
export function safeParseWebhookNotification(body: unknown): ParseResult<WebhookNotification> {
  const issues: ValidationIssue[] = [];
  const parsed = parseBody(body, issues);
  if (!parsed.ok) return { success: false, issues };
  const input = parsed.value;
  const r = webhookNotificationSchema.safeParse(input);
  if (!r.success) {
    fromZodIssues(r.error.issues, input, '', noRules, issues);
    return { success: false, issues };
  }
  const data = (input as { data: { type: string; attributes: unknown } }).data;
  if (isKnownNotificationType(data.type)) {
    const a = webhookAttributeSchemas[data.type].safeParse(data.attributes);
    if (!a.success) {
      const found: ValidationIssue[] = [];
      fromZodIssues(a.error.issues, data.attributes, 'data.attributes', noRules, found);
      issues.push(...asWarnings(found));
    }
  } else {
    warn(issues, 'data.type', null, `unknown notification type ${JSON.stringify(data.type)}; passed through`);
  }
  return { success: true, data: input as WebhookNotification, issues };
}

/** Parses the legacy earned-reward webhook tolerantly: only the four top-level objects are required. */
export function safeParseLegacyEarnedRewardWebhook(body: unknown): ParseResult<LegacyEarnedRewardWebhook> {
  const issues: ValidationIssue[] = [];
  const parsed = parseBody(body, issues);
  if (!parsed.ok) return { success: false, issues };
  const input = parsed.value;
  if (!isObj(input)) {
    fail(issues, '', null, 'must be a JSON object', 'an object');
    return { success: false, issues };
  }
  for (const k of ['user', 'card', 'reward', 'transaction'] as const) {
    if (!isObj(input[k])) {
      fail(
        issues,
        joinPath('', k),
        null,
        input[k] === undefined ? 'required' : 'must be an object',
        'an object',
      );
    }
  }
  if (issues.length > 0) return { success: false, issues };
  const r = legacyEarnedRewardWebhookSchema.safeParse(input);
  if (!r.success) {
    const found: ValidationIssue[] = [];
    fromZodIssues(r.error.issues, input, '', noRules, found);
    issues.push(...asWarnings(found));
  }
  return { success: true, data: input as LegacyEarnedRewardWebhook, issues };
}
