import { z } from 'zod';
import {
  AUDIT_CODE,
  CADENCE_FREQUENCY,
  CATEGORY_OPTION,
  CONTENT_STRATEGY_SORT,
  DAY_OF_WEEK,
  ENROLLED_REWARDS_TYPE,
  EVENT_CODE,
  FILE_UPLOAD_TYPE,
  LEGACY_CARD_NETWORK,
  LEGACY_CARD_STATUS,
  LEGACY_ENROLLED_REWARDS_TYPE,
  NOTIFICATION_MEDIUM,
  NOTIFICATION_TYPE,
  OFFER_FEATURES,
  OFFER_MEDIUM,
  PLACEMENT_SLOT_MEDIUM,
} from './enums.js';
import { joinPath, pathOf, type ValidationIssue, warn } from './issues.js';
import {
  ALWAYS,
  hasExtension,
  isE164,
  isIsoDuration,
  isLettersAndSpaces,
  isObj,
  isSha256Hex,
  isTimeOfDay,
} from './primitives.js';
import {
  addIssue,
  cardBin,
  dateTime,
  duplicateIdRule,
  eachRepeat,
  integer,
  lastFour,
  maxItemsRule,
  nonEmptyString,
} from './transactions.js';

const emptyObject = z.looseObject({});

// ---------------------------------------------------------------------------------------------
// Users (v2 and legacy)
// ---------------------------------------------------------------------------------------------

/** R41: E.164. */
export const phoneNumber = z.string().refine(isE164, {
  message: 'must be an E.164 phone number',
  params: { rule: 'R41', expected: 'E.164, e.g. +14155550123' },
});
/** R42: SHA-256 as 64 lower-case hex characters. */
export const hashedEmail = z.string().refine(isSha256Hex, {
  message: 'must be a SHA-256 hash: 64 lower-case hex characters',
  params: { rule: 'R42', expected: '64 lower-case hex characters' },
});

export const enrolledRewardsTypeSchema = z.enum(ENROLLED_REWARDS_TYPE);

/** `UserRequestAttributes` / `UpdateUserRequestAttributes`. R39: enrolledRewards required (CARDLINKED only). */
export const userAttributesSchema = z.looseObject({
  enrolledRewards: z.array(enrolledRewardsTypeSchema),
  zipCode: z.string().optional(),
  email: z.string().optional(),
  hashedEmail: hashedEmail.optional(),
  phoneNumber: phoneNumber.optional(),
  birthYear: z.string().optional(),
  historicalTransactionsSent: z.boolean().optional(),
});

export const userItemSchema = z.looseObject({
  type: z.literal('user'),
  id: nonEmptyString,
  attributes: userAttributesSchema,
});

/** POST /v2/issuers/{org}/users. R38: at most 100 users. */
export const createUsersRequestSchema = z
  .looseObject({ data: z.array(userItemSchema) })
  .superRefine(maxItemsRule(100, 'R38'), ALWAYS)
  .superRefine(duplicateIdRule(null, 'user'), ALWAYS);

/** PUT /v2/issuers/{org}/users/{user}. */
export const updateUserRequestSchema = z.looseObject({ data: userItemSchema });

export const legacyCardInfoSchema = z.looseObject({
  last4: lastFour,
  bin: cardBin,
  issuer: nonEmptyString,
  network: z.enum(LEGACY_CARD_NETWORK),
  status: z.enum(LEGACY_CARD_STATUS).optional(),
  token: z.string().optional(),
  tokenSource: z.string().optional(),
});

