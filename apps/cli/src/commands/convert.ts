import { readFileSync } from 'node:fs';
import type {
  CardholderRef,
  KardTransaction,
  LegacyIncomingTransaction,
  MapOptions,
  MapResult,
} from '@kardkit/processors';
import type { ValidationIssue } from '@kardkit/schemas';
import { EXIT, InputError, UsageError } from '../errors.js';
import { type InputRecord, materialize, openInput, readRecords } from '../io/records.js';
import { type Io, paint, useColor } from '../output.js';
import { formatIssueLine } from './validate.js';

/** The processors `--from` names, as `@kardkit/processors` calls them. */
export const PROCESSORS = ['stripe-issuing', 'lithic', 'marqeta'] as const;
export type Processor = (typeof PROCESSORS)[number];

export interface ConvertOptions {
  from: Processor;
  format?: 'ndjson' | 'json' | undefined;
  maxRecordBytes?: number | undefined;
  /** R4: the first six digits of the card number; processors leave it out of their webhooks. */
  cardBin?: string | undefined;
  /** Kard user id = this prefix + the processor's cardholder id. */
  userIdPrefix?: string | undefined;
  /** Write legacy `/transactions/incoming` records instead of v2 events. */
  legacy?: boolean | undefined;
  /** A JSON file: { "<processor's card id>": "<last four digits>", ... }. */
  cards?: string | undefined;
}

export interface ConvertCounts {
  records: number;
  /** Kard events (or legacy records) written to stdout. */
  written: number;
  skipped: number;
  invalid: number;
  warnings: number;
}

type Mapper = (event: unknown, opts: MapOptions) => MapResult[];
type ToLegacy = (event: KardTransaction) => LegacyIncomingTransaction;

/** R4: a BIN is six digits. */
export function cardBinArg(value: string): string {
  if (!/^\d{6}$/.test(value)) {
    throw new UsageError(`--card-bin must be the card's first 6 digits (R4), got "${value}"`);
  }
  return value;
}

/**
 * --cards FILE: a JSON object from the processor's card id (Stripe `ic_…`, Lithic `card_token`,
 * Marqeta `card_token`) to the card's last four digits. A usage error names what is wrong.
 */
export function readCards(path: string): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(
      `--cards ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(e as Error).message})`}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `--cards ${path}: expected a JSON object { "<card id>": "<last four digits>", ... }`,
    );
  }
  const cards = new Map<string, string>();
  for (const [id, lastFour] of Object.entries(value)) {
    if (typeof lastFour !== 'string' || !/^\d{4}$/.test(lastFour)) {
      throw new UsageError(`--cards ${path}: the last four digits of card "${id}" must be 4 digits`);
    }
    cards.set(id, lastFour);
  }
  return cards;
}

async function loadMapper(from: Processor): Promise<{ map: Mapper; toLegacy: ToLegacy }> {
  // Loaded on use: the other commands do not pay for the mappings.
  const p = await import('@kardkit/processors');
  // One result per transaction of a record: a Marqeta webhook can carry several, each mapped (and
  // reported) on its own, so one invalid transaction does not hold back the others.
  const map: Mapper =
    from === 'stripe-issuing'
      ? (event, opts) => [p.fromStripeIssuing(event, opts)]
      : from === 'lithic'
        ? (event, opts) => [p.fromLithic(event, opts)]
        : p.fromMarqetaEach;
  return { map, toLegacy: p.toLegacyIncoming };
}

/** Where a record sits in the input: its record number, and its line for NDJSON. */
function where(rec: InputRecord): string {
  return rec.line !== undefined ? `record ${rec.n} (line ${rec.line})` : `record ${rec.n}`;
}

/**
 * Issue paths of a mapping result are `[i].attributes.…` for event i; with one event (the usual
 * case) the `[0].` says nothing and is left out.
 */
function relative(issue: ValidationIssue, events: number): ValidationIssue {
  return events === 1 && issue.path.startsWith('[0].') ? { ...issue, path: issue.path.slice(4) } : issue;
}

/**
 * Reads processor events (a JSON array, NDJSON or one JSON object; streamed, one record in memory
 * at a time) and writes the Kard v2 transaction events they map to as NDJSON on stdout, exactly
 * what `kard transactions send -` reads. Events that are not for Kard and events that fail Kard's
 * rules are reported on stderr, one line each, with their record number.
 */
