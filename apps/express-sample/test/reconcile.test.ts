import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { signWebhook } from '@kardkit/sdk';
import type { Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SampleConfig } from '../src/config.js';
import { openDatabase } from '../src/db.js';
import { createLogger } from '../src/logger.js';
import { migrate, migrations } from '../src/migrations.js';
import { CURSOR_KEY, type ListedNotification, type NotificationLog, Reconciler } from '../src/reconcile.js';
import { createKardClient, type RunningSample, startSample } from '../src/sample.js';
import { recordNotification } from '../src/webhooks.js';
import {
  enroll,
  get,
  type Loose,
  logSink,
  post,
  sampleConfig,
  subscribe,
  txEvent,
  waitFor,
} from './helpers.js';

type Reward = { type: string; transactionId: string; notificationId: string };
const key = (r: Reward) => `${r.transactionId}:${r.type}`;

describe('reward reconciliation: what Kard sent while the sample was down', () => {
  let mock: MockKard;
  let dataDir: string;
  let sample: RunningSample | undefined;
  let config: SampleConfig;
  beforeAll(async () => {
    // Kard gives up on a delivery quickly here, so what it sent while the sample was down stays undelivered.
    mock = await startMockKard({ webhookMaxAttempts: 2, webhookBackoffMs: 20 });
    dataDir = mkdtempSync(join(tmpdir(), 'kardkit-sample-reconcile-'));
  });
  afterEach(async () => {
    await sample?.close();
    sample = undefined;
  });
  afterAll(async () => {
    await mock?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}.lock`, { recursive: true, force: true });
  });

  const rewards = async (url: string, user: string) =>
    (await get(`${url}/users/${user}/rewards`)).body as { data: Reward[]; totals: Loose };

  it('rewards sent while the sample was down appear after restart, each exactly once; a re-send under a new notification id is not counted twice', async () => {
    const sink = logSink();
    config = sampleConfig(mock, { dataDir, reconcileIntervalMs: 0 });
    sample = await startSample(config, { logDestination: sink.stream });
    const port = sample.port;
    await subscribe(config, `${sample.url}/webhooks/kard`);
    await enroll(sample.url, 'rec-user');

    // While it is up: one APPROVED reward arrives by webhook.
    const kard = createKardClient(config);
    const send = (id: string, transactionId: string, status: 'APPROVED' | 'SETTLED') =>
      kard.transactions.create([txEvent(id, { userId: 'rec-user', transactionId, status })] as never);
    await send('evt-rec-1', 'txn-rec-1', 'APPROVED');
    await waitFor('the first reward', async () => (await rewards(sample!.url, 'rec-user')).data.length === 1);

    // Down: Kard sends three more rewards and gives up on delivering them.
    await sample.close();
    sample = undefined;
    await send('evt-rec-2', 'txn-rec-1', 'SETTLED');
    await send('evt-rec-3', 'txn-rec-2', 'APPROVED');
    await send('evt-rec-4', 'txn-rec-2', 'SETTLED');
    const failed = await waitFor('Kard to give up on three deliveries', async () => {
      const list = await kard.notifications.list({ 'filter[status]': 'delivery_failed' } as never).page();
      return list.items.length === 3 ? list.items : null;
    });
    expect(failed).toHaveLength(3);

    // Up again, at the same address (the subscribed URL): the start-up pass asks Kard to replay them.
    sample = await startSample({ ...config, port }, { logDestination: sink.stream });
    const expected = [
      'txn-rec-1:earnedRewardApproved',
      'txn-rec-1:earnedRewardSettled',
      'txn-rec-2:earnedRewardApproved',
      'txn-rec-2:earnedRewardSettled',
    ];
    const after = (await waitFor('the missed rewards', async () => {
      const r = await rewards(sample!.url, 'rec-user');
      return r.data.length >= 4 ? r : null;
    })) as { data: Reward[]; totals: Loose };
    expect(after.data.map(key).sort()).toEqual(expected);
    const settledTotal = after.totals.settledCommissionInCents;
    expect(settledTotal).toBeGreaterThan(0);

    // Another pass finds nothing missing and replays nothing.
    const again = await sample.reconciler.runOnce();
    expect(again).toMatchObject({ listed: 4, missing: 0, replayed: 0 });

    // Kard re-sends the settled reward of txn-rec-2 under a new notification id: recorded as a
    // notification, not as a second reward.
    const original = after.data.find((r) => key(r) === 'txn-rec-2:earnedRewardSettled') as Reward;
    const row = await sample.db.query<{ payload: Loose }>(
      'SELECT payload FROM webhook_notifications WHERE id = $1',
      [original.notificationId],
    );
    const resent = structuredClone(row.rows[0]?.payload) as Loose;
    resent.data.id = 'a-new-notification-id';
    const body = JSON.stringify(resent);
    const res = await post(`${sample.url}/webhooks/kard`, body, {
      'notify-signature': await signWebhook(body, mock.webhookSecret),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, duplicate: false, reward: 'duplicate' });
    const final = await rewards(sample.url, 'rec-user');
    expect(final.data.map(key).sort()).toEqual(expected);
    expect(final.totals.settledCommissionInCents).toBe(settledTotal);
    expect(final.data.find((r) => key(r) === 'txn-rec-2:earnedRewardSettled')?.notificationId).toBe(
      original.notificationId,
    );
    expect(sink.lines.some((l) => l.includes('reconciliation: replays requested'))).toBe(true);
  }, 180_000);
});

describe('Reconciler (in process, against a scripted notification log)', () => {
  const silent = createLogger({ level: 'silent' }) as Logger;
  const note = (
    eventId: string,
    timestamp: string,
    eventName = 'earnedRewardSettled',
  ): ListedNotification => ({
    eventId,
    eventName,
    timestamp,
  });
  const payload = (id: string, transactionId: string) => ({
    data: {
      type: 'earnedRewardSettled',
      id,
      attributes: {
        transactionId,
        name: 'M',
        transactionAmountInCents: 100,
        commissionEarned: { type: 'cents', value: 5 },
      },
      relationships: { user: { data: { type: 'user', id: 'u' } } },
    },
  });

  it('replays only missing earned-reward notifications, and moves the cursor no further than the oldest still missing', async () => {
    const db = await openDatabase();
    try {
      await migrate(db);
      await recordNotification(db, payload('n-1', 't-1'));
      const entries = [
        note('n-1', '2026-11-20T10:00:00.000Z'),
        note('n-2', '2026-11-20T11:00:00.000Z'),
        note('n-3', '2026-11-20T12:00:00.000Z'),
        note('n-other', '2026-11-20T13:00:00.000Z', 'auditUpdate'),
      ];
      const afters: (string | null)[] = [];
      const replayed: string[] = [];
      let refuse = new Set(['n-2']);
      const log: NotificationLog = {
        async *list(after) {
          afters.push(after);
          yield* entries.filter((e) => after === null || e.timestamp > after);
        },
        async replay(eventId) {
          if (refuse.has(eventId)) throw new Error('unreachable');
          replayed.push(eventId);
        },
      };
      const now = () => Date.parse('2026-11-21T00:00:00.000Z');
      const r = new Reconciler({ db, log, logger: silent, now, overlapMs: 60_000, lookbackMs: 86_400_000 });
      expect(await r.runOnce()).toEqual({
        listed: 3,
        missing: 2,
        replayed: 1,
        failed: 1,
        after: '2026-11-19T23:59:00.000Z',
      });
      expect(replayed).toEqual(['n-3']);
      const cursor = async () =>
        (await db.query<{ value: string }>('SELECT value FROM kardkit_state WHERE key = $1', [CURSOR_KEY]))
          .rows[0]?.value;
      expect(await cursor()).toBe('2026-11-20T11:00:00.000Z'); // n-2 is still missing

      // n-2 and n-3 arrive (as replays do, through the webhook); the next pass looks from the cursor minus the overlap.
      refuse = new Set();
      await recordNotification(db, payload('n-2', 't-2'));
      await recordNotification(db, payload('n-3', 't-3'));
      expect(await r.runOnce()).toMatchObject({
        listed: 2,
        missing: 0,
        replayed: 0,
        after: '2026-11-20T10:59:00.000Z',
      });
      expect(await cursor()).toBe('2026-11-20T12:00:00.000Z');
      expect(afters).toEqual(['2026-11-19T23:59:00.000Z', '2026-11-20T10:59:00.000Z']);
    } finally {
      await db.close();
    }
  });

  it('stops replaying at a 409 (no enabled subscription), and a failed pass is retried by the loop', async () => {
    const db = await openDatabase();
    try {
      await migrate(db);
      const { KardApiError } = await import('@kardkit/sdk');
      let calls = 0;
      const log: NotificationLog = {
        async *list() {
          calls += 1;
          if (calls === 1) throw new Error('Kard unreachable');
          yield note('m-1', '2026-11-20T10:00:00.000Z');
          yield note('m-2', '2026-11-20T11:00:00.000Z');
        },
        async replay() {
          throw new KardApiError({
            status: 409,
            body: { errors: [{ status: '409', title: 'Conflict' }] },
          } as never);
        },
      };
      const sink = logSink();
      const r = new Reconciler({
        db,
        log,
        logger: createLogger({ destination: sink.stream }),
        intervalMs: 10,
      });
      r.start();
      await waitFor('a pass after the failed one', () => calls >= 2);
      await r.stop();
      expect(sink.lines.some((l) => l.includes('reconciliation pass failed'))).toBe(true);
      const replayFailures = sink.lines.filter((l) => l.includes('replay failed'));
      expect(replayFailures.length).toBeGreaterThan(0);
      // One 409 per pass: the second notification is not tried after the first 409.
      expect(replayFailures.every((l) => JSON.parse(l).eventId === 'm-1')).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe('migration 3: rewards from the notifications already recorded', () => {
  it('keeps one reward per (transaction, state), the earliest notification, and skips other types', async () => {
    const db = await openDatabase();
    try {
      // A database as it was before migration 3.
      await db.exec(`CREATE TABLE kardkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                       applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      for (const m of migrations.filter((x) => x.version < 3)) {
        await db.exec(m.sql);
        await db.query('INSERT INTO kardkit_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      const insert = (id: string, type: string, txn: string | null, at: string) =>
        db.query(
          `INSERT INTO webhook_notifications (id, type, user_id, transaction_id, commission_cents, payload, received_at)
           VALUES ($1, $2, 'u', $3, 7, '{}'::jsonb, $4)`,
          [id, type, txn, at],
        );
      await insert('old-1', 'earnedRewardSettled', 't-1', '2026-11-20T10:00:00Z');
      await insert('old-2', 'earnedRewardSettled', 't-1', '2026-11-20T11:00:00Z'); // the same reward again
      await insert('old-3', 'earnedRewardApproved', 't-1', '2026-11-20T09:00:00Z');
      await insert('old-4', 'earnedRewardRejected', null, '2026-11-20T12:00:00Z');
      await insert('old-5', 'auditUpdate', 't-9', '2026-11-20T12:00:00Z');
      expect(await migrate(db)).toEqual(migrations.filter((x) => x.version >= 3).map((x) => x.version));
      const rows = await db.query<{ transaction_id: string; state: string; notification_id: string }>(
        'SELECT transaction_id, state, notification_id FROM rewards ORDER BY transaction_id, state',
      );
      expect(rows.rows).toEqual([
        { transaction_id: 'notification:old-4', state: 'REJECTED', notification_id: 'old-4' },
        { transaction_id: 't-1', state: 'APPROVED', notification_id: 'old-3' },
        { transaction_id: 't-1', state: 'SETTLED', notification_id: 'old-1' },
      ]);
    } finally {
      await db.close();
    }
  });
});
