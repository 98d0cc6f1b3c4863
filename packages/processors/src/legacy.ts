import type { KardTransaction, LegacyIncomingTransaction } from './types.js';

/**
 * A v2 transaction event as the legacy `POST /transactions/incoming` record (openapi/kard.yaml,
 * `IncomingTransactionRequest`), for issuers still on the legacy API: the same ids, amount, status
 * and dates (R1–R3 hold the same way), `userId` as `referringPartnerUserId`, and the merchant
 * flattened into `merchant*` fields. v2-only fields (`direction`, `paymentType`, `cardNetwork`,
 * `subtotal`, …) have no legacy counterpart and are left out.
 */
export function toLegacyIncoming(event: KardTransaction): LegacyIncomingTransaction {
  const a = event.attributes;
  const m = a.merchant;
  const record: LegacyIncomingTransaction = {
    transactionId: a.transactionId,
    referringPartnerUserId: a.userId,
    amount: a.amount,
    status: a.status,
    currency: a.currency,
    description: a.description,
    description2: a.description2,
    mcc: a.mcc,
    coreProviderId: a.coreProviderId,
    transactionDate: a.transactionDate,
    authorizationDate: a.authorizationDate,
    settledDate: a.settledDate,
    merchantId: m?.id,
    merchantStoreId: m?.storeId,
    merchantName: m?.name,
    merchantAddrStreet: m?.addrStreet,
    merchantAddrCity: m?.addrCity,
    merchantAddrState: m?.addrState,
    merchantAddrZipcode: m?.addrZipcode,
    merchantAddrCountry: m?.addrCountry,
    merchantLat: m?.latitude,
    merchantLong: m?.longitude,
    cardPresence: a.cardPresence,
    panEntryMode: a.panEntryMode,
    cardBIN: a.cardBIN,
    cardLastFour: a.cardLastFour,
    authorizationCode: a.authorizationCode,
    retrievalReferenceNumber: a.retrievalReferenceNumber,
    systemTraceAuditNumber: a.systemTraceAuditNumber,
    acquirerReferenceNumber: a.acquirerReferenceNumber,
  };
  for (const key of Object.keys(record) as (keyof LegacyIncomingTransaction)[]) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}
