// How other tools find a running sandbox: while `kard mock` or `kard-mock` runs, it writes
// sandbox.json (url, pid, credentials; mode 0600) into a per-user directory and removes it on exit.
// A file whose process is gone, or whose URL does not answer as that sandbox, is stale: it is
// ignored and removed.
import { lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from './state.js';

export interface SandboxInfo {
  url: string;
  pid: number;
  organizationId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  startedAt: string;
  stateFile?: string;
}

const uid = () => (typeof process.getuid === 'function' ? process.getuid() : undefined);

/**
 * The per-user directory: `$KARD_SANDBOX_DIR`, else `$XDG_RUNTIME_DIR/kardkit`, else
 * `<os tmpdir>/kardkit-<uid>`.
 */
export function sandboxDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KARD_SANDBOX_DIR) return env.KARD_SANDBOX_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'kardkit');
  return join(tmpdir(), `kardkit-${uid() ?? 'user'}`);
}

export const sandboxFile = (env: NodeJS.ProcessEnv = process.env) => join(sandboxDir(env), 'sandbox.json');

/** Creates the directory (0700) and refuses one that is a symlink or belongs to someone else. */
function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const me = uid();
  if (!st.isDirectory() || (me !== undefined && st.uid !== me))
    throw new Error(`${dir} is not a directory of this user; set KARD_SANDBOX_DIR to a private directory`);
}

/** Writes the discovery file; returns a function removing it (only while it is still ours). */
export function announceSandbox(info: SandboxInfo, env: NodeJS.ProcessEnv = process.env): () => void {
  const file = sandboxFile(env);
  ensurePrivateDir(sandboxDir(env));
  writeAtomic(file, `${JSON.stringify(info, null, 2)}\n`);
  return () => {
    const current = readInfo(file);
    if (current && current.pid === info.pid && current.url === info.url) rmSync(file, { force: true });
  };
}

function readInfo(file: string): SandboxInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxInfo>;
    if (
      typeof v.url === 'string' &&
      typeof v.pid === 'number' &&
      typeof v.clientId === 'string' &&
      typeof v.clientSecret === 'string' &&
      typeof v.organizationId === 'string'
    )
      return v as SandboxInfo;
  } catch {
    /* missing or unreadable */
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `url` answers as the sandbox of process `pid`. */
async function answers(url: string, pid: number, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}/__sandbox/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return false;
    const body = (await res.json()) as { pid?: unknown };
    return body.pid === pid;
  } catch {
    return false;
  }
}

export type Discovery =
  | { found: SandboxInfo; file: string }
  | { found: undefined; file: string; stale?: string };

/**
 * The running sandbox announced in the per-user directory, if any. A stale file (process gone, or
 * its URL not answering as that process) is removed and reported in `stale`.
 */
export async function findSandbox(
  env: NodeJS.ProcessEnv = process.env,
  { timeoutMs = 3000 }: { timeoutMs?: number } = {},
): Promise<Discovery> {
  const file = sandboxFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { found: undefined, file };
  }
  const info = readInfo(file);
  let why: string | undefined;
  if (!info) why = 'unreadable';
  else if (!alive(info.pid)) why = `process ${info.pid} is not running`;
  else if (!(await answers(info.url, info.pid, timeoutMs))) why = `${info.url} does not answer`;
  if (why === undefined && info) return { found: info, file };
  // Remove it only if nobody replaced it meanwhile.
  try {
    if (readFileSync(file, 'utf8') === text) rmSync(file, { force: true });
  } catch {
    /* already gone */
  }
  return { found: undefined, file, stale: why };
}
