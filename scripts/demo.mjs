// `pnpm demo`: the reference issuer integration (apps/express-sample) end to end, on this machine.
//
// With no Kard credentials it starts the mock Kard in-process, starts the sample pointed at it,
// subscribes the sample's webhook URL, enrolls a user, posts an APPROVED then a SETTLED transaction
// at a merchant with an offer, waits for the forwarder and the signed earned-reward webhooks, then
// posts a signed Stripe Issuing webhook to the sample's /processors/stripe and shows the Kard event it
// became, and tells the story. Exit code 0 on success; otherwise non-zero with the reason. Hard limit: 120 s.
//
// It imports the BUILT packages (their dist/); if they are not built yet it runs `pnpm -s build`
// once first (turbo, filtered to the sample and its dependencies), so `pnpm install && pnpm demo`
// works on a fresh checkout.
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE = new URL('../apps/express-sample/dist/index.js', import.meta.url);
const MOCK = new URL('../packages/mock-server/dist/index.js', import.meta.url);
const LIMIT_MS = 120_000; // a few seconds normally; the ceiling only stops a hang on a loaded machine
const MERCHANT = 'Bean & Leaf Coffee'; // in the mock's offer catalog

const say = (line = '') => process.stdout.write(`${line}\n`);
// The sample refuses to start without an API key: this run makes a random one and sends it with
// every call. Only its first characters are ever printed.
const API_KEY = randomBytes(32).toString('base64url');
const AUTH = { authorization: `Bearer ${API_KEY}` };
const money = (cents) => `$${(cents / 100).toFixed(2)}`;
// The sample's /processors/stripe checks Stripe's signature with this run's random endpoint secret
// (STRIPE_WEBHOOK_SECRET); the demo signs as Stripe does. Processors leave the card BIN out of their
// webhooks, so the sample is given one (SAMPLE_CARD_BIN).
const STRIPE_SECRET = `whsec_${randomBytes(24).toString('hex')}`;
const CARD_BIN = process.env.SAMPLE_CARD_BIN || '411111';
const PROCESSOR_ENV = { STRIPE_WEBHOOK_SECRET: STRIPE_SECRET, SAMPLE_CARD_BIN: CARD_BIN };

function fail(reason) {
  process.stderr.write(`\ndemo FAILED: ${reason}\n`);
  process.exit(1);
}

async function loadBuilt() {
  const load = async (bust) => {
    const q = bust ? `?after-build=${Date.now()}` : '';
    const [sample, mock] = await Promise.all([import(`${SAMPLE.href}${q}`), import(`${MOCK.href}${q}`)]);
    if (typeof sample.startSample !== 'function' || typeof mock.startMockKard !== 'function') {
      throw new Error('the built packages do not export startSample / startMockKard yet');
    }
    return { sample, mock };
  };
  if (existsSync(SAMPLE) && existsSync(MOCK)) {
    try {
      return await load(false);
    } catch {
      // built, but stale or partial: rebuild below
    }
  }
  // The same turbo pipeline as `pnpm build`, limited to the sample and what it depends on (schemas,
  // sdk, mock-server): that is all the demo imports, and it keeps a fresh checkout within the minute.
  say('The packages are not built yet: building the sample and its dependencies once (turbo caches it)…');
  const t0 = Date.now();
  const build = spawnSync(
    'pnpm',
    ['-s', 'turbo', 'run', 'build', '--filter=@kardkit/express-sample...', '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 300_000,
    },
  );
  if (build.status !== 0)
    fail(`the build failed (exit ${build.status ?? build.signal}); run \`pnpm build\` to see why`);
  say(`Built in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  say('');
  try {
    return await load(true);
  } catch (error) {
    fail(`cannot load the built packages: ${error.message}`);
  }
}

async function call(base, method, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers:
      body === undefined
        ? { ...AUTH, ...headers }
        : { 'content-type': 'application/json', ...AUTH, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

async function waitFor(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function txEvent(id, userId, transactionId, status) {
  return {
    type: 'transaction',
    id,
    attributes: {
      userId,
      transactionId,
      status,
      amount: 1250,
      currency: 'USD',
      description: `${MERCHANT.toUpperCase()} #042 PORTLAND OR`,
      merchant: { name: MERCHANT, id: '000123456789012', addrCity: 'Portland', addrState: 'OR' },
      mcc: '5814',
      cardBIN: '411111',
      cardLastFour: '4242',
      cardNetwork: 'VISA',
      direction: 'DEBIT',
      paymentType: 'CARD',
      authorizationDate: '2026-11-20T17:04:00Z',
      ...(status === 'SETTLED' ? { settledDate: '2026-11-21T09:30:00Z' } : {}),
    },
  };
}

