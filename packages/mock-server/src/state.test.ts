import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockKard } from './server.js';
import { harness, org, receiver, txn, waitFor } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'kard-mock-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rx = await receiver(() => 200);
afterAll(() => rx.close());

describe('stateFile: the sandbox keeps its state across restarts', () => {
  it('users, transactions, rewards, subscriptions, notifications and credentials come back', async () => {
    const file = join(dir, 'sandbox.json');
    const a = await harness({ stateFile: file });
    let notificationId: string;
    try {
      await a.call('POST', `${org(a)}/users`, {
        data: [{ type: 'user', id: 'u1', attributes: { enrolledRewards: ['CARDLINKED'] } }],
      });
      await a.call('POST', `${org(a)}/subscriptions`, {
        data: [
          {
            type: 'subscription',
            attributes: { eventName: 'earnedRewardSettled', webhookUrl: `${rx.url}/k`, enabled: true },
          },
        ],
      });
      const sent = await a.call('POST', `${org(a)}/transactions`, {
        data: [txn('e1', { userId: 'u1', description: 'BEAN & LEAF COFFEE', amount: 2000 })],
      });
      expect(sent.status).toBe(202);
      await waitFor(() => rx.hits.length > 0, 'the reward webhook');
      const list = await a.call('GET', `${org(a)}/notifications`);
      notificationId = list.body.data[0].id;
    } finally {
      await a.mock.close();
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // written by rename

    const b = await harness({ stateFile: file });
    try {
      // the same generated credentials: an app configured for the first run still authenticates
      expect(b.mock.clientSecret).toBe(a.mock.clientSecret);
      expect(b.mock.webhookSecret).toBe(a.mock.webhookSecret);
      expect((await b.call('GET', `${org(b)}/users/u1`)).status).toBe(200);
      const rewards = await b.call('GET', `${org(b)}/users/u1/earned-rewards`);
      expect(rewards.status).toBe(200);
      expect(rewards.body.data).toHaveLength(1);
      expect(b.mock.eventCount('e1')).toBe(1);
      // a repeat of an event sent before the restart is still a duplicate (R10)
      await b.call('POST', `${org(b)}/transactions`, {
        data: [txn('e1', { userId: 'u1', description: 'BEAN & LEAF COFFEE', amount: 2000 })],
      });
      expect(b.mock.stats().transactions.duplicates).toBe(1);
      expect(b.mock.stats().transactions.accepted).toBe(1);
      const subs = await b.call('GET', `${org(b)}/subscriptions`);
      expect(
        subs.body.data.map((s: { attributes: { webhookUrl: string } }) => s.attributes.webhookUrl),
      ).toEqual([`${rx.url}/k`]);
      const notes = await b.call('GET', `${org(b)}/notifications`);
      expect(notes.body.data.map((n: { id: string }) => n.id)).toEqual([notificationId]);
      expect(notes.body.data[0].attributes.status).toBe('delivered');
      expect((await b.call('POST', `${org(b)}/notifications/${notificationId}/replay`)).status).toBe(202);
    } finally {
      await b.mock.close();
    }
  });

  it('is saved shortly after a change, before close', async () => {
    const file = join(dir, 'debounced.json');
    const h = await harness({ stateFile: file, stateDebounceMs: 20 });
    try {
      await h.call('POST', `${org(h)}/users`, {
        data: [{ type: 'user', id: 'early', attributes: { enrolledRewards: ['CARDLINKED'] } }],
      });
      await waitFor(() => readFileSync(file, 'utf8').includes('"early"'), 'the user in the state file');
    } finally {
      await h.mock.close();
    }
  });

  it('options given at start win over the saved credentials', async () => {
    const file = join(dir, 'creds.json');
    await (await startMockKard({ stateFile: file, clientSecret: 'first' })).close();
    const m = await startMockKard({ stateFile: file, clientSecret: 'second' });
    await m.close();
    expect(m.clientSecret).toBe('second');
    const again = await startMockKard({ stateFile: file });
    await again.close();
    expect(again.clientSecret).toBe('second');
  });

  it('an unreadable or foreign state file stops the start with a message naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    await expect(startMockKard({ stateFile: bad })).rejects.toThrow(
      `the state file ${bad} is not valid JSON`,
    );
    writeFileSync(bad, '{"hello": 1}');
    await expect(startMockKard({ stateFile: bad })).rejects.toThrow(/is not a kardkit sandbox state/);
    await expect(startMockKard({ stateFile: join(dir, 'no-such-dir', 's.json') })).rejects.toThrow(
      /cannot write the state file/,
    );
  });
});
