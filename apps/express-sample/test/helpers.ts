import { type ChildProcess, spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { hashKey } from '../src/auth.js';
import type { SampleConfig } from '../src/config.js';
import { createKardClient, type RunningSample, startSample } from '../src/sample.js';

/** A merchant from the mock's catalog (matched by case-insensitive substring of the description). */
export const MERCHANT = 'Bean & Leaf Coffee';
/** A merchant with no offer: transactions there earn nothing (keeps bulk tests free of webhooks). */
export const NO_OFFER = 'Ironclad Hardware Depot';

/** The API key every test request sends (SAMPLE_API_KEYS of the sample under test). */
export const TEST_API_KEY = 'test-key-0123456789abcdef';
/** `Authorization: Bearer <TEST_API_KEY>`, for tests that call fetch themselves. */
export const AUTH = { authorization: `Bearer ${TEST_API_KEY}` } as const;

export function sampleConfig(mock: MockKard, overrides: Partial<SampleConfig> = {}): SampleConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    kard: {
      baseUrl: mock.url,
      clientId: mock.clientId,
      clientSecret: mock.clientSecret,
      organizationId: mock.organizationId,
      timeoutMs: 5000,
      maxRetries: 2,
    },
    webhookSecret: mock.webhookSecret,
    auth: { mode: 'keys', keyHashes: [hashKey(TEST_API_KEY)] },
    logLevel: 'info',
    forwarder: { pollMs: 50, sweepMs: 100, retryBaseMs: 20, maxRetryDelayMs: 200, leaseMs: 10_000 },
    ...overrides,
  };
}

/** Collects every log line so tests can assert on (the absence of) secrets. */
export function logSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

export interface Harness {
  mock: MockKard;
  sample: RunningSample;
  logs: string[];
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<SampleConfig> = {}): Promise<Harness> {
  const mock = await startMockKard();
  const sink = logSink();
  const config = sampleConfig(mock, overrides);
  let sample: RunningSample | undefined;
  try {
    sample = await startSample(config, { logDestination: sink.stream });
    await subscribe(config, `${sample.url}/webhooks/kard`);
  } catch (error) {
    // Nothing started here outlives a failed start.
    await sample?.close().catch(() => {});
    await mock.close();
    throw error;
  }
  return {
    mock,
    sample,
    logs: sink.lines,
    async close() {
      await sample.close();
      await mock.close();
    },
  };
}

export interface TxOptions {
  userId: string;
  transactionId: string;
  status?: 'APPROVED' | 'SETTLED';
  amount?: number;
  merchant?: string;
}

/** A valid v2 `transaction` event (openapi/kard.yaml: TransactionEvent; R1 authorizationDate, R2 settledDate). */
export function txEvent(id: string, o: TxOptions): Record<string, unknown> {
  const status = o.status ?? 'APPROVED';
  return {
    type: 'transaction',
    id,
    attributes: {
      userId: o.userId,
      transactionId: o.transactionId,
      amount: o.amount ?? 1250,
      currency: 'USD',
      status,
      description: o.merchant ?? MERCHANT,
      merchant: { name: o.merchant ?? MERCHANT, id: '123456789012345' },
      mcc: '5814',
      cardBIN: '411111',
      cardLastFour: '4242',
      cardNetwork: 'VISA',
      direction: 'DEBIT',
      paymentType: 'CARD',
      authorizationDate: '2026-11-20T10:00:00Z',
      ...(status === 'SETTLED' ? { settledDate: '2026-11-21T10:00:00Z' } : {}),
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely
export type Loose = Record<string, any>;

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json as Loose };
}

export async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: { ...AUTH, ...headers } });
  return { status: res.status, body: (await res.json()) as Loose };
}

/**
 * Polls `check` until it returns a truthy value or the time is up (then throws with `what`). The
 * default ceiling is generous: it only bounds a hang on a loaded machine, nothing waits that long.
 * Mutation runs set a shorter default (KARDKIT_TEST_WAIT_MS, vitest.mutation.config.ts): a mutant
 * that stops the forwarder would otherwise hold the run for the whole minute.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = Number(process.env.KARDKIT_TEST_WAIT_MS) || 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function enroll(sampleUrl: string, id: string, email?: string) {
  const res = await post(`${sampleUrl}/users`, { id, ...(email ? { email } : {}) });
  if (res.status !== 201) throw new Error(`enroll failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Subscribes `webhookUrl` to the earned-reward notifications, as an issuer does once (openapi/kard.yaml: CreateSubscriptionsRequest). */
export async function subscribe(config: SampleConfig, webhookUrl: string): Promise<void> {
  const client = createKardClient(config);
  await client.subscriptions.create({
    data: ['earnedRewardApproved', 'earnedRewardSettled'].map((eventName) => ({
      type: 'subscription',
      attributes: { eventName, webhookUrl, enabled: true },
    })),
  } as never);
}

/** The built sample's entry point, as `node dist/main.js` runs it in production. */
export const SAMPLE_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** A sample started as a process of its own (tests that kill, restart or double-start it). */
export interface SampleProcess {
  proc: ChildProcess;
  /** Resolves with the base URL once listening; rejects if the process exits first. */
  url: Promise<string>;
  exited: Promise<number | null>;
  output: string[];
}

/** Starts `dist/main.js` against `mock` on `dataDir` (PGlite), with the test API key and `env` added. */
export function startSampleProcess(
  mock: MockKard,
  dataDir: string,
  env: Record<string, string>,
): SampleProcess {
  const proc = spawn(process.execPath, [SAMPLE_MAIN], {
    env: {
      PATH: process.env.PATH,
      KARD_BASE_URL: mock.url,
      KARD_CLIENT_ID: mock.clientId,
      KARD_CLIENT_SECRET: mock.clientSecret,
      KARD_ORGANIZATION_ID: mock.organizationId,
      KARD_WEBHOOK_SECRET: mock.webhookSecret,
      SAMPLE_API_KEYS: TEST_API_KEY,
      PGLITE_DATA_DIR: dataDir,
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        output.push(line);
        if (line.includes('express-sample listening')) resolve(`http://127.0.0.1:${JSON.parse(line).port}`);
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => output.push(String(chunk)));
    proc.on('exit', () => reject(new Error(`exited before listening:\n${output.join('\n')}`)));
  });
  url.catch(() => {});
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, url, exited, output };
}