/** Stripe's `Stripe-Signature` header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> (docs.stripe.com/webhooks). */
function stripeSignature(body, secret, at = Math.floor(Date.now() / 1000)) {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
}

/** An approved `issuing_authorization.created` event (docs.stripe.com/api/issuing/authorizations/object), trimmed. */
function stripeAuthorization(run, cardholder) {
  const created = Math.floor(Date.now() / 1000);
  return {
    id: `evt_demo_${run}`,
    object: 'event',
    type: 'issuing_authorization.created',
    created,
    data: {
      object: {
        id: `iauth_demo_${run}`,
        object: 'issuing.authorization',
        amount: 840,
        approved: true,
        status: 'pending',
        currency: 'usd',
        created,
        card: { id: `ic_demo_${run}`, object: 'issuing.card', last4: '4242', brand: 'Visa', cardholder },
        cardholder,
        merchant_data: {
          name: MERCHANT,
          category: 'eating_places_restaurants',
          category_code: '5814',
          city: 'Portland',
          state: 'OR',
          postal_code: '97205',
          country: 'US',
          network_id: '000123456789012',
        },
        request_history: [{ amount: 840, approved: true, authorization_code: 'D3M0A1', created }],
      },
    },
  };
}

/** Posts a signed Stripe Issuing webhook to /processors/stripe and shows what became of it. */
async function stripeStep(n, base, mock, run, userId) {
  const body = JSON.stringify(stripeAuthorization(run, userId));
  const deliver = (headers) =>
    fetch(`${base}/processors/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }).then(async (res) => ({ status: res.status, body: await res.json() }));
  const posted = await deliver({ 'stripe-signature': stripeSignature(body, STRIPE_SECRET) });
  if (posted.status !== 202)
    fail(`POST /processors/stripe answered ${posted.status}: ${JSON.stringify(posted.body)}`);
  const id = posted.body.events[0].id;
  say(
    `${n}. Posted a Stripe Issuing webhook (issuing_authorization.created, ${money(840)} at ${MERCHANT}) to /processors/stripe,`,
  );
  say(`   signed as Stripe signs it (Stripe-Signature, HMAC-SHA256 with the endpoint secret; no API key):`);
  say(`   → 202: verified, mapped with @kardkit/processors, committed to the same outbox as event ${id}.`);
  const row = await waitFor('the forwarder to send the Stripe event', async () => {
    const got = await call(base, 'GET', `/outbox/${encodeURIComponent(id)}`);
    return got.body.status === 'sent' || got.body.status === 'rejected' ? got.body : null;
  });
  if (row.status === 'rejected') fail(`Kard rejected ${id}: ${JSON.stringify(row.reject_reason)}`);
  const sent = mock?.requests.find((r) => r.method === 'POST' && JSON.stringify(r.body).includes(id));
  const event = sent?.body?.data?.find((e) => e.id === id);
  if (event) {
    say(`   The Kard event it became, as Kard received it:`);
    say(`   ${JSON.stringify(event)}`);
  } else {
    say(
      `   The forwarder sent it to Kard as ${row.event_status} event ${id} (transaction ${row.transaction_id}).`,
    );
  }
  const again = await deliver({ 'stripe-signature': stripeSignature(body, STRIPE_SECRET) });
  const forged = await deliver({ 'stripe-signature': stripeSignature(body, 'whsec_not_the_secret') });
  say(
    `   Stripe's redelivery of the same event → HTTP ${again.status} (${again.body.outcome}, stored once); a wrong signature → HTTP ${forged.status}.`,
  );
  if (again.status !== 200 || again.body.outcome !== 'duplicate') fail('the redelivery was not recognised');
  if (forged.status !== 401) fail(`a forged Stripe webhook answered ${forged.status}, not 401`);
}

