// Sample webhooks on demand: every v2 notification type of openapi/kard.yaml (schema
// `WebhookNotificationData`) and the legacy earned-reward webhook (schema `LegacyEarnedRewardWebhook`),
// signed and delivered like the ones the sandbox sends on its own (R106).
import { randomBytes, randomUUID } from 'node:crypto';
import type { MockCore, RewardRecord } from './core.js';
import { OFFERS, rewardCents } from './fixtures.js';

/** The name the legacy earned-reward webhook is triggered by (openapi/kard.yaml `webhooks.legacyEarnedReward`). */
export const LEGACY_EARNED_REWARD = 'legacyEarnedReward';

export interface TriggerOptions {
  /** The user the notification is about (default `sandbox-user`). Need not exist in the sandbox. */
  userId?: string;
}

const rel = (type: string, id: string) => ({ data: { type, id } });
const shortId = () => randomBytes(4).toString('hex');

function sampleReward(core: MockCore, userId: string, status: 'APPROVED' | 'SETTLED'): RewardRecord {
  const offer = OFFERS[0]!;
  const amount = 2500;
  return {
    userId,
    offer,
    transactionId: `txn-trigger-${shortId()}`,
    eventId: randomUUID(),
    status,
    amount,
    rewardCents: rewardCents(offer, amount),
    timestamp: new Date(core.opts.now()).toISOString(),
  };
}

/** The body of a sample notification of `type` (a NotificationType or `legacyEarnedReward`). */
export function samplePayload(core: MockCore, type: string, opts: TriggerOptions = {}): unknown {
  const userId = opts.userId ?? 'sandbox-user';
  const meta = { issuerId: core.opts.organizationId, issuerName: 'Mock Issuer' };
  const now = new Date(core.opts.now()).toISOString();
  const offer = OFFERS[0]!;
  const txnId = `txn-trigger-${shortId()}`;
  const envelope = (attributes: Record<string, unknown>, relationships?: Record<string, unknown>) => ({
    data: { type, id: randomUUID(), attributes, ...(relationships ? { relationships } : {}) },
    meta,
  });
  switch (type) {
    case 'earnedRewardApproved':
      return core.rewardPayload(sampleReward(core, userId, 'APPROVED'));
    case 'earnedRewardSettled':
      return core.rewardPayload(sampleReward(core, userId, 'SETTLED'));
    case 'earnedRewardRejected':
      return envelope(
        {
          reason: 'TRANSACTION_REVERSED',
          message: `Your purchase at ${offer.name} was reversed, so it earns no reward.`,
          transactionId: txnId,
          transactionAmountInCents: 2500,
          transactionTimestamp: now,
        },
        { user: rel('user', userId), transaction: rel('transaction', txnId) },
      );
    case 'validTransaction':
      return envelope(
        {
          message: `Your purchase at ${offer.name} qualifies for a reward.`,
          name: offer.name,
          attributionUrl: `${core.baseUrl}/__attribution/${offer.id}?userId=${encodeURIComponent(userId)}`,
          transactionId: txnId,
          transactionAmountInCents: 2500,
          transactionTimestamp: now,
          commissionEarned: { issuer: { type: 'cents', value: 50 }, user: { type: 'cents', value: 125 } },
        },
        { user: rel('user', userId), offer: rel('offer', offer.id), transaction: rel('transaction', txnId) },
      );
    case 'failedTransaction':
    case 'clawback':
      return envelope(
        {
          message:
            type === 'clawback'
              ? `The reward for your purchase at ${offer.name} was taken back (the purchase was returned).`
              : `Your purchase at ${offer.name} could not be matched to the offer.`,
          reason: type === 'clawback' ? 'TRANSACTION_RETURNED' : 'OFFER_NOT_MATCHED',
          name: offer.name,
        },
        { user: rel('user', userId), offer: rel('offer', offer.id), transaction: rel('transaction', txnId) },
      );
    case 'auditUpdate': {
      const auditId = randomUUID();
      return envelope(
        {
          status: 'CLOSED',
          auditCode: 1001,
          merchantName: offer.name,
          auditDescription: 'Missing reward reported by the cardholder',
          transactionId: txnId,
          // R51: a CLOSED audit carries its resolution.
          resolutionCode: 5001,
          resolutionDescription: 'Reward issued after review',
          resolutionTimeStamp: now,
        },
        { user: rel('user', userId), audit: rel('audit', auditId) },
      );
    }
    case 'fileProcessingResult':
      return envelope({
        fileName: 'transactions-sample.jsonl',
        sentAt: now,
        lastModified: now,
        downloadUrl: `${core.baseUrl}/__files/sample/result.json?X-Amz-Signature=sample`,
      });
    case 'pushNotificationPlacementFile':
      return envelope(
        {
          placementName: 'Weekly push',
          availableSlots: 3,
          cadence: 'WEEKLY',
          downloadUrl: `${core.baseUrl}/__files/sample/push.jsonl.gz?X-Amz-Signature=sample`,
        },
        { placement: rel('placement', 'placement-sample') },
      );
    case 'emailNotificationPlacementFile':
      return envelope(
        {
          name: 'Monthly email',
          organizationId: core.opts.organizationId,
          availableSlots: 5,
          cadence: 'MONTHLY',
          downloadUrl: `${core.baseUrl}/__files/sample/email.jsonl.gz?X-Amz-Signature=sample`,
        },
        { placement: rel('placement', 'placement-sample') },
      );
    case LEGACY_EARNED_REWARD: {
      const cents = rewardCents(offer, 2500);
      const issuers = Math.round(cents / 3);
      return {
        user: { referringPartnerUserId: userId },
        card: { bin: '411111', last4: '1234', network: 'VISA' },
        reward: {
          merchantId: offer.id,
          name: offer.name,
          commissionToIssuer: cents + issuers,
          commissionSplit: { issuersCommissionInCents: issuers, usersCommissionInCents: cents },
          status: 'APPROVED',
          type: 'CARDLINKED',
        },
        transaction: {
          issuerTransactionId: txnId,
          status: 'APPROVED',
          transactionAmountInCents: 2500,
          transactionTimeStamp: now,
        },
      };
    }
    default:
      throw new RangeError(`unknown webhook type '${type}'`);
  }
}
