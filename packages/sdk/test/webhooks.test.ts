import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { describe, expect, it, vi } from 'vitest';
import {
  KardClient,
  KardValidationError,
  KardWebhookSignatureError,
  signWebhook,
  verifyWebhook,
} from '../src/index.js';
import { verifyWebhook as verifyFromSubpath } from '../src/webhooks.js';
import { mockConnection, txn } from './support.js';

const secret = 'whsec-test-key-0123456789';
const event = {
  data: {
    type: 'earnedRewardApproved',
    id: 'notif-1',
    attributes: {
      message: 'You earned $1.00 at Bean & Leaf Coffee',
      name: 'Bean & Leaf Coffee',
      attributionUrl: 'https://example.com/a',
      transactionId: 'txn-1',
      transactionAmountInCents: 2599,
    },
    relationships: {
      user: { data: { type: 'user', id: 'user-1' } },
      offer: { data: { type: 'offer', id: 'offer-1' } },
      transaction: { data: { type: 'transaction', id: 'txn-1' } },
    },
  },
  meta: { issuerId: 'org-mock', issuerName: 'Mock' },
};

describe('webhooks: verifyWebhook / signWebhook (R106)', () => {
  it('verifies a signed raw body and returns the typed event', async () => {
    const rawBody = JSON.stringify(event);
    const signature = await signWebhook(rawBody, secret);
    const parsed = await verifyWebhook({ rawBody, signature, secret });
    expect(parsed.data.type).toBe('earnedRewardApproved');
    expect(parsed.data.id).toBe('notif-1');
  });

  it('works with Buffer bodies and from the /webhooks subpath', async () => {
    const rawBody = Buffer.from(JSON.stringify(event));
    const signature = await signWebhook(rawBody, secret);
    await expect(verifyFromSubpath({ rawBody, signature, secret })).resolves.toMatchObject({
      data: { id: 'notif-1' },
    });
  });

  it('rejects a wrong signature, a wrong secret, a tampered body and a missing header', async () => {
    const rawBody = JSON.stringify(event);
    const signature = await signWebhook(rawBody, secret);
    const cases = [
      { rawBody, signature: `${signature.slice(0, -4)}AAAA`, secret },
      { rawBody, signature, secret: 'other-secret' },
      { rawBody: rawBody.replace('2599', '2598'), signature, secret },
      { rawBody: `${rawBody} `, signature, secret },
      { rawBody, signature: undefined, secret },
      { rawBody, signature: '', secret },
    ];
    for (const c of cases) {
      const err = await verifyWebhook(c).catch((e) => e);
      expect(err).toBeInstanceOf(KardWebhookSignatureError);
      expect(err.message).not.toContain(secret);
      expect(err.message).not.toContain(signature);
    }
  });

  it('refuses a parsed object instead of the raw body', async () => {
    const signature = await signWebhook(event, secret);
    const err = await verifyWebhook({ rawBody: event as never, signature, secret }).catch((e) => e);
    expect(err).toBeInstanceOf(KardWebhookSignatureError);
    expect(err.message).toMatch(/raw/);
  });

  it('a correctly signed body that is not an event → KardValidationError', async () => {
    const rawBody = JSON.stringify({ hello: 'world' });
    const err = await verifyWebhook({ rawBody, signature: await signWebhook(rawBody, secret), secret }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(KardValidationError);
  });

  it('takes the first of repeated headers and ignores whitespace around the signature', async () => {
    const rawBody = JSON.stringify(event);
    const signature = await signWebhook(rawBody, secret);
    await expect(verifyWebhook({ rawBody, signature: [signature, 'other'], secret })).resolves.toMatchObject({
      data: { id: 'notif-1' },
    });
    await expect(verifyWebhook({ rawBody, signature: ` ${signature}\n`, secret })).resolves.toMatchObject({
      data: { id: 'notif-1' },
    });
    const err = await verifyWebhook({ rawBody, signature: ['other', signature], secret }).catch((e) => e);
    expect(err).toBeInstanceOf(KardWebhookSignatureError);
  });

  it('names what is missing: the secret, the header', async () => {
    const rawBody = JSON.stringify(event);
    const signature = await signWebhook(rawBody, secret);
    const noSecret = await verifyWebhook({ rawBody, signature, secret: '' }).catch((e) => e);
    expect(noSecret).toBeInstanceOf(KardWebhookSignatureError);
    expect(noSecret.message).toBe('No webhook secret given');
    const noHeader = await verifyWebhook({ rawBody, signature: null, secret }).catch((e) => e);
    expect(noHeader.message).toBe('Missing notify-signature header');
    const wrong = await verifyWebhook({ rawBody, signature: `${signature.slice(0, -4)}AAAA`, secret }).catch(
      (e) => e,
    );
    expect(wrong.message).toBe('Webhook signature does not match the body');
  });

  it('a correctly signed body that is not JSON → KardValidationError saying so', async () => {
    for (const rawBody of ['not json', new TextEncoder().encode('{"cut":')]) {
      const err = await verifyWebhook({
        rawBody,
        signature: await signWebhook(rawBody, secret),
        secret,
      }).catch((e) => e);
      expect(err).toBeInstanceOf(KardValidationError);
      expect(err.issues).toEqual([
        { path: '', rule: null, severity: 'error', message: 'webhook body is not valid JSON' },
      ]);
    }
  });

  it("kind: 'legacy' verifies and parses the legacy earned-reward webhook (and refuses a v2 body as legacy)", async () => {
    const legacy = {
      user: { referringPartnerUserId: 'u-1' },
      card: { bin: '411111', last4: '1234', network: 'VISA' },
      reward: {
        merchantId: 'm',
        name: 'Bean & Leaf',
        commissionToIssuer: 150,
        status: 'APPROVED',
        type: 'CARDLINKED',
      },
      transaction: {
        issuerTransactionId: 't',
        status: 'SETTLED',
        transactionAmountInCents: 2599,
        transactionTimeStamp: 'x',
      },
    };
    const rawBody = JSON.stringify(legacy);
    const signature = await signWebhook(legacy, secret); // an object is signed as its JSON text
    const parsed = await verifyWebhook({ rawBody, signature, secret, kind: 'legacy' });
    expect(parsed.user.referringPartnerUserId).toBe('u-1');
    const v2 = JSON.stringify(event);
    const asLegacy = await verifyWebhook({
      rawBody: v2,
      signature: await signWebhook(v2, secret),
      secret,
      kind: 'legacy',
    }).catch((e) => e);
    expect(asLegacy).toBeInstanceOf(KardValidationError);
    const asV2 = await verifyWebhook({ rawBody, signature, secret }).catch((e) => e);
    expect(asV2).toBeInstanceOf(KardValidationError);
  });

  it('verifies the real notifications the mock server sends for a matched transaction', async () => {
    const received: { raw: string; signature: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          signature: String(req.headers['notify-signature']),
        });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    let mock: MockKard | undefined;
    try {
      mock = await startMockKard({ port: 0, webhookUrl: hookUrl });
      const kard = new KardClient(mockConnection(mock));
      await kard.users.create([
        { type: 'user', id: 'hook-user', attributes: { enrolledRewards: ['CARDLINKED'] } },
      ]);
      await kard.transactions.create([
        txn({
          userId: 'hook-user',
          description: 'Bean & Leaf Coffee',
          merchant: {
            id: '123456789012345',
            name: 'Bean & Leaf Coffee',
            addrState: 'NY',
            addrCity: 'New York',
          },
        }),
      ]);
      // Notifications are delivered after the answer: wait for them (the ceiling only bounds a failure).
      await vi.waitFor(() => expect(received.length).toBeGreaterThan(0), { timeout: 15_000, interval: 20 });
      for (const r of received) {
        const ev = await verifyWebhook({
          rawBody: r.raw,
          signature: r.signature,
          secret: mock.webhookSecret,
        });
        expect(ev.data.type).toMatch(/^earnedReward/);
      }
      await expect(
        verifyWebhook({
          rawBody: received[0]!.raw,
          signature: received[0]!.signature,
          secret: 'not-the-key',
        }),
      ).rejects.toBeInstanceOf(KardWebhookSignatureError);
    } finally {
      try {
        await mock?.close();
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    }
  });
});
