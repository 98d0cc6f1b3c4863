import { closeSync, existsSync, fstatSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';

/**
 * The resume checkpoint of `kard transactions send`: an append-only NDJSON file.
 *   line 1: {"kard":"send-checkpoint","v":1,"file":..., "size":..., "mtimeMs":...}
 *   then:   [from, to]   a range of record numbers (inclusive) that is finished: every record in it
 *                        was accepted by Kard, or rejected / invalid and written to --rejected.
 *   last:   {"complete":true,...} once the whole file is done.
 * Each line is written with one write(2) after the batch's outcome is known, so a crash can lose
 * at most the batches in flight (re-sent on resume; Kard dedupes v2 events by id, R10) and never
 * marks unsent records as done. A torn last line is ignored.
 */
export interface CheckpointHeader {
  kard: 'send-checkpoint';
  v: 1;
  file: string;
  size: number | null;
  mtimeMs: number | null;
}

export class Ranges {
  /** sorted, merged, inclusive [from, to] */
  private list: [number, number][] = [];
  private cursor = 0;

  add(from: number, to: number): void {
    this.list.push([from, to]);
  }

  normalize(): void {
    this.list.sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const r of this.list) {
      const last = out[out.length - 1];
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else out.push([r[0], r[1]]);
    }
    this.list = out;
    this.cursor = 0;
  }

  get count(): number {
    let c = 0;
    for (const [a, b] of this.list) c += b - a + 1;
    return c;
  }

  /** For ascending queries only (the file is read in order). */
  has(n: number): boolean {
    const list = this.list;
    while (this.cursor < list.length && list[this.cursor]![1] < n) this.cursor++;
    const r = list[this.cursor];
    return r !== undefined && r[0] <= n;
  }
}

export class Checkpoint {
  private fd: number | undefined;
  readonly done = new Ranges();
  complete = false;

  private constructor(readonly path: string) {}

  static defaultPath(file: string): string {
    return `${file}.kard-checkpoint`;
  }

  static header(file: string): CheckpointHeader {
    if (file === '-') return { kard: 'send-checkpoint', v: 1, file: '-', size: null, mtimeMs: null };
    const st = statSync(file);
    return {
      kard: 'send-checkpoint',
      v: 1,
      file: resolve(file),
      size: st.size,
      mtimeMs: Math.floor(st.mtimeMs),
    };
  }

  /**
   * Opens the checkpoint for a run. With resume, loads the finished ranges (refusing a checkpoint
   * made for a different or modified file). Without resume, refuses to overwrite an unfinished one.
   */
  static open(path: string, file: string, resume: boolean): Checkpoint {
    const cp = new Checkpoint(path);
    const header = Checkpoint.header(file);
    const exists = existsSync(path);
    if (exists) {
      const lines = readFileSync(path, 'utf8').split('\n');
      let head: CheckpointHeader | undefined;
      try {
        head = JSON.parse(lines[0] ?? '') as CheckpointHeader;
      } catch {
        throw new UsageError(`${path} is not a kard checkpoint file`);
      }
      if (head?.kard !== 'send-checkpoint') throw new UsageError(`${path} is not a kard checkpoint file`);
      let complete = false;
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        if (!line) continue;
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          continue; // torn write at a crash
        }
        if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') cp.done.add(v[0], v[1]);
        else if (v && typeof v === 'object' && (v as { complete?: boolean }).complete) complete = true;
      }
      if (!resume) {
        // A checkpoint with nothing done (e.g. a run that stopped on a configuration error) is not
        // worth protecting; one with finished ranges is.
        if (!complete && cp.done.count > 0) {
          throw new UsageError(
            `${path} holds an unfinished run of this file: add --resume to continue it (nothing is sent twice), or delete it to start over`,
          );
        }
        cp.done.normalize();
        return cp.startFresh(header);
      }
      if (
        header.file !== '-' &&
        (head.size !== header.size || head.mtimeMs !== header.mtimeMs || head.file !== header.file)
      ) {
        throw new UsageError(
          `${path} was written for a different version of ${file} (size or modification time changed); delete it to start over`,
        );
      }
      cp.done.normalize();
      cp.complete = complete;
      cp.fd = openSync(path, 'a', 0o600);
      return cp;
    }
    return cp.startFresh(header);
  }

  private startFresh(header: CheckpointHeader): Checkpoint {
    const cp = new Checkpoint(this.path);
    cp.fd = openSync(this.path, 'w', 0o600);
    writeSync(cp.fd, `${JSON.stringify(header)}\n`);
    return cp;
  }

  mark(from: number, to: number): void {
    if (this.fd === undefined || to < from) return;
    writeSync(this.fd, `[${from},${to}]\n`);
  }

  finish(summary: Record<string, unknown>): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify({ complete: true, ...summary })}\n`);
  }

  close(): void {
    if (this.fd !== undefined) {
      try {
        fstatSync(this.fd);
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
  }
}
