import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IdSet } from '../idset.js';
import { CsvParser, parseHeaders, rowToRecord } from './csv.js';
import { JsonArrayScanner } from './json-array.js';
import { FileSource, readRecords, sniffFormat } from './records.js';

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
