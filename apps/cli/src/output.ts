import type { Writable } from 'node:stream';

/** Where the CLI writes, and how: colour only on a TTY and never when NO_COLOR is set (no-color.org). */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function defaultIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) =>
  on ? `\u001b[${open}m${s}\u001b[${close}m` : s;

export function paint(on: boolean): Paint {
  return {
    red: wrap(on, 31, 39),
    green: wrap(on, 32, 39),
    yellow: wrap(on, 33, 39),
    cyan: wrap(on, 36, 39),
    dim: wrap(on, 2, 22),
    bold: wrap(on, 1, 22),
  };
}

export function writeJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Simple aligned table for human output. */
export function table(rows: string[][], headers?: string[]): string {
  const all = headers ? [headers, ...rows] : rows;
  const widths: number[] = [];
  for (const r of all) {
    for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, r[i]!.length);
  }
  return all
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * A progress bar on stderr, drawn only on a TTY (redrawn at most every 100 ms): records done,
 * records/s, and (when the fraction of input read is known) a bar and an ETA. Silent otherwise.
 */
export class Progress {
  private last = 0;
  private readonly started = Date.now();
  private drawn = false;
  private frac: number | undefined;

  constructor(
    private readonly stream: Io['stderr'],
    readonly enabled: boolean,
    private readonly label: string,
  ) {}

  update(done: number, fraction?: number, extra = '', force = false): void {
    if (!this.enabled) return;
    if (fraction !== undefined) this.frac = fraction;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const width = 24;
    let bar = '';
    let eta = '--';
    const frac = this.frac;
    if (frac !== undefined) {
      const filled = Math.round(Math.min(1, frac) * width);
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  `;
      eta = frac > 0 ? formatDuration((elapsed * (1 - frac)) / frac) : '--';
    }
    const line = `${this.label} ${bar}${done} records  ${Math.round(rate)} rec/s  ETA ${eta}${extra ? `  ${extra}` : ''}`;
    const cols = this.stream.columns ?? 120;
    this.stream.write(`\r\u001b[2K${line.length > cols - 1 ? line.slice(0, cols - 1) : line}`);
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
  }
}
