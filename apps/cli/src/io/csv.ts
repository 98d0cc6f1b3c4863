import { UsageError } from '../errors.js';

/** Stands for a row longer than the record limit: its cells were dropped while it was read. */
export const LONG_ROW: readonly string[] = Object.freeze([]);

/**
 * A streaming RFC 4180 CSV parser: quoted fields with embedded commas, newlines and doubled
 * quotes; CRLF or LF line ends. It keeps only the current row in memory, and no more than
 * `maxChars` of it: a longer row comes out as LONG_ROW (its end is still found, its text dropped).
 */
export class CsvParser {
  private field = '';
  private row: string[] = [];
  /** characters in the finished cells of the current row */
  private rowChars = 0;
  private tooLong = false;
  private inQuotes = false;
  private quotePending = false; // saw a quote inside a quoted field: either "" or the closing quote
  private fieldStarted = false;
  private lastWasCR = false;
  private bomChecked = false;

  constructor(
    private readonly delimiter = ',',
    private readonly maxChars = Number.POSITIVE_INFINITY,
  ) {}

  /** Drops the text of a row that passed the limit; the row is reported as LONG_ROW at its end. */
  private checkLimit(): void {
    if (this.rowChars + this.field.length > this.maxChars) {
      this.tooLong = true;
      this.field = '';
      this.row = [];
      this.rowChars = 0;
    }
  }

  /** Feed text; returns the rows completed by it. */
  push(text: string): string[][] {
    const rows: string[][] = [];
    const delim = this.delimiter;
    let i = 0;
    if (!this.bomChecked && text.length > 0) {
      this.bomChecked = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = text.length;
    while (i < n) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.field += '"';
            i++;
            continue;
          }
          this.inQuotes = false; // closing quote; fall through to handle c unquoted
        } else if (c === '"') {
          this.quotePending = true;
          i++;
          continue;
        } else {
          // Fast path: copy up to the next quote.
          const q = text.indexOf('"', i);
          const end = q === -1 ? n : q;
          this.field += text.slice(i, end);
          this.checkLimit();
          i = end;
          continue;
        }
      }
      if (c === delim) {
        if (!this.tooLong) {
          this.row.push(this.field);
          this.rowChars += this.field.length + 1; // the separator counts too
        }
        this.field = '';
        this.checkLimit();
        this.fieldStarted = true;
        this.lastWasCR = false;
      } else if (c === '\n') {
        if (!this.lastWasCR) this.endRow(rows);
        this.lastWasCR = false;
      } else if (c === '\r') {
        this.endRow(rows);
        this.lastWasCR = true;
      } else if (c === '"' && this.field.length === 0) {
        this.inQuotes = true;
        this.fieldStarted = true;
        this.lastWasCR = false;
      } else {
        this.field += c;
        if (this.rowChars + this.field.length > this.maxChars) this.checkLimit();
        this.fieldStarted = true;
        this.lastWasCR = false;
      }
      i++;
    }
    return rows;
  }

  /** Flush at end of input. Returns the final row if any; throws on an unterminated quote. */
  end(): string[][] {
    const rows: string[][] = [];
    if (this.inQuotes && !this.quotePending) {
      throw new Error('unterminated quoted field at end of input');
    }
    this.inQuotes = false;
    this.quotePending = false;
    if (this.fieldStarted || this.field.length > 0 || this.row.length > 0) this.endRow(rows);
    return rows;
  }

  private endRow(rows: string[][]): void {
    this.checkLimit();
    this.row.push(this.field);
    this.field = '';
    const row = this.row;
    this.row = [];
    this.rowChars = 0;
    this.fieldStarted = false;
    if (this.tooLong) {
      this.tooLong = false;
      rows.push(LONG_ROW as string[]);
      return;
    }
    // Skip blank lines (a single empty field).
    if (row.length === 1 && row[0] === '') return;
    rows.push(row);
  }
}

const INTEGER_FIELDS = new Set(['amount', 'subtotal']);
const BOOLEAN_FIELDS = new Set(['isDeposit']);
const ARRAY_FIELDS = new Set(['cardLastFours']);
const NUMERIC = /^-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Converts one cell by the field's documented type; anything unconvertible stays a string so the schema reports it. */
export function convertCell(field: string, raw: string): unknown {
  if (INTEGER_FIELDS.has(field)) {
    const t = raw.trim();
    return NUMERIC.test(t) ? Number(t) : raw;
  }
  if (BOOLEAN_FIELDS.has(field)) {
    const t = raw.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
    return raw;
  }
  if (ARRAY_FIELDS.has(field)) {
    const t = raw.trim();
    if (t.startsWith('[')) {
      try {
        return JSON.parse(t);
      } catch {
        return raw;
      }
    }
    return t.split(/[|;]/).map((s) => s.trim());
  }
  return raw;
}

/**
 * Builds a record from a header row and a data row. Dotted headers nest
 * (`attributes.merchant.name`), numeric segments index arrays, empty cells are omitted.
 */
export function rowToRecord(headers: readonly string[][], row: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let c = 0; c < headers.length; c++) {
    const raw = row[c];
    if (raw === undefined || raw === '') continue;
    const path = headers[c]!;
    if (path.length === 0) continue;
    if (path.some((s) => FORBIDDEN_SEGMENTS.has(s))) {
      throw new UsageError(`CSV header "${path.join('.')}" is not a field name; rename the column`);
    }
    let target: Record<string, unknown> | unknown[] = out;
    for (let s = 0; s < path.length - 1; s++) {
      const key = path[s]!;
      const nextIsIndex = /^\d+$/.test(path[s + 1]!);
      const container = target as Record<string, unknown>;
      // Own properties only: nothing is ever read from or written through the prototype.
      let next = Object.hasOwn(container, key) ? container[key] : undefined;
      if (next === null || typeof next !== 'object') {
        next = nextIsIndex ? [] : {};
        container[key] = next;
      }
      target = next as Record<string, unknown>;
    }
    const leaf = path[path.length - 1]!;
    (target as Record<string, unknown>)[leaf] = convertCell(leaf, raw);
  }
  return out;
}

/** Header segments that would reach the object prototype instead of a field of the record. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseHeaders(row: readonly string[]): string[][] {
  return row.map((h, column) => {
    const path = h
      .trim()
      .split('.')
      .filter((s) => s.length > 0);
    const bad = path.find((s) => FORBIDDEN_SEGMENTS.has(s));
    if (bad !== undefined) {
      throw new UsageError(
        `CSV header "${h}" (column ${column + 1}): "${bad}" is not a field name; rename the column`,
      );
    }
    return path;
  });
}
