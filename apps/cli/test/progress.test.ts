import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress } from '../src/output.js';

/** A Progress on a fake terminal with a clock the test moves. */
function bar() {
  let now = 1_000_000;
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
  let out = '';
  stream.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const p = new Progress(stream, true, 'sending', () => now);
  return {
    p,
    tick: (ms: number) => {
      now += ms;
    },
    last: () => out.split('\r').filter(Boolean).at(-1)?.replace('\u001b[2K', ''),
  };
}

describe('Progress', () => {
  it('rate and ETA count only the records of this run; records done earlier fill the bar', () => {
    const b = bar();
    // A resumed run: 900 of 1000 records were finished by the earlier run.
    b.p.update({ done: 0, skipped: 900, total: 1000 });
    expect(b.last()).toBe(
      'sending [#####################---]  90%  900/1000 records (900 done earlier)  0 rec/s  ETA --',
    );
    b.tick(10_000);
    b.p.update({ done: 50, skipped: 900, total: 1000 }, '0 rejected');
    // 50 records in 10 s: 5 rec/s, 50 left: 10 s (counting the 900 would claim 95 rec/s, ETA 1 s).
    expect(b.last()).toBe(
      'sending [######################--]  95%  950/1000 records (900 done earlier)  5 rec/s  ETA 10s  0 rejected',
    );
  });

  it('shows 100 % only when every record is finished (a share is rounded down)', () => {
    const b = bar();
    b.tick(1000);
    b.p.update({ done: 999, total: 1000 });
    expect(b.last()).toMatch(/^sending \[#{23}-\] {2}99% {2}999\/1000 records {2}999 rec\/s {2}ETA 0s$/);
    b.tick(1000);
    b.p.update({ done: 1000, total: 1000 });
    expect(b.last()).toBe('sending [########################] 100%  1000/1000 records  500 rec/s  ETA 0s');
  });

  it('without a total: a count and a rate, no bar and no ETA; redrawn at most every 100 ms unless forced', () => {
    const b = bar();
    b.tick(2000);
    b.p.update({ done: 10 });
    expect(b.last()).toBe('sending 10 records  5 rec/s  ETA --');
    b.tick(50);
    b.p.update({ done: 20 });
    expect(b.last()).toBe('sending 10 records  5 rec/s  ETA --');
    b.p.update({ done: 20 }, '', true);
    expect(b.last()).toMatch(/^sending 20 records/);
  });
});
