/**
 * Enumerations, exactly as upstream (v2 and legacy OpenAPI). They are listed here rather than taken
 * from src/generated/zod.gen.ts because importing that module builds all ~450 generated schemas at
 * load time (+56 KB in dist); generated-drift.test.ts keeps the two lists identical instead.
 */

export const TRANSACTION_STATUS = ['APPROVED', 'SETTLED', 'REVERSED', 'RETURNED', 'DECLINED'] as const;
export const DIRECTION_TYPE = ['DEBIT', 'CREDIT'] as const;
/** R9: the `transaction` variant accepts only CARD. */
export const TRANSACTION_PAYMENT_TYPE = ['CARD'] as const;
export const PAYMENT_TYPE = ['CARD', 'CASH', 'UNKNOWN'] as const;
export const RECEIPT_MEDIUM_TYPE = ['ELECTRONIC', 'PHYSICAL'] as const;
export const CARD_NETWORK = ['VISA', 'MASTERCARD', 'AMERICANEXPRESS', 'DISCOVER'] as const;
/** Legacy spells American Express with a space. */
export const LEGACY_CARD_NETWORK = ['VISA', 'MASTERCARD', 'AMERICAN EXPRESS', 'DISCOVER'] as const;
export const LEGACY_CARD_STATUS = ['ENABLED', 'DISABLED'] as const;
export const PROCESSOR = ['VISA'] as const;
/** `type_transactions:States` (v2) and `type_commons:State` (legacy): identical 59 USPS codes. */
export const STATES = [
  'AL',
  'AK',
  'AS',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'DC',
  'FM',
  'FL',
  'GA',
  'GU',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MH',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'MP',
  'OH',
  'OK',
  'OR',
  'PW',
  'PA',
  'PR',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VI',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
] as const;
export const ENROLLED_REWARDS_TYPE = ['CARDLINKED'] as const;
export const LEGACY_ENROLLED_REWARDS_TYPE = ['CARDLINKED', 'AFFILIATE'] as const;
export const FILE_UPLOAD_TYPE = ['incomingTransactionsFile', 'historicalTransactionsFile'] as const;
/** R50 */
export const AUDIT_CODE = [3005, 3006, 8001] as const;
export const AUDIT_STATUS = ['NEW', 'IN_PROGRESS', 'CLOSED'] as const;
export const NOTIFICATION_TYPE = [
  'earnedRewardApproved',
  'earnedRewardSettled',
  'earnedRewardRejected',
  'validTransaction',
  'failedTransaction',
  'clawback',
  'auditUpdate',
  'fileProcessingResult',
  'pushNotificationPlacementFile',
  'emailNotificationPlacementFile',
] as const;
export const EVENT_CODE = ['IMPRESSION', 'VIEW', 'ACTIVATE', 'BOOST'] as const;
/** R77 */
export const OFFER_MEDIUM = ['BROWSE', 'EMAIL', 'MAP', 'SEARCH', 'CTA', 'PUSH'] as const;
export const NOTIFICATION_MEDIUM = ['PUSH'] as const;
export const PLACEMENT_SLOT_MEDIUM = ['CTA'] as const;
export const CADENCE_FREQUENCY = ['DAILY', 'WEEKLY', 'MONTHLY'] as const;
export const DAY_OF_WEEK = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export const PLACEMENT_TYPE = [
  'placement',
  'placementPushNotification',
  'placementEmail',
  'placementBatchActivation',
  'placementGroup',
] as const;
export const CONTENT_STRATEGY_SORT = [
  'NEWLY_LIVE',
  'EXPIRING_SOON',
  'HIGHEST_CASHBACK',
  'PERSONALIZED',
  'OFFERS_NEAR_YOU',
] as const;
export const OFFER_FEATURES = ['INTERACTIVE'] as const;
export const CATEGORY_OPTION = [
  'Arts & Entertainment',
  'Baby, Kids & Toys',
  'Books & Digital Media',
  'Clothing, Shoes & Accessories',
  'Computers, Electronics & Software',
  'Convenience',
  'Gas',
  'Department Stores',
  'Food & Beverage',
  'Health & Beauty',
  'Home & Garden',
  'Miscellaneous',
  'Occasions & Gifts',
  'Pets',
  'Sports & Outdoors',
  'Supplies & Services',
  'Travel',
] as const;
export const PURCHASE_CHANNEL = ['INSTORE', 'ONLINE'] as const;
export const COMMISSION_TYPE = ['FLAT', 'PERCENT'] as const;
export const MERCHANT_ASSET_TYPE = ['IMG_VIEW', 'BANNER_VIEW'] as const;
