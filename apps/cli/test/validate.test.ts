import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  cleanEnv,
  collect,
  type JsonReport,
  legacyRecord,
  ndjson,
  run,
  tempDir,
  track,
  v2Event,
} from './helpers.js';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  env = cleanEnv(dir);
});
afterAll(() => cleanup());

const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

async function validate(args: string[], input?: string) {
  const r = await run(['transactions', 'validate', ...args, '--json'], {
    env,
    ...(input !== undefined ? { input } : {}),
  });
  let report: JsonReport | undefined;
  try {
    report = JSON.parse(r.stdout) as JsonReport;
  } catch {
    report = undefined;
  }
  return { ...r, report };
}

describe('kard transactions validate --json', () => {
  it('prints exactly one object with the documented keys and exits 0 for a valid v2 NDJSON file', async () => {
    const p = file('ok.ndjson', ndjson([v2Event(1), v2Event(2), v2Event(3)]));
    const r = await validate([p]);
    expect(r.code).toBe(0);
    expect(Object.keys(r.report!).sort()).toEqual(['invalid', 'issues', 'valid', 'warnings']);
    expect(r.report).toMatchObject({ valid: 3, invalid: 0 });
    expect(r.report!.issues.every((i) => i.severity === 'warning')).toBe(true);
    expect(r.report!.warnings).toBe(r.report!.issues.length);
  });

  it('R2: a SETTLED v2 event without settledDate is invalid, with record number, id, relative path and rule', async () => {
    const bad = v2Event(2);
    delete (bad.attributes as Record<string, unknown>).settledDate;
    const p = file('r2.ndjson', ndjson([v2Event(1), bad, v2Event(3)]));
    const r = await validate([p]);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ valid: 2, invalid: 1 });
    const issue = r.report!.issues.find((i) => i.severity === 'error');
    expect(issue).toEqual({
      record: 2,
      id: 'evt-2',
      path: 'attributes.settledDate',
      rule: 'R2',
      severity: 'error',
      message: expect.any(String),
    });
    expect(Object.keys(issue!)).toEqual(['record', 'id', 'path', 'rule', 'severity', 'message']);
  });

  it('R1, R3, R4, R9, R23: each documented violation makes its record invalid', async () => {
    const records = [
      v2Event(1, { status: 'APPROVED', authorizationDate: undefined, settledDate: undefined }), // R1
      v2Event(2, { status: 'REVERSED', settledDate: undefined }), // R3 (no transactionDate)
      v2Event(3, { cardBIN: '41111' }), // R4
      v2Event(4, { paymentType: 'CASH' }), // R9
      v2Event(5, { amount: 10.5 }), // R23
      v2Event(6),
    ].map((r) => JSON.parse(JSON.stringify(r)));
    const r = await validate([file('rules.ndjson', ndjson(records))]);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ valid: 1, invalid: 5 });
    const errs = r.report!.issues.filter((i) => i.severity === 'error');
    const byRecord = (n: number) => errs.filter((i) => i.record === n);
    expect(byRecord(1).map((i) => i.rule)).toContain('R1');
    expect(byRecord(2).map((i) => i.rule)).toContain('R3');
    expect(byRecord(3).map((i) => i.rule)).toContain('R4');
    expect(byRecord(4).map((i) => i.path)).toContain('attributes.paymentType');
    expect(byRecord(5).map((i) => i.rule)).toContain('R23');
    expect(byRecord(6)).toEqual([]);
  });

  it('R10: a duplicate event id anywhere in the file is an error on the later record', async () => {
    const p = file('dup.ndjson', ndjson([v2Event(1), v2Event(2), v2Event(1, { transactionId: 'other' })]));
    const r = await validate([p]);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ valid: 2, invalid: 1 });
    expect(r.report!.issues.filter((i) => i.rule === 'R10')).toEqual([
      expect.objectContaining({ record: 3, id: 'evt-1', path: 'id', severity: 'error' }),
    ]);
  });

  it('lifecycle events share a transactionId but not an event id: valid (R10, R26)', async () => {
    const approved = v2Event(1, { status: 'APPROVED', settledDate: undefined, transactionId: 'txn-A' });
    const settled = v2Event(2, { transactionId: 'txn-A' });
    const r = await validate([
      file('life.ndjson', ndjson([approved, settled].map((x) => JSON.parse(JSON.stringify(x))))),
    ]);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ valid: 2, invalid: 0 });
  });

  it('legacy records are detected per record (referringPartnerUserId) and judged with the legacy rules', async () => {
    const bad = legacyRecord(2, { settledDate: undefined });
    const p = file('legacy.ndjson', ndjson([legacyRecord(1), JSON.parse(JSON.stringify(bad))]));
    for (const args of [[p], [p, '--schema', 'legacy']]) {
      const r = await validate(args);
      expect(r.code).toBe(1);
      expect(r.report).toMatchObject({ valid: 1, invalid: 1 });
      expect(r.report!.issues.find((i) => i.severity === 'error')).toMatchObject({
        record: 2,
        id: 'ltxn-2',
        path: 'settledDate',
        rule: 'R2',
      });
    }
  });

  it('--schema v2 judges a legacy record as an (invalid) v2 event', async () => {
    const r = await validate([file('l2.ndjson', ndjson([legacyRecord(1)])), '--schema', 'v2']);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ valid: 0, invalid: 1 });
  });

  it('JSON array, {data:[...]} envelope and a pretty-printed file give the same verdicts as NDJSON', async () => {
    const bad = JSON.parse(JSON.stringify(v2Event(2, { cardBIN: '12' })));
    const records = [v2Event(1), bad, v2Event(3)];
    const files = [
      file('arr.json', JSON.stringify(records)),
      file('env.json', JSON.stringify({ meta: { note: 'x' }, data: records })),
      file('pretty.json', JSON.stringify({ data: records }, null, 2)),
      file('noext', JSON.stringify(records, null, 1)),
    ];
    for (const p of files) {
      const r = await validate([p]);
      expect(r.code, p).toBe(1);
      expect(r.report, p).toMatchObject({ valid: 2, invalid: 1 });
      expect(r.report!.issues.find((i) => i.severity === 'error')).toMatchObject({
        record: 2,
        path: 'attributes.cardBIN',
        rule: 'R4',
      });
    }
  });

  it('CSV: dotted headers nest, quoted cells keep commas, quotes and newlines, integers are converted, empty cells omitted', async () => {
    const header =
      'type,id,attributes.userId,attributes.transactionId,attributes.amount,attributes.status,attributes.currency,attributes.description,attributes.mcc,attributes.cardBIN,attributes.cardLastFour,attributes.direction,attributes.paymentType,attributes.authorizationDate,attributes.settledDate,attributes.merchant.name,attributes.merchant.addrCity,attributes.subtotal';
    const rows = [
      'transaction,evt-1,u1,t1,1000,SETTLED,USD,"Bean & Leaf, ""Downtown""",5814,411111,1234,DEBIT,CARD,2025-01-01T10:00:00Z,2025-01-02T10:00:00Z,"Bean & Leaf\nCoffee",Austin,900',
      'transaction,evt-2,u1,t2,1000,SETTLED,USD,Shop,5814,411111,1234,DEBIT,CARD,2025-01-01T10:00:00Z,,Shop,,',
      'transaction,evt-3,u1,t3,12.34,APPROVED,USD,Shop,5814,411111,1234,DEBIT,CARD,2025-01-01T10:00:00Z,,,,',
    ];
    const p = file('tx.csv', `${header}\r\n${rows.join('\r\n')}\r\n`);
    const r = await validate([p]);
    expect(r.report).toMatchObject({ valid: 1, invalid: 2 });
    const errs = r.report!.issues.filter((i) => i.severity === 'error');
    expect(errs).toEqual([
      expect.objectContaining({ record: 2, id: 'evt-2', path: 'attributes.settledDate', rule: 'R2' }),
      expect.objectContaining({ record: 3, id: 'evt-3', path: 'attributes.amount', rule: 'R23' }),
    ]);
  });

  it('CSV with flat legacy headers and a boolean isDeposit', async () => {
    const p = file(
      'legacy.csv',
      'transactionId,referringPartnerUserId,amount,status,currency,description,mcc,cardBIN,cardLastFour,authorizationDate,settledDate,transactionDate,isDeposit,merchantName\n' +
        'l1,u1,2500,SETTLED,USD,Shop,5411,411111,1234,2025-01-01T10:00:00Z,2025-01-02T10:00:00Z,,false,"Shop, Inc"\n' +
        'l2,u1,2500,DECLINED,USD,Shop,5411,411111,1234,,,,TRUE,Shop\n',
    );
    const r = await validate([p, '--schema', 'legacy']);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ valid: 1, invalid: 1 });
    expect(r.report!.issues.filter((i) => i.severity === 'error')).toEqual([
      expect.objectContaining({ record: 2, id: 'l2', path: 'transactionDate', rule: 'R3' }),
    ]);
  });

  it("reads stdin with '-' (format sniffed from the content)", async () => {
    const r = await validate(['-'], ndjson([v2Event(1), v2Event(2)]));
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ valid: 2, invalid: 0 });
  });

  it('unparseable records are invalid with rule null and do not stop the stream', async () => {
    const p = file(
      'broken.ndjson',
      `${JSON.stringify(v2Event(1))}\n{"type": "transaction",\n${JSON.stringify(v2Event(3))}\n`,
    );
    const r = await validate([p]);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ valid: 2, invalid: 1 });
    expect(r.report!.issues.find((i) => i.severity === 'error')).toMatchObject({
      record: 2,
      rule: null,
      path: '',
      id: null,
    });
  });

  it('the report is one line, also when the issues spill to disk (over 10,000 issues)', async () => {
    const records = Array.from({ length: 12_000 }, (_, i) =>
      JSON.parse(JSON.stringify(v2Event(i, { cardBIN: '12' }))),
    );
    const r = await validate([file('many.ndjson', ndjson(records))]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.report).toMatchObject({ valid: 0, invalid: 12_000 });
    const r4 = r.report!.issues.filter((i) => i.rule === 'R4');
    expect(r4).toHaveLength(12_000);
    expect(r4.map((i) => i.record)).toEqual(records.map((_, i) => i + 1));
  });

  it('an empty file is valid with zero records', async () => {
    const r = await validate([file('empty.ndjson', '')]);
    expect(r.code).toBe(0);
    expect(r.report).toEqual({ valid: 0, invalid: 0, warnings: 0, issues: [] });
  });
});

