/**
 * A request body assembled in place: each record's JSON text is copied into one reusable buffer as
 * soon as it is validated, so the line strings (and the read chunks they point into) die young,
 * and a pool of these buffers — one per request in flight — means the send path allocates no new
 * body memory once it is warm. Records can be read back (for --rejected) by their offsets.
 */
export class BodyBuilder {
  private buf: Buffer;
  private len = 0;
  private n = 0;
  // Typed arrays, reused with the builder: per-record bookkeeping that creates no garbage and
  // gives the young generation nothing to keep (so V8 has no reason to grow it on long runs).
  private starts = new Int32Array(512);
  private ends = new Int32Array(512);
  private recordNos = new Int32Array(512);
  private closed = false;

  constructor(
    private legacy: boolean,
    initial = 256 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
    this.reset(legacy);
  }

  get count(): number {
    return this.n;
  }

  /** The file record numbers of this batch's records, in order. */
  get records(): Int32Array {
    return this.recordNos.subarray(0, this.n);
  }

  reset(legacy: boolean): void {
    this.legacy = legacy;
    this.len = 0;
    this.n = 0;
    this.closed = false;
    this.write(legacy ? '[' : '{"data":[');
  }

  add(json: string, recordNo: number): void {
    if (this.n === this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.recordNos = grow(this.recordNos);
    }
    if (this.n > 0) this.write(',');
    this.starts[this.n] = this.len;
    this.write(json);
    this.ends[this.n] = this.len;
    this.recordNos[this.n] = recordNo;
    this.n++;
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

  /** The event id (v2) or transactionId (legacy) of record i, read back only when needed (rejections). */
  id(i: number): string | null {
    if (i < 0 || i >= this.n) return null;
    try {
      const o = JSON.parse(this.record(i)) as { id?: unknown; transactionId?: unknown };
      const id = this.legacy ? o.transactionId : o.id;
      return typeof id === 'string' ? id : null;
    } catch {
      return null;
    }
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
