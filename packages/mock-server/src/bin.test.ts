import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The bin is tested as built (turbo runs `build` before `test`).
const bin = join(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js');
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
      env: { ...process.env, ...env },
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

  it('rejects an invalid port', async () => {
    await expect(start(['--port', 'abc'])).rejects.toThrow(/exited with 2/);
  });
});