describe('kard transactions validate (human output and usage errors)', () => {
  it('lists each problem with record number, path and rule, then a summary', async () => {
    const bad = JSON.parse(JSON.stringify(v2Event(2, { settledDate: undefined })));
    const r = await run(['transactions', 'validate', file('h.ndjson', ndjson([v2Event(1), bad]))], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/record 2 \(evt-2\): error \[R2\] attributes\.settledDate: /);
    expect(r.stdout).toMatch(/2 records: 1 invalid, 1 valid/);
    expect(r.stdout).not.toContain('\u001b['); // not a TTY: no colour
  });

  it('exit 2 for a missing file, an unknown flag, or a bad --schema', async () => {
    for (const args of [
      ['transactions', 'validate', join(dir, 'nope.ndjson')],
      ['transactions', 'validate', '--frobnicate', 'x.ndjson'],
      ['transactions', 'validate', '--schema', 'v3', 'x.ndjson'],
      ['transactions', 'validate'],
    ]) {
      const r = await run(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.length).toBeGreaterThan(0);
      expect(r.stdout).toBe('');
    }
  });
});

/** Runs the built bin under /usr/bin/time -v (GNU time): its exit code, stdout, stderr and peak RSS in MB. */
function measured(args: string[]) {
  const child = track(
    spawn('/usr/bin/time', ['-v', process.execPath, BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  return collect(child).then((r) => {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`no peak RSS in: ${r.stderr.slice(-500)}`);
    return { ...r, peakMb: Number(m[1]) / 1024 };
  });
}

describe('kard transactions validate: the record size limit (--max-record-bytes)', () => {
  it.skipIf(!existsSync('/usr/bin/time'))(
    'a 20 MB single line is refused without being held: bounded memory, named line, the next record still checked',
    async () => {
      const ok = ndjson([v2Event(1), v2Event(3)]);
      const small = file('small-lines.ndjson', ok);
      const huge = join(dir, 'huge-line.ndjson');
      const lines = ok.split('\n');
      writeFileSync(huge, `${lines[0]}\n{"id":"evt-2","pad":"${'a'.repeat(20 * 2 ** 20)}"}\n${lines[1]}\n`);
      const base = await measured(['transactions', 'validate', small, '--json']);
      expect(base.code).toBe(0);
      const r = await measured(['transactions', 'validate', huge, '--json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as JsonReport;
      expect(report).toMatchObject({ valid: 2, invalid: 1 });
      expect(report.issues.filter((i) => i.severity === 'error')).toEqual([
        {
          record: 2,
          id: null,
          path: '',
          rule: null,
          severity: 'error',
          message:
            'line 2 is longer than the record limit of 1048576 bytes (--max-record-bytes); it was skipped without being read into memory',
        },
      ]);
      // Holding the line once would already cost 20 MB (a whole-line reader took ~37x the line).
      expect(r.peakMb - base.peakMb, `peak ${r.peakMb} MB vs ${base.peakMb} MB`).toBeLessThan(15);
    },
  );

  it('the limit is configurable: records over --max-record-bytes are invalid, a bad value is a usage error', async () => {
    const p = file('limit.ndjson', ndjson([v2Event(1), { id: 'x' }]));
    const r = await validate([p, '--max-record-bytes', '64']);
    expect(r.code).toBe(1);
    expect(r.report?.issues.find((i) => i.record === 1)?.message).toMatch(
      /^line 1 is longer than the record limit of 64 bytes/,
    );
    expect(r.report?.issues.find((i) => i.record === 2)?.message).not.toMatch(/record limit/);
    const bad = await run(['transactions', 'validate', p, '--max-record-bytes', 'lots'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-record-bytes must be an integer from 16 to 1073741824 \(got "lots"\)/);
  });
});

describe('kard transactions validate: CSV --delimiter', () => {
  const rec = legacyRecord(1);
  const header = Object.keys(rec);
  const row = (sep: string) => `${header.join(sep)}\n${header.map((k) => String(rec[k])).join(sep)}\n`;
  it("reads ';' and tab separated files; without --delimiter a hint names the separator (exit 2)", async () => {
    const semi = file('semi.csv', row(';'));
    expect((await validate([semi, '--delimiter', ';'])).report).toMatchObject({ valid: 1, invalid: 0 });
    const hint = await run(['transactions', 'validate', semi], { env });
    expect(hint.code).toBe(2);
    expect(hint.stderr).toMatch(/looks like ';'-separated; use --delimiter ';'/);
    expect(hint.stderr).not.toMatch(/required/);
    const tab = file('tab.csv', row('\t'));
    expect((await validate([tab, '--delimiter', 'tab'])).report).toMatchObject({ valid: 1, invalid: 0 });
    const bad = await run(['transactions', 'validate', semi, '--delimiter', ';;'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--delimiter must be one character/);
  });
});

describe('kard transactions validate: a truncated .gz', () => {
  it('checks the readable records, reports them, then exits 1 naming the byte offset where the data ends', async () => {
    const gz = gzipSync(ndjson(Array.from({ length: 3000 }, (_, i) => v2Event(i + 1))));
    const cut = Math.floor(gz.length * 0.7);
    const p = join(dir, 'cut.ndjson.gz');
    writeFileSync(p, gz.subarray(0, cut));
    const human = await run(['transactions', 'validate', p], { env });
    expect(human.code).toBe(1);
    const m = /^(\d+) records: 0 invalid, \1 valid, 0 warnings\n$/.exec(human.stdout);
    expect(m, human.stdout).not.toBeNull();
    const n = Number(m![1]);
    expect(n).toBeGreaterThan(1000);
    expect(n).toBeLessThan(3000);
    expect(human.stderr).toBe(
      `kard: ${p}: the gzip data ends early, at byte ${cut} of the compressed input (truncated file?); the ${n} records before it were checked\n`,
    );
    const json = await validate([p]);
    expect(json.code).toBe(1);
    expect(json.report).toMatchObject({
      valid: n,
      invalid: 0,
      error: {
        message: `the gzip data ends early, at byte ${cut} of the compressed input (truncated file?)`,
        exitCode: 1,
      },
    });
  });
});
