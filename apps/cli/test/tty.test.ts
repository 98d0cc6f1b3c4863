import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, mockEnv, ndjson, tempDir, track, v2Event, waitFor } from './helpers.js';

let dir: string;
let cleanup: () => void;
let mock: MockKard;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  mock = await startMockKard({});
});
afterAll(async () => {
  await mock.close();
  cleanup();
});
afterEach(() => mock.faults.clear());

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the bin on a pseudo-terminal with util-linux `script` and returns what the screen got. */
function onTty(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; screen: string }> {
  const cmd = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = track(
    spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...env, TERM: 'xterm-256color' } }),
  );
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    screen += d;
  });
  child.stdin.end();
  return new Promise((res) => child.on('close', (code) => res({ code, screen })));
}

describe('on a terminal', () => {
  it('kard transactions send draws a progress bar (records/s, ETA) and colours the report', async () => {
    const file = join(dir, 'tty.ndjson');
    writeFileSync(file, ndjson(Array.from({ length: 600 }, (_, i) => v2Event(i))));
    mock.faults.set({ match: '/transactions', latencyMs: 120 });
    const env = cleanEnv(dir, mockEnv(mock));
    delete env.NO_COLOR;
    const { code, screen } = await onTty(
      ['transactions', 'send', file, '--batch-size', '50', '--concurrency', '1'],
      env,
    );
    expect(code).toBe(0);
    expect(screen).toMatch(/sending \[[#-]+\]\s+\d+%\s+\d+\/600 records\s+\d+ rec\/s\s+ETA \S+/);
    expect(screen).toContain('\r'); // redrawn in place
    expect(screen).toContain('\u001b[32m600\u001b[39m'); // accepted count in green
    expect(mock.stats().transactions.accepted).toBe(600);
  });

  it('NO_COLOR turns colour off even on a terminal; --no-progress hides the bar', async () => {
    const file = join(dir, 'tty2.ndjson');
    writeFileSync(file, ndjson([v2Event(1), JSON.parse(JSON.stringify(v2Event(2, { cardBIN: '1' })))]));
    const env = cleanEnv(dir, mockEnv(mock));
    const v = await onTty(['transactions', 'validate', file], env);
    expect(v.code).toBe(1);
    expect(v.screen).toMatch(/record 2 \(evt-2\): error \[R4\]/);
    expect(v.screen).not.toContain('\u001b[');
    const s = await onTty(['transactions', 'send', file, '--no-progress', '--resume'], env);
    expect(s.screen).not.toMatch(/rec\/s/);
  });
});

describe('kard configure on a terminal', () => {
  it('Ctrl-C at a prompt exits 130 and saves nothing', async () => {
    const env = cleanEnv(dir);
    const cmd = [process.execPath, BIN, 'configure'].map(quote).join(' ');
    // A pseudo-terminal, as a user has: the prompt's raw mode turns Ctrl-C into the byte 0x03.
    const child = track(spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...env, TERM: 'xterm' } }));
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
    });
    const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    await waitFor(() => screen.includes('Client id'), 'the first prompt');
    child.stdin.write('\u0003');
    const code = await closed;
    expect(code, screen).toBe(130);
    expect(screen).toContain('kard: interrupted; nothing was saved');
    expect(existsSync(join(dir, 'config', 'kard', 'config.json'))).toBe(false);
  });
});
