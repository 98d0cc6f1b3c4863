import { hashEmail } from '@kardkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enroll,
  get,
  type Harness,
  type Loose,
  MERCHANT,
  NO_OFFER,
  post,
  startHarness,
  txEvent,
  waitFor,
} from './helpers.js';

describe('happy path: enroll, post, forward, webhook, rewards', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('logs at start where it listens, its storage and the forwarder settings it runs with', () => {
    const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'express-sample listening');
    expect(line).toMatchObject({ database: 'pglite', forwarder: h.sample.forwarder.settings });
    expect(line.forwarder).toMatchObject({ pollMs: 50, sweepMs: 100, leaseMs: 10_000 }); // helpers.ts sampleConfig
  });

  it('enrolls a user at Kard with the hashed email only (R42)', async () => {
    const body = await enroll(h.sample.url, 'user-happy', '  J.Doe+Work@Gmail.com ');
    expect(body.id).toBe('user-happy');
    expect(body.hashedEmail).toBe(await hashEmail('jdoe@gmail.com'));
    const sent = h.mock.requests.find((r) => r.method === 'POST' && r.path.endsWith('/users'));
    expect(JSON.stringify(sent?.body)).not.toContain('Gmail');
  });

  it('queues APPROVED then SETTLED (same transactionId, new event ids), forwards once each, and records the signed rewards', async () => {
    await h.mock.faults.clear();
    const sub = await post(`${h.sample.url}/webhooks/kard`, {}, {}); // no signature → 403, nothing recorded
    expect(sub.status).toBe(403);

    const approved = txEvent('evt-happy-1', {
      userId: 'user-happy',
      transactionId: 'txn-happy',
      status: 'APPROVED',
    });
    const settled = txEvent('evt-happy-2', {
      userId: 'user-happy',
      transactionId: 'txn-happy',
      status: 'SETTLED',
    });
    const a = await post(`${h.sample.url}/transactions`, approved);
    expect(a.status).toBe(202);
    expect(a.body.events).toEqual([{ id: 'evt-happy-1', status: 'queued' }]);
    const s = await post(`${h.sample.url}/transactions`, [settled]);
    expect(s.status).toBe(202);

    await waitFor(
      'both events sent',
      async () => (await get(`${h.sample.url}/outbox/stats`)).body.sent === 2,
    );
    expect(h.mock.eventCount('evt-happy-1')).toBe(1);
    expect(h.mock.eventCount('evt-happy-2')).toBe(1);
    const row = await get(`${h.sample.url}/outbox/evt-happy-2`);
    expect(row.body).toMatchObject({ status: 'sent', event_status: 'SETTLED', transaction_id: 'txn-happy' });
    expect(row.body.payload).toBeUndefined();

    const rewards = (await waitFor('settled reward webhook', async () => {
      const r = await get(`${h.sample.url}/users/user-happy/rewards`);
      return r.body.data.some((n: { type: string }) => n.type === 'earnedRewardSettled') ? r.body : null;
    })) as Loose;
    const types = rewards.data.map((n: { type: string }) => n.type);
    expect(types).toContain('earnedRewardApproved');
    expect(types).toContain('earnedRewardSettled');
    const settledNote = rewards.data.find((n: { type: string }) => n.type === 'earnedRewardSettled');
    expect(settledNote.transactionId).toBe('txn-happy');
    expect(settledNote.merchant?.toLowerCase()).toContain(MERCHANT.toLowerCase());
    expect(rewards.totals.settledCommissionInCents).toBeGreaterThan(0);
    expect(rewards.kard).toBeUndefined();
    const withKard = await get(`${h.sample.url}/users/user-happy/rewards?include=kard`);
    expect(withKard.body.kard.length).toBeGreaterThan(0); // Kard's own earned-rewards list agrees
  });

  it('a repeated event id is a no-op (202, reported as duplicate, never sent again)', async () => {
    const again = txEvent('evt-happy-1', { userId: 'user-happy', transactionId: 'txn-happy' });
    const res = await post(`${h.sample.url}/transactions`, again);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ queued: 0, duplicates: 1 });
    // A later event that is sent proves the forwarder has looked at the outbox since the repeat.
    const marker = txEvent('evt-happy-marker', {
      userId: 'user-happy',
      transactionId: 'txn-happy-marker',
      merchant: NO_OFFER,
    });
    expect((await post(`${h.sample.url}/transactions`, marker)).status).toBe(202);
    await waitFor('the later event sent', () => h.mock.eventCount('evt-happy-marker') === 1);
    expect(h.mock.receivedCount('evt-happy-1')).toBe(1);
  });

  it('legacy flat records go to the legacy endpoint (POST /transactions/incoming) and earn the same way', async () => {
    const before = h.mock.stats().legacyIncoming.accepted;
    const legacy = {
      transactionId: 'txn-legacy-happy',
      referringPartnerUserId: 'user-happy',
      amount: 900,
      status: 'APPROVED',
      currency: 'USD',
      description: MERCHANT,
      merchantName: MERCHANT,
      authorizationDate: '2026-11-20T12:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4242',
    };
    const res = await post(`${h.sample.url}/transactions`, [legacy]);
    expect(res.status).toBe(202);
    const id = res.body.events[0].id as string;
    await waitFor(
      'legacy event sent',
      async () => (await get(`${h.sample.url}/outbox/${id}`)).body.status === 'sent',
    );
    expect(h.mock.stats().legacyIncoming.accepted).toBe(before + 1);
    await waitFor('legacy reward webhook', async () => {
      const r = await get(`${h.sample.url}/users/user-happy/rewards`);
      return r.body.data.some((n: { transactionId: string }) => n.transactionId === 'txn-legacy-happy');
    });
  });

  it('proxies offers one page at a time, passing page[size] and page[after] through', async () => {
    const first = await get(`${h.sample.url}/users/user-happy/offers?page[size]=2`);
    expect(first.status).toBe(200);
    const sent = h.mock.requests.filter((r) => r.path.includes('/offers')).at(-1);
    expect(JSON.stringify(sent?.query)).toContain('2');
    expect(first.body.data).toHaveLength(2);
    expect(first.body.links.next).toMatch(/^\/users\/user-happy\/offers\?page%5Bsize%5D=2&page%5Bafter%5D=/);
    const second = await get(`${h.sample.url}${first.body.links.next}`);
    expect(second.status).toBe(200);
    expect(second.body.data[0]?.id).toBeDefined();
    expect(second.body.data[0]?.id).not.toBe(first.body.data[0]?.id);
  });

  it('healthz and readyz', async () => {
    expect((await get(`${h.sample.url}/healthz`)).body).toEqual({ status: 'ok' });
    expect((await get(`${h.sample.url}/readyz`)).body).toEqual({ status: 'ready', database: 'pglite' });
  });

  it('never logs secrets or card data', () => {
    const all = h.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(h.mock.clientSecret);
    expect(all).not.toContain(h.mock.webhookSecret);
    expect(all).not.toContain('411111');
    expect(all).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});
