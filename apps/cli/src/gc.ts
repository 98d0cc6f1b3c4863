import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full GC every GC_INTERVAL_MS (checked as work finishes) keeps the peak RSS of a long run flat
 * (the same at 10^5 and 10^6 records): V8 otherwise lets old space and external buffers grow with
 * run time. It costs ~10 ms per call on a small heap (a few % of the run). Opt out: KARD_NO_GC=1.
 */
export const GC_INTERVAL_MS = 100;

export function gcHook(env: NodeJS.ProcessEnv): (() => void) | undefined {
  if (env.KARD_NO_GC) return undefined;
  try {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (existing) return existing;
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/**
 * Keeps V8's young generation at its initial size. V8 doubles it as a long run's allocations add
 * up (to 3 × 16 MB), so a streamed run's peak RSS would grow with the file even though its live
 * data does not; held small, a validate of 10^6 records peaks where one of 10^5 does, and runs no
 * slower (each scavenge has less to walk). Opt out: KARD_NO_GC=1.
 */
export function boundYoungGeneration(env: NodeJS.ProcessEnv): void {
  if (env.KARD_NO_GC) return;
  try {
    v8.setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // an engine without the flag: memory just grows as before
  }
}
