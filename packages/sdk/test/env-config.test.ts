import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KardClient, KardError } from '../src/index.js';
import { KardClient as LiteClient } from '../src/lite.js';

const VARS = [
  'KARD_CLIENT_ID',
  'KARD_CLIENT_SECRET',
  'KARD_ORGANIZATION_ID',
  'KARD_BASE_URL',
  'KARD_ENVIRONMENT',
];
const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
const setEnv = (vars: Partial<Record<(typeof VARS)[number], string>>) => {
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, vars);
};
afterEach(() => {
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

let mock: MockKard;
let deadUrl: string;
beforeAll(async () => {
  mock = await startMockKard({ port: 0 });
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  deadUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
});
afterAll(() => mock?.close());

const configOf = (k: unknown) => (k as { transport: { config: { baseUrl: string } } }).transport.config;
const fullEnv = () => ({
  KARD_CLIENT_ID: mock.clientId,
  KARD_CLIENT_SECRET: mock.clientSecret,
  KARD_ORGANIZATION_ID: mock.organizationId,
  KARD_BASE_URL: mock.url,
});

describe('configuration from the environment (@kardkit/sdk)', () => {
  it('new KardClient() with KARD_CLIENT_ID/SECRET, KARD_ORGANIZATION_ID and KARD_BASE_URL talks to that server', async () => {
    setEnv(fullEnv());
    const kard = new KardClient();
    expect(kard.organizationId).toBe(mock.organizationId);
    mock.requests.length = 0;
    await expect(kard.subscriptions.list()).resolves.toEqual({ data: [] });
    expect(mock.requests.map((r) => r.path)).toEqual([
      '/v2/auth/token',
      `/v2/issuers/${mock.organizationId}/subscriptions`,
    ]);
  });

  it('where there is no process (browsers, workers) the options are taken as given', () => {
    const saved = globalThis.process;
    Reflect.deleteProperty(globalThis, 'process');
    let client: KardClient;
    try {
      client = new KardClient({ clientId: 'id', clientSecret: 'secret', baseUrl: 'http://127.0.0.1:9' });
    } finally {
      globalThis.process = saved;
    }
    expect(client.context.organizationId).toBeUndefined();
  });

  it('explicit options win over every variable', async () => {
    setEnv({
      ...fullEnv(),
      KARD_ORGANIZATION_ID: 'org-from-env',
      KARD_BASE_URL: deadUrl,
      KARD_CLIENT_SECRET: 'wrong',
    });
    const kard = new KardClient({
      baseUrl: mock.url,
      organizationId: mock.organizationId,
      clientSecret: mock.clientSecret,
    });
    expect(kard.organizationId).toBe(mock.organizationId);
    await expect(kard.subscriptions.list()).resolves.toEqual({ data: [] });
    // An explicit environment wins over KARD_BASE_URL too.
    expect(configOf(new KardClient({ token: 't', environment: 'sandbox' })).baseUrl).toBe(
      'https://test-rewards-api.getkard.com',
    );
  });

  it('KARD_ENVIRONMENT picks the base URL when no KARD_BASE_URL is set; KARD_BASE_URL wins over it', () => {
    setEnv({ KARD_ENVIRONMENT: 'sandbox' });
    expect(configOf(new KardClient({ token: 't' })).baseUrl).toBe('https://test-rewards-api.getkard.com');
    setEnv({ KARD_ENVIRONMENT: 'sandbox', KARD_BASE_URL: `${mock.url}/` });
    expect(configOf(new KardClient({ token: 't' })).baseUrl).toBe(mock.url);
    setEnv({ KARD_ENVIRONMENT: '', KARD_BASE_URL: '', KARD_ORGANIZATION_ID: '' });
    const k = new KardClient({ token: 't' });
    expect(configOf(k).baseUrl).toBe('https://rewards-api.getkard.com'); // empty variables count as unset
    expect(k.organizationId).toBeUndefined();
  });

  it('an unknown environment, from the option or KARD_ENVIRONMENT, is a KardError naming where it came from', () => {
    setEnv({ KARD_ENVIRONMENT: 'staging' });
    expect(() => new KardClient({ token: 't' })).toThrow(KardError);
    expect(() => new KardClient({ token: 't' })).toThrow(
      `Unknown environment "staging" (KARD_ENVIRONMENT): use 'production' or 'sandbox'`,
    );
    expect(() => new KardClient({ token: 't', environment: 'toString' as never })).toThrow(
      `Unknown environment "toString" (option): use 'production' or 'sandbox'`,
    );
    // A baseUrl makes KARD_ENVIRONMENT irrelevant.
    expect(configOf(new KardClient({ token: 't', baseUrl: mock.url })).baseUrl).toBe(mock.url);
  });

  it('the lite entry reads only the credentials (organization and base URL are options there)', async () => {
    setEnv(fullEnv());
    const lite = new LiteClient({ baseUrl: mock.url });
    expect(lite.organizationId).toBeUndefined();
    expect(configOf(lite).baseUrl).toBe(mock.url);
    await expect(
      lite.subscriptions.list(undefined, { organizationId: mock.organizationId }),
    ).resolves.toEqual({
      data: [],
    });
    expect(configOf(new LiteClient({ token: 't' })).baseUrl).toBe('https://rewards-api.getkard.com');
    // Every trailing slash goes, so paths never start with '//'.
    expect(configOf(new LiteClient({ token: 't', baseUrl: 'http://127.0.0.1:9//' })).baseUrl).toBe(
      'http://127.0.0.1:9',
    );
  });
});
