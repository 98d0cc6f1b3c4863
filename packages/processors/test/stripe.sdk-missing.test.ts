import { afterEach, describe, expect, it, vi } from 'vitest';

// Each test loads src/stripe.ts afresh with a replaced 'stripe' module.
afterEach(() => {
  vi.doUnmock('stripe');
  vi.resetModules();
});

const headers = { 'stripe-signature': 't=1,v1=00' };

describe('verifyStripeIssuingWebhook without a usable stripe package', () => {
  it('names the package to install when it is missing, and the mappings still work', async () => {
    vi.doMock('stripe', () => {
      throw new Error("Cannot find package 'stripe'");
    });
    const { verifyStripeIssuingWebhook, fromStripeIssuing } = await import('../src/stripe.js');
    await expect(verifyStripeIssuingWebhook('{}', headers, 'whsec_x')).rejects.toThrow(
      /needs Stripe's official SDK, the 'stripe' package: .*npm install stripe/,
    );
    expect(fromStripeIssuing({ type: 'issuing_card.created', data: { object: {} } }).kind).toBe('skip');
  });

  it('says which version is needed when the package has no Stripe.webhooks.constructEventAsync', async () => {
    vi.doMock('stripe', () => ({ Stripe: undefined, default: { webhooks: {} } }));
    const { verifyStripeIssuingWebhook } = await import('../src/stripe.js');
    await expect(verifyStripeIssuingWebhook('{}', headers, 'whsec_x')).rejects.toThrow(
      /needs the 'stripe' package version 18 or later/,
    );
  });

  it('says which version is needed when the package has no Stripe.webhooks at all', async () => {
    vi.doMock('stripe', () => ({ Stripe: undefined, default: {} }));
    const { verifyStripeIssuingWebhook } = await import('../src/stripe.js');
    await expect(verifyStripeIssuingWebhook('{}', headers, 'whsec_x')).rejects.toThrow(/version 18 or later/);
  });

  it('uses the CommonJS shape, where the module itself is the Stripe class', async () => {
    const constructEventAsync = vi.fn(async () => ({ id: 'evt_1' }));
    vi.doMock('stripe', () => ({ Stripe: undefined, default: undefined, webhooks: { constructEventAsync } }));
    const { verifyStripeIssuingWebhook } = await import('../src/stripe.js');
    await expect(verifyStripeIssuingWebhook('{}', headers, 'whsec_x')).resolves.toEqual({ id: 'evt_1' });
    expect(constructEventAsync).toHaveBeenCalledWith('{}', headers['stripe-signature'], 'whsec_x', 300);
  });
});
