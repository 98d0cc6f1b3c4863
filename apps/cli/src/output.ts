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

/** What a progress line shows: records finished in this run, records a resumed run skipped, and the total when known. */
export interface ProgressState {
  /** finished in this run (acknowledged by Kard, or invalid and set aside) */
  done: number;
  /** finished by an earlier run (--resume): part of the bar, not of the rate or the ETA */
  skipped?: number;
  /** all records of the input, exact or estimated; unknown for stdin */
  total?: number | undefined;
}

/**
 * A progress bar on stderr, drawn only on a TTY (redrawn at most every 100 ms): records finished
 * (of the total when known), records/s and an ETA. The rate and the ETA count only this run's
 * records, so a resumed run does not look faster than it is. Silent when not enabled.
 */
export class Progress {
  private last = Number.NEGATIVE_INFINITY;
  private readonly started: number;
  private drawn = false;

  constructor(
    private readonly stream: Io['stderr'],
    readonly enabled: boolean,
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** The line for a state at a time (exported for tests through `update`). */
  line(state: ProgressState, extra: string, at: number): string {
    const skipped = state.skipped ?? 0;
    const finished = skipped + state.done;
    const elapsed = (at - this.started) / 1000;
    const rate = elapsed > 0 ? state.done / elapsed : 0;
    const width = 24;
    let bar = '';
    let count = `${finished} records`;
    let eta = '--';
    const total = state.total;
    if (total !== undefined && total > 0) {
      const frac = Math.min(1, finished / total);
      const filled = Math.floor(frac * width);
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(frac * 100)
        .toString()
        .padStart(3)}%  `;
      count = `${finished}/${total} records`;
      const left = Math.max(0, total - finished);
      if (left === 0) eta = '0s';
      else if (rate > 0) eta = formatDuration(left / rate);
    }
    const earlier = skipped > 0 ? ` (${skipped} done earlier)` : '';
    return `${this.label} ${bar}${count}${earlier}  ${Math.round(rate)} rec/s  ETA ${eta}${extra ? `  ${extra}` : ''}`;
  }

  update(state: ProgressState, extra = '', force = false): void {
    if (!this.enabled) return;
    const now = this.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const line = this.line(state, extra, now);
    const cols = this.stream.columns ?? 120;
    this.stream.write(`\r\u001b[2K${line.length > cols - 1 ? line.slice(0, cols - 1) : line}`);
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
  }
}