/** Legacy POST /users/users. R44: email or userName. */
export const legacyCreateUserRequestSchema = z
  .looseObject({
    email: z.string().optional(),
    hashedEmail: hashedEmail.optional(),
    phoneNumber: phoneNumber.optional(),
    birthYear: z.string().optional(),
    userName: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    zipCode: z.string().optional(),
    referringPartnerUserId: nonEmptyString,
    externalPartnerUserId: z.string().optional(),
    enrolledRewards: z.array(z.enum(LEGACY_ENROLLED_REWARDS_TYPE)).optional(),
    cards: z.array(legacyCardInfoSchema).optional(),
    cardInfo: legacyCardInfoSchema.optional(),
    referringPartner: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (!isObj(v)) return;
    const has = (x: unknown) => typeof x === 'string' && x.length > 0;
    if (!has(v.email) && !has(v.userName)) {
      addIssue(
        ctx,
        ['email'],
        'at least one of email or userName is required (both recommended)',
        'R44',
        'email or userName',
      );
    }
  }, ALWAYS);

export function legacyCreateUserWarnings(v: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(v)) return;
  if (Array.isArray(v.enrolledRewards) && v.enrolledRewards.includes('AFFILIATE')) {
    warn(
      out,
      joinPath(base, 'enrolledRewards'),
      'R46',
      'AFFILIATE is deprecated: do not send it',
      'CARDLINKED',
    );
  }
  if (v.cardInfo !== undefined) {
    warn(out, joinPath(base, 'cardInfo'), 'R48', 'deprecated: send cards[] instead', 'cards');
  }
}

// ---------------------------------------------------------------------------------------------
// Audits, fraud markers
// ---------------------------------------------------------------------------------------------

/** R50: auditCode is 3005, 3006 or 8001. */
export const auditCodeSchema = z.number().refine((n) => (AUDIT_CODE as readonly number[]).includes(n), {
  message:
    'must be 3005 (incorrect cashback), 3006 (missing cashback) or 8001 (other: explain in auditDescription)',
  params: { rule: 'R50', expected: 'one of 3005, 3006, 8001' },
});

export const auditItemSchema = z.looseObject({
  type: z.literal('audit'),
  attributes: z.looseObject({
    auditCode: auditCodeSchema,
    merchantName: nonEmptyString,
    auditDescription: nonEmptyString,
    transactionId: nonEmptyString,
  }),
});
export const createAuditsRequestSchema = z.looseObject({ data: z.array(auditItemSchema) });

/** R29: type fraudulentTransaction, id = the transaction's transactionId, at most 500. */
export const fraudMarkerItemSchema = z.looseObject({
  type: z.literal('fraudulentTransaction'),
  id: nonEmptyString,
  attributes: z.looseObject({ userId: nonEmptyString }),
});
export const fraudMarkersRequestSchema = z
  .looseObject({ data: z.array(fraudMarkerItemSchema) })
  .superRefine(maxItemsRule(500, 'R29'), ALWAYS)
  .superRefine(duplicateIdRule(null, 'transaction'), ALWAYS);

// ---------------------------------------------------------------------------------------------
// Subscriptions (R74)
// ---------------------------------------------------------------------------------------------

