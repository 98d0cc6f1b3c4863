import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, type Harness, post, startHarness, txEvent } from './helpers.js';

describe('POST /transactions: every invalid event is reported with all its issues; the valid ones are stored', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ forwarder: { enabled: false } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const stored = async () => {
    const c = (await get(`${h.sample.url}/outbox/stats`)).body;
    return c.pending + c.sending + c.sent + c.rejected;
  };

  it('R2: a SETTLED event without settledDate, and R1: an APPROVED event without authorizationDate, reported together with their paths and rule ids; the valid neighbour is stored (207)', async () => {
    const settled = txEvent('evt-bad-1', { userId: 'u1', transactionId: 't1', status: 'SETTLED' });
    delete (settled.attributes as Record<string, unknown>).settledDate;
    const approved = txEvent('evt-bad-2', { userId: 'u1', transactionId: 't2', status: 'APPROVED' });
    delete (approved.attributes as Record<string, unknown>).authorizationDate;
    const good = txEvent('evt-good-1', { userId: 'u1', transactionId: 't3' });
    const res = await post(`${h.sample.url}/transactions`, [good, settled, approved]);
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({ queued: 1, rejected: 2 });
    expect(res.body.events).toEqual([
      { id: 'evt-good-1', status: 'queued' },
      expect.objectContaining({ index: 1, id: 'evt-bad-1', status: 'rejected' }),
      expect.objectContaining({ index: 2, id: 'evt-bad-2', status: 'rejected' }),
    ]);
    expect(res.body.events[1].errors).toEqual([
      expect.objectContaining({ status: '400', path: '[1].attributes.settledDate', rule: 'R2' }),
    ]);
    const issues = res.body.issues as { path: string; rule: string | null; message: string }[];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '[1].attributes.settledDate', rule: 'R2' }),
        expect.objectContaining({ path: '[2].attributes.authorizationDate', rule: 'R1' }),
      ]),
    );
    for (const i of issues) expect(typeof i.message).toBe('string');
    expect(await stored()).toBe(1); // the valid one only
    await h.sample.db.query('DELETE FROM outbox');
  });

  it('every field error of one event at once (amount not integer cents, 5-digit cardBIN, missing userId)', async () => {
    const e = txEvent('evt-bad-3', { userId: 'u1', transactionId: 't4' });
    const a = e.attributes as Record<string, unknown>;
    a.amount = 12.5;
    a.cardBIN = '41111';
    delete a.userId;
    const res = await post(`${h.sample.url}/transactions`, e);
    expect(res.status).toBe(400);
    const paths = (res.body.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['attributes.amount', 'attributes.cardBIN', 'attributes.userId']),
    );
    expect(await stored()).toBe(0);
  });

  it('legacy flat records are validated with the legacy rules (R2 on settledDate)', async () => {
    const res = await post(`${h.sample.url}/transactions`, [
      {
        transactionId: 'lt-1',
        referringPartnerUserId: 'u1',
        amount: 500,
        status: 'SETTLED',
        currency: 'USD',
        description: 'Bean & Leaf Coffee',
      },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '[0].settledDate', rule: 'R2' })]),
    );
  });

  it('not JSON, not an object, an empty array, and two different events with one id', async () => {
    const notJson = await post(`${h.sample.url}/transactions`, '{"data": [');
    expect(notJson.status).toBe(400);
    expect(notJson.body.issues[0].message).toMatch(/JSON/);
    expect((await post(`${h.sample.url}/transactions`, '42')).status).toBe(400);
    expect((await post(`${h.sample.url}/transactions`, [])).status).toBe(400);
    const one = txEvent('evt-same', { userId: 'u1', transactionId: 't5' });
    const other = txEvent('evt-same', { userId: 'u1', transactionId: 't6' });
    const dup = await post(`${h.sample.url}/transactions`, [one, other]);
    expect(dup.status).toBe(207); // the first is taken, the second (another event under its id) is not
    expect(dup.body.issues[0]).toMatchObject({ path: '[1].id' });
    expect(dup.body.events[0]).toEqual({ id: 'evt-same', status: 'queued' });
    const row = await h.sample.db.query<{ transaction_id: string }>('SELECT transaction_id FROM outbox');
    expect(row.rows).toEqual([{ transaction_id: 't5' }]);
    await h.sample.db.query('DELETE FROM outbox');
  });

  it('valid legacy and v2 events in one request are both queued; the legacy id is derived from content', async () => {
    const legacy = {
      transactionId: 'lt-2',
      referringPartnerUserId: 'u1',
      amount: 500,
      status: 'APPROVED',
      currency: 'USD',
      description: 'Bean & Leaf Coffee',
      authorizationDate: '2026-11-20T10:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4242',
    };
    const res = await post(`${h.sample.url}/transactions`, [
      legacy,
      txEvent('evt-mixed', { userId: 'u1', transactionId: 't7' }),
    ]);
    expect(res.status).toBe(202);
    expect(res.body.queued).toBe(2);
    expect(res.body.events[0].id).toMatch(/^legacy-[0-9a-f]{32}$/);
    const again = await post(`${h.sample.url}/transactions`, legacy);
    expect(again.body).toMatchObject({ queued: 0, duplicates: 1 });
    expect(await stored()).toBe(2);
  });
});
