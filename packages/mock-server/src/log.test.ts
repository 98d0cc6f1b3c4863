import { describe, expect, it } from 'vitest';
import { logLine } from './server.js';
import { harness, org, txn } from './test-support.js';

describe('request log lines (option log, kard-mock --log)', () => {
  it('method, path, status and ms; with error bodies the count and the first issue', () => {
    expect(logLine('GET', '/v2/ping', 200, 3)).toBe('GET /v2/ping 200 3ms');
    expect(logLine('GET', '/v2/ping', 200, 3, { status: 200, body: { data: [] } })).toBe(
      'GET /v2/ping 200 3ms',
    );
    expect(logLine('GET', '/x', 200, 3, { status: 200, body: { errors: [] } })).toBe('GET /x 200 3ms');
    const one = {
      status: 400,
      body: { errors: [{ detail: 'required (R2)', source: { pointer: '/data/0/x' } }] },
    };
    expect(logLine('POST', '/t', 400, 5, one)).toBe('POST /t 400 5ms 1 issue: /data/0/x: required (R2)');
    const two = { status: 207, body: { errors: [{ detail: 'a' }, { detail: 'b' }] } };
    expect(logLine('POST', '/t', 207, 5, two)).toBe('POST /t 207 5ms 2 issues: a …');
    const legacy = { status: 400, body: { errors: ['[0].settledDate: required'] } };
    expect(logLine('POST', '/l', 400, 1, legacy)).toBe('POST /l 400 1ms 1 issue: [0].settledDate: required');
    const long = { status: 400, body: { errors: [{ detail: 'x'.repeat(300) }] } };
    expect(logLine('POST', '/l', 400, 1, long)).toBe(`POST /l 400 1ms 1 issue: ${'x'.repeat(159)}…`);
  });

  it('a partly invalid batch logs its issue, pointing at the field and naming the rule', async () => {
    const lines: string[] = [];
    const h = await harness({ log: (l) => lines.push(l) });
    try {
      const bad = txn('bad-1');
      delete (bad.attributes as Record<string, unknown>).settledDate;
      await h.call('POST', `${org(h)}/transactions`, { data: [txn('ok-1'), bad] });
      const line = lines.find((l) => l.includes('/transactions '))!;
      expect(line).toMatch(
        new RegExp(`^POST ${org(h)}/transactions 207 \\d+ms 1 issue: /data/1/attributes/settledDate: .*R2`),
      );
      expect(line).not.toContain(h.token);
    } finally {
      await h.mock.close();
    }
  });
});
