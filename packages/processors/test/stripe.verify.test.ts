import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { fromStripeIssuing, verifyStripeIssuingWebhook, WebhookSignatureError } from '../src/index.js';

const SECRET = 'whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH';
const body = readFileSync(
  new URL('./fixtures/stripe-issuing/transaction-created-capture.json', import.meta.url),
  'utf8',
);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sign = (payload: string, secret = SECRET, timestamp = nowSeconds()) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

async function rejection(p: Promise<unknown>): Promise<WebhookSignatureError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookSignatureError);
  const e = err as WebhookSignatureError;
  expect(e.processor).toBe('stripe-issuing');
  expect(e.message).not.toContain(SECRET);
  expect(e.message).not.toContain(SECRET.slice(-4));
  return e;
}

describe('verifyStripeIssuingWebhook', () => {
  it('a correctly signed event verifies and is returned parsed, ready to map', async () => {
    const event = await verifyStripeIssuingWebhook(body, { 'Stripe-Signature': sign(body) }, SECRET);
    expect(event).toEqual(JSON.parse(body));
    expect(fromStripeIssuing(event, { cardBin: '424242', cardLastFour: () => '4242' }).kind).toBe('events');
  });

  it('accepts the raw bytes and a fetch Headers object', async () => {
    const headers = new Headers({ 'stripe-signature': sign(body) });
    const event = await verifyStripeIssuingWebhook(new TextEncoder().encode(body), headers, SECRET);
    expect(event).toEqual(JSON.parse(body));
  });

  it('a wrong secret throws, without the secrets in the message', async () => {
    const e = await rejection(
      verifyStripeIssuingWebhook(body, { 'stripe-signature': sign(body, 'whsec_other_secret_abcd') }, SECRET),
    );
    expect(e.message).toBe(
      'stripe-issuing webhook signature: signature does not match (wrong secret or altered body)',
    );
    expect(e.message).not.toContain('abcd');
  });

  it('an altered body throws', async () => {
    const altered = body.replace('-1250', '-1');
    expect(altered).not.toBe(body);
    const e = await rejection(
      verifyStripeIssuingWebhook(altered, { 'stripe-signature': sign(body) }, SECRET),
    );
    expect(e.message).toMatch(/signature does not match/);
  });

  it('a missing header throws', async () => {
    const e = await rejection(
      verifyStripeIssuingWebhook(body, { 'content-type': 'application/json' }, SECRET),
    );
    expect(e.message).toMatch(/missing Stripe-Signature header/);
  });

  it('a timestamp older than 5 minutes throws; one just inside verifies', async () => {
    const stale = sign(body, SECRET, nowSeconds() - 301 - 5);
    const e = await rejection(verifyStripeIssuingWebhook(body, { 'stripe-signature': stale }, SECRET));
    expect(e.message).toMatch(/timestamp outside the 5-minute tolerance/);
    const recent = sign(body, SECRET, nowSeconds() - 240);
    await expect(
      verifyStripeIssuingWebhook(body, { 'stripe-signature': recent }, SECRET),
    ).resolves.toBeTruthy();
  });

  it('a malformed header, an empty secret and an empty body throw with their reason', async () => {
    let e = await rejection(verifyStripeIssuingWebhook(body, { 'stripe-signature': 'garbage' }, SECRET));
    expect(e.message).toMatch(/not t=…,v1=…/);
    e = await rejection(verifyStripeIssuingWebhook(body, { 'stripe-signature': sign(body) }, ''));
    expect(e.message).toMatch(/no webhook secret given/);
    e = await rejection(verifyStripeIssuingWebhook('', { 'stripe-signature': sign('') }, SECRET));
    expect(e.message).toMatch(/empty body/);
  });

  it('a signed body that is not JSON throws', async () => {
    const e = await rejection(
      verifyStripeIssuingWebhook('not json', { 'stripe-signature': sign('not json') }, SECRET),
    );
    expect(e.message).toMatch(/not JSON/);
  });
});

describe('verifyStripeIssuingWebhook: misuse from JavaScript', () => {
  it('a parsed object instead of the raw body throws with that reason', async () => {
    const e = await rejection(
      verifyStripeIssuingWebhook(JSON.parse(body) as string, { 'stripe-signature': sign(body) }, SECRET),
    );
    expect(e.message).toMatch(/raw string or bytes/);
  });
});
