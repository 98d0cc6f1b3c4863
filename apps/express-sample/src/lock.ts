/**
 * One process per embedded database. PGlite keeps its files in PGLITE_DATA_DIR and has no locking
 * of its own: two processes writing one directory corrupt it. Before opening it, the sample takes
 * a lock beside it (`<dir>.lock/`) with proper-lockfile (an atomic mkdir whose mtime the holder
 * refreshes), and records its pid there, so that a second process can say who holds it.
 *
 * A holder that crashed (kill -9) leaves the lock behind. It is taken over:
 *   - at once, when the recorded pid is dead on this host;
 *   - otherwise (pid unknown, or another host on a shared file system) once proper-lockfile deems it
 *     stale: nobody refreshed it for `staleMs`.
 * Taking the lock, taking a dead holder's lock over and recording the owner all happen under a
 * second, short-lived lock (the gate), so two processes starting together cannot both win.
 * PostgreSQL (DATABASE_URL) needs none of this: any number of instances may share one database.
 */
import { mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';

export interface LockOwner {
  pid: number;
  hostname: string;
  since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner | null,
  ) {
    super(
      `PGLITE_DATA_DIR ${dir} is in use by ${owner ? `process ${owner.pid} on ${owner.hostname} (since ${owner.since})` : 'another process'}. ` +
        'PGlite allows one process per directory: stop that process, give this one another PGLITE_DATA_DIR, ' +
        'or use DATABASE_URL (PostgreSQL) to run several instances on one outbox.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly dir: string;
  /** Releases the lock (after the database is closed). */
  release(): Promise<void>;
}

export interface LockOptions {
  /** A lock nobody refreshed for this long is stale (default 10 s; proper-lockfile's minimum is 2 s). */
  staleMs?: number;
  /** Called if the lock is lost while held (another process removed it): stop writing at once. */
  onCompromised?: (error: Error) => void;
  /** Told when the lock of a holder that did not release it (it crashed) is taken over. */
  onTakeover?: (previous: LockOwner) => void;
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.hostname === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** True when a process with this pid exists here (EPERM: it exists, run by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isLocked(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ELOCKED';
}

export async function lockDataDir(dataDir: string, options: LockOptions = {}): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  const base = `${dir}.lock`;
  const ownerFile = join(base, 'owner.json');
  mkdirSync(base, { recursive: true });
  const staleMs = options.staleMs ?? 10_000;
  const onCompromised =
    options.onCompromised ??
    ((error: Error) => {
      throw error;
    });
  const take = (name: 'held' | 'gate', retries = 0) =>
    // proper-lockfile keeps one lock per path: each lock gets its own (the directory; the gate's path).
    lockfile.lock(name === 'held' ? dir : join(base, name), {
      realpath: false,
      lockfilePath: join(base, name),
      stale: staleMs,
      retries: { retries, minTimeout: 50, maxTimeout: 200 },
      onCompromised: name === 'held' ? onCompromised : () => {},
    });

  // Every check-and-act on the lock (take it, take a dead holder's over, record the owner) happens
  // under a short-lived second lock, the gate, so two starting processes cannot both win.
  const releaseGate = await take('gate', Math.ceil((staleMs * 2) / 100)).catch((error: unknown) => {
    throw isLocked(error) ? new DataDirLockedError(dir, readOwner(ownerFile)) : error;
  });
  let release: () => Promise<void>;
  try {
    // A clean release removes the owner record: one still here belongs to a holder that crashed.
    const previous = readOwner(ownerFile);
    try {
      release = await take('held');
    } catch (error) {
      if (!isLocked(error)) throw error;
      const owner = readOwner(ownerFile);
      if (!owner || owner.hostname !== hostname() || alive(owner.pid)) {
        throw new DataDirLockedError(dir, owner);
      }
      // The recorded holder is dead (it crashed): its lock is taken over.
      rmSync(join(base, 'held'), { recursive: true, force: true });
      release = await take('held');
    }
    // Taken over, at once (dead pid) or because nobody refreshed the lock for staleMs: say whose.
    if (previous) options.onTakeover?.(previous);
    // The owner is recorded before the gate opens, atomically (rename): a reader sees a whole record.
    const me: LockOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
    const tmp = `${ownerFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(me)}\n`);
    renameSync(tmp, ownerFile);
  } finally {
    await releaseGate().catch(() => {});
  }

  let released: Promise<void> | null = null;
  return {
    dir,
    release() {
      released ??= (async () => {
        if (readOwner(ownerFile)?.pid === process.pid) rmSync(ownerFile, { force: true });
        await release().catch(() => {});
        try {
          rmdirSync(base); // only when nothing else is in it
        } catch {}
      })();
      return released;
    },
  };
}