async function main() {
  const { sample: kit, mock: mockKit } = await loadBuilt();
  const demoStarted = Date.now();
  const hardStop = setTimeout(() => fail(`did not finish within ${LIMIT_MS / 1000} s`), LIMIT_MS);
  hardStop.unref();

  const env = process.env;
  const real = Boolean(env.KARD_CLIENT_ID || env.KARD_CLIENT_SECRET);
  let mock;
  let config;
  say('kardkit demo: the reference issuer integration (apps/express-sample) talking to Kard');
  say('');
  if (real) {
    try {
      config = kit.loadConfig({
        PGLITE_DATA_DIR: 'memory',
        ...env,
        SAMPLE_API_KEYS: API_KEY,
        PORT: '0',
        LOG_LEVEL: 'error',
        ...PROCESSOR_ENV,
      });
    } catch (error) {
      fail(`real Kard credentials are set but the configuration is incomplete:\n${error.message}`);
    }
    say(`• Real Kard credentials found in the environment: using them, and only the configured API`);
    say(`  (${config.kard.baseUrl ?? `${config.kard.environment} environment`}). No mock is started.`);
  } else {
    mock = await mockKit.startMockKard();
    say(`• No Kard credentials in the environment: started the mock Kard at ${mock.url}`);
    config = kit.loadConfig({
      PORT: '0',
      LOG_LEVEL: 'error',
      SAMPLE_API_KEYS: API_KEY,
      PGLITE_DATA_DIR: 'memory', // a throwaway outbox for a throwaway mock
      KARD_BASE_URL: mock.url,
      KARD_CLIENT_ID: mock.clientId,
      KARD_CLIENT_SECRET: mock.clientSecret,
      KARD_ORGANIZATION_ID: mock.organizationId,
      KARD_WEBHOOK_SECRET: mock.webhookSecret,
      FORWARDER_POLL_MS: '100',
      ...PROCESSOR_ENV,
    });
  }
  const app = await kit.startSample(config);
  const base = app.url;
  say(`• The sample is listening at ${base} (storage: ${app.db.kind}, outbox forwarder running)`);
  say(
    `• API key for this run: ${API_KEY.slice(0, 6)}… (random, sent as "Authorization: Bearer <key>"; without it every route but /healthz, /readyz and the signed webhooks answers 401)`,
  );

  try {
    const refused = await fetch(`${base}/outbox/stats`);
    await refused.arrayBuffer();
    say(
      `  GET /outbox/stats without the key → HTTP ${refused.status} (WWW-Authenticate: ${refused.headers.get('www-authenticate')})`,
    );
    if (refused.status !== 401) fail(`a call without the API key answered ${refused.status}, not 401`);
    const hookUrl = `${base}/webhooks/kard`;
    if (mock) {
      await kit.createKardClient(config).subscriptions.create({
        data: ['earnedRewardApproved', 'earnedRewardSettled'].map((eventName) => ({
          type: 'subscription',
          attributes: { eventName, webhookUrl: hookUrl, enabled: true },
        })),
      });
      say(`• Subscribed ${hookUrl} to earnedRewardApproved and earnedRewardSettled`);
    } else {
      say(
        `• Not subscribing ${hookUrl}: Kard cannot reach 127.0.0.1. Subscribe a public URL to see webhooks.`,
      );
    }
    say('');

    // 1. Enroll.
    const run = Date.now().toString(36);
    const userId = `demo-user-${run}`;
    const enrolled = await call(base, 'POST', '/users', {
      id: userId,
      email: '  Ada.Lovelace+cards@Gmail.com ',
    });
    if (enrolled.status !== 201)
      fail(`enrolling the user failed: HTTP ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    say(`1. Enrolled user ${userId} (POST /users → Kard POST /v2/issuers/{org}/users: 201).`);
    say(
      `   Only the hashed email left the app: ${enrolled.body.hashedEmail.slice(0, 16)}… (hashEmail normalises first)`,
    );

    // 2. Offers.
    const offers = await call(base, 'GET', `/users/${userId}/offers?page[size]=3`);
    if (offers.status !== 200) fail(`listing offers failed: HTTP ${offers.status}`);
    const names = offers.body.data.map((o) => o.attributes?.name ?? o.id).join(', ');
    say(
      `2. Offers for the user (GET /users/:id/offers?page[size]=3): ${names}${offers.body.links.next ? ', … (links.next for more)' : ''}`,
    );

    // 3. APPROVED then SETTLED, one transaction, two events.
    const transactionId = `txn-${run}`;
    const ids = { APPROVED: `evt-${run}-approved`, SETTLED: `evt-${run}-settled` };
    for (const [n, status] of [
      [3, 'APPROVED'],
      [4, 'SETTLED'],
    ]) {
      const posted = await call(
        base,
        'POST',
        '/transactions',
        txEvent(ids[status], userId, transactionId, status),
      );
      if (posted.status !== 202)
        fail(`POST /transactions (${status}) answered ${posted.status}: ${JSON.stringify(posted.body)}`);
      say(
        `${n}. Posted the ${status} event ${ids[status]} for ${transactionId}: ${money(1250)} at ${MERCHANT}` +
          `${status === 'SETTLED' ? ' (same transactionId, new event id)' : ''}`,
      );
      say(`   → 202: validated with @kardkit/schemas and committed to the outbox before answering.`);
    }

    // 5. The forwarder sends them.
    const rows = await waitFor('the forwarder to send both events', async () => {
      const got = await Promise.all(
        Object.values(ids).map((id) => call(base, 'GET', `/outbox/${encodeURIComponent(id)}`)),
      );
      return got.every((g) => g.body.status === 'sent' || g.body.status === 'rejected')
        ? got.map((g) => g.body)
        : null;
    });
    const rejected = rows.filter((r) => r.status === 'rejected');
    if (rejected.length)
      fail(
        `Kard rejected ${rejected.map((r) => r.id).join(', ')}: ${JSON.stringify(rejected[0].reject_reason)}`,
      );
    say(
      `5. The forwarder sent both events to Kard (POST /v2/issuers/{org}/transactions) and recorded Kard's answers:`,
    );
    for (const row of rows) {
      const a = row.kard_response?.data?.attributes;
      say(
        `   ${row.event_status.padEnd(8)} ${row.id}: ${a ? `${a.status}, "${a.message}"` : JSON.stringify(row.kard_response)}`,
      );
    }
    if (mock) {
      say(
        `   Kard counted each event id once: ${Object.values(ids)
          .map((id) => `${id} ×${mock.eventCount(id)}`)
          .join(', ')}`,
      );
    }

    if (!mock) {
      await stripeStep(6, base, mock, run, userId);
      say('');
      say(
        `Done in ${((Date.now() - demoStarted) / 1000).toFixed(1)} s (webhooks are not awaited against real Kard from 127.0.0.1).`,
      );
      return;
    }

    // 6. Signed webhooks arrive and are verified.
    const rewards = await waitFor('the signed earnedRewardSettled webhook', async () => {
      const r = await call(base, 'GET', `/users/${userId}/rewards`);
      const types = r.body.data.map((n) => n.type);
      return types.includes('earnedRewardApproved') && types.includes('earnedRewardSettled') ? r.body : null;
    });
    const forged = await call(
      base,
      'POST',
      '/webhooks/kard',
      { data: { ...rewards.data[0], id: 'forged' } },
      { 'notify-signature': Buffer.from('not the right key').toString('base64') },
    );
    say(`6. Kard's webhooks arrived, each signed (notify-signature: base64 HMAC-SHA256 of the raw body).`);
    say(`   The sample verified every signature with the SDK's verifyWebhook before recording anything:`);
    for (const n of rewards.data)
      say(`     ${n.type.padEnd(21)} ${n.notificationId}  signature verified → 200, recorded once by id`);
    const delivered = mock.stats().webhooksSent;
    say(
      `   (the mock logged ${delivered} delivered webhook(s); a forged one with a wrong signature got HTTP ${forged.status})`,
    );

    // 7. The reward.
    const settled = rewards.data.find((n) => n.type === 'earnedRewardSettled');
    const ur = settled.userReward;
    const rate = ur ? (ur.type === 'PERCENT' ? `${ur.value}% back` : `${money(ur.value)} back`) : 'reward';
    say(
      `7. ${userId} earned ${money(settled.commissionEarnedInCents ?? 0)} (${rate} at ${settled.merchant}) ` +
        `on ${settled.transactionId}: settled. GET /users/${userId}/rewards shows it.`,
    );
    if (!(settled.commissionEarnedInCents > 0)) fail('the settled reward carries no earned amount');

    // 8. A card processor's webhook, straight in.
    await stripeStep(8, base, mock, run, userId);
    say('');
    say(`Done in ${((Date.now() - demoStarted) / 1000).toFixed(1)} s.`);
  } finally {
    await app.close();
    await mock?.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => fail(error?.message ?? String(error)),
);
