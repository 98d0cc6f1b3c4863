import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { harness, org, receiver, txn, waitFor } from './test-support.js';

const rx = await receiver(() => 200);
const h = await harness({ webhookUrl: `${rx.url}/hook` });
afterAll(async () => {
  await h.mock.close();
  await rx.close();
});
const basic = (id = h.mock.clientId, secret = h.mock.clientSecret) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const dash = (path: string, init: RequestInit = {}) =>
  fetch(`${h.mock.url}${path}`, { ...init, headers: { authorization: basic(), ...init.headers } });
const write = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  dash(path, {
    method,
    headers: { 'content-type': 'application/json', origin: h.mock.url, ...headers },
    body: JSON.stringify(body),
  });

/** The dashboard's event stream, read in the background until `close()`. */
async function eventStream() {
  const ac = new AbortController();
  const res = await dash('/__dashboard/api/events', { signal: ac.signal });
  const reader = res.body!.getReader();
  let text = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += Buffer.from(value).toString('utf8');
    }
  })().catch(() => {}); // ends with the abort in close()
  return {
    res,
    text: () => text,
    close: async () => {
      ac.abort();
      await reading;
    },
  };
}

describe('the dashboard (GET /)', () => {
  it('asks for the sandbox client id and secret (HTTP Basic); wrong ones are refused', async () => {
    const none = await fetch(`${h.mock.url}/`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="kard sandbox", charset="UTF-8"');
    expect(
      (await fetch(`${h.mock.url}/`, { headers: { authorization: basic(h.mock.clientId, 'wrong') } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${h.mock.url}/`, { headers: { authorization: basic('other', h.mock.clientSecret) } }))
        .status,
    ).toBe(401);
    expect((await fetch(`${h.mock.url}/`, { headers: { authorization: `Bearer ${h.token}` } })).status).toBe(
      401,
    );
    expect((await fetch(`${h.mock.url}/__dashboard/api/state`)).status).toBe(401);
  });

  it('serves the page, its script and its style from the package, with a strict CSP', async () => {
    const page = await dash('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="/__dashboard/app.js" defer></script>');
    expect(html).not.toMatch(/https?:\/\//); // no CDN
    expect((await dash('/__dashboard/app.js')).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await dash('/__dashboard/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await dash('/__dashboard/nothing')).status).toBe(404);
  });

  it('answers only to its own loopback host name (no DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(h.mock.url);
      request(
        {
          host: u.hostname,
          port: u.port,
          path: '/',
          headers: { host: 'evil.example', authorization: basic() },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it('the state shows users, transactions with issues and outcome, rewards and deliveries, never the client secret', async () => {
    await h.call('POST', `${org(h)}/users`, {
      data: [{ type: 'user', id: 'd1', attributes: { enrolledRewards: ['CARDLINKED'] } }],
    });
    const bad = txn('d-bad', { userId: 'd1' });
    delete (bad.attributes as Record<string, unknown>).settledDate;
    await h.call('POST', `${org(h)}/transactions`, {
      data: [
        txn('d-ok', { userId: 'd1', description: 'BEAN & LEAF COFFEE' }),
        bad,
        txn('d-none', { userId: 'd1' }),
      ],
    });
    await h.call('POST', `${org(h)}/transactions`, { data: [txn('d-ok', { userId: 'd1' })] });
    await waitFor(() => rx.hits.length > 0, 'the reward webhook');
    const res = await dash('/__dashboard/api/state');
    const text = await res.text();
    expect(text).not.toContain(h.mock.clientSecret);
    const s = JSON.parse(text);
    expect(s.users.map((u: { id: string }) => u.id)).toContain('d1');
    const byId = (id: string) => s.transactions.find((t: { id: string }) => t.id === id);
    expect(byId('d-bad')).toMatchObject({
      outcome: 'rejected',
      match: 'not matched: rejected by validation',
    });
    expect(byId('d-bad').issues.join(' ')).toMatch(/settledDate.*R2/);
    expect(byId('d-bad')).toMatchObject({
      userId: 'd1',
      status: 'SETTLED',
      amount: 2500,
      merchant: 'POS PURCHASE',
    });
    expect(
      s.transactions
        .filter((t: { id: string }) => t.id === 'd-ok')
        .map((t: { outcome: string }) => t.outcome),
    ).toEqual(['duplicate', 'accepted']);
    expect(
      s.transactions.find((t: { id: string; outcome: string }) => t.id === 'd-ok' && t.outcome === 'accepted')
        .match,
    ).toMatch(/^reward earned at Bean & Leaf Coffee/);
    expect(byId('d-none').match).toBe('no reward: no offer matches the merchant');
    expect(s.rewards[0]).toMatchObject({ userId: 'd1', merchant: 'Bean & Leaf Coffee', status: 'SETTLED' });
    const d = s.deliveries[0];
    expect(d).toMatchObject({ eventName: 'earnedRewardSettled', targets: [{ url: `${rx.url}/hook` }] });
    expect(d.signature).toBe(rx.hits[0]!.headers['notify-signature']);
    expect(d.payload).toBe(rx.hits[0]!.raw.toString('utf8'));
  });

  it('live updates: the event stream says what changed', async () => {
    const events = await eventStream();
    try {
      expect(events.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await h.call('POST', `${org(h)}/users`, {
        data: [{ type: 'user', id: 'live-1', attributes: { enrolledRewards: [] } }],
      });
      await waitFor(() => events.text().includes('data: users'), 'the users change');
    } finally {
      await events.close();
    }
    expect(events.text()).toContain('event: change\ndata: users\n\n');
  });

  it('live updates: faults set and cleared through /__admin are announced too', async () => {
    const events = await eventStream();
    const announced = () => events.text().match(/event: change\ndata: faults\n\n/g)?.length ?? 0;
    const admin = (method: string, body?: unknown) =>
      fetch(`${h.mock.url}/__admin/faults`, {
        method,
        headers: { authorization: basic(), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    try {
      expect((await admin('POST', { sequence: [{ status: 503 }] })).status).toBe(200);
      expect((await admin('DELETE')).status).toBe(200);
      await waitFor(() => announced() >= 2, 'two faults announcements');
    } finally {
      await events.close();
    }
    expect(announced()).toBe(2);
  });

  it('writes need the page origin and a JSON body; faults set and cleared from it take effect', async () => {
    expect(
      (await write('POST', '/__dashboard/api/faults', { rate: 1 }, { origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect(
      (
        await dash('/__dashboard/api/faults', {
          method: 'POST',
          headers: { origin: h.mock.url },
          body: 'rate=1',
        })
      ).status,
    ).toBe(403);
    expect((await write('POST', '/__dashboard/api/faults', { rate: 7 })).status).toBe(400);
    const set = await write('POST', '/__dashboard/api/faults', {
      rate: 1,
      step: { status: 503 },
      match: '/v2/ping',
    });
    expect(set.status).toBe(200);
    expect((await fetch(`${h.mock.url}/v2/ping`)).status).toBe(503);
    expect((await dash('/')).status).toBe(200); // the dashboard itself is never faulted
    expect(
      ((await (await dash('/__dashboard/api/state')).json()) as { faults: unknown }).faults,
    ).toMatchObject({
      rate: 1,
      match: '/v2/ping',
    });
    expect((await write('DELETE', '/__dashboard/api/faults', {})).status).toBe(200);
    expect((await fetch(`${h.mock.url}/v2/ping`)).status).toBe(200);
  });

  it('replay re-delivers any notification, the legacy one too; 404 unknown, 409 unsubscribed', async () => {
    const t = await h.call('POST', '/__sandbox/trigger', { type: 'legacyEarnedReward' });
    await waitFor(
      () => rx.hits.some((x) => x.raw.includes('"referringPartnerUserId"')),
      'the legacy webhook',
    );
    const before = rx.hits.length;
    const r = await write('POST', `/__dashboard/api/deliveries/${t.body.data.id}/replay`, {});
    expect(r.status).toBe(202);
    await waitFor(() => rx.hits.length > before, 'the replay');
    expect((await write('POST', '/__dashboard/api/deliveries/nope/replay', {})).status).toBe(404);
    const lone = await harness({});
    try {
      const tr = await lone.call('POST', '/__sandbox/trigger', { type: 'clawback' });
      const res = await fetch(`${lone.mock.url}/__dashboard/api/deliveries/${tr.body.data.id}/replay`, {
        method: 'POST',
        headers: {
          authorization: basic(lone.mock.clientId, lone.mock.clientSecret),
          'content-type': 'application/json',
          origin: lone.mock.url,
        },
        body: '{}',
      });
      expect(res.status).toBe(409);
    } finally {
      await lone.mock.close();
    }
  });
});
