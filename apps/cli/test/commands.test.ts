import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { rules } from '@kardkit/schemas';
import { signWebhook } from '@kardkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { cleanEnv, collect, mockEnv, ndjson, run, runIn, start, tempDir, v2Event } from './helpers.js';

let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
let mock: MockKard;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  env = cleanEnv(dir);
  mock = await startMockKard({});
});
afterAll(async () => {
  await mock.close();
  cleanup();
});

describe('kard basics', () => {
  it('--version prints the package version', async () => {
    const r = await run(['--version'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help on every command shows examples', async () => {
    const commands = [
      [],
      ['transactions'],
      ['uploads'],
      ['users'],
      ['offers'],
      ['locations'],
      ['rewards'],
      ['subscriptions'],
      ['notifications'],
      ['auth'],
      ['webhooks'],
      ['transactions', 'validate'],
      ['transactions', 'send'],
      ['uploads', 'historical'],
      ['uploads', 'bulk'],
      ['users', 'create'],
      ['users', 'get'],
      ['users', 'update'],
      ['users', 'delete'],
      ['offers', 'list'],
      ['locations', 'list'],
      ['rewards', 'earned'],
      ['subscriptions', 'list'],
      ['subscriptions', 'create'],
      ['subscriptions', 'update'],
      ['notifications', 'list'],
      ['notifications', 'replay'],
      ['webhooks', 'verify'],
      ['auth', 'token'],
      ['ping'],
      ['rules'],
      ['hem'],
      ['configure'],
      ['mock'],
    ];
    // In-process: one Node start-up per command would cost minutes on a loaded machine.
    for (const c of commands) {
      const r = await runIn([...c, '--help'], { env });
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout, c.join(' ')).toMatch(/Examples:\n\s+\$ kard /);
    }
  });

  it('an unknown command or flag is a usage error (exit 2)', async () => {
    expect((await run(['frobnicate'], { env })).code).toBe(2);
    expect((await runIn(['rules', '--bogus'], { env })).code).toBe(2);
    const bare = await runIn(['users'], { env });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/Usage: kard users/);
  });
});

