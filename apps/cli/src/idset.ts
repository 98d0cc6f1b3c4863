/**
 * A compact set of string ids for the file-wide duplicate check (R10). Instead of keeping the ids
 * (≈ 60–100 bytes each as JS strings) it keeps a 52-bit hash and the record number in typed arrays:
 * 12 bytes per slot, 1.1–1.7 slots per id. A false "duplicate" needs a 52-bit collision
 * (expected false duplicates ≈ n²/2^53: 10^-4 for 10^6 ids, ~1 for 10^8), which we accept.
 */
export class IdSet {
  private hashes: Float64Array;
  private records: Int32Array | undefined;
  private cap: number;
  private limit: number;
  private count = 0;

  /** `expected`: a guess of how many ids will come (e.g. file size / record size), to allocate once. */
  constructor(
    expected = 1 << 12,
    private readonly withRecords = true,
  ) {
    this.cap = capacityFor(expected);
    this.limit = Math.floor(this.cap * LOAD);
    this.hashes = new Float64Array(this.cap);
    this.records = withRecords ? new Int32Array(this.cap) : undefined;
  }

  get size(): number {
    return this.count;
  }

  /** Adds the id; returns the record number that added it first (-1 when not kept), or 0 when it is new. */
  add(id: string, record: number): number {
    const h = hash52(id);
    // 0 marks an empty slot, so a real hash of 0 is stored as 1 (one more harmless collision).
    const key = h === 0 ? 1 : h;
    const hashes = this.hashes;
    const cap = this.cap;
    let slot = home(key, cap);
    for (;;) {
      const v = hashes[slot]!;
      if (v === 0) break;
      if (v === key) return this.records ? this.records[slot]! : -1;
      slot = slot + 1 === cap ? 0 : slot + 1;
    }
    hashes[slot] = key;
    if (this.records) this.records[slot] = record;
    this.count++;
    if (this.count > this.limit) this.grow();
    return 0;
  }

  private grow(): void {
    const oldH = this.hashes;
    const oldR = this.records;
    // ×1.5, not ×2: less memory held during and after the rehash.
    const cap = Math.ceil(this.cap * 1.5);
    const hashes = new Float64Array(cap);
    const records = this.withRecords ? new Int32Array(cap) : undefined;
    for (let i = 0; i < oldH.length; i++) {
      const key = oldH[i]!;
      if (key === 0) continue;
      let slot = home(key, cap);
      while (hashes[slot] !== 0) slot = slot + 1 === cap ? 0 : slot + 1;
      hashes[slot] = key;
      if (records && oldR) records[slot] = oldR[i]!;
    }
    this.hashes = hashes;
    this.records = records;
    this.cap = cap;
    this.limit = Math.floor(cap * LOAD);
  }
}

// Linear probing stays short at 0.9 (an insert probes ~50 slots at worst on average, each a cached
// float compare: nothing beside validating the record), and the table is 11 % smaller than at 0.8.
const LOAD = 0.9;
const TWO52 = 2 ** 52;

function capacityFor(expected: number): number {
  return Math.max(64, Math.ceil(Math.min(Math.max(expected, 1), 2 ** 28) / LOAD) + 1);
}

/** Multiplicative range reduction: any capacity, not only powers of two. */
function home(key: number, cap: number): number {
  return Math.floor((key / TWO52) * cap) % cap;
}

/** Two independent 32-bit string hashes (murmur3-style mixing) folded into 52 bits. */
export function hash52(s: string): number {
  let h1 = 0x9747b28c | 0;
  let h2 = 0x85ebca6b | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x5bd1e995);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 ^ c, 0x27d4eb2d);
    h2 ^= h2 >>> 13;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x7feb352d);
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x846ca68b);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0) * 0x100000 + ((h2 >>> 0) & 0xfffff);
}
