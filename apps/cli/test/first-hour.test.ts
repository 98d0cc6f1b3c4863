// What a new user runs into in the first hour: pipes into head, `kard help <cmd> <sub>`, bad input
// in arguments and CSV headers, --json failures, credentials that ping must prove, secrets kept out
// of flags.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MockKard } from '@kardkit/mock-server';
import { signWebhook } from '@kardkit/sdk';
import { describe, expect, it } from 'vitest';
import { rowToRecord } from '../src/io/csv.js';
import { sniffFormat } from '../src/io/records.js';
import { cleanEnv, ndjson, runIn, start, useMockSandbox, v2Event } from './helpers.js';

let dir: string;
let mock: MockKard;
let env: NodeJS.ProcessEnv;
useMockSandbox(
  {},
  (s) => {
    ({ dir, mock, env } = s);
  },
  { resetAfterEach: false },
);
const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('a closed pipe (kard … | head)', () => {
  it('ends quietly, exit 0, no stack trace', async () => {
    const bad = ndjson(
      Array.from({ length: 3000 }, (_, i) => JSON.parse(JSON.stringify(v2Event(i, { cardBIN: '1' })))),
    );
    for (const args of [
      ['rules'],
      ['help', 'transactions', 'send'],
      ['transactions', 'validate', file('pipe.ndjson', bad)],
    ]) {
      const child = start(args, { env: cleanEnv(dir) });
      // The reader goes away before the first line is written, as `head -1` does after its line.
      child.stdout!.destroy();
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
      expect(stderr, args.join(' ')).toBe('');
      expect(code, args.join(' ')).toBe(0);
    }
  });
});

describe('kard help <command> <subcommand>', () => {
  it("shows that subcommand's help and exits 0, at any depth", async () => {
    const sub = await runIn(['help', 'transactions', 'send'], { env });
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: kard transactions send \[options\] <file>/);
    expect(sub.stdout).toContain('--resume');
    const cmd = await runIn(['help', 'users'], { env });
    expect(cmd.code).toBe(0);
    expect(cmd.stdout).toMatch(/^Usage: kard users/);
    const top = await runIn(['help'], { env });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: kard \[options\] \[command\]/);
    const unknown = await runIn(['help', 'frobnicate'], { env });
    expect(unknown.code).toBe(2);
  });
});

