// Kard deprecated the upload-session operations in favour of the bulk upload URL (R37,
// openapi/kard.yaml `deprecated: true`): the SDK says so once per process through its logger.
// The @deprecated tags of the types: deprecation-types.test.ts.
import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetDeprecationWarning } from '../src/core/operation.js';
import { KardClient } from '../src/index.js';
import { KardClient as LiteClient } from '../src/lite.js';
import { captureLogger, mockAndClient, mockConnection, txn } from './support.js';

describe('one deprecation warning per process through the logger', () => {
  let mock: MockKard;
  const cap = captureLogger();
  beforeAll(async () => {
    ({ mock } = await mockAndClient());
  });
  afterAll(() => mock?.close());
  beforeEach(() => {
    cap.lines.length = 0;
    resetDeprecationWarning();
  });
  const warnings = () => cap.lines.filter((l) => l.startsWith('warn') && l.includes('deprecated'));

  it('the first upload-session call warns once, naming the operation and its successor; later calls stay quiet', async () => {
    const kard = new KardClient({ ...mockConnection(mock), logger: cap.logger });
    const up = await kard.users.uploads.create('user-1', {
      data: { type: 'historicalTransactionStart', attributes: {} },
    });
    const uploadId = (up as { data: { id: string } }).data.id;
    await kard.users.uploads.createPart('user-1', uploadId, [
      { ...txn(), type: 'historicalTransaction' },
    ] as never);
    await kard.users.uploads.create('user-1', {} as never, { validate: false }).catch(() => undefined);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('kard.users.uploads.create is deprecated');
    expect(warnings()[0]).toContain('kard.transactions.createBulkUploadUrl');
    // A second client in the same process does not repeat it.
    const other = new KardClient({ ...mockConnection(mock), logger: cap.logger });
    await other.users.uploads.send('user-1', [{ ...txn(), type: 'historicalTransaction' }] as never);
    expect(warnings()).toHaveLength(1);
  });

  it('users.uploads.send warns too (it drives the same operations), and other calls never warn', async () => {
    const kard = new KardClient({ ...mockConnection(mock), logger: cap.logger });
    await kard.transactions.create([txn()]);
    await kard.transactions.uploadFile([txn()]);
    expect(warnings()).toEqual([]);
    await kard.users.uploads.send('user-1', [{ ...txn(), type: 'historicalTransaction' }] as never);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('kard.users.uploads.');
  });

  it('the lite client warns the same way; a client without a logger does not use up the warning', async () => {
    const quiet = new LiteClient(mockConnection(mock));
    await quiet.users.uploads.create('user-1', {
      data: { type: 'historicalTransactionStart', attributes: {} },
    });
    const lite = new LiteClient({ ...mockConnection(mock), logger: cap.logger });
    await lite.users.uploads.create('user-1', {
      data: { type: 'historicalTransactionStart', attributes: {} },
    });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('kard.users.uploads.create is deprecated');
  });
});
