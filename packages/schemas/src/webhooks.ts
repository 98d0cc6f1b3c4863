import { z } from 'zod';
import {
  AUDIT_STATUS,
  COMMISSION_TYPE,
  MERCHANT_ASSET_TYPE,
  NOTIFICATION_TYPE,
  PURCHASE_CHANNEL,
} from './enums.js';

/**
 * Webhook payloads are parsed TOLERANTLY: unknown extra fields, unknown future enum values and
 * unknown notification types never fail (an issuer's webhook handler must keep answering 200).
 * Only a body that is not a notification at all (no data object with a string type and id) fails;
 * attribute problems on known types are reported as warnings.
 */

/** A known enum value, or any other string a newer Kard version may send. */
function openEnum<const T extends readonly string[]>(_values: T) {
  return z.string() as unknown as z.ZodType<T[number] | (string & {})>;
}

const relationshipSingle = z.looseObject({
  data: z.looseObject({ type: z.string(), id: z.string() }).nullable(),
});
const commissionValue = z.looseObject({ type: z.string(), value: z.number() });

/** Fields shared by the earned-reward and validTransaction notifications. */
const rewardFields = {
  message: z.string(),
  name: z.string(),
  attributionUrl: z.string(),
  surveyUrl: z.string().optional(),
  cardProductId: z.string().optional(),
  transactionTimestamp: z.string().optional(),
  transactionId: z.string(),
  transactionAmountInCents: z.number(),
};
/** failedTransaction and clawback carry the same attributes. */
const failureAttributes = z.looseObject({
  message: z.string(),
  reason: z.string(),
  name: z.string(),
  cardProductId: z.string().optional(),
});

const earnedRewardAttributes = z.looseObject({
  ...rewardFields,
  categoryName: z.string().optional(),
  userReward: z.looseObject({ type: openEnum(COMMISSION_TYPE), value: z.number() }).optional(),
  assets: z
    .array(
      z.looseObject({ type: openEnum(MERCHANT_ASSET_TYPE), url: z.string(), alt: z.string().optional() }),
    )
    .optional(),
  purchaseChannel: z.array(openEnum(PURCHASE_CHANNEL)).optional(),
});

export const webhookAttributeSchemas = {
  earnedRewardApproved: earnedRewardAttributes,
  earnedRewardSettled: earnedRewardAttributes.extend({ commissionEarned: commissionValue }),
  earnedRewardRejected: z.looseObject({
    reason: z.string(),
    message: z.string(),
    transactionId: z.string(),
    transactionAmountInCents: z.number(),
    transactionTimestamp: z.string().optional(),
  }),
  validTransaction: z.looseObject({
    ...rewardFields,
    commissionEarned: z.looseObject({ issuer: commissionValue, user: commissionValue }),
  }),
  failedTransaction: failureAttributes,
  clawback: failureAttributes,
  auditUpdate: z.looseObject({
    status: openEnum(AUDIT_STATUS),
    auditCode: z.number(),
    merchantName: z.string(),
    auditDescription: z.string(),
    transactionId: z.string(),
    resolutionCode: z.number().optional(),
    resolutionDescription: z.string().optional(),
    resolutionTimeStamp: z.string().optional(),
  }),
  fileProcessingResult: z.looseObject({
    fileName: z.string(),
    sentAt: z.string(),
    lastModified: z.string(),
    downloadUrl: z.string(),
  }),
  pushNotificationPlacementFile: z.looseObject({
    placementName: z.string(),
    availableSlots: z.number(),
    cadence: z.string(),
    downloadUrl: z.string(),
  }),
  emailNotificationPlacementFile: z.looseObject({
    name: z.string(),
    organizationId: z.string(),
    availableSlots: z.number(),
    cadence: z.string(),
    downloadUrl: z.string(),
  }),
} as const;

type KnownType = (typeof NOTIFICATION_TYPE)[number];
type Relationships = Record<string, z.infer<typeof relationshipSingle> | undefined>;

export type KnownWebhookNotificationData = {
  [K in KnownType]: {
    type: K;
    id: string;
    attributes: z.infer<(typeof webhookAttributeSchemas)[K]>;
    relationships?: Relationships;
    [extra: string]: unknown;
  };
}[KnownType];

/** A notification type this version does not know yet: passed through untouched. */
export interface UnknownWebhookNotificationData {
  type: string & {};
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Relationships;
  [extra: string]: unknown;
}

export interface WebhookNotification {
  data: KnownWebhookNotificationData | UnknownWebhookNotificationData;
  meta?: { issuerId?: string; issuerName?: string; [extra: string]: unknown };
  errors?: unknown[];
  [extra: string]: unknown;
}

/** Envelope schema for the v2 notification payload (tolerant). */
export const webhookNotificationSchema = z.looseObject({
  data: z.looseObject({
    type: z.string().min(1),
    id: z.string(),
    attributes: z.looseObject({}),
    relationships: z.record(z.string(), z.unknown()).optional(),
  }),
  meta: z.looseObject({}).optional(),
  errors: z.array(z.unknown()).optional(),
}) as unknown as z.ZodType<WebhookNotification>;

export function isKnownNotificationType(t: string): t is KnownType {
  return (NOTIFICATION_TYPE as readonly string[]).includes(t);
}

/** Legacy earned-reward webhook (`IssuerEarnedRewardWebhookPayload`). */
export const legacyEarnedRewardWebhookSchema = z.looseObject({
  user: z.looseObject({ referringPartnerUserId: z.string() }),
  card: z.looseObject({ bin: z.string(), last4: z.string(), network: z.string() }),
  reward: z.looseObject({
    merchantId: z.string(),
    name: z.string(),
    commissionToIssuer: z.number(),
    commissionSplit: z.looseObject({
      issuersCommissionInCents: z.number(),
      usersCommissionInCents: z.number(),
    }),
    status: z.string(),
    type: z.string(),
  }),
  transaction: z.looseObject({
    issuerTransactionId: z.string(),
    status: openEnum(['APPROVED', 'SETTLED'] as const),
    transactionAmountInCents: z.number(),
    transactionTimeStamp: z.string(),
  }),
  postDineInLinkURL: z.string().optional(),
  error: z.string().optional(),
});
export type LegacyEarnedRewardWebhook = z.infer<typeof legacyEarnedRewardWebhookSchema>;

/**
 * Narrows a parsed notification's `data` to one known type (a plain `data.type === '…'` check
 * cannot narrow, because unknown future types are typed as any string).
 */
export function isNotificationType<K extends KnownType>(
  data: WebhookNotification['data'],
  type: K,
): data is Extract<KnownWebhookNotificationData, { type: K }> {
  return data.type === type;
}