export async function runConvert(file: string, opts: ConvertOptions, io: Io): Promise<number> {
  if (!PROCESSORS.includes(opts.from)) {
    throw new UsageError(`--from must be one of ${PROCESSORS.join(', ')} (got "${opts.from}")`);
  }
  const cardBin = opts.cardBin === undefined ? undefined : cardBinArg(opts.cardBin);
  const input = openInput(file, io.stdin as never);
  const { map, toLegacy } = await loadMapper(opts.from);
  const prefix = opts.userIdPrefix;
  // Some events name their card by id only (Stripe's issuing_transaction.*, Lithic's
  // card_transaction.*), while Kard requires cardLastFour: it comes from --cards, else from an
  // earlier event of the same card in the input that had it (Stripe's authorization). One entry
  // per card, not per record.
  const lastFourByCard = opts.cards ? readCards(opts.cards) : new Map<string, string>();
  const mapOptions: MapOptions & { cardLastFour: (ref: CardholderRef) => string | undefined } = {
    // userId is asked of every event, with what the event says of its card.
    userId: (ref: CardholderRef) => {
      if (ref.cardId !== undefined && ref.lastFour !== undefined && !lastFourByCard.has(ref.cardId))
        lastFourByCard.set(ref.cardId, ref.lastFour);
      if (ref.cardholderId === undefined) return undefined;
      return prefix === undefined ? ref.cardholderId : `${prefix}${ref.cardholderId}`;
    },
    cardLastFour: (ref: CardholderRef) =>
      ref.cardId === undefined ? undefined : lastFourByCard.get(ref.cardId),
    ...(cardBin ? { cardBin } : {}),
  };
  const color = useColor(io.stderr, io.env);
  const p = paint(color);
  const c: ConvertCounts = { records: 0, written: 0, skipped: 0, invalid: 0, warnings: 0 };
  let out = '';
  let err = '';
  let inputError: InputError | undefined;
  let missingBin = false;
  let missingLastFour = false;
  const read = readRecords(input, {
    file,
    format: opts.format,
    maxRecordBytes: opts.maxRecordBytes,
    jsonOnly: true,
  });
  try {
    for await (const batch of read) {
      for (const rec of batch) {
        c.records++;
        materialize(rec);
        if (rec.error !== undefined) {
          c.invalid++;
          err += `${where(rec)}: ${p.red('error')} ${rec.error}\n`;
          continue;
        }
        let results: MapResult[];
        try {
          results = map(rec.value, mapOptions);
        } catch (e) {
          c.invalid++;
          err += `${where(rec)}: ${p.red('error')} the ${opts.from} mapping failed: ${(e as Error).message}\n`;
          continue;
        }
        results.forEach((result, t) => {
          // In a record of several transactions, each line names its transaction.
          const at = results.length > 1 ? `${where(rec)} transaction ${t}` : where(rec);
          if (result.kind === 'skip') {
            c.skipped++;
            err += `${at}: ${p.dim('skipped')} (${result.code}) ${result.reason}\n`;
            return;
          }
          const n = result.events.length;
          if (result.kind === 'invalid') {
            c.invalid++;
            for (const issue of result.issues) {
              if (issue.severity !== 'error') continue;
              if (issue.rule === 'R4' && issue.path.endsWith('attributes.cardBIN')) missingBin = true;
              if (issue.path.endsWith('attributes.cardLastFour')) missingLastFour = true;
              const i = n === 1 ? 0 : Number(/^\[(\d+)\]/.exec(issue.path)?.[1] ?? 0);
              const line = formatIssueLine(
                { n: rec.n, id: result.events[i]?.id ?? null },
                relative(issue, n),
                color,
              );
              // formatIssueLine starts with "record <n>"; `at` adds the line and the transaction.
              err += `${at}${line.slice(`record ${rec.n}`.length)}\n`;
            }
            return;
          }
          c.warnings += result.issues.filter((i) => i.severity === 'warning').length;
          for (const event of result.events) {
            out += `${JSON.stringify(opts.legacy ? toLegacy(event) : event)}\n`;
            c.written++;
          }
        });
      }
      if (err.length > 0) {
        io.stderr.write(err);
        err = '';
      }
      if (out.length > 0) {
        if (!io.stdout.write(out)) await new Promise((r) => io.stdout.once('drain', r));
        out = '';
      }
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    inputError = e;
  } finally {
    if (input !== io.stdin) input.destroy?.();
  }
  if (err.length > 0) io.stderr.write(err);
  if (out.length > 0) io.stdout.write(out);
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const what = opts.legacy ? 'legacy record' : 'Kard event';
  const warnings =
    c.warnings > 0 ? `, ${plural(c.warnings, 'warning')} (kard transactions validate lists them)` : '';
  io.stderr.write(
    `kard: ${plural(c.records, `${opts.from} record`)}: ${plural(c.written, what)} written, ${c.skipped} skipped (not for Kard), ${
      c.invalid > 0 ? p.red(`${c.invalid} invalid`) : `${c.invalid} invalid`
    }${warnings}\n`,
  );
  if (missingBin && cardBin === undefined) {
    io.stderr.write(
      "kard: the processor's events carry no card BIN, which Kard requires (R4): give it with --card-bin <6 digits>\n",
    );
  }
  if (missingLastFour) {
    io.stderr.write(
      'kard: some events name their card by id only and Kard requires its last four digits: give them with --cards <file> ({"<card id>": "1234", ...})\n',
    );
  }
  if (inputError) {
    io.stderr.write(
      `kard: ${file}: ${inputError.message}; the ${plural(c.records, 'record')} before it were converted\n`,
    );
    return EXIT.data;
  }
  return c.invalid > 0 ? EXIT.data : EXIT.ok;
}
