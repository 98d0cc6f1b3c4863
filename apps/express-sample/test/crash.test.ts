import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db.js';
import { migrate } from '../src/migrations.js';
import { enqueue } from '../src/outbox.js';
import {
  AUTH,
  NO_OFFER,
  SAMPLE_MAIN,
  type SampleProcess,
  startSampleProcess,
  txEvent,
  waitFor,
} from './helpers.js';

const MAIN = SAMPLE_MAIN;
const N = 500;

type Child = SampleProcess;

function startChild(mock: MockKard, dataDir: string): Child {
  return startSampleProcess(mock, dataDir, {
    FORWARDER_BATCH_SIZE: '100',
    // Longer than any send takes on a loaded machine, short enough for the restart to take over soon.
    FORWARDER_LEASE_MS: '10000',
    FORWARDER_POLL_MS: '50',
    FORWARDER_RETRY_BASE_MS: '20',
  });
}

async function stats(url: string): Promise<Record<string, number>> {
  return (await (await fetch(`${url}/outbox/stats`, { headers: AUTH })).json()) as Record<string, number>;
}

describe('forwarder process killed with SIGKILL mid-batch, then restarted', () => {
  let mock: MockKard;
  let dataDir: string;
  const children: Child[] = [];
  beforeAll(async () => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run "pnpm build" in apps/express-sample first`);
    mock = await startMockKard();
    dataDir = mkdtempSync(join(tmpdir(), 'kardkit-sample-crash-'));
  });
  afterEach(async () => {
    // Every child is gone before the next test or the cleanup, even when an assertion failed.
    await Promise.all(
      children.splice(0).map(async (c) => {
        if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
        await c.exited;
      }),
    );
  });
  afterAll(async () => {
    await mock?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every event, each counted once by Kard (file-backed PGlite outbox survives the kill)', async () => {
    const ids = Array.from({ length: N }, (_, i) => `evt-crash-${i}`);
    {
      // The outbox is filled before the forwarder process starts (as if POST /transactions had run).
      const db = await openDatabase({ dataDir });
      await migrate(db);
      const events = ids.map((id, i) => ({
        id,
        kind: 'v2' as const,
        payload: txEvent(id, { userId: 'crash-user', transactionId: `txn-crash-${i}`, merchant: NO_OFFER }),
        userId: 'crash-user',
        transactionId: `txn-crash-${i}`,
        eventStatus: 'APPROVED',
      }));
      expect((await enqueue(db, events)).queued).toHaveLength(N);
      await db.close();
    }

    // The first two requests to Kard are answered at once; the next ones are held for 10 s, so the
    // rest of the outbox is claimed and on the wire when the kill comes. (Kard still processes
    // those held requests after the kill, as a real server would: their answers are lost.)
    const held = Array.from({ length: 20 }, () => ({ latencyMs: 10_000 }));
    mock.faults.set({ match: '/transactions', sequence: [{ latencyMs: 0 }, { latencyMs: 0 }, ...held] });
    const first = startChild(mock, dataDir);
    children.push(first);
    const firstUrl = await first.url;
    await waitFor('two batches accepted', () => mock.stats().transactions.received >= 200, 60_000);
    await waitFor(
      'more batches claimed and on the wire',
      async () => ((await stats(firstUrl)).sending ?? 0) > 0,
      60_000,
    );
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe(null); // killed by a signal, no exit code
    expect(mock.stats().transactions.received).toBeLessThan(N); // it really died mid-way

    mock.faults.set({ match: '/transactions', latencyMs: 20 });
    const second = startChild(mock, dataDir);
    children.push(second);
    const url = await second.url;
    await waitFor('every event delivered', () => ids.every((id) => mock.eventCount(id) === 1), 60_000);
    const drained = await waitFor('outbox drained', async () => {
      const s = await stats(url);
      return s.sent === N ? s : null;
    });
    expect(drained).toEqual({ pending: 0, sending: 0, sent: N, rejected: 0 });
    expect(ids.filter((id) => mock.eventCount(id) !== 1)).toEqual([]);
    expect(mock.stats().transactions.accepted).toBe(N); // nothing counted twice
    // The batch that was in flight at the kill was claimed twice: once by each process.
    const reclaimed = await Promise.all(
      ids.map(
        async (id) =>
          ((await (await fetch(`${url}/outbox/${id}`, { headers: AUTH })).json()) as { attempts: number })
            .attempts,
      ),
    );
    expect(Math.max(...reclaimed)).toBeGreaterThanOrEqual(2);

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0); // graceful shutdown
  }, 240_000); // two processes start and a lease expires: the longest test of the package
});

describe('dist/main.js start-up', () => {
  it('exits 2 naming every missing variable (and no secret) when the configuration is incomplete', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        KARD_CLIENT_ID: 'id',
        KARD_CLIENT_SECRET: 'shh-do-not-print',
        PORT: '99999',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('KARD_ORGANIZATION_ID is missing');
    expect(run.stderr).toContain('KARD_WEBHOOK_SECRET is missing');
    expect(run.stderr).toContain('KARD_BASE_URL or KARD_ENVIRONMENT');
    expect(run.stderr).toContain('PORT must be an integer');
    expect(run.stderr).not.toContain('shh-do-not-print');
  });
});
