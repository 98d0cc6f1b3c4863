// POST /processors/stripe | lithic | marqeta: processor webhooks, authenticated by the processor's
// signature over the raw body (no API key), mapped with @kardkit/processors, stored in the outbox
// like POST /transactions and forwarded to the mock Kard over loopback.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  fromLithic,
  fromMarqeta,
  fromMarqetaEach,
  fromStripeIssuing,
  type MapResult,
} from '@kardkit/processors';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import type { ProcessorsConfig } from '../src/processors.js';
import { get, type Harness, type Loose, startHarness, TEST_API_KEY, waitFor } from './helpers.js';

const fixture = (path: string) =>
  readFileSync(new URL(`../../../packages/processors/test/fixtures/${path}`, import.meta.url), 'utf8');

const STRIPE_SECRET = `whsec_${randomBytes(24).toString('hex')}`;
const LITHIC_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const MARQETA_SECRET = randomBytes(24).toString('hex');
const CARD_BIN = '445566';
/** The issuer's own card records, for Lithic (its webhooks name the card by token only). */
const LITHIC_CARDS: Record<string, string> = { '19c22c47-7a75-43ee-9891-595419830f7e': '4142' };

const stripeHeaders = (body: string, secret = STRIPE_SECRET) => ({
  'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret }),
});
function lithicHeaders(body: string, secret = LITHIC_SECRET): Record<string, string> {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
const marqetaHeaders = (body: string, secret = MARQETA_SECRET) => ({
  'x-marqeta-signature': createHmac('sha256', secret).update(body).digest('hex'),
});

/** A processor's POST: no API key, only the signature headers it is given. */
async function deliver(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json as Loose };
}

const ids = (r: MapResult) => (r.kind === 'skip' ? [] : r.events.map((e) => e.id));

