import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// The bin is tested as built (turbo runs `build` before `test`).
const bin = join(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js');
// Every run announces itself in a private discovery dir, never the real per-user one.
const runDir = mkdtempSync(join(tmpdir(), 'kard-mock-bin-'));
const sandboxDir = join(runDir, 'sandbox');
afterAll(() => rmSync(runDir, { recursive: true, force: true }));
let child: ChildProcess | undefined;
afterEach(async () => {
  const c = child;
  child = undefined;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((resolve) => c.once('exit', resolve));
  c.kill('SIGTERM');
  await exited;
});

function start(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, KARD_SANDBOX_DIR: sandboxDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C')) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`kard-mock exited with ${code}: ${out}`)));
  });
}

describe('kard-mock bin', () => {
  it('is built', () => {
    expect(existsSync(bin)).toBe(true);
  });

  it('prints url, organization id, client credentials and webhook secret, and serves them', async () => {
    const out = await start(['--port', '0', '--organization-id', 'org-cli', '--client-secret', 'cli-secret']);
    const url = /KARD_BASE_URL=(\S+)/.exec(out)![1]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toMatch(/KARD_ORGANIZATION_ID=org-cli/);
    expect(out).toMatch(/KARD_CLIENT_ID=mock-client-id/);
    expect(out).toMatch(/KARD_WEBHOOK_SECRET=\S+/);
    const tok = await fetch(`${url}/v2/auth/token`, {
      method: 'POST',
      body: JSON.stringify({ client_id: 'mock-client-id', client_secret: 'cli-secret' }),
    });
    expect(tok.status).toBe(200);
    expect((await fetch(`${url}/v2/ping`)).status).toBe(200);
  });

  it('takes the port from KARD_MOCK_PORT and stops on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const out = await start([], { KARD_MOCK_PORT: String(port) });
    expect(out).toContain(`http://127.0.0.1:${port}`);
    const exited = new Promise<string>((r) => child!.once('exit', (code, sig) => r(`${code}/${sig}`)));
    child!.kill('SIGTERM');
    expect(await exited).toBe('0/null');
  });

  it('Ctrl-C (SIGINT) exits 130, after saving --state and removing its discovery file', async () => {
    const state = join(runDir, 'state.json');
    const out = await start(['--port', '0', '--state', state]);
    const url = /KARD_BASE_URL=(\S+)/.exec(out)![1]!;
    const announced = JSON.parse(readFileSync(join(sandboxDir, 'sandbox.json'), 'utf8'));
    expect(announced).toMatchObject({ url, pid: child!.pid });
    expect(statSync(join(sandboxDir, 'sandbox.json')).mode & 0o777).toBe(0o600);
    const exited = new Promise<string>((r) => child!.once('exit', (code, sig) => r(`${code}/${sig}`)));
    child!.kill('SIGINT');
    expect(await exited).toBe('130/null');
    expect(existsSync(join(sandboxDir, 'sandbox.json'))).toBe(false);
    expect(JSON.parse(readFileSync(state, 'utf8')).version).toBe(1);
  });

  it('an unknown flag is one line naming it with the nearest known one, exit 2, no stack trace', async () => {
    const c = spawn(process.execPath, [bin, '--prot', '1'], {
      env: { ...process.env, KARD_SANDBOX_DIR: sandboxDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    let err = '';
    c.stderr!.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((r) => c.once('close', r));
    expect(code).toBe(2);
    expect(err).toBe("kard-mock: unknown option '--prot'; did you mean --port? (see kard-mock --help)\n");
  });

  it('rejects an invalid port', async () => {
    await expect(start(['--port', 'abc'])).rejects.toThrow(/exited with 2/);
  });
});
