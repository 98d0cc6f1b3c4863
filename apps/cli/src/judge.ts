import {
  type ParseResult,
  safeParseLegacyIncomingTransaction,
  safeParseTransactionEvent,
  type ValidationIssue,
} from '@kardkit/schemas';
import { IdSet } from './idset.js';
import { type InputRecord, materialize } from './io/records.js';

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

// Fields that only exist on flat legacy records (openapi/kard.yaml schema `IncomingTransactionRequest`).
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
  private ids: IdSet | undefined;
  private readonly dedupe: boolean;
  /** keep which record used each id first (validate) or only that it was used (send: 4 bytes less per id) */
  private readonly recordNumbers: boolean;
  valid = 0;
  invalid = 0;
  warnings = 0;

  constructor(
    private readonly forced?: RecordSchema | undefined,
    opts: { dedupe?: boolean; expectedRecords?: number | undefined; recordNumbers?: boolean } = {},
  ) {
    this.dedupe = opts.dedupe !== false;
    this.recordNumbers = opts.recordNumbers !== false;
    if (this.dedupe && opts.expectedRecords !== undefined) {
      this.ids = new IdSet(opts.expectedRecords, this.recordNumbers);
    }
    if (forced) this.fallback = forced;
  }

  /**
   * Sizes the duplicate-id table from a first chunk of NDJSON records and the file size, so it is
   * allocated once instead of grown (and briefly held twice) as the file goes.
   */
  hintFromSample(sample: readonly InputRecord[], fileBytes: number): void {
    if (!this.dedupe || this.ids || fileBytes <= 0) return;
    let bytes = 0;
    let n = 0;
    for (const r of sample) {
      if (r.raw === undefined) continue;
      bytes += r.raw.length + 1;
      n++;
    }
    if (n > 0) this.ids = new IdSet(Math.ceil((fileBytes / (bytes / n)) * 1.02), this.recordNumbers);
  }

  private idSet(): IdSet | undefined {
    if (!this.dedupe) return undefined;
    this.ids ??= new IdSet(undefined, this.recordNumbers);
    return this.ids;
  }

  /** Registers a record's event id without judging it (records skipped by --resume still count for R10). */
  remember(rec: InputRecord): void {
    materialize(rec);
    const value = rec.value as { id?: unknown; attributes?: unknown } | undefined;
    const ids = this.idSet();
    if (!ids || !value || typeof value !== 'object') return;
    const schema = this.forced ?? detectSchema(value, this.fallback);
    this.fallback = schema;
    if (schema === 'v2' && typeof value.id === 'string') ids.add(value.id, rec.n);
  }

  judge(rec: InputRecord): Verdict {
    materialize(rec);
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
    const ids = this.idSet();
    if (ids && schema === 'v2' && value && typeof value === 'object') {
      const eventId = (value as { id?: unknown }).id;
      if (typeof eventId === 'string') {
        const first = ids.add(eventId, rec.n);
        if (first !== 0) {
          // R10: each distinct event needs its own id; lifecycle events share transactionId, not id.
          valid = false;
          issues.push({
            path: 'id',
            rule: 'R10',
            severity: 'error',
            message: `duplicate event id "${eventId}": ${first > 0 ? `record ${first}` : 'an earlier record'} already uses it; each distinct event needs a unique id`,
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
