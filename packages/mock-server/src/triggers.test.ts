import { createHmac } from 'node:crypto';
import {
  safeParseLegacyEarnedRewardWebhook,
  safeParseWebhookNotification,
  verifyWebhookBodySignature,
} from '@kardkit/schemas';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES, TRIGGER_TYPES } from './core.js';
import { conformsTo, type Harness, harness, org, receiver, waitFor } from './test-support.js';

const rx = await receiver(() => 200);
const SECRET = 'whsec_trigger_test';
const h: Harness = await harness({ webhookUrl: `${rx.url}/hook`, webhookSecret: SECRET });
afterAll(async () => {
  await h.mock.close();
  await rx.close();
});
beforeEach(() => {
  rx.hits.length = 0;
});

const trigger = (body: unknown, headers?: Record<string, string>) =>
  h.call('POST', '/__sandbox/trigger', body, headers);

describe('POST /__sandbox/trigger: every webhook of openapi/kard.yaml on demand', () => {
  it('covers the ten v2 notification types and the legacy earned-reward webhook', () => {
    expect(NOTIFICATION_TYPES).toHaveLength(10);
    expect(TRIGGER_TYPES).toEqual([...NOTIFICATION_TYPES, 'legacyEarnedReward']);
  });

  it.each(TRIGGER_TYPES)(
    '%s is delivered, signed over the raw bytes (R106), and matches its schema',
    async (type) => {
      const r = await trigger({ type, userId: 'user-7' });
      expect(r.status).toBe(202);
      expect(r.body.data.attributes).toEqual({ eventName: type, targets: [`${rx.url}/hook`] });
      const hit = await waitFor(() => rx.hits[0], `the ${type} webhook`);
      const signature = String(hit.headers['notify-signature']);
      expect(signature).toBe(createHmac('sha256', SECRET).update(hit.raw).digest('base64'));
      expect(await verifyWebhookBodySignature(hit.raw, signature, SECRET)).toBe(true);
      const body = JSON.parse(hit.raw.toString('utf8'));
      if (type === 'legacyEarnedReward') {
        const parsed = safeParseLegacyEarnedRewardWebhook(body);
        expect(parsed.success).toBe(true);
        expect(parsed.issues).toEqual([]);
        expect(conformsTo('LegacyEarnedRewardWebhook', body)).toEqual([]);
        expect(body.user.referringPartnerUserId).toBe('user-7');
      } else {
        const parsed = safeParseWebhookNotification(body);
        expect(parsed.success).toBe(true);
        expect(parsed.issues).toEqual([]); // not even a warning: every attribute as documented
        expect(conformsTo('WebhookNotification', body)).toEqual([]);
        expect(body.data.type).toBe(type);
        expect(body.data.id).toBe(r.body.data.id);
        expect(body.meta).toEqual({ issuerId: h.mock.organizationId, issuerName: 'Mock Issuer' });
        const user = body.data.relationships?.user?.data?.id;
        if (user !== undefined) expect(user).toBe('user-7');
      }
    },
  );

  it('every v2 type that names a user names the given one (default sandbox-user)', async () => {
    await trigger({ type: 'auditUpdate' });
    const hit = await waitFor(() => rx.hits[0], 'the auditUpdate webhook');
    const body = JSON.parse(hit.raw.toString('utf8'));
    expect(body.data.relationships.user.data.id).toBe('sandbox-user');
    expect(body.data.attributes.status).toBe('CLOSED');
    expect(body.data.attributes.resolutionCode).toBeTypeOf('number'); // R51
  });

  it('a triggered v2 notification is listed and can be replayed; the legacy one is not a v2 notification', async () => {
    const v2 = await trigger({ type: 'clawback' });
    const legacy = await trigger({ type: 'legacyEarnedReward' });
    await waitFor(() => rx.hits.length >= 2, 'both webhooks');
    const list = (await h.call('GET', `${org(h)}/notifications`)).body.data as { id: string }[];
    expect(list.map((n) => n.id)).toContain(v2.body.data.id);
    expect(list.map((n) => n.id)).not.toContain(legacy.body.data.id);
    const replay = await h.call('POST', `${org(h)}/notifications/${v2.body.data.id}/replay`);
    expect(replay.status).toBe(202);
    await waitFor(() => rx.hits.length >= 3, 'the replayed webhook');
    expect(rx.hits[2]!.raw.equals(rx.hits.find((x) => x.raw.includes(v2.body.data.id))!.raw)).toBe(true);
  });

  it('needs a bearer token like the API (401 without)', async () => {
    const res = await fetch(`${h.mock.url}/__sandbox/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'clawback' }),
    });
    expect(res.status).toBe(401);
    expect(rx.hits).toHaveLength(0);
  });

  it('an unknown type or an empty userId is a 400 naming the field and the expected values', async () => {
    const bad = await trigger({ type: 'earnedReward' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source).toEqual({ pointer: '/type' });
    expect(bad.body.errors[0].detail).toContain('earnedRewardRejected');
    expect(bad.body.errors[0].detail).toContain('legacyEarnedReward');
    const noUser = await trigger({ type: 'clawback', userId: '' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.errors[0].source).toEqual({ pointer: '/userId' });
    expect(noUser.body.errors[0].detail).toBe('userId must be a non-empty string');
    const numericUser = await trigger({ type: 'clawback', userId: 7 });
    expect([numericUser.status, numericUser.body.errors[0].source]).toEqual([400, { pointer: '/userId' }]);
    expect(bad.body.errors[0].detail).toBe(`type must be one of ${TRIGGER_TYPES.join(', ')}`);
    expect((await trigger({ type: 7 })).status).toBe(400);
    expect((await trigger('not json')).status).toBe(400);
  });

  it('with no subscription the notification is still recorded, as not delivered', async () => {
    const lone = await harness({});
    try {
      const r = await lone.call('POST', '/__sandbox/trigger', { type: 'validTransaction' });
      expect(r.status).toBe(202);
      expect(r.body.data.type).toBe('trigger');
      expect(r.body.data.attributes.targets).toEqual([]);
      const list = (await lone.call('GET', `${org(lone)}/notifications`)).body.data;
      expect(list[0].attributes).toMatchObject({ eventName: 'validTransaction', status: 'delivery_failed' });
    } finally {
      await lone.mock.close();
    }
  });
});