describe('POST /processors/* (processor webhooks, verified by signature, into the outbox)', () => {
  let h: Harness;
  let base: string;
  const processors: ProcessorsConfig = {
    secrets: { stripe: STRIPE_SECRET, lithic: LITHIC_SECRET, marqeta: MARQETA_SECRET },
    cardBin: CARD_BIN,
    cardLastFour: (ref) => {
      // An issuer's lookup that fails (its card store or the processor's API is down).
      if (ref.cardId === 'card-lookup-fails') throw new Error('card store unavailable');
      return ref.processor === 'lithic' && ref.cardId ? LITHIC_CARDS[ref.cardId] : undefined;
    },
  };
  const outbox = async (id: string) => get(`${base}/outbox/${encodeURIComponent(id)}`);
  const outboxRows = async () => (await get(`${base}/outbox/stats`)).body as Record<string, number>;
  const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + (Number(b) || 0), 0);

  beforeAll(async () => {
    h = await startHarness({ processors });
    base = h.sample.url;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stripe: a correctly signed authorization is stored (no API key needed), forwarded once, and answered 202', async () => {
    const body = fixture('stripe-issuing/authorization-created-approved.json');
    const [id] = ids(fromStripeIssuing(JSON.parse(body), { cardBin: CARD_BIN }));
    expect(id).toBeDefined();
    const res = await deliver(`${base}/processors/stripe`, body, stripeHeaders(body));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ processor: 'stripe', outcome: 'queued', queued: 1, duplicates: 0 });
    expect(res.body.events).toEqual([{ id, status: 'queued' }]);
    await waitFor('the event forwarded to the mock Kard', () => h.mock.eventCount(id as string) === 1);
    expect((await outbox(id as string)).body).toMatchObject({ status: 'sent', event_status: 'APPROVED' });
  });

  it("stripe: a capture that names its card by id gets the last four digits from its authorization's outbox row", async () => {
    const body = fixture('stripe-issuing/transaction-created-capture.json');
    // Mapped alone, the capture has no cardLastFour.
    expect(fromStripeIssuing(JSON.parse(body), { cardBin: CARD_BIN }).kind).toBe('invalid');
    const res = await deliver(`${base}/processors/stripe`, body, stripeHeaders(body));
    expect(res.status).toBe(202);
    const id = res.body.events[0].id as string;
    await waitFor('the capture forwarded', () => h.mock.eventCount(id) === 1);
    const sent = h.mock.requests.find((r) => r.method === 'POST' && JSON.stringify(r.body).includes(id));
    const event = (sent?.body as Loose | undefined)?.data.find((e: Loose) => e.id === id);
    const authorization = JSON.parse(fixture('stripe-issuing/authorization-created-approved.json'));
    expect(event?.attributes).toMatchObject({
      status: 'SETTLED',
      cardLastFour: authorization.data.object.card.last4,
      cardBIN: CARD_BIN,
      transactionId: authorization.data.object.id,
    });
  });

  it('a redelivery of the same event is stored once and sent once (200, duplicate)', async () => {
    const body = fixture('stripe-issuing/authorization-created-approved.json');
    const [id] = ids(fromStripeIssuing(JSON.parse(body), { cardBin: CARD_BIN }));
    const before = total(await outboxRows());
    const again = await deliver(`${base}/processors/stripe`, body, stripeHeaders(body));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'duplicate', queued: 0, duplicates: 1 });
    expect(again.body.events).toEqual([{ id, status: 'duplicate' }]);
    expect(total(await outboxRows())).toBe(before);
    // A later event that is sent proves the forwarder has looked at the outbox since the redelivery.
    const marker = fixture('marqeta/authorization.json');
    const m = await deliver(`${base}/processors/marqeta`, marker, marqetaHeaders(marker));
    expect(m.status).toBe(202);
    const markerId = m.body.events[0].id as string;
    await waitFor('the later event sent', () => h.mock.eventCount(markerId) === 1);
    expect(h.mock.receivedCount(id as string)).toBe(1);
  });

  it('401 and nothing stored: a wrong secret, no signature, an altered body, an API key instead of a signature', async () => {
    const body = fixture('stripe-issuing/authorization-created-declined.json');
    const [id] = ids(fromStripeIssuing(JSON.parse(body), { cardBin: CARD_BIN }));
    const before = total(await outboxRows());
    const altered = body.replace(/"amount": (\d+)/, (_m, n) => `"amount": ${Number(n) + 1}`);
    expect(altered).not.toBe(body);
    const attempts: [string, string, Record<string, string>][] = [
      ['wrong secret', body, stripeHeaders(body, `whsec_${randomBytes(24).toString('hex')}`)],
      ['unsigned', body, {}],
      ['altered body', altered, stripeHeaders(body)],
      ['API key only', body, { authorization: 'Bearer test-key-0123456789abcdef' }],
    ];
    for (const [what, payload, headers] of attempts) {
      const res = await deliver(`${base}/processors/stripe`, payload, headers);
      expect(res.status, what).toBe(401);
      expect(res.body.errors[0], what).toMatchObject({ status: '401', code: 'invalid_signature' });
    }
    for (const [route, sign, otherSecret] of [
      ['lithic', lithicHeaders, `whsec_${randomBytes(24).toString('base64')}`],
      ['marqeta', marqetaHeaders, randomBytes(24).toString('hex')],
    ] as const) {
      const payload = fixture(`${route}/authorization-declined.json`);
      const wrong = await deliver(`${base}/processors/${route}`, payload, sign(payload, otherSecret));
      expect(wrong.status, route).toBe(401);
      expect((await deliver(`${base}/processors/${route}`, payload, {})).status, route).toBe(401);
    }
    expect(total(await outboxRows())).toBe(before);
    expect((await outbox(id as string)).status).toBe(404);
  });

  it('400 for a body that is not JSON; nothing stored', async () => {
    const body = '{"id": "evt_1", "type": ';
    const res = await deliver(`${base}/processors/stripe`, body, stripeHeaders(body));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ status: '400', code: 'bad_request' });
  });

  it('an event that is not for Kard is a 200 with the reason, and nothing is stored', async () => {
    const before = total(await outboxRows());
    const body = fixture('stripe-issuing/card-created.json');
    const expected = fromStripeIssuing(JSON.parse(body), { cardBin: CARD_BIN });
    expect(expected.kind).toBe('skip');
    const res = await deliver(`${base}/processors/stripe`, body, stripeHeaders(body));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      processor: 'stripe',
      outcome: 'skipped',
      code: expected.kind === 'skip' ? expected.code : null,
      reason: expected.kind === 'skip' ? expected.reason : null,
    });
    expect(total(await outboxRows())).toBe(before);
  });

  it('an event whose Kard event breaks a rule is a 422 with its issues (the processor delivers it again), logged, not stored', async () => {
    const before = total(await outboxRows());
    const event = JSON.parse(fixture('stripe-issuing/authorization-created-approved.json'));
    event.id = 'evt_no_cardholder';
    event.data.object.id = 'iauth_no_cardholder';
    event.data.object.cardholder = null;
    event.data.object.card.cardholder = null;
    const body = JSON.stringify(event);
    const res = await deliver(`${base}/processors/stripe`, body, stripeHeaders(body));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ processor: 'stripe', outcome: 'invalid', queued: 0 });
    expect(res.body.issues).toContainEqual(
      expect.objectContaining({ path: '[0].attributes.userId', severity: 'error' }),
    );
    expect(total(await outboxRows())).toBe(before);
    const logged = h.logs.find(
      (l) => l.includes('some of its Kard events are invalid') && l.includes('iauth_no_cardholder'),
    );
    expect(logged).toContain('attributes.userId');
  });

  it('marqeta: a webhook with a valid and an invalid transaction queues the valid one and answers 422 naming the other; a redelivery queues nothing twice', async () => {
    const good = JSON.parse(fixture('marqeta/authorization.json')).transactions[0];
    const bad = { ...good, token: 'mq-no-user', user_token: undefined, card_token: undefined };
    delete bad.user_token;
    delete bad.card_token;
    const goodOne = { ...good, token: 'mq-good-one' };
    const body = JSON.stringify({ transactions: [goodOne, bad] });
    const [expectedGood, expectedBad] = fromMarqetaEach(JSON.parse(body), { cardBin: CARD_BIN });
    expect(expectedGood?.kind).toBe('events');
    expect(expectedBad?.kind).toBe('invalid');

    const res = await deliver(`${base}/processors/marqeta`, body, marqetaHeaders(body));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ processor: 'marqeta', outcome: 'invalid', queued: 1, duplicates: 0 });
    expect(res.body.issues).toContainEqual(
      expect.objectContaining({ transaction: 1, path: '[0].attributes.userId', severity: 'error' }),
    );
    for (const id of ids(expectedGood!)) {
      expect((await outbox(id)).status).toBe(200);
      await waitFor(`${id} forwarded`, () => h.mock.eventCount(id) === 1);
    }
    for (const id of ids(expectedBad!)) expect((await outbox(id)).status).toBe(404);

    const again = await deliver(`${base}/processors/marqeta`, body, marqetaHeaders(body));
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ queued: 0, duplicates: 1 });
  });

  it("lithic: a correctly signed transaction is stored with the last four digits from the issuer's lookup, and forwarded", async () => {
    const body = fixture('lithic/authorization-approved.json');
    const expected = fromLithic(JSON.parse(body), { cardBin: CARD_BIN, cardLastFour: '4142' });
    expect(expected.kind).toBe('events');
    const res = await deliver(`${base}/processors/lithic`, body, lithicHeaders(body));
    expect(res.status).toBe(202);
    expect(res.body.events).toEqual(ids(expected).map((id) => ({ id, status: 'queued' })));
    for (const id of ids(expected)) await waitFor(`${id} forwarded`, () => h.mock.eventCount(id) === 1);
  });

  it('a card lookup that fails is a 503 (the processor delivers again later), nothing stored', async () => {
    const before = total(await outboxRows());
    const event = JSON.parse(fixture('lithic/authorization-approved.json'));
    event.card_token = 'card-lookup-fails';
    const body = JSON.stringify(event);
    const res = await deliver(`${base}/processors/lithic`, body, lithicHeaders(body));
    expect(res.status).toBe(503);
    expect(res.body.errors[0]).toMatchObject({ status: '503', code: 'mapping_failed' });
    expect(total(await outboxRows())).toBe(before);
  });

  it('marqeta: a correctly signed webhook body is stored and forwarded', async () => {
    const body = fixture('marqeta/authorization-clearing.json');
    const expected = fromMarqeta(JSON.parse(body), { cardBin: CARD_BIN });
    expect(expected.kind).toBe('events');
    const res = await deliver(`${base}/processors/marqeta`, body, marqetaHeaders(body));
    expect(res.status).toBe(202);
    expect(res.body.events).toEqual(ids(expected).map((id) => ({ id, status: 'queued' })));
    for (const id of ids(expected)) await waitFor(`${id} forwarded`, () => h.mock.eventCount(id) === 1);
  });

  it('a route whose secret is not configured answers 503 naming the variable to set', async () => {
    const saved = processors.secrets.lithic;
    delete processors.secrets.lithic;
    try {
      const body = fixture('lithic/authorization-approved.json');
      const res = await deliver(`${base}/processors/lithic`, body, lithicHeaders(body));
      expect(res.status).toBe(503);
      expect(res.body.errors[0]).toMatchObject({ status: '503', code: 'processor_not_configured' });
      expect(res.body.errors[0].detail).toContain('LITHIC_WEBHOOK_SECRET');
    } finally {
      processors.secrets.lithic = saved;
    }
  });

  it('the start says which processor routes are on, and no secret reaches the logs', () => {
    const listening = h.logs.find((l) => l.includes('express-sample listening'));
    expect(JSON.parse(listening ?? '{}').processors).toEqual(['stripe', 'lithic', 'marqeta']);
    const all = h.logs.join('\n');
    expect(all).toContain('processor webhook rejected: signature');
    for (const secret of [STRIPE_SECRET, LITHIC_SECRET, MARQETA_SECRET]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(-12));
    }
  });
});

