// The exit code table of apps/cli/README.md (0 ok, 1 input/validation, 2 usage, 3 API/network,
// 130 interrupted), command by command, run in this process against the mock Kard on loopback.
// Interrupts are tested where they happen: send (send-inprocess.test.ts), configure (tty.test.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/errors.js';
import { ndjson, runIn, useMockSandbox, v2Event } from './helpers.js';

let dir: string;
let env: NodeJS.ProcessEnv;
useMockSandbox({}, (s) => {
  ({ dir, env } = s);
});

const kard = (args: string[], input?: string) =>
  runIn(args, {
    env: { ...env, KARD_WEBHOOK_SECRET: 'whsec-test' },
    ...(input !== undefined ? { input } : {}),
  });
const put = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('exit codes (apps/cli/README.md)', () => {
  it('the README documents exactly 0, 1, 2, 3 and 130, as src/errors.ts EXIT does', () => {
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../README.md'), 'utf8');
    const line = /\*\*Exit codes:\*\*([^\n]*(?:\n {2}[^\n]*)*)/.exec(readme)?.[1] ?? '';
    expect([...line.matchAll(/`(\d+)`/g)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 130]);
    expect(Object.values(EXIT).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 130]);
  });

  it('every command: 0 ok, 1 input or validation, 2 usage, 3 API or network', async () => {
    const good = put('good.ndjson', ndjson([v2Event(1)]));
    const bad = put('bad.ndjson', ndjson([v2Event(1, { cardBIN: '1' })]));
    const gz = gzipSync(ndjson(Array.from({ length: 500 }, (_, i) => v2Event(i))));
    const cut = put('cut.ndjson.gz', gz.subarray(0, gz.length - 100));
    mkdirSync(join(dir, 'folder'), { recursive: true });
    const body = put('body.json', '{"a":1}');
    const cases: [string[], number][] = [
      [['transactions', 'validate', good], 0],
      [['transactions', 'validate', bad], 1],
      [['transactions', 'validate', cut], 1],
      [['transactions', 'validate', join(dir, 'missing.ndjson')], 2],
      [['transactions', 'validate', join(dir, 'folder')], 2],
      [['transactions', 'validate', good, '--format', 'xml'], 2],
      [['transactions', 'send', good, '--checkpoint', join(dir, 'cp1')], 0],
      [['transactions', 'send', bad, '--checkpoint', join(dir, 'cp2')], 1],
      [['transactions', 'send', good, '--rejected', join(dir, 'no', 'such', 'dir.ndjson')], 2],
      [['transactions', 'send', good, '--batch-size', '501'], 2],
      [['users', 'create', 'exit-u1'], 0],
      [['users', 'get', 'exit-u1'], 0],
      [['users', 'get', 'nobody-here'], 3],
      [['users', 'create', 'exit-u2', '--email', 'not-an-email'], 2],
      [['offers', 'list'], 2],
      [['hem', 'jane@example.com'], 0],
      [['hem', 'not-an-email'], 2],
      [['rules', 'R1'], 0],
      [['rules', 'R9999'], 2],
      [['webhooks', 'verify', '--signature', 'bad', body], 1],
      [['ping'], 0],
      [['no-such-command'], 2],
      [['help', 'transactions', 'send'], 0],
    ];
    const wrong: string[] = [];
    for (const [args, want] of cases) {
      const r = await kard(args);
      if (r.code !== want)
        wrong.push(`kard ${args.join(' ')}: ${r.code}, expected ${want} (${r.stderr.trim()})`);
    }
    expect(wrong).toEqual([]);
  });

  it('a file that cannot be written names it (exit 2), also as --json', async () => {
    const good = put('good2.ndjson', ndjson([v2Event(2)]));
    const target = join(dir, 'no', 'such', 'rej.ndjson');
    const r = await kard(['transactions', 'send', good, '--rejected', target, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kard: cannot use ${target}: ENOENT\n`);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { message: `cannot use ${target}: ENOENT`, exitCode: 2 },
    });
  });
});
