import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isNotificationType,
  safeParseLegacyEarnedRewardWebhook,
  safeParseWebhookNotification,
  signWebhookBody,
  verifyWebhookBodySignature,
} from './index.js';

const settled = {
  data: {
    type: 'earnedRewardSettled',
    id: 'ntf-1',
    attributes: {
      message: 'You earned $1.00 at Bean & Leaf Coffee',
      name: 'Bean & Leaf Coffee',
      attributionUrl: 'https://example.test/a',
      transactionId: 'txn-1',
      transactionAmountInCents: 2599,
      commissionEarned: { type: 'cents', value: 100 },
      userReward: { type: 'PERCENT', value: 4 },
      purchaseChannel: ['INSTORE'],
    },
    relationships: {
      user: { data: { type: 'user', id: 'user-1' } },
      offer: { data: { type: 'offer', id: 'offer-1' } },
      transaction: { data: { type: 'transaction', id: 'txn-1' } },
    },
  },
  meta: { issuerId: 'org-1', issuerName: 'Kard Bank' },
};

describe('webhook parsing is tolerant', () => {
  it('parses a known v2 notification without issues, from an object, a string or bytes', () => {
    for (const body of [
      settled,
      JSON.stringify(settled),
      new TextEncoder().encode(JSON.stringify(settled)),
    ]) {
      const r = safeParseWebhookNotification(body);
      expect(r.success).toBe(true);
      expect(r.issues).toEqual([]);
      expect(r.success && isNotificationType(r.data.data, 'earnedRewardSettled')).toBe(true);
      if (r.success && isNotificationType(r.data.data, 'earnedRewardSettled')) {
        expect(r.data.data.attributes.commissionEarned.value).toBe(100);
      }
    }
  });
  it('accepts unknown extra fields and unknown future enum values, keeping them', () => {
    const body = structuredClone(settled) as typeof settled & { extra: unknown };
    body.extra = { added: 'later' };
    (body.data.attributes as Record<string, unknown>).newField = 1;
    body.data.attributes.userReward.type = 'TIERED';
    body.data.attributes.purchaseChannel = ['METAVERSE'];
    const r = safeParseWebhookNotification(body);
    expect(r.success).toBe(true);
    expect(r.issues).toEqual([]);
    if (r.success) expect((r.data.data.attributes as Record<string, unknown>).newField).toBe(1);
  });
  it('accepts an unknown notification type, with a warning and the payload untouched', () => {
    const body = { data: { type: 'offerExpiringSoon', id: 'n2', attributes: { anything: true } } };
    const r = safeParseWebhookNotification(body);
    expect(r.success).toBe(true);
    expect(r.issues).toEqual([
      {
        path: 'data.type',
        rule: null,
        severity: 'warning',
        message: 'unknown notification type "offerExpiringSoon"; passed through',
      },
    ]);
    if (r.success) expect(r.data.data).toBe(body.data);
  });
  it('reports missing attributes of a known type as warnings, never as failure', () => {
    const r = safeParseWebhookNotification({
      data: { type: 'auditUpdate', id: 'n3', attributes: { status: 'CLOSED' } },
    });
    expect(r.success).toBe(true);
    expect(r.issues.length).toBeGreaterThan(0);
    expect(r.issues.every((i) => i.severity === 'warning')).toBe(true);
    expect(r.issues.map((i) => i.path)).toContain('data.attributes.auditCode');
  });
  it('fails only when the body is not a notification envelope', () => {
    for (const notJson of ['not json', new TextEncoder().encode('{"data":')]) {
      expect(safeParseWebhookNotification(notJson)).toEqual({
        success: false,
        issues: [
          { path: '', rule: null, severity: 'error', message: 'body is not valid JSON', expected: 'JSON' },
        ],
      });
    }
    expect(safeParseWebhookNotification({ hello: 'world' }).success).toBe(false);
    const r = safeParseWebhookNotification({ data: { id: 'x', attributes: {} } });
    expect(r.success).toBe(false);
    expect(r.issues.map((i) => i.path)).toContain('data.type');
  });
  it('parses the legacy earned-reward webhook tolerantly', () => {
    const legacy = {
      user: { referringPartnerUserId: 'u-1' },
      card: { bin: '411111', last4: '1234', network: 'AMERICAN EXPRESS' },
      reward: {
        merchantId: 'm',
        name: 'Bean & Leaf',
        commissionToIssuer: 150,
        commissionSplit: { issuersCommissionInCents: 50, usersCommissionInCents: 100 },
        status: 'APPROVED',
        type: 'CARDLINKED',
      },
      transaction: {
        issuerTransactionId: 't',
        status: 'SETTLED',
        transactionAmountInCents: 2599,
        transactionTimeStamp: 'x',
      },
      somethingNew: 1,
    };
    const ok = safeParseLegacyEarnedRewardWebhook(legacy);
    expect(ok.success).toBe(true);
    expect(ok.issues).toEqual([]);
    const future = structuredClone(legacy);
    future.transaction.status = 'PENDING_REVIEW';
    expect(safeParseLegacyEarnedRewardWebhook(future).success).toBe(true);
    const bad = safeParseLegacyEarnedRewardWebhook({ user: {} });
    expect(bad.success).toBe(false);
    expect(bad.issues.map((i) => i.path).sort()).toEqual(['card', 'reward', 'transaction']);
    const notObjects = safeParseLegacyEarnedRewardWebhook({ ...legacy, card: 'x', reward: null });
    expect(notObjects.success).toBe(false);
    expect(notObjects.issues.map((i) => [i.path, i.message, i.severity])).toEqual([
      ['card', 'must be an object', 'error'],
      ['reward', 'must be an object', 'error'],
    ]);
    expect(bad.issues[0]).toMatchObject({ message: 'required', expected: 'an object' });
    for (const notAnObject of [[], '"text"', 42]) {
      const r = safeParseLegacyEarnedRewardWebhook(notAnObject);
      expect(r).toEqual({
        success: false,
        issues: [
          {
            path: '',
            rule: null,
            severity: 'error',
            message: 'must be a JSON object',
            expected: 'an object',
          },
        ],
      });
    }
    expect(safeParseLegacyEarnedRewardWebhook('{').issues[0]!.message).toBe('body is not valid JSON');
    expect(safeParseLegacyEarnedRewardWebhook(JSON.stringify(legacy)).success).toBe(true);
    // a wrongly typed known field is a warning, the payload still passes untouched
    const odd = structuredClone(legacy);
    (odd.reward as Record<string, unknown>).commissionToIssuer = 'lots';
    const w = safeParseLegacyEarnedRewardWebhook(odd);
    expect(w.success).toBe(true);
    expect(w.issues.length).toBeGreaterThan(0);
    expect(w.issues.every((i) => i.severity === 'warning')).toBe(true);
    expect(w.issues.map((i) => i.path)).toContain('reward.commissionToIssuer');
    if (w.success) expect(w.data).toBe(odd);
  });
});

