import { readdirSync, readFileSync, readlinkSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checkpoint, Ranges } from '../src/checkpoint.js';
import { UsageError } from '../src/errors.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
});
afterAll(() => cleanup());

let seq = 0;
/** A data file and its checkpoint path. */
function dataFile(content = 'x\n'): { file: string; cp: string } {
  const file = join(dir, `data-${++seq}.ndjson`);
  writeFileSync(file, content);
  return { file, cp: Checkpoint.defaultPath(file) };
}
const headerLine = (file: string) => JSON.stringify(Checkpoint.header(file));
const doneIn = (ranges: Ranges, upTo: number) => {
  const out: number[] = [];
  for (let n = 1; n <= upTo; n++) if (ranges.has(n)) out.push(n);
  return out;
};

describe('Ranges', () => {
  it('merges overlapping, nested and adjacent ranges given in any order, and counts each record once', () => {
    const r = new Ranges();
    r.add(20, 25);
    r.add(1, 3);
    r.add(4, 5); // adjacent to 1-3
    r.add(22, 23); // nested in 20-25
    r.add(24, 30); // overlaps 20-25
    r.add(10, 10);
    r.normalize();
    expect(r.count).toBe(5 + 1 + 11);
    expect(doneIn(r, 35)).toEqual([1, 2, 3, 4, 5, 10, ...Array.from({ length: 11 }, (_, i) => 20 + i)]);
  });

  it('keeps gaps: records between two finished ranges are not done', () => {
    const r = new Ranges();
    r.add(1, 2);
    r.add(4, 6);
    r.normalize();
    expect(r.count).toBe(5);
    expect(doneIn(r, 8)).toEqual([1, 2, 4, 5, 6]);
  });

  it('is empty when nothing was added', () => {
    const r = new Ranges();
    r.normalize();
    expect(r.count).toBe(0);
    expect(r.has(1)).toBe(false);
  });
});

