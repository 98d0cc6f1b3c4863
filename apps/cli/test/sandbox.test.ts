import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, collect, runIn, start, tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());
let n = 0;
/** A fresh environment without credentials, with its own discovery dir. */
const freshEnv = () => cleanEnv(join(t.dir, `home-${++n}`));
const discoveryFile = (env: NodeJS.ProcessEnv) => join(env.KARD_SANDBOX_DIR!, 'sandbox.json');

/** Starts `kard mock --port 0 --json [...]`; resolves once it printed its credentials. */
async function startMock(env: NodeJS.ProcessEnv, extra: string[] = []) {
  const child = start(['mock', '--port', '0', '--json', ...extra], { env });
  const done = collect(child);
  let text = '';
  const info = await new Promise<{ url: string }>((res, rej) => {
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
  return { child, done, info };
}

describe('a running kard mock is found by other kard commands', () => {
  it('users create then users get hit the same sandbox; one stderr line says which; Ctrl-C → 130, file removed', async () => {
    const env = freshEnv();
    const { child, done, info } = await startMock(env);
    expect(existsSync(discoveryFile(env))).toBe(true);
    expect((info as { dashboard?: string }).dashboard).toBe(`${info.url}/`);
    const created = await runIn(['users', 'create', 'u1'], { env });
    expect(created.code).toBe(0);
    expect(created.stderr).toBe(
      `kard: no credentials configured; using the running sandbox at ${info.url} (kard mock, pid ${child.pid})\n`,
    );
    const got = await runIn(['users', 'get', 'u1', '--json'], { env });
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ data: { type: 'user', id: 'u1' } });
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(existsSync(discoveryFile(env))).toBe(false);
    // none runs any more: a throwaway mock, which does not know u1
    const after = await runIn(['users', 'get', 'u1'], { env });
    expect(after.stderr).toMatch(/no sandbox running; using a throwaway mock/);
    expect(after.code).toBe(3);
  });

  it('a stale discovery file (process gone) is ignored and removed; a throwaway mock serves instead', async () => {
    const env = freshEnv();
    const { child, done } = await startMock(env);
    const file = discoveryFile(env);
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    const text = readFileSync(file, 'utf8');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    writeFileSync(file, text.replace(/"pid": \d+/, `"pid": ${dead.pid}`), { mode: 0o600 });
    const r = await runIn(['ping'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/throwaway mock/);
    expect(existsSync(file)).toBe(false);
  });

  it('credentials in the environment win: the running sandbox is not used', async () => {
    const env = freshEnv();
    const { child, info } = await startMock(env);
    const r = await runIn(['ping'], {
      env: {
        ...env,
        KARD_CLIENT_ID: 'x',
        KARD_CLIENT_SECRET: 'y',
        KARD_ORGANIZATION_ID: 'o',
        KARD_BASE_URL: info.url,
      },
    });
    expect(r.stderr).not.toMatch(/running sandbox|throwaway/);
    expect(r.code).toBe(3); // wrong credentials for that sandbox
    child.kill('SIGINT');
  });

  it('kard mock --state FILE: users survive a restart', async () => {
    const env = freshEnv();
    const state = join(t.dir, 'state.json');
    const first = await startMock(env, ['--state', state]);
    expect((await runIn(['users', 'create', 'kept'], { env })).code).toBe(0);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    const second = await startMock(env, ['--state', state]);
    const got = await runIn(['users', 'get', 'kept'], { env });
    expect(got.code).toBe(0);
    expect(got.stderr).toContain(second.info.url);
    second.child.kill('SIGINT');
    expect((await second.done).code).toBe(130);
  });

  it('kard mock --log: one line per request with method, path, status, ms and the validation issues', async () => {
    const env = freshEnv();
    const { child, done } = await startMock(env, ['--log']);
    const bad = join(t.dir, 'bad.ndjson');
    writeFileSync(
      bad,
      `${JSON.stringify({
        type: 'transaction',
        id: 'evt-bad',
        attributes: {
          userId: 'u',
          transactionId: 't',
          amount: 100,
          status: 'SETTLED',
          currency: 'USD',
          description: 'x',
          cardBIN: '411111',
          cardLastFour: '1234',
          direction: 'DEBIT',
          paymentType: 'CARD',
          authorizationDate: '2025-01-01T10:00:00Z',
        },
      })}\n`,
    );
    // the CLI validates before sending, so post the bad event straight to the sandbox
    const info = JSON.parse(readFileSync(discoveryFile(env), 'utf8'));
    const token = (await (
      await fetch(`${info.url}/v2/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: info.clientId, client_secret: info.clientSecret }),
      })
    ).json()) as { access_token: string };
    await fetch(`${info.url}/v2/issuers/${info.organizationId}/transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ data: [JSON.parse(readFileSync(bad, 'utf8'))] }),
    });
    child.kill('SIGINT');
    const r = await done;
    expect(r.stderr).toMatch(/^POST \/v2\/auth\/token 200 \d+ms$/m);
    expect(r.stderr).toMatch(
      new RegExp(
        `^POST /v2/issuers/${info.organizationId}/transactions 400 \\d+ms 1 issue: /data/0/attributes/settledDate: .*R2`,
        'm',
      ),
    );
    expect(r.stderr + r.stdout).not.toContain(token.access_token);
  });

  it('kard mock with a taken port is a usage error (exit 2)', async () => {
    const env = freshEnv();
    const { child, info } = await startMock(env);
    const port = new URL(info.url).port;
    const r = await runIn(['mock', '--port', port], { env: freshEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} is in use`);
    child.kill('SIGINT');
  });
});
