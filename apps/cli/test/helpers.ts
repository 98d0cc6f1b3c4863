import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** An environment with nothing from the developer's machine: no credentials, a private config dir. */
export function cleanEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
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

export function start(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string },
): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: opts.env,
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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

/** A valid v2 `transaction` event (digest §3.2): SETTLED with both dates (R1, R2), 6-digit BIN (R4). */
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

/** A valid legacy incoming transaction (digest §3.5). */
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
