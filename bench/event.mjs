// The settled card transaction the request benchmarks send (bench/sdk-client.mjs, bench/mock.bench.mjs):
// one shape, so their figures describe the same payload. The id, user and amount vary per record.
export function benchEvent(id, { userId = 'user-1', amount = 2599 } = {}) {
  return {
    type: 'transaction',
    id,
    attributes: {
      userId,
      transactionId: `txn-${id}`,
      amount,
      status: 'SETTLED',
      currency: 'USD',
      description: 'ACME HARDWARE 0042',
      authorizationDate: '2026-11-01T10:00:00Z',
      settledDate: '2026-11-02T10:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4242',
      direction: 'DEBIT',
      paymentType: 'CARD',
      merchant: { id: '123456789012345', name: 'Acme Hardware', addrCity: 'Austin', addrState: 'TX' },
      mcc: '5251',
    },
  };
}
