/** Valid sample bodies shared by the tests (not exported from the package). */

export function validTransaction(over: Record<string, unknown> = {}) {
  return {
    type: 'transaction',
    id: 'evt-1',
    attributes: {
      userId: 'user-1',
      amount: 2599,
      subtotal: 2300,
      status: 'SETTLED',
      currency: 'USD',
      description: 'Bean & Leaf Coffee',
      mcc: '5814',
      authorizationDate: '2024-05-01T10:00:00Z',
      settledDate: '2024-05-02T10:00:00.123-05:00',
      merchant: { id: '123456789012345', name: 'Bean & Leaf Coffee', addrState: 'NY', addrCity: 'New York' },
      cardBIN: '411111',
      cardLastFour: '1234',
      direction: 'DEBIT',
      paymentType: 'CARD',
      cardNetwork: 'VISA',
      transactionId: 'txn-1',
      ...over,
    } as Record<string, unknown>,
  };
}

export function validMatched(over: Record<string, unknown> = {}) {
  return {
    type: 'matchedTransaction',
    id: 'evt-m',
    attributes: {
      userId: 'user-1',
      amount: 1000,
      description: 'Bean & Leaf Coffee',
      authorizationDate: '2024-05-01T10:00:00+02:00',
      matchedOfferId: 'offer-1',
      paymentType: 'CARD',
      cardBIN: '411111',
      cardLastFour: '1234',
      direction: 'DEBIT',
      cardNetwork: 'MASTERCARD',
      transactionId: 'txn-m',
      ...over,
    } as Record<string, unknown>,
  };
}

export function validCore(over: Record<string, unknown> = {}) {
  return {
    type: 'coreTransaction',
    id: 'evt-c',
    attributes: {
      userId: 'user-1',
      transactionId: 'txn-c',
      amount: 5000,
      currency: 'USD',
      description: 'ACH debit Bean & Leaf',
      direction: 'DEBIT',
      status: 'SETTLED',
      settledDate: '2024-05-02T00:00:00Z',
      authorizationDate: '2024-05-01T00:00:00Z',
      financialInstitutionId: 'fi-1',
      cardLastFours: ['1234', '5678'],
      ...over,
    } as Record<string, unknown>,
  };
}

export function validLegacy(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transactionId: 'txn-l',
    referringPartnerUserId: 'user-1',
    amount: 1500,
    status: 'APPROVED',
    currency: 'USD',
    description: 'Bean & Leaf Coffee',
    mcc: '5814',
    authorizationDate: '2024-05-01T10:00:00Z',
    merchantId: '123456789012345',
    merchantName: 'Bean & Leaf Coffee',
    merchantAddrState: 'CA',
    cardBIN: '411111',
    cardLastFour: '4321',
    isDeposit: false,
    ...over,
  };
}

export function validUser(over: Record<string, unknown> = {}) {
  return {
    type: 'user',
    id: 'user-1',
    attributes: {
      enrolledRewards: ['CARDLINKED'],
      zipCode: '10001',
      email: 'jane@example.com',
      hashedEmail: 'a'.repeat(64),
      phoneNumber: '+14155550123',
      birthYear: '1990',
      ...over,
    } as Record<string, unknown>,
  };
}

export function validOfferAttribution(over: Record<string, unknown> = {}) {
  return {
    type: 'offerAttribution',
    attributes: {
      entityId: 'offer-1',
      eventCode: 'VIEW',
      medium: 'BROWSE',
      eventDate: '2025-01-01T00:00:00Z',
      ...over,
    } as Record<string, unknown>,
  };
}

export function settledBatch(n: number) {
  const data = [];
  for (let i = 0; i < n; i++) {
    const t = validTransaction({ transactionId: `txn-${i}`, amount: 1000 + i });
    t.id = `evt-${i}`;
    data.push(t);
  }
  return { data };
}
