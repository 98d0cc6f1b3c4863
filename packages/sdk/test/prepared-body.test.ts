/**
 * The prepared-items body builder on its own (src/bulk/engine.ts), with the allocator browsers get: a
 * plain Uint8Array, so text goes through TextEncoder instead of Buffer#write. The loopback tests in
 * bulk.test.ts and bulk-edges.test.ts run it with Node's Buffer.
 */
import { describe, expect, it } from 'vitest';
import { PreparedBody } from '../src/bulk/engine.js';

const plain = (n: number) => new Uint8Array(n);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('PreparedBody without Buffer', () => {
  it('builds {"data":[…]} from text and bytes, multi-byte characters intact, and reads each item back', () => {
    const body = new PreparedBody(plain);
    body.reset(false);
    const first = { id: 'é-1', attributes: { description: 'Café ☕ 東京' } };
    const second = { id: 'b-2', attributes: { description: 'plain' } };
    body.add({ json: JSON.stringify(first), ref: 'r1' }, 0);
    body.add({ json: new TextEncoder().encode(JSON.stringify(second)) }, 1);
    expect(JSON.parse(decode(body.body()))).toEqual({ data: [first, second] });
    expect(body.item(0)).toEqual({ json: JSON.stringify(first), id: 'é-1', ref: 'r1' });
    expect(body.id(1)).toBe('b-2');
  });

  it('grows past its first buffer with multi-byte text, and legacy bodies are a bare array', () => {
    const body = new PreparedBody(plain);
    body.reset(true);
    const records = Array.from({ length: 300 }, (_, i) => ({
      transactionId: `t-${i}`,
      description: 'é'.repeat(1000),
    }));
    for (const [i, r] of records.entries()) body.add({ json: JSON.stringify(r) }, i);
    const text = decode(body.body());
    expect(text.length).toBeGreaterThan(300_000);
    expect(JSON.parse(text)).toEqual(records);
    expect(body.id(299)).toBe('t-299');
  });
});
