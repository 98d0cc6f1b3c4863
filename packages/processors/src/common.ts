import { STATES, safeParseTransactionEvent, type ValidationIssue } from '@kardkit/schemas';
import type { CardholderRef, KardTransaction, MapOptions, MapResult, SkipCode } from './types.js';

/** A JSON object (not null, not an array): processor payloads are read as these, never trusted. */
export type JsonObject = Record<string, unknown>;
export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** The value when it is a string, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The Kard user id for a cardholder: the issuer's `userId` option, else the processor's cardholder id. */
export function userIdFor(opts: MapOptions, ref: CardholderRef): string {
  return (opts.userId ? opts.userId(ref) : ref.cardholderId) ?? '';
}

/** The BIN: the one the event carries, else the issuer's `cardBin` option (R4: the first 6 digits). */
export function cardBinFor(opts: MapOptions, ref: CardholderRef, fromEvent?: string): string {
  const bin = fromEvent ?? (typeof opts.cardBin === 'function' ? opts.cardBin(ref) : opts.cardBin);
  return bin ?? '';
}

/** Unix seconds (Stripe's `created`) as an ISO 8601 date-time in UTC (R24). */
export function isoFromUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * A processor's date-time string as ISO 8601 with a zone designator (R24). Strings without a
 * zone are read as UTC, which is what Lithic and Marqeta document for their timestamps.
 */
export function isoFromProcessorTime(value: string): string {
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const d = new Date(hasZone ? value : `${value}Z`);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

export type UsState = (typeof STATES)[number];
const STATE_SET: ReadonlySet<string> = new Set(STATES);
/** A merchant's state, kept only when it is one of Kard's USPS codes (`States`); else left out. */
export function usState(value: string | null | undefined): UsState | undefined {
  const v = value?.trim().toUpperCase();
  return v && STATE_SET.has(v) ? (v as UsState) : undefined;
}

/** A trimmed string, or undefined for null, undefined and blank. */
export function text(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export function skip(code: SkipCode, reason: string): MapResult {
  return { kind: 'skip', code, reason };
}

/**
 * Validates mapped events with `@kardkit/schemas` and drops the keys left undefined, so what a
 * mapping returns is exactly what would be sent. Paths are `[i].attributes.…` for event i.
 */
export function finish(events: KardTransaction[]): MapResult {
  const issues: ValidationIssue[] = [];
  const clean = events.map((e) => JSON.parse(JSON.stringify(e)) as KardTransaction);
  clean.forEach((e, i) => {
    issues.push(...safeParseTransactionEvent(e, { path: `[${i}]` }).issues);
  });
  const failed = issues.some((i) => i.severity === 'error');
  return failed ? { kind: 'invalid', events: clean, issues } : { kind: 'events', events: clean, issues };
}
