/**
 * A one-producer, one-consumer async queue with backpressure: `kard transactions send` reads and
 * validates the file (the producer) and `KardClient.transactions.send` pulls the records (the
 * consumer, one per endpoint). At most `capacity` records wait in the queue; the producer awaits
 * the promise `push` returns when it is full.
 */
export class Feed<T> implements AsyncIterableIterator<T> {
  private queue: (T | undefined)[] = [];
  private head = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private space: (() => void) | undefined;
  /** The consumer stopped reading (its run ended early): pushes are dropped. */
  closed = false;

  constructor(private readonly capacity: number) {}

  /** Queues one item; returns a promise (to await) only when the queue is full. */
  push(item: T): Promise<void> | undefined {
    if (this.closed || this.ended) return undefined;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.resolve({ value: item, done: false });
      return undefined;
    }
    this.queue.push(item);
    if (this.queue.length - this.head < this.capacity) return undefined;
    return new Promise((resolve) => {
      this.space = resolve;
    });
  }

  /** No more items: the consumer sends what it holds and finishes. */
  end(): void {
    this.ended = true;
    this.settleWaiting();
  }

  /** Stop with an error: the consumer does not send the batch it is filling (see the SDK's send()). */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = { error };
    this.queue = [];
    this.head = 0;
    this.settleWaiting();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head] as T;
      this.queue[this.head++] = undefined;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head >= 1024) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (this.space && this.queue.length - this.head < this.capacity) this.wake();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    this.wake();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Called by `for await` when the consumer stops early. */
  return(): Promise<IteratorResult<T>> {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.wake();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private wake(): void {
    const s = this.space;
    this.space = undefined;
    s?.();
  }

  private settleWaiting(): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = undefined;
    if (this.failure) w.reject(this.failure.error);
    else w.resolve({ value: undefined, done: true });
  }
}
