import { UsageError } from '../errors.js';

/** True for a base URL on this machine: the sandbox listens on 127.0.0.1 only. */
export function isLocalUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

/** Refuses a command that only the local sandbox can serve (`kard mock`), saying why. */
export function requireLocalSandbox(baseUrl: string | undefined, command: string, why: string): void {
  if (!isLocalUrl(baseUrl))
    throw new UsageError(`${command} works with the local sandbox only (kard mock): ${why}`);
}