describe('webhook signatures (R106)', () => {
  const secret = 'whsec_test_key';
  const raw = JSON.stringify(settled);
  it('R106: sign then verify round-trips for strings and bytes', async () => {
    const sig = await signWebhookBody(raw, secret);
    expect(sig).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await verifyWebhookBodySignature(raw, sig, secret)).toBe(true);
    expect(await verifyWebhookBodySignature(new TextEncoder().encode(raw), sig, secret)).toBe(true);
    expect(await signWebhookBody(new TextEncoder().encode(raw), secret)).toBe(sig);
  });
  it('R106: matches node:crypto createHmac(sha256).digest(base64) on the exact bytes', async () => {
    const { createHmac } = await import('node:crypto');
    expect(await signWebhookBody(raw, secret)).toBe(
      createHmac('sha256', secret).update(raw).digest('base64'),
    );
  });
  it('R106: rejects a changed body, a wrong secret, a truncated or malformed signature', async () => {
    const sig = await signWebhookBody(raw, secret);
    expect(await verifyWebhookBodySignature(`${raw} `, sig, secret)).toBe(false);
    expect(await verifyWebhookBodySignature(raw, sig, 'other')).toBe(false);
    expect(await verifyWebhookBodySignature(raw, sig.slice(0, 20), secret)).toBe(false);
    expect(await verifyWebhookBodySignature(raw, '', secret)).toBe(false);
    expect(await verifyWebhookBodySignature(raw, 'not base64 !!', secret)).toBe(false);
    expect(await verifyWebhookBodySignature(raw, `${sig}AAAA`, secret)).toBe(false);
    expect(await verifyWebhookBodySignature(raw, 'A', secret)).toBe(false); // not decodable
    expect(await verifyWebhookBodySignature(raw, undefined as unknown as string, secret)).toBe(false);
    // the right bytes followed by more bytes, or one byte changed, are not the signature
    const bytes = Uint8Array.from(atob(sig), (c) => c.charCodeAt(0));
    const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
    expect(await verifyWebhookBodySignature(raw, b64(Uint8Array.from([...bytes, 0])), secret)).toBe(false);
    for (const at of [0, 31]) {
      const changed = Uint8Array.from(bytes);
      changed[at]! ^= 1;
      expect(await verifyWebhookBodySignature(raw, b64(changed), secret)).toBe(false);
    }
  });
  it('R106: tolerates whitespace around the header value', async () => {
    const sig = await signWebhookBody(raw, secret);
    expect(await verifyWebhookBodySignature(raw, ` ${sig}\n`, secret)).toBe(true);
  });
  describe('without Web Crypto', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });
    it('signing says what is missing', async () => {
      vi.stubGlobal('crypto', undefined);
      await expect(signWebhookBody(raw, secret)).rejects.toThrow(
        'Web Crypto (globalThis.crypto.subtle) is not available in this runtime',
      );
      vi.stubGlobal('crypto', {});
      await expect(signWebhookBody(raw, secret)).rejects.toThrow(/Web Crypto/);
    });
  });
});
