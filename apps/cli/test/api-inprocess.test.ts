// Resource commands run in this process (src/cli.ts `run`) against the mock Kard on loopback, and
// the human tables checked against openapi/kard.yaml.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { MockKard } from '@kardkit/mock-server';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run as runCli } from '../src/cli.js';
import { TABLES } from '../src/commands/api.js';
import type { Io } from '../src/output.js';
import { runIn, useMockSandbox } from './helpers.js';

let mock: MockKard;
let env: NodeJS.ProcessEnv;
let dir: string;
useMockSandbox({}, (s) => {
  ({ mock, env, dir } = s);
});

const kard = (args: string[]) => runIn(args, { env });

async function enroll(user: string) {
  const r = await kard(['users', 'create', user]);
  expect(r.code, r.stderr).toBe(0);
}

describe('kard audits create (openapi/kard.yaml operation users.audits.create)', () => {
  it('requests an audit of a transaction and prints its id; --json prints the response', async () => {
    await enroll('aud-1');
    const r = await kard([
      'audits',
      'create',
      '--user',
      'aud-1',
      '--transaction',
      'txn-8841',
      '--code',
      '3006',
      '--merchant',
      'Bean & Leaf Coffee',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^audit \S+ requested for transaction txn-8841\n$/);
    const sent = mock.requests.find((q) => q.method === 'POST' && q.path.endsWith('/users/aud-1/audits'));
    expect(sent?.body).toEqual({
      data: [
        {
          type: 'audit',
          attributes: {
            auditCode: 3006,
            merchantName: 'Bean & Leaf Coffee',
            auditDescription: 'Missing cashback.',
            transactionId: 'txn-8841',
          },
        },
      ],
    });
    const j = await kard([
      'audits',
      'create',
      '--user',
      'aud-1',
      '--transaction',
      'txn-2',
      '--code',
      '8001',
      '--merchant',
      'Acme',
      '--description',
      'charged twice',
      '--json',
    ]);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({
      data: [{ type: 'audit', attributes: { transactionId: 'txn-2' } }],
    });
  });

  it('exit codes: 1 when Kard refuses it (already audited), 2 for usage, 3 for an unknown user', async () => {
    await enroll('aud-2');
    const args = (user: string, extra: string[] = []) => [
      'audits',
      'create',
      '--user',
      user,
      '--transaction',
      'txn-1',
      '--code',
      '3005',
      '--merchant',
      'Acme',
      ...extra,
    ];
    expect((await kard(args('aud-2'))).code).toBe(0);
    const dup = await kard(args('aud-2', ['--json']));
    expect(dup.code).toBe(1);
    const body = JSON.parse(dup.stdout) as { error: { exitCode: number; status: string } };
    expect(body.error).toMatchObject({ exitCode: 1, status: '409' });
    const other = await kard([
      'audits',
      'create',
      '--user',
      'aud-2',
      '--transaction',
      't',
      '--code',
      '8001',
      '--merchant',
      'A',
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--code 8001 (other) needs --description');
    const badCode = await kard([
      'audits',
      'create',
      '--user',
      'aud-2',
      '--transaction',
      't',
      '--code',
      '1234',
      '--merchant',
      'A',
    ]);
    expect(badCode.code).toBe(2);
    expect(badCode.stderr).toMatch(/argument '1234' is invalid. Allowed choices are 3005, 3006, 8001/);
    const ghost = await kard(args('ghost'));
    expect(ghost.code).toBe(3);
    expect(ghost.stderr).toMatch(/404/);
  });

  it('has help with examples', async () => {
    const r = await kard(['audits', 'create', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('$ kard audits create --user user-123 --transaction txn-8841 --code 3006');
  });
});

// ---- every human table column is a field of openapi/kard.yaml

type Schema = Record<string, unknown>;
const spec = parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../openapi/kard.yaml'), 'utf8'),
) as { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, Schema> }>> };

function deref(s: unknown): Schema {
  let x = s as Schema;
  while (x && typeof x.$ref === 'string') {
    x = (x.$ref as string)
      .slice(2)
      .split('/')
      .reduce<unknown>((o, k) => (o as Schema)[k], spec) as Schema;
  }
  return x ?? {};
}

/** The properties a schema allows, through $ref, allOf, oneOf and anyOf. */
function properties(s: unknown): Record<string, unknown> {
  const x = deref(s);
  const out: Record<string, unknown> = {};
  for (const k of ['allOf', 'oneOf', 'anyOf'])
    for (const part of (x[k] as unknown[] | undefined) ?? []) Object.assign(out, properties(part));
  Object.assign(out, (x.properties as Record<string, unknown> | undefined) ?? {});
  return out;
}

/** The item schema of an operation's 200 response `data` array. */
function itemSchema(operationId: string): unknown {
  for (const item of Object.values(spec.paths))
    for (const op of Object.values(item)) {
      if (op.operationId !== operationId) continue;
      const res = deref(op.responses?.['200']);
      const body = deref((res.content as Record<string, Schema>)['application/json']!.schema);
      return deref(properties(body).data).items;
    }
  throw new Error(`no operation ${operationId} in openapi/kard.yaml`);
}

describe('human tables', () => {
  it('every column is a field of the items openapi/kard.yaml says the operation returns', () => {
    const missing: string[] = [];
    for (const [command, t] of Object.entries(TABLES)) {
      const attributes = properties(itemSchema(t.operationId)).attributes;
      expect(attributes, t.operationId).toBeDefined();
      for (const column of t.columns) {
        let at: unknown = attributes;
        for (const key of column.split('.')) at = at === undefined ? undefined : properties(at)[key];
        if (at === undefined) missing.push(`${command}: ${column} (${t.operationId})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the walk above finds a misnamed column (the check can fail)', () => {
    expect(
      properties(properties(itemSchema('users.earnedRewards.list')).attributes).rewardAmountInCents,
    ).toBeUndefined();
  });

  it('a table the mock fills shows every column (subscriptions list)', async () => {
    const sub = await kard([
      'subscriptions',
      'create',
      '--event',
      'earnedRewardSettled',
      '--url',
      'http://127.0.0.1:9/hook',
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    const list = await kard(['subscriptions', 'list']);
    const [head, ...rows] = list.stdout.trimEnd().split('\n');
    expect(head!.split(/\s{2,}/)).toEqual(['ID', 'EVENTNAME', 'WEBHOOKURL', 'ENABLED']);
    const row = rows.map((r) => r.split(/\s{2,}/)).find((r) => r[2] === 'http://127.0.0.1:9/hook');
    expect(row).toEqual([
      expect.stringMatching(/\S/),
      'earnedRewardSettled',
      'http://127.0.0.1:9/hook',
      'true',
    ]);
  });
});

describe('kard configure on a terminal (in process)', () => {
  it('Ctrl-C at a prompt rejects with exit 130 and writes no profile', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const io: Io = {
      stdin,
      stdout,
      stderr,
      env: { ...env, XDG_CONFIG_HOME: join(dir, 'cfg-ctrl-c') },
    };
    const running = runCli(['configure'], io);
    await new Promise<void>((res) => {
      const check = () => (err.includes('Client id') ? res() : setTimeout(check, 5));
      check();
    });
    stdin.write('\u0003');
    expect(await running).toBe(130);
    expect(err).toContain('kard: interrupted; nothing was saved');
    const eof = Object.assign(new PassThrough(), { isTTY: true });
    const ended = runCli(['configure'], { ...io, stdin: eof });
    eof.end();
    expect(await ended).toBe(2);
  });
});
