import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, org, txn } from './test-support.js';

// GET earned-rewards on a user's rewards made out of order: newest first, APPROVED lists only
// what has not settled yet, a user without rewards gets an empty list (R53, R56).
const h: Harness = await harness();
afterAll(() => h.mock.close());

const settle = (n: string, day: string) =>
  txn(n, {
    userId: 'u1',
    description: 'GOLDEN CRUST BAKERY',
    transactionId: `t-${n}`,
    authorizationDate: `2026-11-${day}T10:00:00Z`,
    settledDate: `2026-11-${day}T12:00:00Z`,
  });
const approve = (n: string, transactionId: string, day: string) =>
  txn(n, {
    userId: 'u1',
    description: 'GOLDEN CRUST BAKERY',
    transactionId,
    status: 'APPROVED',
    authorizationDate: `2026-11-${day}T10:00:00Z`,
    settledDate: undefined,
  });

beforeAll(async () => {
  const users = await h.call('POST', `${org(h)}/users`, {
    data: ['u1', 'u2'].map((id) => ({ type: 'user', id, attributes: { enrolledRewards: ['CARDLINKED'] } })),
  });
  expect(users.status).toBe(201);
  const sent = await h.call('POST', `${org(h)}/transactions`, {
    data: [
      settle('s1', '02'),
      settle('s2', '05'),
      settle('s3', '03'),
      settle('s7', '07'),
      settle('s8', '07'), // the same time as s7: listed in the order received
      approve('a1', 't-s1', '01'), // settled since: not listed as APPROVED
      approve('a4', 't-a4', '04'),
      approve('a6', 't-a6', '06'),
    ],
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
});

const listed = async (user: string, query = '') => {
  const r = await h.call('GET', `${org(h)}/users/${user}/earned-rewards${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.data as { attributes: { transactionId: string } }[]).map((d) => d.attributes.transactionId);
};

describe('earned rewards', () => {
  it('SETTLED (the default): newest transaction first; the same time in the order received', async () => {
    expect(await listed('u1')).toEqual(['t-s7', 't-s8', 't-s2', 't-s3', 't-s1']);
  });

  it('APPROVED: only transactions that have not settled, newest first', async () => {
    expect(await listed('u1', '?filter[status]=APPROVED')).toEqual(['t-a6', 't-a4']);
  });

  it('a user without rewards: an empty list', async () => {
    expect(await listed('u2')).toEqual([]);
    expect(await listed('nobody')).toEqual([]);
  });
});