export const notificationTypeSchema = z.enum(NOTIFICATION_TYPE);
/** R74: all of eventName, webhookUrl and enabled are required on create. */
export const subscriptionItemSchema = z.looseObject({
  type: z.literal('subscription'),
  attributes: z.looseObject({
    eventName: notificationTypeSchema,
    webhookUrl: nonEmptyString,
    enabled: z.boolean(),
  }),
});
export const createSubscriptionsRequestSchema = z.looseObject({ data: z.array(subscriptionItemSchema) });
/** R74: all optional on PATCH. */
export const updateSubscriptionRequestSchema = z.looseObject({
  data: z.looseObject({
    type: z.literal('subscription'),
    attributes: z.looseObject({
      eventName: notificationTypeSchema.optional(),
      webhookUrl: nonEmptyString.optional(),
      enabled: z.boolean().optional(),
    }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Attributions (R75, R77, R78)
// ---------------------------------------------------------------------------------------------

export const attributionStateSchema = z.looseObject({
  rank: integer.min(1).optional(),
  filters: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  placementId: z.string().optional(),
  slotId: z.string().optional(),
});

function attributionAttrs<M extends readonly [string, ...string[]]>(media: M) {
  return z.looseObject({
    entityId: nonEmptyString,
    eventCode: z.enum(EVENT_CODE),
    medium: z.enum(media),
    eventDate: dateTime,
    state: attributionStateSchema.optional(),
  });
}

export const offerAttributionItemSchema = z.looseObject({
  type: z.literal('offerAttribution'),
  attributes: attributionAttrs(OFFER_MEDIUM),
});
export const notificationAttributionItemSchema = z.looseObject({
  type: z.literal('notificationAttribution'),
  attributes: attributionAttrs(NOTIFICATION_MEDIUM),
});
export const placementSlotAttributionItemSchema = z.looseObject({
  type: z.literal('placementSlotAttribution'),
  attributes: attributionAttrs(PLACEMENT_SLOT_MEDIUM).superRefine((v, ctx) => {
    // R78: entityId is the slot id and must match state.slotId.
    if (!isObj(v) || !isObj(v.state)) return;
    const slot = v.state.slotId;
    if (typeof slot === 'string' && typeof v.entityId === 'string' && slot !== v.entityId) {
      addIssue(ctx, ['state', 'slotId'], 'must equal entityId (the slot id)', 'R78', v.entityId);
    }
  }, ALWAYS),
});
export const attributionItemSchema = z.discriminatedUnion('type', [
  offerAttributionItemSchema,
  notificationAttributionItemSchema,
  placementSlotAttributionItemSchema,
]);
export const createAttributionsRequestSchema = z
  .looseObject({ data: z.array(attributionItemSchema) })
  .superRefine(maxItemsRule(100, 'R75'), ALWAYS);

export function attributionWarnings(item: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(item) || item.type !== 'placementSlotAttribution' || !isObj(item.attributes)) return;
  const st = item.attributes.state;
  if (!isObj(st) || st.slotId === undefined) {
    warn(
      out,
      pathOf(base, ['attributes', 'state', 'slotId']),
      'R78',
      'recommended: send state.slotId equal to entityId',
      'the slot id',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Uploads (deprecated multipart flow) and bulk upload URLs
// ---------------------------------------------------------------------------------------------

export const createUploadRequestSchema = z.looseObject({
  data: z.looseObject({ type: z.literal('historicalTransactionStart'), attributes: emptyObject }),
});
/** R36: completes the session; id = the upload id. */
export const completeUploadRequestSchema = z.looseObject({
  data: z.looseObject({
    type: z.literal('historicalTransactionComplete'),
    id: nonEmptyString,
    attributes: emptyObject,
  }),
});

/** R33: the filename includes its extension. */
export const uploadFilename = z.string().refine(hasExtension, {
  message: 'must include the file extension',
  params: { rule: 'R33', expected: 'a filename with extension, e.g. transactions_2024-01-01.jsonl' },
});
/** R30: 1–10 items (one presigned URL each). */
export const bulkUploadUrlRequestSchema = z
  .looseObject({
    data: z.array(
      z.looseObject({
        type: z.enum(FILE_UPLOAD_TYPE),
        attributes: z.looseObject({ filename: uploadFilename }),
      }),
    ),
  })
  .superRefine(maxItemsRule(10, 'R30', 1), ALWAYS);

// ---------------------------------------------------------------------------------------------
// Child organizations (R86)
// ---------------------------------------------------------------------------------------------

/** R86: at least one letter; letters and spaces only. */
export const childName = z.string().refine(isLettersAndSpaces, {
  message: 'must contain at least one letter and only letters and spaces',
  params: { rule: 'R86', expected: 'letters and spaces' },
});
export const createChildOrganizationRequestSchema = z.looseObject({
  data: z.looseObject({
    type: z.literal('organization'),
    attributes: z.looseObject({
      name: childName,
      externalId: z.string().optional(),
      bins: z.array(cardBin).optional(),
    }),
  }),
});
export const updateChildOrganizationRequestSchema = z.looseObject({
  data: z.looseObject({
    type: z.literal('organization'),
    attributes: z.looseObject({
      name: childName.optional(),
      externalId: z.string().optional(),
      bins: z.array(cardBin).optional(),
    }),
  }),
});

// ---------------------------------------------------------------------------------------------
// Placements (R90–R96)
// ---------------------------------------------------------------------------------------------

/**
 * R93: timeOfDay HH:mm (24-hour, UTC); dayOfMonth 1–31. dayOfWeek is used only with WEEKLY and
 * dayOfMonth only with MONTHLY: sent with another frequency they are ignored, which is a warning.
 */
export const cadenceSchema = z.looseObject({
  frequency: z.enum(CADENCE_FREQUENCY),
  timeOfDay: z
    .string()
    .refine(isTimeOfDay, {
      message: 'must be HH:mm (24-hour, UTC)',
      params: { rule: 'R93', expected: 'HH:mm, e.g. 09:30' },
    })
    .optional(),
  dayOfWeek: z.enum(DAY_OF_WEEK).optional(),
  dayOfMonth: integer.min(1).max(31).optional(),
});

function cadenceWarnings(c: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(c) || typeof c.frequency !== 'string') return;
  if (c.dayOfWeek !== undefined && c.frequency !== 'WEEKLY') {
    warn(
      out,
      joinPath(base, 'dayOfWeek'),
      'R93',
      `ignored: dayOfWeek is used only when frequency is WEEKLY`,
      'absent',
    );
  }
  if (c.dayOfMonth !== undefined && c.frequency !== 'MONTHLY') {
    warn(
      out,
      joinPath(base, 'dayOfMonth'),
      'R93',
      `ignored: dayOfMonth is used only when frequency is MONTHLY`,
      'absent',
    );
  }
}

/** R91: availableSlots ≥ 1. */
const availableSlots = integer.min(1);
/** R96: ISO 8601 duration. */
const refreshInterval = z.string().refine(isIsoDuration, {
  message: 'must be an ISO 8601 duration',
  params: { rule: 'R96', expected: 'ISO 8601 duration, e.g. P7D' },
});

function slotsSchema(update: boolean) {
  const slot = z.looseObject({
    ...(update ? { slotId: z.string().optional() } : {}),
    placementId: nonEmptyString,
    alias: nonEmptyString,
    shortDescription: z.string().max(50).optional(),
  });
  // R94: alias unique within the placement.
  return z.array(slot).superRefine((arr, ctx) => {
    if (!Array.isArray(arr)) return;
    eachRepeat(arr, 'alias', (i, first) =>
      addIssue(
        ctx,
        [i, 'alias'],
        `must be unique within the placement; already used by slots[${first}]`,
        'R94',
      ),
    );
  }, ALWAYS);
}

function placementUnion(update: boolean) {
  const contentStrategyId = z.string().optional();
  const slots = slotsSchema(update);
  return z.discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('placement'),
      attributes: z.looseObject({ name: nonEmptyString, availableSlots, contentStrategyId }),
    }),
    z.looseObject({
      type: z.literal('placementPushNotification'),
      attributes: z.looseObject({ name: nonEmptyString, cadence: cadenceSchema, contentStrategyId }),
    }),
    z.looseObject({
      type: z.literal('placementEmail'),
      attributes: z.looseObject({
        name: nonEmptyString,
        availableSlots,
        cadence: cadenceSchema,
        contentStrategyId,
      }),
    }),
    z.looseObject({
      type: z.literal('placementBatchActivation'),
      attributes: z.looseObject({ name: nonEmptyString, refreshInterval, slots }),
    }),
    z.looseObject({
      type: z.literal('placementGroup'),
      attributes: z.looseObject({ name: nonEmptyString, slots }).superRefine((v, ctx) => {
        // R90: a group placement has no refreshInterval.
        if (isObj(v) && v.refreshInterval !== undefined) {
          addIssue(ctx, ['refreshInterval'], 'not allowed on placementGroup', 'R90', 'absent');
        }
      }, ALWAYS),
    }),
  ]);
}

/** POST /v2/issuers/{org}/placements. R90: required attributes by type. */
export const createPlacementRequestSchema = z.looseObject({ data: placementUnion(false) });
/** PUT /v2/issuers/{org}/placements/{id} (full replace, R92). */
export const updatePlacementRequestSchema = z.looseObject({ data: placementUnion(true) });

export function placementWarnings(v: unknown, base: string, out: ValidationIssue[]): void {
  if (!isObj(v) || !isObj(v.data) || !isObj(v.data.attributes)) return;
  const a = v.data.attributes;
  const at = pathOf(base, ['data', 'attributes']);
  cadenceWarnings(a.cadence, joinPath(at, 'cadence'), out);
  if (
    v.data.type === 'placementPushNotification' &&
    a.availableSlots !== undefined &&
    a.availableSlots !== 1
  ) {
    warn(out, joinPath(at, 'availableSlots'), 'R90', 'ignored: push placements always have 1 slot', '1');
  }
}

// ---------------------------------------------------------------------------------------------
// Content strategies
// ---------------------------------------------------------------------------------------------

export const contentStrategyFiltersSchema = z.looseObject({
  categories: z.array(z.string()).optional(),
  categoryExclusions: z.array(z.string()).optional(),
  merchantExclusions: z.array(z.string()).optional(),
  offerFeatures: z.array(z.enum(OFFER_FEATURES)).optional(),
});
/** Create and full-replace update share the shape (R103: at most one sort — a single enum value). */
export const contentStrategyRequestSchema = z.looseObject({
  data: z.looseObject({
    type: z.literal('contentStrategy'),
    attributes: z.looseObject({
      name: nonEmptyString,
      sort: z.enum(CONTENT_STRATEGY_SORT).optional(),
      filters: contentStrategyFiltersSchema,
      categories: z.array(z.enum(CATEGORY_OPTION)),
      categoryExclusions: z.array(z.enum(CATEGORY_OPTION)),
      merchantExclusions: z.array(z.string()),
    }),
  }),
});

export type UserItem = z.infer<typeof userItemSchema>;
export type CreateUsersRequest = z.infer<typeof createUsersRequestSchema>;
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;
export type LegacyCreateUserRequest = z.infer<typeof legacyCreateUserRequestSchema>;
export type AuditItem = z.infer<typeof auditItemSchema>;
export type CreateAuditsRequest = z.infer<typeof createAuditsRequestSchema>;
export type FraudMarkerItem = z.infer<typeof fraudMarkerItemSchema>;
export type FraudMarkersRequest = z.infer<typeof fraudMarkersRequestSchema>;
export type CreateSubscriptionsRequest = z.infer<typeof createSubscriptionsRequestSchema>;
export type UpdateSubscriptionRequest = z.infer<typeof updateSubscriptionRequestSchema>;
export type AttributionItem = z.infer<typeof attributionItemSchema>;
export type CreateAttributionsRequest = z.infer<typeof createAttributionsRequestSchema>;
export type CreateUploadRequest = z.infer<typeof createUploadRequestSchema>;
export type CompleteUploadRequest = z.infer<typeof completeUploadRequestSchema>;
export type BulkUploadUrlRequest = z.infer<typeof bulkUploadUrlRequestSchema>;
export type CreateChildOrganizationRequest = z.infer<typeof createChildOrganizationRequestSchema>;
export type UpdateChildOrganizationRequest = z.infer<typeof updateChildOrganizationRequestSchema>;
export type CreatePlacementRequest = z.infer<typeof createPlacementRequestSchema>;
export type UpdatePlacementRequest = z.infer<typeof updatePlacementRequestSchema>;
export type ContentStrategyRequest = z.infer<typeof contentStrategyRequestSchema>;