describe('Checkpoint', () => {
  it('defaultPath sits next to the file; stdin has a header without size or time', () => {
    expect(Checkpoint.defaultPath('/a/b.csv')).toBe('/a/b.csv.kard-checkpoint');
    expect(Checkpoint.header('-')).toEqual({
      kard: 'send-checkpoint',
      v: 1,
      file: '-',
      size: null,
      mtimeMs: null,
    });
    const { file } = dataFile('12345');
    expect(Checkpoint.header(file)).toEqual({
      kard: 'send-checkpoint',
      v: 1,
      file,
      size: 5,
      mtimeMs: Math.floor(statSync(file).mtimeMs),
    });
  });

  it('a new checkpoint is its header line, mode 0600; marks and the final line are appended', () => {
    const { file, cp } = dataFile();
    const c = Checkpoint.open(cp, file, false);
    c.mark(1, 5);
    c.mark(7, 6); // empty range: nothing written
    c.mark(9, 9);
    c.finish({ records: 9 });
    c.close();
    c.close(); // closing twice is harmless
    c.mark(10, 12); // after close: ignored
    expect(statSync(cp).mode & 0o777).toBe(0o600);
    const lines = readFileSync(cp, 'utf8').split('\n');
    expect(lines).toEqual([headerLine(file), '[1,5]', '[9,9]', '{"complete":true,"records":9}', '']);
  });

  it('--resume loads the finished ranges, with gaps, skipping a torn last line', () => {
    const { file, cp } = dataFile();
    writeFileSync(
      cp,
      `${headerLine(file)}\n[1,3]\n\n[7,8]\nnull\n["9",10]\n[11,"12"]\n{"complete":false}\n[5,5]\n"note"\n[12,1`,
    );
    const c = Checkpoint.open(cp, file, true);
    expect(c.complete).toBe(false);
    expect(c.done.count).toBe(6);
    expect(doneIn(c.done, 15)).toEqual([1, 2, 3, 5, 7, 8]);
    c.mark(4, 4);
    c.close();
    expect(readFileSync(cp, 'utf8')).toMatch(/\n"note"\n\[12,1\[4,4\]\n$/);
  });

  it('--resume of a finished run reports it complete', () => {
    const { file, cp } = dataFile();
    writeFileSync(cp, `${headerLine(file)}\n[1,3]\n{"complete":true,"records":3}\n`);
    const c = Checkpoint.open(cp, file, true);
    c.close();
    expect(c.complete).toBe(true);
    expect(c.done.count).toBe(3);
  });

  it('refuses a file that is not a checkpoint', () => {
    const { file, cp } = dataFile();
    for (const content of ['not json\n', 'null\n', '{"kard":"other"}\n', '[1,2]\n', '']) {
      writeFileSync(cp, content);
      for (const resume of [true, false]) {
        expect(() => Checkpoint.open(cp, file, resume), content).toThrow(UsageError);
        expect(() => Checkpoint.open(cp, file, resume), content).toThrow(/is not a kard checkpoint file/);
      }
    }
  });

  it('without --resume: an unfinished run is protected, a finished or empty one is started over', () => {
    const { file, cp } = dataFile();
    writeFileSync(cp, `${headerLine(file)}\n[1,3]\n`);
    expect(() => Checkpoint.open(cp, file, false)).toThrow(/unfinished run.*--resume/);
    expect(readFileSync(cp, 'utf8')).toBe(`${headerLine(file)}\n[1,3]\n`);

    writeFileSync(cp, `${headerLine(file)}\n[1,3]\n{"complete":true}\n`);
    const finished = Checkpoint.open(cp, file, false);
    finished.close();
    expect(finished.done.count).toBe(0);
    expect(finished.complete).toBe(false);
    expect(readFileSync(cp, 'utf8')).toBe(`${headerLine(file)}\n`);

    writeFileSync(cp, `${headerLine(file)}\n`);
    const empty = Checkpoint.open(cp, file, false);
    empty.mark(1, 1);
    empty.close();
    expect(readFileSync(cp, 'utf8')).toBe(`${headerLine(file)}\n[1,1]\n`);
  });

  it('--resume refuses a checkpoint of another file or of a modified file', () => {
    const { file, cp } = dataFile('abc\n');
    const header = Checkpoint.header(file);
    const variants = [
      { ...header, size: header.size! + 1 },
      { ...header, mtimeMs: header.mtimeMs! - 5000 },
      { ...header, file: join(dir, 'other.ndjson') },
    ];
    for (const h of variants) {
      writeFileSync(cp, `${JSON.stringify(h)}\n[1,1]\n`);
      expect(() => Checkpoint.open(cp, file, true)).toThrow(/different version/);
    }
    // Touching the file changes its modification time: the old checkpoint no longer applies.
    writeFileSync(cp, `${JSON.stringify(header)}\n[1,1]\n`);
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    expect(() => Checkpoint.open(cp, file, true)).toThrow(/different version/);
  });

  it('stdin (-) resumes whatever checkpoint it is given', () => {
    const { file, cp } = dataFile();
    writeFileSync(cp, `${headerLine(file)}\n[2,4]\n`);
    const c = Checkpoint.open(cp, '-', true);
    c.close();
    expect(c.done.count).toBe(3);
  });
});

describe('Checkpoint and Ranges edges', () => {
  it('ranges that share their last and first record merge (counted once)', () => {
    const r = new Ranges();
    r.add(1, 5);
    r.add(5, 7);
    r.normalize();
    expect(r.count).toBe(7);
  });

  it('finish after close writes nothing; close releases the file descriptor', () => {
    const { file, cp } = dataFile();
    const openOn = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === cp;
        } catch {
          return false;
        }
      });
    const c = Checkpoint.open(cp, file, false);
    c.mark(1, 2);
    expect(openOn()).toHaveLength(1);
    c.close();
    expect(openOn()).toEqual([]);
    expect(() => c.finish({ records: 2 })).not.toThrow();
    expect(readFileSync(cp, 'utf8')).toBe(`${headerLine(file)}\n[1,2]\n`);
  });
});
