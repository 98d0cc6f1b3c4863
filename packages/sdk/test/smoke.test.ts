import type { MockKard } from '@kardkit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KardClient } from '../src/index.js';
import { mockAndClient, txn } from './support.js';

let mock: MockKard;
let kard: KardClient;
beforeAll(async () => {
  ({ mock, kard } = await mockAndClient());
});
afterAll(() => mock?.close());

describe('smoke', () => {
  it('creates transactions', async () => {
    const e = txn();
    const r = await kard.transactions.create([e]);
    expect(r.status).toBe(202);
    expect(r.accepted).toHaveLength(1);
    expect(r.rejected).toEqual([]);
    expect(mock.eventCount(e.id)).toBe(1);
  });
});
