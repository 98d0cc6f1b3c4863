/**
 * A compact set of string ids for the file-wide duplicate check (R10). Instead of keeping the ids
 * (≈ 60–100 bytes each as JS strings) it keeps a 52-bit hash and the record number in typed arrays:
 * 12 bytes per slot, at most 2 slots per id. A false "duplicate" needs a 52-bit collision
 * (≈ 10^-4 for 10^9 ids), which we accept.
 */
export class IdSet {
  private hashes: Float64Array;
  private records: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.hashes = new Float64Array(cap);
    this.records = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds the id; returns the record number that added it first, or 0 when it is new. */
  add(id: string, record: number): number {
    const h = hash52(id);
    let slot = h % (this.mask + 1);
    // 0 marks an empty slot, so a real hash of 0 is stored as 1 (one more harmless collision).
    const key = h === 0 ? 1 : h;
    const hashes = this.hashes;
    for (;;) {
      const v = hashes[slot]!;
      if (v === 0) break;
      if (v === key) return this.records[slot]!;
      slot = (slot + 1) & this.mask;
    }
    hashes[slot] = key;
    this.records[slot] = record;
    this.count++;
    if (this.count * 4 > (this.mask + 1) * 3) this.grow();
    return 0;
  }

  private grow(): void {
    const oldH = this.hashes;
    const oldR = this.records;
    const cap = (this.mask + 1) * 2;
    this.hashes = new Float64Array(cap);
    this.records = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < oldH.length; i++) {
      const key = oldH[i]!;
      if (key === 0) continue;
      let slot = key % cap;
      while (this.hashes[slot] !== 0) slot = (slot + 1) & this.mask;
      this.hashes[slot] = key;
      this.records[slot] = oldR[i]!;
    }
  }
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
