import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../src/lock.js';
import { AUTH, NO_OFFER, SAMPLE_MAIN, type SampleProcess, startSampleProcess, txEvent } from './helpers.js';

const MAIN = SAMPLE_MAIN;

type Child = SampleProcess;

const children: Child[] = [];

function start(mock: MockKard, dataDir: string): Child {
  // The forwarder stays off: events stay in the outbox, where the test counts them.
  const child = startSampleProcess(mock, dataDir, { FORWARDER_ENABLED: 'false' });
  children.push(child);
  return child;
}

async function postEvents(url: string, ids: string[]) {
  const res = await fetch(`${url}/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH },
    body: JSON.stringify(
      ids.map((id) => txEvent(id, { userId: 'lock-user', transactionId: id, merchant: NO_OFFER })),
    ),
  });
  expect(res.status).toBe(202);
}

async function pending(url: string): Promise<number> {
  const res = await fetch(`${url}/outbox/stats`, { headers: AUTH });
  return ((await res.json()) as { pending: number }).pending;
}

describe('one process per PGLITE_DATA_DIR (processes)', () => {
  let mock: MockKard;
  let root: string;
  beforeAll(async () => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run "pnpm build" in apps/express-sample first`);
    mock = await startMockKard();
    root = mkdtempSync(join(tmpdir(), 'kardkit-sample-lock-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.proc.kill('SIGKILL');
        await c.exited;
      }
    }
  });
  afterAll(async () => {
    await mock?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a second process on the same directory exits at once, non-zero, naming the directory and the holder; nothing is lost', async () => {
    const dir = join(root, 'two');
    const first = start(mock, dir);
    const url = await first.url;
    await postEvents(url, ['evt-lock-1', 'evt-lock-2', 'evt-lock-3']);

    const second = start(mock, dir);
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const said = second.output.join('\n');
    expect(said).toContain(`PGLITE_DATA_DIR ${dir} is in use by process ${first.proc.pid}`);
    expect(said).toContain('DATABASE_URL');

    // The first one never noticed: it still serves and stores.
    await postEvents(url, ['evt-lock-4']);
    expect(await pending(url)).toBe(4);
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(`${dir}.lock`)).toBe(false); // released on a clean stop

    const third = start(mock, dir);
    expect(await pending(await third.url)).toBe(4);
    third.proc.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 120_000);

  it('the lock of a process killed with SIGKILL is taken over by the next start, with its data', async () => {
    const dir = join(root, 'stale');
    const first = start(mock, dir);
    const url = await first.url;
    await postEvents(url, ['evt-stale-1', 'evt-stale-2']);
    const owner = JSON.parse(readFileSync(join(`${dir}.lock`, 'owner.json'), 'utf8'));
    expect(owner).toMatchObject({ pid: first.proc.pid, hostname: hostname() });
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(existsSync(join(`${dir}.lock`, 'held'))).toBe(true); // left behind by the crash

    const second = start(mock, dir);
    const url2 = await second.url;
    expect(await pending(url2)).toBe(2);
    const takeover = second.output.find((l) => l.includes('took over the data directory lock'));
    expect(JSON.parse(takeover as string)).toMatchObject({ previousPid: first.proc.pid });
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});

describe('lockDataDir (in process)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kardkit-lock-unit-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** A pid that certainly belongs to no process now: a child that has exited. */
  const deadPid = () => spawnSync(process.execPath, ['-e', 'process.pid'], { timeout: 10_000 }).pid;

  const fakeHolder = (dir: string, owner: Record<string, unknown> | null) => {
    mkdirSync(join(`${dir}.lock`, 'held'), { recursive: true });
    if (owner) writeFileSync(join(`${dir}.lock`, 'owner.json'), JSON.stringify(owner));
  };

  it('refuses a directory this process already holds, naming the pid, and allows it again after release', async () => {
    const dir = join(root, 'self');
    const lock = await lockDataDir(dir);
    const error = await lockDataDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).owner?.pid).toBe(process.pid);
    expect((error as Error).message).toContain(`process ${process.pid} on ${hostname()}`);
    await lock.release();
    await lock.release(); // idempotent
    expect(existsSync(`${dir}.lock`)).toBe(false);
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('takes over a fresh lock whose recorded holder is dead on this host, and says whose', async () => {
    const dir = join(root, 'dead');
    const pid = deadPid();
    fakeHolder(dir, { pid, hostname: hostname(), since: '2026-01-01T00:00:00.000Z' });
    const seen: number[] = [];
    const lock = await lockDataDir(dir, { onTakeover: (previous) => seen.push(previous.pid) });
    expect(seen).toEqual([pid]);
    expect(JSON.parse(readFileSync(join(`${dir}.lock`, 'owner.json'), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('does not take over a fresh lock held from another host, or by an unknown holder', async () => {
    const other = join(root, 'other-host');
    fakeHolder(other, { pid: deadPid(), hostname: `not-${hostname()}`, since: '2026-01-01T00:00:00.000Z' });
    await expect(lockDataDir(other)).rejects.toThrow(/in use by process \d+ on not-/);
    const unknown = join(root, 'unknown');
    fakeHolder(unknown, null);
    await expect(lockDataDir(unknown)).rejects.toThrow(
      `PGLITE_DATA_DIR ${unknown} is in use by another process`,
    );
  });

  it('takes over a lock nobody refreshed for staleMs (even with no owner recorded, or one on another host)', async () => {
    const { utimesSync } = await import('node:fs');
    const age = (dir: string) => {
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(`${dir}.lock`, 'held'), old, old);
    };
    const bare = join(root, 'stale');
    fakeHolder(bare, null);
    age(bare);
    const seen: number[] = [];
    const lock = await lockDataDir(bare, { staleMs: 10_000, onTakeover: (p) => seen.push(p.pid) });
    await lock.release();
    expect(seen).toEqual([]); // nobody to name
    const remote = join(root, 'stale-remote');
    fakeHolder(remote, { pid: 4242, hostname: `not-${hostname()}`, since: '2026-01-01T00:00:00.000Z' });
    age(remote);
    const lock2 = await lockDataDir(remote, { staleMs: 10_000, onTakeover: (p) => seen.push(p.pid) });
    await lock2.release();
    expect(seen).toEqual([4242]);
  });
});
