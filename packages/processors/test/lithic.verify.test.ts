import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { fromLithic, verifyLithicWebhook, WebhookSignatureError } from '../src/index.js';

const body = readFileSync(new URL('./fixtures/lithic/authorization-cleared.json', import.meta.url), 'utf8');
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const otherSecret = `whsec_${randomBytes(24).toString('base64')}`;

/** Headers as Lithic sends them, signed with Standard Webhooks' own signer. */
function signed(payload: string, key = secret, at = new Date()): Record<string, string> {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(id, at, payload),
  };
}

async function rejection(p: Promise<unknown>): Promise<WebhookSignatureError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookSignatureError);
  const e = err as WebhookSignatureError;
  expect(e.processor).toBe('lithic');
  expect(e.message).not.toContain(secret.slice(6));
  return e;
}

describe('verifyLithicWebhook', () => {
  it('returns the parsed event of a correctly signed webhook, ready for fromLithic', async () => {
    const event = await verifyLithicWebhook(body, signed(body), secret);
    expect(event).toEqual(JSON.parse(body));
    expect(fromLithic(event, { cardBin: '411111', cardLastFour: '4142' }).kind).toBe('events');
  });

  it('takes the raw body as bytes and the headers as a fetch Headers or in any case', async () => {
    const headers = signed(body);
    await expect(
      verifyLithicWebhook(new TextEncoder().encode(body), new Headers(headers), secret),
    ).resolves.toEqual(JSON.parse(body));
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), [v]]));
    await expect(verifyLithicWebhook(body, upper, secret)).resolves.toEqual(JSON.parse(body));
  });

  it('follows the documented scheme: HMAC-SHA256 of "id.timestamp.body" under the decoded whsec_ key, "v1,<base64>"', async () => {
    const id = 'msg_2f9a';
    const ts = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    const headers = { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${mac}` };
    await expect(verifyLithicWebhook(body, headers, secret)).resolves.toEqual(JSON.parse(body));
    // During a secret rotation Lithic sends one signature per secret, space separated.
    const rotated = {
      ...headers,
      'webhook-signature': `${signed(body, otherSecret)['webhook-signature']} v1,${mac}`,
    };
    await expect(verifyLithicWebhook(body, rotated, secret)).resolves.toEqual(JSON.parse(body));
  });

  it('rejects a wrong secret and an altered body', async () => {
    const headers = signed(body);
    const wrong = await rejection(verifyLithicWebhook(body, headers, otherSecret));
    expect(wrong.message).toBe(
      'lithic webhook signature: signature does not match (wrong secret or altered body)',
    );
    const altered = body.replace('"amount": 1250', '"amount": 125000');
    expect(altered).not.toBe(body);
    const changed = await rejection(verifyLithicWebhook(altered, headers, secret));
    expect(changed.message).toContain('signature does not match');
  });

  it('rejects a missing header, naming it', async () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers: Record<string, string | undefined> = signed(body);
      headers[name] = undefined;
      const err = await rejection(verifyLithicWebhook(body, headers, secret));
      expect(err.message).toBe(`lithic webhook signature: missing ${name} header`);
    }
  });

  it('rejects a stale or future timestamp (5-minute tolerance) and one that is not a number', async () => {
    const stale = signed(body, secret, new Date(Date.now() - 10 * 60_000));
    expect((await rejection(verifyLithicWebhook(body, stale, secret))).message).toContain(
      '5-minute tolerance',
    );
    const future = signed(body, secret, new Date(Date.now() + 10 * 60_000));
    expect((await rejection(verifyLithicWebhook(body, future, secret))).message).toContain(
      '5-minute tolerance',
    );
    const garbled = { ...signed(body), 'webhook-timestamp': 'yesterday' };
    expect((await rejection(verifyLithicWebhook(body, garbled, secret))).message).toContain(
      'not a Unix time',
    );
  });

  it('rejects an empty or malformed secret without echoing it', async () => {
    expect((await rejection(verifyLithicWebhook(body, signed(body), ''))).message).toContain(
      'no webhook secret',
    );
    const bad = 'whsec_not*base64!';
    const err = await rejection(verifyLithicWebhook(body, signed(body), bad));
    expect(err.message).toContain('not a Lithic webhook secret');
    expect(err.message).not.toContain('not*base64');
    const empty = await rejection(verifyLithicWebhook(body, signed(body), 'whsec_'));
    expect(empty.message).toContain('not a Lithic webhook secret');
  });

  it('rejects a correctly signed body that is not JSON', async () => {
    const text = 'not json';
    const err = await rejection(verifyLithicWebhook(text, signed(text), secret));
    expect(err.message).toContain('not JSON');
  });
});
