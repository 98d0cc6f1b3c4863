import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDeadlines } from '../src/core/deadlines.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `body` in a fresh node with KardClient from the built lite entry; returns what it printed. */
function runBuilt(body: string): string {
  const lite = fileURLToPath(new URL('../dist/lite.js', import.meta.url));
  const script = `const { KardClient } = await import(${JSON.stringify(lite)});\n${body}`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  }).trim();
}

describe('Deadlines (per-attempt timeouts on one timer per client)', () => {
  it('fires each deadline once it has passed, earliest first, also when a shorter one is added later', async () => {
    const d = createDeadlines();
    const fired: string[] = [];
    d.add(120, () => fired.push('long'));
    d.add(30, () => fired.push('short')); // earlier than the armed deadline: the timer is re-armed
    await sleep(70);
    expect(fired).toEqual(['short']);
    await sleep(100);
    expect(fired).toEqual(['short', 'long']);
  });

  it('a cleared deadline never fires, and the others still do', async () => {
    const d = createDeadlines();
    const fired: string[] = [];
    const a = d.add(20, () => fired.push('a'));
    d.add(40, () => fired.push('b'));
    d.clear(a);
    await sleep(80);
    expect(fired).toEqual(['b']);
  });

  it('a pending attempt keeps node alive until its timeout fires (built client, a fetch that never answers)', () => {
    const out = runBuilt(`
      const kard = new KardClient({ token: 't', baseUrl: 'http://127.0.0.1:9', timeoutMs: 200, maxRetries: 0,
        fetch: () => new Promise(() => {}) });
      await kard.ping().catch((e) => console.log(e.name));`);
    // Were the timer unreferenced while the attempt is pending, node would exit with nothing printed.
    expect(out).toBe('KardTimeoutError');
  });

  it('a built client with a 10-minute timeout lets node exit as soon as its call is done', () => {
    const out = runBuilt(`
      const kard = new KardClient({ token: 't', baseUrl: 'http://127.0.0.1:9', timeoutMs: 600000,
        fetch: async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }) });
      await kard.ping();
      console.log('done');`);
    // Were the timer left referenced, node would wait the full 10 minutes and the 30 s limit would kill it.
    expect(out).toBe('done');
  });
});