describe('kard rules', () => {
  it('--json prints the rule table of @kardkit/schemas', async () => {
    const r = await run(['rules', '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(rules)));
  });
  it('filters by id and prints a table', async () => {
    const r = await run(['rules', 'R2', 'r10'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^R2\s/);
    expect(lines[2]).toMatch(/^R10\s/);
    expect((await run(['rules', 'R999'], { env })).code).toBe(2);
  });
});

describe('kard hem', () => {
  it('reproduces the official hashed-email test vectors (R42)', async () => {
    // From shared/reference/hem-test-vectors.json
    const vectors: [string, string][] = [
      ['  user@example.com  ', 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514'],
      ['\tuser@example.com\n', 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514'],
      ['User@Example.com', 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514'],
    ];
    for (const [input, expected] of vectors) {
      const r = await runIn(['hem', input], { env });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(expected);
    }
  });
});

describe('kard webhooks verify (R106)', () => {
  const secret = 'whsec-test-key-1234567890';
  const body = JSON.stringify({
    data: { type: 'earnedRewardSettled', id: 'evt-1', attributes: { userId: 'u1' } },
  });
  it('exit 0 for a correct signature; never prints the secret', async () => {
    const p = join(dir, 'body.json');
    writeFileSync(p, body);
    const signature = await signWebhook(body, secret);
    const r = await run(['webhooks', 'verify', '--secret', secret, '--signature', signature, p], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/signature valid/);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
  it('exit 1 with a clear message for a wrong signature (body from stdin)', async () => {
    const signature = await signWebhook(body, 'another-key');
    const r = await run(['webhooks', 'verify', '--secret', secret, '--signature', signature, '-'], {
      env,
      input: body,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/signature mismatch/);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
  it('without --signature prints the expected one; without a secret it is a usage error', async () => {
    const r = await run(['webhooks', 'verify', '--secret', secret, '-'], { env, input: body });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(await signWebhook(body, secret));
    expect((await run(['webhooks', 'verify', '-'], { env, input: body })).code).toBe(2);
  });
});

describe('configuration and the API commands', () => {
  it('with no credentials and no sandbox running a throwaway mock serves the command, and stderr says so', async () => {
    const r = await run(['ping'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/throwaway mock/);
    expect(r.stdout).toMatch(/^ok/);
  });

  it('kard configure writes a 0600 profile that later commands use (flags > env > profile)', async () => {
    const home = join(dir, 'cfg-home');
    const e = cleanEnv(home);
    const c = await run(
      [
        'configure',
        '--client-id',
        mock.clientId,
        '--client-secret',
        mock.clientSecret,
        '--organization-id',
        mock.organizationId,
        '--base-url',
        mock.url,
      ],
      { env: e },
    );
    expect(c.code).toBe(0);
    const path = join(home, 'config', 'kard', 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const shown = await run(['configure', '--show'], { env: e });
    expect(shown.stdout).not.toContain(mock.clientSecret);

    const before = mock.stats().tokenRequests;
    const t = await run(['auth', 'token', '--json'], { env: e });
    expect(t.code).toBe(0);
    expect(t.stderr).not.toMatch(/throwaway mock|running sandbox/);
    const info = JSON.parse(t.stdout);
    expect(info).toMatchObject({ tokenType: expect.any(String), expiresIn: expect.any(Number) });
    expect(t.stdout).not.toContain(mock.clientSecret);
    expect(mock.stats().tokenRequests).toBeGreaterThan(before);

    // env beats the profile: a wrong secret in env fails with an API error (exit 3)
    const badUsers = await run(['users', 'get', 'nobody'], { env: { ...e, KARD_CLIENT_SECRET: 'wrong' } });
    expect(badUsers.code).toBe(3);
    expect(badUsers.stderr).not.toContain('wrong');
    // a flag beats env
    const ok = await run(['users', 'get', 'nobody', '--client-secret', mock.clientSecret], {
      env: { ...e, KARD_CLIENT_SECRET: 'wrong' },
    });
    expect(ok.code).toBe(3); // authenticated now; the user does not exist (404)
    expect(ok.stderr).toMatch(/404|not found/i);
  });

  it('users create/get/update/delete round trip against the mock', async () => {
    const e = cleanEnv(dir, mockEnv(mock));
    const id = `cli-user-${Date.now()}`;
    expect(
      (await run(['users', 'create', id, '--email', 'Jane.Doe@Example.com', '--zip', '10001'], { env: e }))
        .code,
    ).toBe(0);
    const got = await run(['users', 'get', id, '--json'], { env: e });
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout).data.id).toBe(id);
    expect(got.stdout).not.toContain('Jane.Doe@Example.com'); // only the HEM is sent (R42)
    expect((await run(['users', 'update', id, '--zip', '94105'], { env: e })).code).toBe(0);
    expect((await run(['users', 'delete', id], { env: e })).code).toBe(0);
    expect((await run(['users', 'get', id], { env: e })).code).toBe(3);
  });

  it('offers list, rewards earned, subscriptions and notifications work against the mock', async () => {
    const e = cleanEnv(dir, mockEnv(mock));
    const id = `cli-offers-${Date.now()}`;
    await run(['users', 'create', id], { env: e });
    const offers = await run(['offers', 'list', '--user', id, '--all', '--json'], { env: e });
    expect(offers.code).toBe(0);
    expect(Array.isArray(JSON.parse(offers.stdout).data)).toBe(true);
    const rewards = await run(['rewards', 'earned', '--user', id, '--json'], { env: e });
    expect(rewards.code).toBe(0);
    const sub = await run(
      [
        'subscriptions',
        'create',
        '--event',
        'earnedRewardSettled',
        '--url',
        'http://127.0.0.1:9/hook',
        '--json',
      ],
      { env: e },
    );
    expect(sub.code).toBe(0);
    const subId = JSON.parse(sub.stdout).data[0].id as string;
    expect((await run(['subscriptions', 'update', subId, '--disable'], { env: e })).code).toBe(0);
    const list = await run(['subscriptions', 'list', '--json'], { env: e });
    expect(JSON.parse(list.stdout).data.some((s: { id: string }) => s.id === subId)).toBe(true);
    expect((await run(['notifications', 'list', '--json'], { env: e })).code).toBe(0);
  });
});

describe('uploads', () => {
  it('uploads historical turns v2 transaction events into historicalTransaction parts (≤500 each, R35)', async () => {
    const e = cleanEnv(dir, mockEnv(mock));
    const p = join(dir, 'hist.ndjson');
    writeFileSync(p, ndjson(Array.from({ length: 700 }, (_, i) => v2Event(i, {}))));
    const r = await run(['uploads', 'historical', '--user', 'user-1', p, '--json'], { env: e });
    expect(r.code).toBe(0);
    // one line pointing at the successor (the upload session is deprecated, R37)
    expect(r.stderr.split('\n').filter((l) => l.startsWith('kard: notice:'))).toEqual([
      'kard: notice: the per-user upload session is deprecated (R37); use `kard uploads bulk <file> --type historical` instead',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: 700, rejected: [] });
    const parts = mock.requests.filter((q) => q.method === 'PUT' && q.path.endsWith('/parts'));
    expect(parts.length).toBeGreaterThanOrEqual(2);
  });

  it('uploads bulk streams gzipped JSONL to the presigned URL (R31–R33)', async () => {
    const e = cleanEnv(dir, mockEnv(mock));
    const p = join(dir, 'bulk.ndjson');
    writeFileSync(p, ndjson(Array.from({ length: 50 }, (_, i) => v2Event(i))));
    const before = mock.stats().uploads.lines;
    const r = await run(['uploads', 'bulk', p, '--type', 'historical', '--json'], { env: e });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ records: 50, filename: 'bulk.jsonl.gz' });
    expect(r.stdout + r.stderr).not.toMatch(/X-Amz-Signature|signature=/i);
    expect(mock.stats().uploads.lines - before).toBe(50);
    expect((await run(['uploads', 'bulk', p], { env: e })).code).toBe(2); // --type is required
  });
});

describe('kard mock', () => {
  it('runs the sandbox until Ctrl-C and prints working credentials', async () => {
    const child = start(['mock', '--port', '0', '--json'], { env });
    const done = collect(child);
    let text = '';
    const creds = await new Promise<{
      url: string;
      clientId: string;
      clientSecret: string;
      organizationId: string;
    }>((res, rej) => {
      child.stdout!.on('data', (d: Buffer | string) => {
        text += String(d);
        try {
          res(JSON.parse(text));
        } catch {
          // wait for the whole object
        }
      });
      done.then((r) => rej(new Error(`kard mock exited early (${r.code}): ${r.stderr}`)));
    });
    const ping = await run(['users', 'get', 'nobody'], { env: cleanEnv(dir, mockEnv(creds)) });
    expect(ping.code).toBe(3); // authenticated against it; 404 for an unknown user
    expect(ping.stderr).not.toMatch(/throwaway mock|running sandbox/);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130); // interrupted (128 + SIGINT)
  });
});
