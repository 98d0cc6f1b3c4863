/**
 * Turns what the issuer's processor posts into outbox rows, or into the complete list of what is
 * wrong with it. Accepted shapes:
 *   - one v2 transaction event `{ type, id, attributes }` (transaction | matchedTransaction | coreTransaction)
 *   - one legacy flat record `{ transactionId, referringPartnerUserId, ... }` (POST /transactions/incoming)
 *   - an array of either (mixed is fine), or the v2 envelope `{ data: [...] }`
 * Every item is validated with @kardkit/schemas, so the rules (R1…R106) are the same ones the SDK,
 * the mock server and the CLI apply, and with the sample's own limits (limits.ts). Each event stands
 * alone: an invalid one is reported with its issues and the valid ones of the request are accepted.
 */
import { createHash } from 'node:crypto';
import {
  safeParseLegacyIncomingTransaction,
  safeParseTransactionEvent,
  type ValidationIssue,
} from '@kardkit/schemas';
import { badId, idIssues, LIMIT_RULES, unstorable } from './limits.js';

export interface OutboxEvent {
  /** Event id. v2: data[].id as sent by the processor. Legacy: derived from the record's content. */
  id: string;
  kind: 'v2' | 'legacy';
  payload: Record<string, unknown>;
  userId: string | null;
  transactionId: string | null;
  eventStatus: string | null;
}

/** One event of a request that was not accepted, with everything wrong with it. */
export interface RejectedEvent {
  /** Position in the request (0-based). */
  index: number;
  /** The event id when it has a usable one. */
  id: string | null;
  issues: ValidationIssue[];
}

/**
 * `ok: false` when the request as a whole is unusable (not an event or a list of them, empty, too
 * many). Otherwise every item is either in `events` (to store) or in `rejected`.
 */
export type IntakeResult =
  | { ok: true; events: OutboxEvent[]; rejected: RejectedEvent[]; warnings: ValidationIssue[] }
  | { ok: false; issues: ValidationIssue[] };

/** Upper bound on one intake request; the forwarder re-batches to Kard's 500 per request (R11). */
export const MAX_EVENTS_PER_REQUEST = 5000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An error-severity issue of the sample's own (no Kard rule behind it). */
export function issue(path: string, message: string, expected?: string): ValidationIssue {
  return { path, rule: null, severity: 'error', message, ...(expected ? { expected } : {}) };
}

/** A v2 resource carries `type`/`attributes`; everything else is read as a legacy flat record. */
function looksV2(item: Record<string, unknown>): boolean {
  return 'attributes' in item || 'type' in item;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Legacy records have no event id. The id is a digest of the record's content (keys sorted), so the
 * processor re-posting the same record is a no-op, while APPROVED and SETTLED events of one
 * transaction (which differ in status and dates) are distinct events.
 */
export function legacyEventId(record: Record<string, unknown>): string {
  const canonical = JSON.stringify(record, Object.keys(record).sort());
  return `legacy-${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

export function parseIntake(body: unknown): IntakeResult {
  let items: unknown[];
  let pathOf: (i: number) => string;
  if (Array.isArray(body)) {
    items = body;
    pathOf = (i) => `[${i}]`;
  } else if (isRecord(body) && Array.isArray(body.data) && !('attributes' in body)) {
    items = body.data;
    pathOf = (i) => `data[${i}]`;
  } else if (isRecord(body)) {
    items = [body];
    pathOf = () => '';
  } else {
    return {
      ok: false,
      issues: [issue('', 'expected a transaction event, an array of them, or { data: [...] }')],
    };
  }
  if (items.length === 0) return { ok: false, issues: [issue('', 'no transaction events', 'at least 1')] };
  if (items.length > MAX_EVENTS_PER_REQUEST) {
    return {
      ok: false,
      issues: [
        issue('', `too many events in one request (${items.length})`, `at most ${MAX_EVENTS_PER_REQUEST}`),
      ],
    };
  }

  const rejected: RejectedEvent[] = [];
  const warnings: ValidationIssue[] = [];
  const events: OutboxEvent[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const path = pathOf(i);
    const reject = (issues: ValidationIssue[]) => {
      // The id is echoed back only when it is one (a well-formed string of reasonable length).
      const id = isRecord(item) && typeof item.id === 'string' && badId(item.id) === null ? item.id : null;
      rejected.push({ index: i, id, issues });
    };
    if (!isRecord(item)) {
      reject([issue(path, 'expected an object')]);
      return;
    }
    // The sample's own limits first: nesting past MAX_DEPTH is not handed to the schemas at all.
    const unsafe = unstorable(item, path);
    if (unsafe.some((x) => x.rule === LIMIT_RULES.depth)) {
      reject(unsafe);
      return;
    }
    const v2 = looksV2(item);
    const parsed = v2
      ? safeParseTransactionEvent(item, { path })
      : safeParseLegacyIncomingTransaction(item, { path });
    const errors = parsed.issues.filter((x) => x.severity === 'error');
    const attributes = v2 && isRecord(item.attributes) ? item.attributes : item;
    const at = (field: string) => (path ? `${path}.${field}` : field);
    const ids = idIssues(
      v2
        ? {
            id: item.id,
            'attributes.userId': attributes.userId,
            'attributes.transactionId': attributes.transactionId,
          }
        : { transactionId: item.transactionId, referringPartnerUserId: item.referringPartnerUserId },
      at,
    );
    const problems = [...ids, ...unsafe, ...errors];
    if (!parsed.success || problems.length > 0) {
      reject(problems);
      return;
    }
    warnings.push(...parsed.issues.filter((x) => x.severity !== 'error'));
    const event: OutboxEvent = {
      id: v2 ? String(item.id) : legacyEventId(item),
      kind: v2 ? 'v2' : 'legacy',
      payload: item,
      userId: str(v2 ? attributes.userId : item.referringPartnerUserId),
      transactionId: str(attributes.transactionId),
      eventStatus: str(attributes.status),
    };
    const first = seen.get(event.id);
    if (first !== undefined) {
      // Two different events with one id would make Kard drop the second as a duplicate.
      if (JSON.stringify(items[first]) !== JSON.stringify(item)) {
        rejected.push({
          index: i,
          id: null,
          issues: [
            issue(
              v2 ? at('id') : path,
              `duplicate event id in this request (first at ${pathOf(first) || 'root'})`,
            ),
          ],
        });
      }
      return;
    }
    seen.set(event.id, i);
    events.push(event);
  });
  return { ok: true, events, rejected, warnings };
}
