// The sandbox dashboard (GET /) in a real browser: headless Chromium from the system's packages
// (Debian: `apt-get install -y chromium`), driven by playwright-core. Without a browser the suite is
// skipped and says why; set KARD_CHROMIUM to use another binary.
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { KardClient } from '@kardkit/sdk';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers.js';

const CANDIDATES = [
  process.env.KARD_CHROMIUM,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const executablePath = CANDIDATES.find((p): p is string => !!p && existsSync(p));
const why = `no Chromium found (looked at ${CANDIDATES.filter(Boolean).join(', ')}); install it with \`apt-get install -y chromium\` or set KARD_CHROMIUM`;

/** The issuer's webhook endpoint: keeps each raw body and its signature. */
const hits: { raw: string; headers: IncomingHttpHeaders }[] = [];
const receiver = createServer((req, res) => {
  let raw = '';
  req.setEncoding('utf8').on('data', (c: string) => {
    raw += c;
  });
  req.on('end', () => {
    hits.push({ raw, headers: req.headers });
    res.end();
  });
});

let mock: MockKard;
let kard: KardClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

const settled = (id: string, user: string) => ({
  type: 'transaction',
  id,
  attributes: {
    userId: user,
    transactionId: `txn-${id}`,
    amount: 2000,
    status: 'SETTLED',
    currency: 'USD',
    description: 'SQ *BEAN & LEAF COFFEE',
    cardBIN: '411111',
    cardLastFour: '4242',
    direction: 'DEBIT',
    paymentType: 'CARD',
    authorizationDate: '2026-11-01T10:00:00Z',
    settledDate: '2026-11-02T10:00:00Z',
  },
});

async function token(): Promise<string> {
  const r = await fetch(`${mock.url}/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: mock.clientId, client_secret: mock.clientSecret }),
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

describe.skipIf(!executablePath)(
  `the sandbox dashboard in Chromium${executablePath ? '' : ` (skipped: ${why})`}`,
  () => {
    beforeAll(async () => {
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kard`;
      mock = await startMockKard({ webhookUrl: hook });
      kard = new KardClient({
        baseUrl: mock.url,
        organizationId: mock.organizationId,
        clientId: mock.clientId,
        clientSecret: mock.clientSecret,
      });
      await kard.users.create([
        { type: 'user', id: 'dash-user', attributes: { enrolledRewards: ['CARDLINKED'] } },
      ]);
      browser = await chromium.launch({
        executablePath,
        // Chromium refuses its sandbox to root (containers, CI)
        args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      });
      // The dashboard asks for the sandbox's client id and secret (HTTP Basic)
      context = await browser.newContext({
        httpCredentials: { username: mock.clientId, password: mock.clientSecret },
      });
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => {
        // the event stream is cut when the page closes; anything else failing is a problem
        if (!r.url().endsWith('/__dashboard/api/events')) problems.push(`requestfailed: ${r.url()}`);
      });
    });
    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await mock?.close();
      await new Promise((r) => receiver.close(r));
    });

    it('loads with its sections, goes live, and logs no console error', async () => {
      const res = await page.goto(`${mock.url}/`);
      expect(res?.status()).toBe(200);
      await page.locator('#live', { hasText: 'Live' }).waitFor();
      for (const h of ['Users', 'Transactions received', 'Earned rewards', 'Webhook deliveries', 'Faults'])
        expect(await page.getByRole('heading', { name: h, exact: true }).count()).toBe(1);
      await page.locator('tr[data-user="dash-user"]').waitFor();
      expect(problems).toEqual([]);
    });

    it('without the credentials the page is refused (401, Basic)', async () => {
      const r = await fetch(`${mock.url}/`);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect((await fetch(`${mock.url}/__dashboard/api/state`)).status).toBe(401);
    });

    it('a transaction posted through the SDK appears within a second, with its match outcome', async () => {
      await kard.transactions.create([settled('dash-evt-1', 'dash-user')]);
      const row = page.locator('tr[data-event="dash-evt-1"]');
      await row.waitFor({ timeout: 1000 });
      expect(await row.textContent()).toContain('✓ accepted');
      expect(await row.textContent()).toContain('reward earned at Bean & Leaf Coffee');
      await page.locator('#rewards-body tr', { hasText: 'txn-dash-evt-1' }).waitFor();
      expect(problems).toEqual([]);
    });

    it('an invalid event shows its validation issue (rule) as text, not only as colour', async () => {
      const t = await token();
      const bad = settled('dash-bad', 'dash-user');
      delete (bad.attributes as Record<string, unknown>).settledDate;
      await fetch(`${mock.url}/v2/issuers/${mock.organizationId}/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({ data: [bad] }),
      });
      const row = page.locator('tr[data-event="dash-bad"]');
      await row.waitFor();
      const text = (await row.textContent()) ?? '';
      expect(text).toContain('✗ rejected');
      expect(text).toMatch(/settledDate.*R2/);
    });

    it('Replay (pressed with the keyboard) re-delivers the same signed bytes', async () => {
      const item = page.locator('li[data-delivery]', { hasText: 'earnedRewardSettled' }).first();
      await item.locator('text=✓ delivered').waitFor();
      await waitFor(() => hits.length >= 1, 'the first delivery');
      const before = hits.length;
      const first = hits[before - 1]!;
      const button = item.getByRole('button', { name: /^Replay earnedRewardSettled/ });
      await button.focus();
      await page.keyboard.press('Enter');
      await waitFor(() => hits.length > before, 'the replayed delivery');
      const again = hits[before]!;
      expect(again.raw).toBe(first.raw);
      expect(again.headers['notify-signature']).toBe(first.headers['notify-signature']);
      await item.locator('text=2 attempts').first().waitFor();
      expect(problems).toEqual([]);
    });

    it('a fault set in the page takes effect, and clearing it restores service', async () => {
      await page.selectOption('#fault-mode', 'status');
      await page.fill('#fault-status', '503');
      await page.fill('#fault-rate', '1');
      await page.fill('#fault-match', '/transactions');
      await page.click('#fault-apply');
      await page.locator('#faults-current', { hasText: '503' }).waitFor();
      const t = await token();
      const post = () =>
        fetch(`${mock.url}/v2/issuers/${mock.organizationId}/transactions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
          body: JSON.stringify({ data: [settled(`dash-f-${Date.now()}`, 'dash-user')] }),
        });
      expect((await post()).status).toBe(503);
      await page.click('#fault-clear');
      await page.locator('#faults-current', { hasText: 'No faults' }).waitFor();
      expect((await post()).status).toBe(202);
      expect(problems).toEqual([]);
    });
  },
);
