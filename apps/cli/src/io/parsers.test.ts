import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IdSet } from '../idset.js';
import { CsvParser, parseHeaders, rowToRecord } from './csv.js';
import { JsonArrayScanner } from './json-array.js';
import { splitLines, TOO_LONG } from './lines.js';
import { FileSource, type InputRecord, readRecords, sniffFormat } from './records.js';

/** Feeds `text` split at `cut` (every position is tried by the callers): streaming must not depend on chunking. */
function csvRows(text: string, cut: number): string[][] {
  const p = new CsvParser();
  return [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.end()];
}

function jsonElements(text: string, cut: number) {
  const s = new JsonArrayScanner();
  return [...s.push(text.slice(0, cut)), ...s.push(text.slice(cut)), ...s.end()];
}

describe('CsvParser (RFC 4180)', () => {
  const text = 'a,b,c\r\n"x, y","he said ""hi""","multi\nline"\n1,,3\n\n"",last,\n';
  const expected = [
    ['a', 'b', 'c'],
    ['x, y', 'he said "hi"', 'multi\nline'],
    ['1', '', '3'],
    ['', 'last', ''],
  ];
  it('parses quotes, embedded commas/newlines/quotes, CRLF and blank lines at every chunk boundary', () => {
    for (let cut = 0; cut <= text.length; cut++)
      expect(csvRows(text, cut), `cut at ${cut}`).toEqual(expected);
  });
  it('handles a last row without a newline', () => {
    expect(csvRows('a,b\n1,2', 3)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
  it('rejects an unterminated quoted field at the end', () => {
    const p = new CsvParser();
    p.push('a\n"open');
    expect(() => p.end()).toThrow(/unterminated/);
  });
});

describe('rowToRecord', () => {
  it('nests dotted headers, converts amount/subtotal/isDeposit and omits empty cells', () => {
    const h = parseHeaders([
      'id',
      'attributes.amount',
      'attributes.merchant.name',
      'attributes.subtotal',
      'isDeposit',
      'mcc',
    ]);
    expect(rowToRecord(h, ['e1', '1200', 'Shop', '', 'true', '0742'])).toEqual({
      id: 'e1',
      attributes: { amount: 1200, merchant: { name: 'Shop' } },
      isDeposit: true,
      mcc: '0742',
    });
  });
  it('leaves unconvertible numbers as strings so the schema reports them', () => {
    const h = parseHeaders(['amount']);
    expect(rowToRecord(h, ['12,00'])).toEqual({ amount: '12,00' });
    expect(rowToRecord(h, ['12.5'])).toEqual({ amount: 12.5 });
  });
});

describe('JsonArrayScanner', () => {
  const records = [{ a: 1, s: 'x,]}{"\\' }, { b: [1, 2, { c: '[' }] }, 'str', 3, null];
  it('yields array elements one at a time at every chunk boundary', () => {
    const text = JSON.stringify(records, null, 2);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(
        jsonElements(text, cut).map((e) => (e.ok ? e.value : e)),
        `cut at ${cut}`,
      ).toEqual(records);
    }
  });
  it('finds the data array inside an envelope and ignores other keys', () => {
    const text = JSON.stringify({ meta: { data: [9] }, data: records, links: { next: null } });
    for (let cut = 0; cut <= text.length; cut += 3) {
      expect(jsonElements(text, cut).map((e) => (e.ok ? e.value : e))).toEqual(records);
    }
  });
  it('yields a lone object without a data array as one element', () => {
    expect(jsonElements('{"type":"transaction","id":"e"}', 5)).toEqual([
      { ok: true, value: { type: 'transaction', id: 'e' } },
    ]);
  });
  it('reports bad elements and truncation without losing the good ones', () => {
    const out = jsonElements('[{"a":1}, {bad}, {"b":2}', 4);
    expect(out.map((e) => e.ok)).toEqual([true, false, true, false]);
  });
  it('an empty array yields nothing; a stray comma is an error', () => {
    expect(jsonElements('[ ]', 1)).toEqual([]);
    expect(jsonElements('[1,,2]', 2).map((e) => e.ok)).toEqual([true, false, true]);
  });
});

describe('sniffFormat', () => {
  it('tells JSON, NDJSON and CSV apart from the first bytes', () => {
    expect(sniffFormat('[{"a":1}]')).toBe('json');
    expect(sniffFormat('{"a":1}\n{"a":2}\n')).toBe('ndjson');
    expect(sniffFormat('{\n  "data": []\n}')).toBe('json');
    expect(sniffFormat('{"data":[{"a":1}]}')).toBe('json');
    expect(sniffFormat('id,amount\n')).toBe('csv');
  });
});

describe('IdSet (R10 duplicate detection)', () => {
  it('remembers 50k ids (grown from a 16-id guess) and the record that used each first', () => {
    const s = new IdSet(16);
    const notNew: number[] = [];
    // One expect per id would cost most of the test's time; collect the misses instead.
    for (let i = 1; i <= 50_000; i++) if (s.add(`evt-${i}`, i) !== 0) notNew.push(i);
    expect(notNew).toEqual([]);
    expect(s.size).toBe(50_000);
    const forgotten: number[] = [];
    for (let i = 1; i <= 50_000; i += 7) if (s.add(`evt-${i}`, 999_999) !== i) forgotten.push(i);
    expect(forgotten).toEqual([]);
    expect(s.add('evt-50000', 1)).toBe(50_000);
    expect(s.add('evt-50001', 2)).toBe(0);
  });
});

describe('JsonArrayScanner trailing data', () => {
  it('reports data after the document once instead of silently dropping it', () => {
    const s = new JsonArrayScanner();
    const out = [...s.push('{"a":1}\n{"a":2}\n'), ...s.push('{"a":3}\n'), ...s.end()];
    expect(out.map((e) => e.ok)).toEqual([true, false]);
    expect(out[1]).toMatchObject({ error: expect.stringMatching(/NDJSON/) });
  });
});

describe('readRecords', () => {
  it('reads a gzipped file of many chunks intact (its read buffer is not reused under gunzip)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kard-gz-'));
    try {
      const file = join(dir, 'big.ndjson.gz');
      const lines = Array.from({ length: 20_000 }, (_, i) =>
        JSON.stringify({ id: `evt-${i}`, pad: 'x'.repeat(i % 97) }),
      );
      writeFileSync(file, gzipSync(`${lines.join('\n')}\n`, { level: 0 }));
      const ids: string[] = [];
      for await (const chunk of readRecords(new FileSource(file), { file }))
        for (const r of chunk) ids.push((JSON.parse(r.raw!) as { id: string }).id);
      expect(ids).toEqual(lines.map((_, i) => `evt-${i}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every record of a file, with the reader's error (if it stopped with one). */
async function readAll(file: string, opts: Record<string, unknown> = {}) {
  const records: InputRecord[] = [];
  let error: Error | undefined;
  try {
    for await (const chunk of readRecords(new FileSource(file), { file, ...opts })) records.push(...chunk);
  } catch (e) {
    error = e as Error;
  }
  return { records, error };
}

describe('the record size limit (--max-record-bytes)', () => {
  async function lines(chunks: string[], max: number) {
    const out: (string | typeof TOO_LONG)[] = [];
    for await (const ls of splitLines(
      (async function* () {
        yield* chunks;
      })(),
      max,
    ))
      out.push(...ls);
    return out;
  }
  it('drops a line once it passes the limit, whatever the chunking, and goes on with the next line', async () => {
    const text = `short\n${'x'.repeat(50)}\nok\n${'y'.repeat(11)}`;
    for (let size = 1; size <= text.length; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(await lines(chunks, 10), `chunks of ${size}`).toEqual(['short', TOO_LONG, 'ok', TOO_LONG]);
    }
    // exactly at the limit is fine; multi-byte characters count as their UTF-8 bytes
    expect(await lines(['abcdefghij\n', 'é'.repeat(5), '\n', 'é'.repeat(6)], 10)).toEqual([
      'abcdefghij',
      'ééééé',
      TOO_LONG,
    ]);
  });
  it('CSV: a row past the limit (quoted newlines included) is LONG_ROW; the next rows are intact', () => {
    const p = new CsvParser(',', 12);
    const rows = [
      ...p.push('a,b\n1,2\n"long\n'),
      ...p.push(`${'z'.repeat(30)}",3\n`),
      ...p.push(`${'q,'.repeat(10)}\n5,6\n`),
      ...p.end(),
    ];
    expect(rows).toEqual([['a', 'b'], ['1', '2'], [], [], ['5', '6']]);
  });
  it('JSON: an element past the limit is an error element; its neighbours are read', () => {
    const s = new JsonArrayScanner(20);
    const out = [...s.push(`[{"a":1},{"s":"${'w'.repeat(40)}"`), ...s.push('},{"b":2}]'), ...s.end()];
    expect(out.map((e) => (e.ok ? e.value : 'error'))).toEqual([{ a: 1 }, 'error', { b: 2 }]);
    expect(out[1]).toMatchObject({
      error: expect.stringMatching(/longer than the limit of 20 .*--max-record-bytes/),
    });
    const lone = new JsonArrayScanner(10);
    expect([...lone.push(`{"s":"${'w'.repeat(20)}"}`), ...lone.end()]).toEqual([
      { ok: false, tooLong: true, error: expect.stringMatching(/longer than the limit of 10/) },
    ]);
  });
  it('readRecords names the NDJSON line (blank lines counted) and the CSV row that is too long', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kard-long-'));
    try {
      const nd = join(dir, 'a.ndjson');
      writeFileSync(nd, `{"id":"a"}\n\n{"id":"${'b'.repeat(200)}"}\n{"id":"c"}\n`);
      const { records } = await readAll(nd, { maxRecordBytes: 100 });
      expect(records.map((r) => [r.n, r.line, r.error ?? r.raw])).toEqual([
        [1, undefined, '{"id":"a"}'],
        [
          2,
          3,
          expect.stringMatching(
            /^line 3 is longer than the record limit of 100 bytes \(--max-record-bytes\)/,
          ),
        ],
        [3, undefined, '{"id":"c"}'],
      ]);
      const csv = join(dir, 'a.csv');
      writeFileSync(csv, `id,amount\ne1,1\ne2,${'9'.repeat(200)}\ne3,3\n`);
      const c = await readAll(csv, { maxRecordBytes: 100 });
      expect(c.records.map((r) => r.error ?? r.value)).toEqual([
        { id: 'e1', amount: 1 },
        expect.stringMatching(/^CSV data row 2 is longer than the record limit of 100 bytes/),
        { id: 'e3', amount: 3 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CSV delimiters', () => {
  it('--delimiter reads semicolon-separated files; without it a one-column header gets a hint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kard-delim-'));
    try {
      const file = join(dir, 'semi.csv');
      writeFileSync(file, 'id;attributes.amount\ne1;"1;2"\ne2;5\n');
      const ok = await readAll(file, { delimiter: ';' });
      expect(ok.records.map((r) => r.value)).toEqual([
        { id: 'e1', attributes: { amount: '1;2' } },
        { id: 'e2', attributes: { amount: 5 } },
      ]);
      const hint = await readAll(file);
      expect(hint.records).toEqual([]);
      expect(hint.error?.message).toMatch(/looks like ';'-separated; use --delimiter ';'/);
      writeFileSync(file, 'id\tamount\ne1\t5\n');
      expect((await readAll(file)).error?.message).toMatch(/looks like tab-separated; use --delimiter tab/);
      // a real one-column file is fine
      writeFileSync(file, 'id\ne1\n');
      expect((await readAll(file)).records.map((r) => r.value)).toEqual([{ id: 'e1' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('truncated gzip', () => {
  it('yields every record before the truncation, then an InputError naming the compressed byte offset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kard-trunc-'));
    try {
      const lines = Array.from({ length: 3000 }, (_, i) =>
        JSON.stringify({ id: `evt-${i}`, pad: `p${i * 7919}` }),
      );
      const gz = gzipSync(`${lines.join('\n')}\n`);
      const cut = Math.floor(gz.length * 0.6);
      const file = join(dir, 't.ndjson.gz');
      writeFileSync(file, gz.subarray(0, cut));
      const { records, error } = await readAll(file);
      expect(records.length).toBeGreaterThan(100);
      expect(records.length).toBeLessThan(3000);
      // the records read are whole ones, in order
      expect(records.map((r) => JSON.parse(r.raw!).id)).toEqual(
        lines.slice(0, records.length).map((_, i) => `evt-${i}`),
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toBe(
        `the gzip data ends early, at byte ${cut} of the compressed input (truncated file?)`,
      );
      const bad = Buffer.from(gz);
      bad.fill(0xff, 100, 140);
      writeFileSync(file, bad);
      expect((await readAll(file)).error?.message).toMatch(
        /^the gzip data is corrupt \(.+\); read up to byte \d+/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a first line longer than the sniffed head', () => {
  it('is an NDJSON line in a file named .ndjson (named as line 1), a JSON element otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kard-longfirst-'));
    try {
      const long = `{"id":"evt-1","pad":"${'a'.repeat(200_000)}"}\n{"id":"evt-2"}\n`;
      const nd = join(dir, 'long.ndjson');
      writeFileSync(nd, long);
      const a = await readAll(nd, { maxRecordBytes: 100_000 });
      expect(a.records.map((r) => r.error ?? r.raw)).toEqual([
        expect.stringMatching(/^line 1 is longer than the record limit of 100000 bytes/),
        '{"id":"evt-2"}',
      ]);
      const js = join(dir, 'long.json');
      writeFileSync(js, `[${long.replace('\n', ',').trimEnd()}]`);
      const b = await readAll(js, { maxRecordBytes: 100_000 });
      expect(b.records.map((r) => r.error ?? r.value)).toEqual([
        expect.stringMatching(/^JSON element 1 is longer than the record limit of 100000 bytes/),
        { id: 'evt-2' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
