import {
  type ParseResult,
  safeParseLegacyIncomingTransaction,
  safeParseTransactionEvent,
  type ValidationIssue,
} from '@kardkit/schemas';
import { IdSet } from './idset.js';
import type { InputRecord } from './io/records.js';

export type RecordSchema = 'v2' | 'legacy';

export interface Verdict {
  n: number;
  schema: RecordSchema;
  /** the event id (v2) or transactionId (legacy) when the record carries one */
  id: string | null;
  valid: boolean;
  /** errors and warnings, paths relative to the record */
  issues: ValidationIssue[];
  value: unknown;
  raw?: string | undefined;
}

// Fields that only exist on flat legacy records (IncomingTransactionRequest, digest §3.5).
const LEGACY_HINTS = ['referringPartnerUserId', 'merchantName', 'merchantId', 'isDeposit', 'googleId'];

/**
 * Decides which schema a record belongs to: a `{type, id, attributes}` resource is v2; a flat
 * record with `referringPartnerUserId` (or other legacy-only fields, or a top-level transactionId
 * without `attributes`) is legacy. Records that say nothing fall back to the file's previous schema.
 */
export function detectSchema(value: unknown, fallback: RecordSchema): RecordSchema {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fallback;
  const o = value as Record<string, unknown>;
  if ('attributes' in o || 'type' in o) return 'v2';
  for (const k of LEGACY_HINTS) if (k in o) return 'legacy';
  if ('transactionId' in o || 'status' in o || 'amount' in o) return 'legacy';
  if ('id' in o) return 'v2';
  return fallback;
}

function recordId(value: unknown, schema: RecordSchema): string | null {
  if (value === null || typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if (schema === 'v2') {
    if (typeof o.id === 'string') return o.id;
    const a = o.attributes as Record<string, unknown> | undefined;
    return a && typeof a.transactionId === 'string' ? a.transactionId : null;
  }
  return typeof o.transactionId === 'string' ? o.transactionId : null;
}

/**
 * Judges records one at a time. Every field and cross-field rule comes from @kardkit/schemas
 * (the single place where rules live); the only check made here is the one no single-record
 * validator can make: R10, event ids unique across the whole file.
 */
export class Judge {
  private fallback: RecordSchema = 'v2';
  private readonly ids: IdSet | undefined;
  valid = 0;
  invalid = 0;
  warnings = 0;

  constructor(
    private readonly forced?: RecordSchema | undefined,
    opts: { dedupe?: boolean } = {},
  ) {
    this.ids = opts.dedupe === false ? undefined : new IdSet();
    if (forced) this.fallback = forced;
  }

  /** Registers a record's event id without judging it (records skipped by --resume still count for R10). */
  remember(rec: InputRecord): void {
    const value = rec.value as { id?: unknown; attributes?: unknown } | undefined;
    if (!this.ids || !value || typeof value !== 'object') return;
    const schema = this.forced ?? detectSchema(value, this.fallback);
    this.fallback = schema;
    if (schema === 'v2' && typeof value.id === 'string') this.ids.add(value.id, rec.n);
  }

  judge(rec: InputRecord): Verdict {
    if (rec.error !== undefined) {
      this.invalid++;
      return {
        n: rec.n,
        schema: this.fallback,
        id: null,
        valid: false,
        issues: [{ path: '', rule: null, severity: 'error', message: rec.error }],
        value: undefined,
      };
    }
    const value = rec.value;
    const schema = this.forced ?? detectSchema(value, this.fallback);
    this.fallback = schema;
    const result: ParseResult<unknown> =
      schema === 'v2' ? safeParseTransactionEvent(value) : safeParseLegacyIncomingTransaction(value);
    const issues = result.issues.slice();
    let valid = result.success;
    const id = recordId(value, schema);
    if (this.ids && schema === 'v2' && value && typeof value === 'object') {
      const eventId = (value as { id?: unknown }).id;
      if (typeof eventId === 'string') {
        const first = this.ids.add(eventId, rec.n);
        if (first !== 0) {
          // R10: each distinct event needs its own id; lifecycle events share transactionId, not id.
          valid = false;
          issues.push({
            path: 'id',
            rule: 'R10',
            severity: 'error',
            message: `duplicate event id "${eventId}": record ${first} already uses it; each distinct event needs a unique id`,
          });
        }
      }
    }
    let w = 0;
    for (const i of issues) if (i.severity === 'warning') w++;
    this.warnings += w;
    if (valid) this.valid++;
    else this.invalid++;
    return { n: rec.n, schema, id, valid, issues, value, raw: rec.raw };
  }
}
