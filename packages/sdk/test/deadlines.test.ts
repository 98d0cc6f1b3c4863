import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeadlines } from '../src/core/deadlines.js';

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
  // The deadlines read Date.now() and arm setTimeout: a fake clock drives both, so each check runs at
  // an exact instant instead of after a real wait.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires each deadline once it has passed, earliest first, also when a shorter one is added later', () => {
    const d = createDeadlines();
    const fired: string[] = [];
    d.add(120, () => fired.push('long'));
    d.add(30, () => fired.push('short')); // earlier than the armed deadline: the timer is re-armed
    vi.advanceTimersByTime(29);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['short']);
    vi.advanceTimersByTime(89);
    expect(fired).toEqual(['short']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['short', 'long']);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(['short', 'long']); // each fires once
  });

  it('deadlines added later than the armed one fire in turn, and one that came due together fire together', () => {
    const d = createDeadlines();
    const fired: string[] = [];
    d.add(10, () => fired.push('a'));
    d.add(50, () => fired.push('c'));
    d.add(20, () => fired.push('b'));
    d.add(50, () => fired.push('d'));
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['a', 'b']);
    vi.advanceTimersByTime(29);
    expect(fired).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a cleared deadline never fires, and the others still do', () => {
    const d = createDeadlines();
    const fired: string[] = [];
    const a = d.add(20, () => fired.push('a'));
    d.add(40, () => fired.push('b'));
    d.clear(a);
    vi.advanceTimersByTime(39);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['b']);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(['b']);
  });

  it('a wait longer than setTimeout allows (2^31-1 ms) still fires at its deadline, not early', () => {
    const d = createDeadlines();
    const fired: string[] = [];
    const long = 2 ** 31 + 5_000;
    d.add(long, () => fired.push('far'));
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toEqual([]); // the timer fired early and was re-armed
    vi.advanceTimersByTime(long - (2 ** 31 - 1) - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['far']);
  });
});

describe('Deadlines in a built client (child node processes)', () => {
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
