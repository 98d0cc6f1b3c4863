import { type MockKard, type MockKardOptions, startMockKard } from '@kardkit/mock-server';
import { afterAll, beforeEach } from 'vitest';
import { KardClient, type KardClientOptions, type TransactionEvent } from '../src/index.js';

export async function mockAndClient(
  mockOptions: MockKardOptions = {},
  clientOptions: KardClientOptions = {},
): Promise<{ mock: MockKard; kard: KardClient }> {
  const mock = await startMockKard({ port: 0, ...mockOptions });
  try {
    return { mock, kard: new KardClient({ ...mockConnection(mock), ...clientOptions }) };
  } catch (err) {
    await mock.close(); // a client that cannot be built must not leave the server running
    throw err;
  }
}

/** Client options that point at `mock` with its credentials (for any client: src, lite or dist). */
export function mockConnection(mock: MockKard) {
  return {
    baseUrl: mock.url,
    organizationId: mock.organizationId,
    clientId: mock.clientId,
    clientSecret: mock.clientSecret,
  };
}

let seq = 0;
/** A valid `transaction` event (SETTLED) with a unique event id. */
export function txn(
  over: Record<string, unknown> = {},
  id = `evt-${process.pid}-${++seq}`,
): TransactionEvent & { id: string } {
  return {
    type: 'transaction' as const,
    id,
    attributes: {
      userId: 'user-1',
      amount: 2599,
      subtotal: 2300,
      status: 'SETTLED',
      currency: 'USD',
      description: 'Corner Hardware',
      mcc: '5251',
      authorizationDate: '2024-05-01T10:00:00Z',
      settledDate: '2024-05-02T10:00:00Z',
      merchant: { id: '123456789012345', name: 'Corner Hardware', addrState: 'NY', addrCity: 'New York' },
      cardBIN: '411111',
      cardLastFour: '1234',
      direction: 'DEBIT',
      paymentType: 'CARD',
      cardNetwork: 'VISA',
      transactionId: `txn-${id}`,
      ...over,
    },
  } as TransactionEvent & { id: string };
}

/** Collects every log line (message + JSON meta) for redaction checks. */
export function captureLogger() {
  const lines: string[] = [];
  const put = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
  };
  return {
    lines,
    logger: { debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') },
  };
}

const KARD_VARS = [
  'KARD_CLIENT_ID',
  'KARD_CLIENT_SECRET',
  'KARD_ORGANIZATION_ID',
  'KARD_BASE_URL',
  'KARD_ENVIRONMENT',
];

/** For suites that define what the environment holds: the KARD_* variables the shell exported are set
 *  aside before each test and put back after the suite. */
export function isolateKardEnv(): void {
  const exported = Object.fromEntries(KARD_VARS.map((k) => [k, process.env[k]]));
  beforeEach(() => {
    for (const k of KARD_VARS) delete process.env[k];
  });
  afterAll(() => {
    for (const k of KARD_VARS) if (exported[k] !== undefined) process.env[k] = exported[k];
  });
}
