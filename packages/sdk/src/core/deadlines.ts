type Timer = ReturnType<typeof setTimeout> & { ref?(): unknown; unref?(): unknown };

export interface Deadline {
  readonly at: number;
  readonly onExpire: () => void;
}

export interface Deadlines {
  /** Calls `onExpire` once `ms` have passed, unless `clear` is called first. */
  add(ms: number, onExpire: () => void): Deadline;
  clear(deadline: Deadline): void;
}

/**
 * Per-attempt timeouts with ONE timer per client instead of one per request: the timer is armed
 * for the earliest deadline in flight and left alone when a request ends in time. A setTimeout and
 * clearTimeout per request made Node build and tear down its timer list on every sequential call
 * (bench/README.md, sdk_vs_fetch_ratio). The timer keeps the process alive only while a deadline is
 * pending, as a per-request timer did. Closures rather than a class: fewer bytes in a one-call bundle.
 */
export function createDeadlines(): Deadlines {
  const pending = new Set<Deadline>();
  let timer: Timer | undefined;
  let armedAt = Infinity;
  const arm = (at: number) => {
    clearTimeout(timer);
    armedAt = at;
    // setTimeout takes at most 2^31-1 ms; a longer wait fires early and fire() re-arms it.
    timer = setTimeout(fire, Math.min(at - Date.now(), 2 ** 31 - 1)) as Timer;
  };
  const fire = () => {
    const now = Date.now();
    armedAt = Infinity;
    let next = Infinity;
    for (const d of pending) {
      if (d.at > now) next = Math.min(next, d.at);
      else if (pending.delete(d)) d.onExpire();
    }
    if (next < Infinity) arm(next);
  };
  return {
    add(ms, onExpire) {
      const d = { at: Date.now() + ms, onExpire };
      if (!pending.size) timer?.ref?.();
      pending.add(d);
      if (d.at < armedAt) arm(d.at);
      return d;
    },
    clear(d) {
      if (pending.delete(d) && !pending.size) timer?.unref?.();
    },
  };
}
