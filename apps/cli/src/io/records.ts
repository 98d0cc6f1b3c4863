import { existsSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { extname } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError, UsageError } from '../errors.js';
import { CsvParser, LONG_ROW, parseHeaders, rowToRecord } from './csv.js';
import { JsonArrayScanner } from './json-array.js';
import { splitLines, TOO_LONG } from './lines.js';

export type InputFormat = 'csv' | 'ndjson' | 'json';
export const FORMATS: readonly InputFormat[] = ['csv', 'ndjson', 'json'];

/** One record read from the input. `n` is its 1-based record number in the file. */
export interface InputRecord {
  n: number;
  /** NDJSON: the 1-based line number (blank lines count as lines, not as records). */
  line?: number;
  value?: unknown;
  /** Set when the record could not be parsed at all (bad JSON, bad CSV). */
  error?: string;
  /** The record's own JSON text when the input had it (NDJSON lines). */
  raw?: string;
}

const CHUNK = 1 << 16;

/** The default --max-record-bytes: a record (NDJSON line, CSV row, JSON element) longer than this is refused. */
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

export interface ReadOptions {
  file: string;
  format?: InputFormat | undefined;
  /** CSV cell separator (default ','). */
  delimiter?: string | undefined;
  /** Longest record read into memory (default DEFAULT_MAX_RECORD_BYTES). */
  maxRecordBytes?: number | undefined;
  /** Only JSON or NDJSON makes sense here: input that is neither is an InputError, not CSV. */
  jsonOnly?: boolean | undefined;
}

/**
 * Decompresses gzip input. Data the stream held before a truncation or a corrupt block still comes
 * out (its records are read); then the failure is an InputError naming the compressed byte offset.
 */
async function* gunzipped(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let compressed = 0;
  const counted = (async function* () {
    for await (const c of source) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      compressed += b.length;
      yield b;
    }
  })();
  const gunzip = createGunzip();
  pipeline(Readable.from(counted), gunzip, () => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_BUF_ERROR')
      throw new InputError(
        `the gzip data ends early, at byte ${compressed} of the compressed input (truncated file?)`,
      );
    if (typeof err.code === 'string' && err.code.startsWith('Z_'))
      throw new InputError(
        `the gzip data is corrupt (${err.message}); read up to byte ${compressed} of the compressed input`,
      );
    throw e;
  }
}

/**
 * Parses an NDJSON record's text on first use (sets `value`, or `error` for bad JSON).
 * Records from CSV and JSON inputs arrive parsed; this is a no-op for them.
 */
export function materialize(rec: InputRecord): InputRecord {
  if (rec.value === undefined && rec.error === undefined && rec.raw !== undefined) {
    try {
      rec.value = JSON.parse(rec.raw);
    } catch (e) {
      rec.error = `invalid JSON: ${(e as Error).message}`;
    }
  }
  return rec;
}

/**
 * A file read with one reused buffer (after the first chunk): the reader allocates no new memory
 * per chunk, which keeps a long run's external memory flat. Consumers must use each chunk before
 * asking for the next (the line, CSV and JSON decoders do); `reuse` is switched on only for those.
 */
export class FileSource implements AsyncIterable<Buffer> {
  bytesRead = 0;
  reuse = false;
  private handle: FileHandle | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly chunkSize = CHUNK,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    this.handle = await open(this.path, 'r');
    let shared: Buffer | undefined;
    try {
      for (;;) {
        if (this.closed) return;
        if (this.reuse && !shared) shared = Buffer.allocUnsafe(this.chunkSize);
        const buf = this.reuse && shared ? shared : Buffer.allocUnsafe(this.chunkSize);
        const { bytesRead } = await this.handle.read(buf, 0, this.chunkSize, null);
        if (bytesRead === 0) return;
        this.bytesRead += bytesRead;
        yield bytesRead === this.chunkSize ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await this.handle.close().catch(() => {});
      this.handle = undefined;
    }
  }

  destroy(): void {
    this.closed = true;
  }
}

export type Input = AsyncIterable<Buffer | string> & {
  reuse?: boolean;
  bytesRead?: number;
  destroy?: () => void;
};

export function openInput(file: string, stdin: Readable = process.stdin): Input {
  if (file === '-') return stdin;
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  if (statSync(file).isDirectory()) throw new UsageError(`${file} is a directory, not a file`);
  return new FileSource(file);
}

function formatFromName(file: string): InputFormat | undefined {
  let name = file.toLowerCase();
  if (name.endsWith('.gz')) name = name.slice(0, -3);
  const ext = extname(name);
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.json') return 'json';
  return undefined;
}

/**
 * Guess the format from the first bytes: '[' → json; '{' → ndjson when the first line is a whole
 * object and is not a `{data: [...]}` envelope standing alone (nothing but blank space after it,
 * as in a one-line .json file ending in a newline), else json; otherwise csv.
 */
export function sniffFormat(head: string): InputFormat {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) {
    const nl = text.indexOf('\n');
    const firstLine = nl === -1 ? text : text.slice(0, nl);
    const alone = nl === -1 || text.slice(nl).trim().length === 0;
    try {
      const v = JSON.parse(firstLine) as unknown;
      if (alone && v && typeof v === 'object' && Array.isArray((v as { data?: unknown }).data)) return 'json';
      return 'ndjson';
    } catch {
      return 'json';
    }
  }
  return 'csv';
}

/** Reads the first chunk of a stream (to sniff gzip and the format) and returns a source that re-yields everything. */
async function peekFirst(
  stream: AsyncIterable<Buffer | string>,
): Promise<{ head: Buffer; source: AsyncIterable<Buffer | string> }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await iterator.next();
  const head = first.done
    ? Buffer.alloc(0)
    : typeof first.value === 'string'
      ? Buffer.from(first.value)
      : first.value;
  const source = (async function* () {
    if (first.done) return;
    yield head;
    yield* { [Symbol.asyncIterator]: () => iterator };
  })();
  return { head, source };
}