describe('processor configuration from the environment', () => {
  const kard = {
    KARD_CLIENT_ID: 'id',
    KARD_CLIENT_SECRET: 'shh-client',
    KARD_ORGANIZATION_ID: 'org',
    KARD_WEBHOOK_SECRET: 'shh-webhook',
    KARD_ENVIRONMENT: 'sandbox',
    SAMPLE_API_KEYS: TEST_API_KEY,
  };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    return '';
  };

  it("each secret turns its route on; SAMPLE_CARD_BIN is the cards' BIN", () => {
    const c = loadConfig({
      ...kard,
      STRIPE_WEBHOOK_SECRET: 'whsec_stripe-secret',
      MARQETA_WEBHOOK_SECRET: 'marqeta-secret',
      SAMPLE_CARD_BIN: '445566',
    });
    expect(c.processors).toEqual({
      secrets: { stripe: 'whsec_stripe-secret', marqeta: 'marqeta-secret' },
      cardBin: '445566',
    });
    expect(loadConfig(kard).processors).toEqual({ secrets: {} });
  });

  it('a processor secret without SAMPLE_CARD_BIN, or a BIN that is not 6 digits, stops the start (R4), naming no secret', () => {
    const missing = problems({ ...kard, LITHIC_WEBHOOK_SECRET: 'whsec_lithic-secret-value' });
    expect(missing).toContain('SAMPLE_CARD_BIN is missing');
    expect(missing).toContain('R4');
    expect(missing).not.toContain('lithic-secret-value');
    expect(problems({ ...kard, SAMPLE_CARD_BIN: '4455' })).toContain(
      'SAMPLE_CARD_BIN must be the first 6 digits of the cards (R4), got "4455"',
    );
    expect(problems({ ...kard, SAMPLE_CARD_BIN: '445566' })).toBe('');
  });
});
