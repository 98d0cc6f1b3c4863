import { closeSync, createReadStream, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ValidationIssue } from '@kardkit/schemas';
import { EXIT, InputError } from '../errors.js';
import { boundYoungGeneration, GC_INTERVAL_MS, gcHook } from '../gc.js';
import { type InputFormat, openInput, readRecords } from '../io/records.js';
import { Judge, type RecordSchema, type Verdict } from '../judge.js';
import { type Io, paint, useColor } from '../output.js';

export interface ValidateOptions {
  format?: InputFormat | undefined;
  delimiter?: string | undefined;
  maxRecordBytes?: number | undefined;
  schema?: RecordSchema | undefined;
  json?: boolean | undefined;
  dedupe?: boolean | undefined;
}

/** One line of the `--json` report (the documented shape, nothing more). */
export interface JsonIssue {
  record: number;
  id: string | null;
  path: string;
  rule: string | null;
  severity: 'error' | 'warning';
  message: string;
}

export function toJsonIssues(v: Verdict): JsonIssue[] {
  return v.issues.map((i) => ({
    record: v.n,
    id: v.id,
    path: i.path,
    rule: i.rule ?? null,
    severity: i.severity,
    message: i.message,
  }));
}

/**
 * Keeps issues in memory up to a limit, then spills them to a temp file as NDJSON, so `--json`
 * can print the counts first and still run in constant memory on a file full of problems.
 */
class IssueSink {
  private buffer: string[] = [];
  private fd: number | undefined;
  private path: string | undefined;
  count = 0;
  constructor(private readonly limit = 10_000) {}
  add(line: string): void {
    this.count++;
    this.buffer.push(line);
    if (this.buffer.length >= this.limit) {
      if (this.fd === undefined) {
        this.path = join(tmpdir(), `kard-issues-${process.pid}-${Date.now()}.ndjson`);
        this.fd = openSync(this.path, 'w', 0o600);
      }
      writeSync(this.fd, `${this.buffer.join('\n')}\n`);
      this.buffer = [];
    }
  }
  async drain(write: (line: string, last: boolean) => void): Promise<void> {
    let seen = 0;
    if (this.fd !== undefined && this.path) {
      closeSync(this.fd);
      const rl = createInterface({ input: createReadStream(this.path), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of rl) {
        if (!line) continue;
        seen++;
        write(line, seen === this.count);
      }
      rmSync(this.path, { force: true });
    }
    for (const line of this.buffer) {
      seen++;
      write(line, seen === this.count);
    }
  }
}

export function formatIssueLine(
  v: { n: number; id: string | null },
  i: ValidationIssue,
  color: boolean,
): string {
  const p = paint(color);
  const sev = i.severity === 'error' ? p.red('error') : p.yellow('warning');
  const id = v.id ? ` ${p.dim(`(${v.id})`)}` : '';
  const rule = i.rule ? ` ${p.cyan(`[${i.rule}]`)}` : '';
  const path = i.path === '' ? '(record)' : i.path;
  return `record ${v.n}${id}: ${sev}${rule} ${p.bold(path)}: ${i.message}`;
}

export async function runValidate(file: string, opts: ValidateOptions, io: Io): Promise<number> {
  const input = openInput(file, io.stdin as never);
  const judge = new Judge(opts.schema, { dedupe: opts.dedupe !== false });
  const color = useColor(io.stdout, io.env);
  const sink = opts.json ? new IssueSink() : undefined;
  let out = '';
  let firstChunk = true;
  const fileBytes = file === '-' ? 0 : statSync(file).size;
  boundYoungGeneration(io.env);
  const collectGarbage = gcHook(io.env);
  let lastGc = Date.now();
  /** The input stopped being readable (truncated gzip): the records before it are judged and reported. */
  let inputError: InputError | undefined;
  const read = readRecords(input, {
    file,
    format: opts.format,
    delimiter: opts.delimiter,
    maxRecordBytes: opts.maxRecordBytes,
  });
  try {
    for await (const batch of read) {
      if (firstChunk) {
        firstChunk = false;
        judge.hintFromSample(batch, fileBytes);
      }
      for (const rec of batch) {
        const v = judge.judge(rec);
        if (v.issues.length === 0) continue;
        if (sink) {
          for (const j of toJsonIssues(v)) sink.add(JSON.stringify(j));
        } else {
          for (const i of v.issues) out += `${formatIssueLine(v, i, color)}\n`;
        }
      }
      if (out.length > 0) {
        if (!io.stdout.write(out)) await new Promise((r) => io.stdout.once('drain', r));
        out = '';
      }
      const now = Date.now();
      if (collectGarbage && now - lastGc >= GC_INTERVAL_MS) {
        lastGc = now;
        collectGarbage();
      }
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    inputError = e;
  } finally {
    if (input !== io.stdin) input.destroy?.();
  }
  const total = judge.valid + judge.invalid;
  if (sink) {
    const error = inputError
      ? `,"error":${JSON.stringify({ message: inputError.message, exitCode: EXIT.data })}`
      : '';
    const head = `{"valid":${judge.valid},"invalid":${judge.invalid},"warnings":${judge.warnings}${error},"issues":[`;
    // One line: easy to pick out of any surrounding output (e.g. a package manager's banner), and
    // still streamed, so a file with millions of issues does not need them all in memory at once.
    io.stdout.write(head);
    let chunk = '';
    await sink.drain((line, last) => {
      chunk += last ? line : `${line},`;
      if (chunk.length > 1 << 16) {
        io.stdout.write(chunk);
        chunk = '';
      }
    });
    io.stdout.write(`${chunk}]}\n`);
  } else {
    const p = paint(color);
    const parts = [
      judge.invalid > 0 ? p.red(`${judge.invalid} invalid`) : `${judge.invalid} invalid`,
      p.green(`${judge.valid} valid`),
      `${judge.warnings} warning${judge.warnings === 1 ? '' : 's'}`,
    ];
    io.stdout.write(`${total} record${total === 1 ? '' : 's'}: ${parts.join(', ')}\n`);
  }
  if (inputError) {
    io.stderr.write(
      `kard: ${file}: ${inputError.message}; the ${total} record${total === 1 ? '' : 's'} before it ${total === 1 ? 'was' : 'were'} checked\n`,
    );
    return EXIT.data;
  }
  return judge.invalid > 0 ? EXIT.data : EXIT.ok;
}
