/**
 * A request body assembled in place: each record's JSON text is copied into one reusable buffer as
 * soon as it is validated, so the line strings (and the read chunks they point into) die young,
 * and a pool of these buffers — one per request in flight — means the send path allocates no new
 * body memory once it is warm. Records can be read back (for --rejected) by their offsets.
 */
export class BodyBuilder {
  private buf: Buffer;
  private len = 0;
  private starts: number[] = [];
  private ends: number[] = [];
  private closed = false;

  constructor(
    private legacy: boolean,
    initial = 256 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
    this.reset(legacy);
  }

  get count(): number {
    return this.starts.length;
  }

  reset(legacy: boolean): void {
    this.legacy = legacy;
    this.len = 0;
    this.starts = [];
    this.ends = [];
    this.closed = false;
    this.write(legacy ? '[' : '{"data":[');
  }

  add(json: string): void {
    if (this.starts.length > 0) this.write(',');
    this.starts.push(this.len);
    this.write(json);
    this.ends.push(this.len);
  }

  /** The finished body (a view on the pooled buffer: valid until the builder is reset). */
  body(): Buffer {
    if (!this.closed) {
      this.write(this.legacy ? ']' : ']}');
      this.closed = true;
    }
    return this.buf.subarray(0, this.len);
  }

  record(i: number): string {
    return this.buf.toString('utf8', this.starts[i], this.ends[i]);
  }

  private write(s: string): void {
    const need = this.len + s.length * 3;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len += this.buf.write(s, this.len, 'utf8');
  }
}

export class BodyPool {
  private free: BodyBuilder[] = [];
  acquire(legacy: boolean): BodyBuilder {
    const b = this.free.pop();
    if (b) {
      b.reset(legacy);
      return b;
    }
    return new BodyBuilder(legacy);
  }
  release(b: BodyBuilder): void {
    this.free.push(b);
  }
}