/**
 * Streams the records of a file as arrays (one per input chunk), never holding the file.
 * Detects gzip (magic bytes) and the format (from `format`, the extension, or the content).
 */
export async function* readRecords(input: Input, opts: ReadOptions): AsyncGenerator<InputRecord[]> {
  let { head, source } = await peekFirst(input);
  const max = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    // gunzip may hold several chunks at once: no buffer reuse here.
    ({ head, source } = await peekFirst(gunzipped(source)));
  } else if (input instanceof FileSource) input.reuse = true;
  let sniffed = sniffFormat(head.subarray(0, 64 * 1024).toString('utf8'));
  const named = formatFromName(opts.file);
  // A first line longer than the sniffed head cannot be parsed there: a file named .ndjson/.jsonl is
  // then taken at its name (a minified JSON document on one line keeps its sniffed format otherwise).
  const firstLineCut = head.length >= 64 * 1024 && !head.subarray(0, 64 * 1024).includes(10);
  if (named === 'ndjson' && sniffed === 'json' && firstLineCut) sniffed = 'ndjson';
  // JSON vs NDJSON: the content decides (an NDJSON file named .json is common); CSV goes by the name.
  const format =
    opts.format ??
    (named === undefined || named === 'csv' || sniffed === 'csv' ? (named ?? sniffed) : sniffed);
  if (format === 'csv' && opts.jsonOnly) {
    throw new InputError('expected JSON: a JSON array, NDJSON (one JSON object per line) or one JSON object');
  }
  if (format === 'ndjson') yield* ndjsonRecords(source, max);
  else if (format === 'json') yield* jsonRecords(source, max);
  else yield* csvRecords(source, max, opts.delimiter ?? ',');
}

const tooLong = (what: string, max: number) =>
  `${what} is longer than the record limit of ${max} bytes (--max-record-bytes); it was skipped without being read into memory`;

async function* ndjsonRecords(
  source: AsyncIterable<Buffer | string>,
  max: number,
): AsyncGenerator<InputRecord[]> {
  let n = 0;
  let lineNo = 0;
  for await (const lines of splitLines(source, max)) {
    const out: InputRecord[] = [];
    for (let line of lines) {
      lineNo++;
      if (line === TOO_LONG) {
        n++;
        out.push({ n, line: lineNo, error: tooLong(`line ${lineNo}`, max) });
        continue;
      }
      if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      // Blank lines are not records.
      if (line.length === 0 || line.trim().length === 0) continue;
      n++;
      // Parsed later, one at a time, by the consumer (see materialize): a chunk's worth of parsed
      // objects never has to survive an await, so they die young.
      out.push({ n, raw: line });
    }
    if (out.length > 0) yield out;
  }
}

async function* jsonRecords(
  source: AsyncIterable<Buffer | string>,
  max: number,
): AsyncGenerator<InputRecord[]> {
  const decoder = new TextDecoder('utf-8');
  const scanner = new JsonArrayScanner(max);
  let n = 0;
  const wrap = (els: ReturnType<JsonArrayScanner['push']>): InputRecord[] =>
    els.map((e) => {
      n++;
      if (e.ok) return { n, value: e.value };
      return { n, error: e.tooLong ? tooLong(`JSON element ${n}`, max) : `invalid JSON: ${e.error}` };
    });
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const out = wrap(scanner.push(text));
    if (out.length > 0) yield out;
  }
  const tail = wrap([...scanner.push(decoder.decode()), ...scanner.end()]);
  if (tail.length > 0) yield tail;
}

/** Separators a CSV header that came out as one column may really be using. */
const OTHER_DELIMITERS = [';', '\t', '|'];

async function* csvRecords(
  source: AsyncIterable<Buffer | string>,
  max: number,
  delimiter: string,
): AsyncGenerator<InputRecord[]> {
  const decoder = new TextDecoder('utf-8');
  const parser = new CsvParser(delimiter, max);
  let headers: string[][] | undefined;
  let n = 0;
  const toRecords = (rows: string[][]): InputRecord[] => {
    const out: InputRecord[] = [];
    for (const row of rows) {
      if (!headers) {
        if (row === LONG_ROW) throw new InputError(tooLong('the CSV header row', max));
        const other =
          row.length === 1 ? OTHER_DELIMITERS.find((d) => d !== delimiter && row[0]!.includes(d)) : undefined;
        if (other !== undefined) {
          const shown = other === '\t' ? 'tab' : `'${other}'`;
          throw new UsageError(
            `the CSV header has a single column "${row[0]!.slice(0, 80)}": it looks like ${shown}-separated; use --delimiter ${other === '\t' ? 'tab' : `'${other}'`}`,
          );
        }
        headers = parseHeaders(row);
        continue;
      }
      n++;
      if (row === LONG_ROW) {
        out.push({ n, error: tooLong(`CSV data row ${n}`, max) });
        continue;
      }
      if (row.length > headers.length && row.slice(headers.length).some((c) => c !== '')) {
        out.push({ n, error: `CSV row has ${row.length} cells but the header has ${headers.length}` });
        continue;
      }
      out.push({ n, value: rowToRecord(headers, row) });
    }
    return out;
  };
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const out = toRecords(parser.push(text));
    if (out.length > 0) yield out;
  }
  let tail: InputRecord[];
  try {
    tail = toRecords([...parser.push(decoder.decode()), ...parser.end()]);
  } catch (e) {
    n++;
    tail = [{ n, error: `invalid CSV: ${(e as Error).message}` }];
  }
  if (tail.length > 0) yield tail;
}