describe('CSV headers never reach the object prototype', () => {
  it('a __proto__ (or constructor/prototype) header is a usage error naming the column', async () => {
    for (const header of [
      '__proto__.status',
      'attributes.__proto__.polluted',
      'constructor.prototype.polluted',
    ]) {
      const p = file('proto.csv', `type,id,${header}\ntransaction,evt-1,SETTLED\n`);
      const r = await runIn(['transactions', 'validate', p, '--json'], { env });
      expect(r.code, header).toBe(2);
      expect(r.stderr, header).toContain(`CSV header "${header}" (column 3)`);
      expect(({} as Record<string, unknown>).status).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('rowToRecord refuses such a path too and builds records from own properties only', () => {
    expect(() => rowToRecord([['__proto__', 'polluted']], ['yes'])).toThrow(/not a field name/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A key that exists on Object.prototype (toString) becomes a plain nested field.
    const rec = rowToRecord(
      [
        ['toString', 'x'],
        ['a', 'b'],
      ],
      ['1', '2'],
    );
    expect(rec).toEqual({ toString: { x: '1' }, a: { b: '2' } });
  });
});

describe('kard hem with something that is not an email', () => {
  it('as an argument: usage error (exit 2), nothing on stdout', async () => {
    const r = await runIn(['hem', 'not-an-email'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/"not-an-email" is not an email address \(R42/);
  });
  it('from stdin: the bad line is reported with its number, the others are hashed, exit 1', async () => {
    const r = await runIn(['hem', '-'], { env, input: 'user@example.com\nnope\nUser@Example.com\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 2: "nope" is not an email address/);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514 {2}user@example.com$/,
    );
  });
  it('users create --email with a bad address is a usage error before any request', async () => {
    const before = mock.requests.length;
    const r = await runIn(['users', 'create', 'u-bad-email', '--email', 'nope'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--email "nope" is not an email address/);
    expect(mock.requests.slice(before).some((q) => q.path.includes('/users'))).toBe(false);
  });
});

describe('--json failures', () => {
  const parse = (s: string) =>
    JSON.parse(s) as { error: { message: string; exitCode: number; status?: string } };
  it('an API failure prints {"error": …} on stdout and keeps exit 3', async () => {
    const r = await runIn(['users', 'get', 'nobody-here', '--json'], { env });
    expect(r.code).toBe(3);
    expect(parse(r.stdout).error).toMatchObject({
      exitCode: 3,
      status: '404',
      message: expect.stringMatching(/404/),
    });
  });
  it('usage errors (unknown flag, missing file, bad email) too, with exit 2', async () => {
    for (const args of [
      ['rules', '--json', '--bogus'],
      ['transactions', 'validate', join(dir, 'missing.ndjson'), '--json'],
      ['hem', 'nope', '--json'],
    ]) {
      const r = await runIn(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(parse(r.stdout).error, args.join(' ')).toMatchObject({
        exitCode: 2,
        message: expect.any(String),
      });
    }
  });
  it('without --json stdout stays empty on failure', async () => {
    const r = await runIn(['users', 'get', 'nobody-here'], { env });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  });
});

describe('kard ping proves the credentials', () => {
  it('a wrong secret fails (exit 3) without printing it; the right one prints ok', async () => {
    const bad = await runIn(['ping'], { env: { ...env, KARD_CLIENT_SECRET: 'wrong-secret-123' } });
    expect(bad.code).toBe(3);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/401|credentials/i);
    expect(bad.stderr).not.toContain('wrong-secret-123');
    const before = mock.stats().tokenRequests;
    const ok = await runIn(['ping', '--json'], { env });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, authenticated: true });
    expect(mock.stats().tokenRequests).toBe(before + 1);
  });
});

describe('a one-line {"data": [...]} file', () => {
  it('is read as one JSON document even with a trailing newline (not as NDJSON)', async () => {
    const body = JSON.stringify({
      data: [v2Event(1), v2Event(2), JSON.parse(JSON.stringify(v2Event(3, { cardBIN: '1' })))],
    });
    expect(sniffFormat(`${body}\n`)).toBe('json');
    expect(sniffFormat(`${body}\r\n\n  `)).toBe('json');
    // Several lines, each a whole object: NDJSON, even when a line has a data array.
    expect(sniffFormat(`${body}\n${body}\n`)).toBe('ndjson');
    for (const name of ['one.json', 'one.txt']) {
      const r = await runIn(['transactions', 'validate', file(name, `${body}\n`), '--json'], { env });
      expect(r.code, name).toBe(1);
      expect(JSON.parse(r.stdout), name).toMatchObject({ valid: 2, invalid: 1 });
    }
  });
});

describe('secrets out of flags', () => {
  it('--client-secret-stdin reads the client secret from stdin, without a warning', async () => {
    const e = { ...env };
    delete e.KARD_CLIENT_SECRET;
    const r = await runIn(['ping', '--client-secret-stdin'], { env: e, input: `${mock.clientSecret}\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const empty = await runIn(['ping', '--client-secret-stdin'], { env: e, input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--client-secret-stdin: stdin is empty/);
    const both = await runIn(['transactions', 'send', '-', '--client-secret-stdin'], {
      env: e,
      input: 'x\n',
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--client-secret-stdin cannot be used when '-' reads the input from stdin/);
  });

  it('KARD_CLIENT_SECRET works silently; --client-secret works but warns (never echoing it)', async () => {
    expect((await runIn(['ping'], { env })).stderr).toBe('');
    const e = { ...env };
    delete e.KARD_CLIENT_SECRET;
    const r = await runIn(['ping', '--client-secret', mock.clientSecret], { env: e });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /warning: a secret given as --client-secret stays in shell history and the process list; use KARD_CLIENT_SECRET/,
    );
    expect(r.stderr).not.toContain(mock.clientSecret);
  });

  it('webhooks verify takes the key from KARD_WEBHOOK_SECRET or --secret-stdin; --secret warns', async () => {
    const key = 'whsec-first-hour-0123456789';
    const raw = JSON.stringify({
      data: { type: 'earnedRewardSettled', id: 'e1', attributes: { userId: 'u1' } },
    });
    const body = file('hook.json', raw);
    const signature = await signWebhook(raw, key);
    const viaEnv = await runIn(['webhooks', 'verify', '--signature', signature, body], {
      env: { ...env, KARD_WEBHOOK_SECRET: key },
    });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stderr).toBe('');
    const viaStdin = await runIn(['webhooks', 'verify', '--secret-stdin', '--signature', signature, body], {
      env,
      input: `${key}\n`,
    });
    expect(viaStdin.code).toBe(0);
    expect(viaStdin.stderr).toBe('');
    const viaFlag = await runIn(['webhooks', 'verify', '--secret', key, '--signature', signature, body], {
      env,
    });
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stderr).toMatch(
      /warning: a secret given as --secret .*KARD_WEBHOOK_SECRET or --secret-stdin/,
    );
    expect(viaFlag.stdout + viaFlag.stderr).not.toContain(key);
  });
});
