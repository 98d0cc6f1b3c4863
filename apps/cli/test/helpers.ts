import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type MockKard, type MockKardOptions, startMockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { run as runCli } from '../src/cli.js';
import type { Io } from '../src/output.js';

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/bin.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kard-cli-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An environment with nothing from the developer's machine: no credentials, a private config dir and
 * a private sandbox discovery dir (a `kard mock` the test starts is found only by that test).
 */
export function cleanEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    KARD_SANDBOX_DIR: join(dir, 'sandbox-run'),
    NO_COLOR: '1',
    ...extra,
  };
}

export function mockEnv(mock: {
  url: string;
  clientId: string;
  clientSecret: string;
  organizationId: string;
}) {
  return {
    KARD_BASE_URL: mock.url,
    KARD_CLIENT_ID: mock.clientId,
    KARD_CLIENT_SECRET: mock.clientSecret,
    KARD_ORGANIZATION_ID: mock.organizationId,
  };
}

/** Every child process a test started and that has not closed yet; stopChildren() ends them. */
const live = new Set<ChildProcess>();

/** Registers a child so that the afterEach of test/setup.ts stops it, even when an assertion fails. */
export function track<C extends ChildProcess>(child: C): C {
  live.add(child);
  child.once('close', () => live.delete(child));
  return child;
}

/** SIGKILLs every tracked child still running and waits (≤ 10 s each) until it has closed. */
export async function stopChildren(): Promise<void> {
  const children = [...live];
  live.clear();
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((res) => {
          const timer = setTimeout(res, 10_000);
          child.once('close', () => {
            clearTimeout(timer);
            res();
          });
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          else if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) {
            clearTimeout(timer);
            res();
          }
        }),
    ),
  );
}

/**
 * Waits until `cond()` holds, checking every `intervalMs`; fails with `what` after `timeoutMs`
 * (a ceiling generous enough for a loaded two-core machine, never a fixed delay).
 */
export async function waitFor(
  cond: () => boolean,
  what: string,
  { timeoutMs = 60_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function start(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string },
): ChildProcess {
  const child = track(
    spawn(process.execPath, [BIN, ...args], {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  return child;
}

export function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
}

export function run(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string },
): Promise<RunResult> {
  return collect(start(args, opts));
}

/**
 * Runs the CLI in this process (src/cli.ts `run`) with captured stdout/stderr: fast, and the only
 * way the mutation tests reach the code. File arguments must be absolute (no cwd of its own).
 */
export async function runIn(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; input?: string | Buffer; stdoutTTY?: boolean; stderrTTY?: boolean },
): Promise<Omit<RunResult, 'signal'>> {
  const { stdout, stderr, out, err } = capturedOutput();
  const stdin = Readable.from(opts.input === undefined ? [] : [Buffer.from(opts.input)]);
  const io: Io = {
    stdout: Object.assign(stdout, { isTTY: opts.stdoutTTY ?? false }),
    stderr: Object.assign(stderr, { isTTY: opts.stderrTTY ?? false, columns: 200 }),
    stdin,
    env: { KARD_NO_GC: '1', ...opts.env },
  };
  const code = await runCli(args, io);
  return { code, stdout: out(), stderr: err() };
}

/** Two streams for a command's stdout and stderr, and what has been written to each so far. */
export function capturedOutput() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let outText = '';
  let errText = '';
  stdout.setEncoding('utf8').on('data', (d: string) => {
    outText += d;
  });
  stderr.setEncoding('utf8').on('data', (d: string) => {
    errText += d;
  });
  return { stdout, stderr, out: () => outText, err: () => errText };
}

/** A valid v2 `transaction` event (openapi/kard.yaml schema `Transaction`): SETTLED with both dates (R1, R2), 6-digit BIN (R4). */
export function v2Event(i: number, attrs: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'transaction',
    id: `evt-${i}`,
    attributes: {
      userId: `user-${i % 7}`,
      transactionId: `txn-${i}`,
      amount: 1000 + i,
      status: 'SETTLED',
      currency: 'USD',
      description: 'Corner Store',
      mcc: '5411',
      cardBIN: '411111',
      cardLastFour: '1234',
      direction: 'DEBIT',
      paymentType: 'CARD',
      authorizationDate: '2025-01-01T10:00:00Z',
      settledDate: '2025-01-02T10:00:00Z',
      ...attrs,
    },
  };
}

/** A valid legacy incoming transaction (openapi/kard.yaml schema `IncomingTransactionRequest`, operation `legacy.transactions.createIncoming`). */
export function legacyRecord(i: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transactionId: `ltxn-${i}`,
    referringPartnerUserId: `user-${i % 5}`,
    amount: 2500 + i,
    status: 'SETTLED',
    currency: 'USD',
    description: 'Corner Store',
    mcc: '5411',
    cardBIN: '411111',
    cardLastFour: '1234',
    authorizationDate: '2025-01-01T10:00:00Z',
    settledDate: '2025-01-02T10:00:00Z',
    ...fields,
  };
}

export const ndjson = (records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** v2Event as a record read from a file: keys set to undefined are left out. */
export const fileEvent = (i: number, attrs: Record<string, unknown> = {}): Record<string, unknown> =>
  JSON.parse(JSON.stringify(v2Event(i, attrs)));

/** The integers from `a` up to `b` (excluded). */
export const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/** A function that writes records as NDJSON to a new numbered file `<prefix><n>.<ext>` in `dir()`. */
export function fileWriter(dir: () => string, prefix: string): (records: unknown[], ext?: string) => string {
  let seq = 0;
  return (records, ext = 'ndjson') => {
    const path = join(dir(), `${prefix}${++seq}.${ext}`);
    writeFileSync(path, ndjson(records));
    return path;
  };
}

export interface JsonReport {
  valid: number;
  invalid: number;
  warnings: number;
  issues: {
    record: number;
    id: string | null;
    path: string;
    rule: string | null;
    severity: string;
    message: string;
  }[];
}

/** What `useMockSandbox` hands to the suite once its `beforeAll` ran. */
export interface MockSandbox {
  dir: string;
  mock: MockKard;
  env: NodeJS.ProcessEnv;
}

/**
 * The set-up most CLI suites share: a temp dir, a mock Kard on loopback and an environment pointing
 * the CLI at both, made in `beforeAll` and undone in `afterAll` (faults and state cleared after each
 * test unless `resetAfterEach` is false). `ready` receives them for the suite's own variables.
 */
export function useMockSandbox(
  options: MockKardOptions,
  ready: (sandbox: MockSandbox) => void,
  { resetAfterEach = true }: { resetAfterEach?: boolean } = {},
): void {
  let cleanup = () => {};
  let mock: MockKard | undefined;
  beforeAll(async () => {
    const temp = tempDir();
    cleanup = temp.cleanup;
    mock = await startMockKard(options);
    ready({ dir: temp.dir, mock, env: cleanEnv(temp.dir, mockEnv(mock)) });
  });
  afterAll(async () => {
    await mock?.close();
    cleanup();
  });
  if (resetAfterEach) {
    afterEach(() => {
      mock?.faults.clear();
      mock?.reset();
    });
  }
}
