import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('lithic');
  vi.resetModules();
});

describe('verifyLithicWebhook without the lithic package', () => {
  it('says which package to install, and the mapping still works', async () => {
    vi.resetModules();
    vi.doMock('lithic', () => {
      throw new Error("Cannot find package 'lithic'");
    });
    const { fromLithic, verifyLithicWebhook } = await import('../src/lithic.js');
    const { WebhookSignatureError } = await import('../src/errors.js');
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };
    await expect(verifyLithicWebhook('{}', headers, 'whsec_c2VjcmV0')).rejects.toThrow(
      /needs Lithic's official SDK, the 'lithic' package.*npm install lithic/,
    );
    // A later call tries again rather than keeping the failure: once installed, it works.
    vi.doUnmock('lithic');
    const err = await verifyLithicWebhook('{}', headers, 'whsec_c2VjcmV0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookSignatureError);
    expect(fromLithic({ event_type: 'card.created' })).toMatchObject({
      kind: 'skip',
      code: 'not-a-transaction',
    });
  });
});
