import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSandbox, sandboxDir, sandboxFile } from './discovery.js';
import { startMockKard } from './server.js';

const root = mkdtempSync(join(tmpdir(), 'kard-discovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A private discovery dir per test: the real per-user one is never touched. */
const envFor = () => ({ KARD_SANDBOX_DIR: join(root, `run-${++n}`) });

const info = (over: Record<string, unknown>) =>
  JSON.stringify({
    url: 'http://127.0.0.1:9',
    pid: process.pid,
    organizationId: 'org-mock',
    clientId: 'id',
    clientSecret: 'secret',
    webhookSecret: 'wh',
    startedAt: new Date().toISOString(),
    ...over,
  });

describe('sandbox discovery', () => {
  it('the directory: KARD_SANDBOX_DIR, else $XDG_RUNTIME_DIR/kardkit, else <tmpdir>/kardkit-<uid>', () => {
    expect(sandboxDir({ KARD_SANDBOX_DIR: '/x/y', XDG_RUNTIME_DIR: '/run/user/1' })).toBe('/x/y');
    expect(sandboxDir({ XDG_RUNTIME_DIR: '/run/user/1' })).toBe('/run/user/1/kardkit');
    expect(sandboxDir({})).toBe(join(tmpdir(), `kardkit-${process.getuid!()}`));
    expect(sandboxFile({ KARD_SANDBOX_DIR: '/x/y' })).toBe('/x/y/sandbox.json');
  });

  it('a sandbox started with announce is found while it runs (0600 file, 0700 dir) and forgotten on close', async () => {
    const env = envFor();
    const mock = await startMockKard({ announce: { env } });
    try {
      expect(mock.discoveryFile).toBe(sandboxFile(env));
      expect(statSync(sandboxFile(env)).mode & 0o777).toBe(0o600);
      expect(statSync(sandboxDir(env)).mode & 0o777).toBe(0o700);
      const d = await findSandbox(env);
      expect(d.found).toMatchObject({
        url: mock.url,
        pid: process.pid,
        clientId: mock.clientId,
        clientSecret: mock.clientSecret,
        organizationId: mock.organizationId,
        webhookSecret: mock.webhookSecret,
      });
    } finally {
      await mock.close();
    }
    expect(existsSync(sandboxFile(env))).toBe(false);
    expect((await findSandbox(env)).found).toBeUndefined();
  });

  it('without announce nothing is written', async () => {
    const env = envFor();
    const mock = await startMockKard({});
    await mock.close();
    expect(mock.discoveryFile).toBeUndefined();
    expect(existsSync(sandboxDir(env))).toBe(false);
  });

  it('a file whose process is gone is stale: ignored and removed', async () => {
    const env = envFor();
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => child.once('exit', r));
    const mock = await startMockKard({ announce: { env } });
    try {
      writeFileSync(sandboxFile(env), info({ pid: child.pid, url: mock.url }));
      const d = await findSandbox(env);
      expect(d.found).toBeUndefined();
      expect(d).toMatchObject({ stale: `process ${child.pid} is not running` });
      expect(existsSync(sandboxFile(env))).toBe(false);
    } finally {
      await mock.close();
    }
  });

  it('a live process whose URL does not answer as that sandbox is stale too', async () => {
    const env = envFor();
    // something else on the port: answers, but not as the announced process
    const other = createServer((_req, res) => res.end(JSON.stringify({ pid: 1 })));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const mock = await startMockKard({ announce: { env } });
      await mock.close();
      writeFileSync(sandboxFile(env), info({ url }));
      const d = await findSandbox(env);
      expect(d).toMatchObject({ found: undefined, stale: `${url} does not answer` });
      expect(existsSync(sandboxFile(env))).toBe(false);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('an unreadable file is stale; no file is simply nothing', async () => {
    const env = envFor();
    expect(await findSandbox(env)).toEqual({ found: undefined, file: sandboxFile(env) });
    const mock = await startMockKard({ announce: { env } });
    await mock.close();
    writeFileSync(sandboxFile(env), '{"url": 1}');
    expect(await findSandbox(env)).toMatchObject({ found: undefined, stale: 'unreadable' });
    expect(existsSync(sandboxFile(env))).toBe(false);
  });

  it('close() removes only its own announcement, not a newer sandbox’s', async () => {
    const env = envFor();
    const first = await startMockKard({ announce: { env } });
    const second = await startMockKard({ announce: { env } });
    await first.close();
    expect(JSON.parse(readFileSync(sandboxFile(env), 'utf8')).url).toBe(second.url);
    await second.close();
    expect(existsSync(sandboxFile(env))).toBe(false);
  });

  it('GET /__sandbox/health answers the pid without a token', async () => {
    const mock = await startMockKard({});
    try {
      const res = await fetch(`${mock.url}/__sandbox/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', pid: process.pid });
    } finally {
      await mock.close();
    }
  });
});
