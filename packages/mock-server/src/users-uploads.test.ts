import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  conformance,
  conformsTo,
  type Harness,
  harness,
  org,
  receiver,
  txn,
  waitFor,
} from './test-support.js';

const rx = await receiver(() => 200);
const received = rx.hits;

const h: Harness = await harness({ webhookUrl: `${rx.url}/hooks`, uploadUrlTtlSeconds: 900 });
afterAll(async () => {
  await h.mock.close();
  await rx.close();
});
beforeEach(() => {
  h.mock.reset();
  received.length = 0;
});

const user = (id: string, attributes: Record<string, unknown> = { enrolledRewards: ['CARDLINKED'] }) => ({
  type: 'user',
  id,
  attributes,
});
const U = '/v2/issuers/{organizationId}/users';

describe('users (R38–R43)', () => {
  it('201 echoes created users; GET, PUT and DELETE work; a deleted id can be re-created (R43)', async () => {
    const c = await h.call('POST', `${org(h)}/users`, {
      data: [user('u1', { enrolledRewards: ['CARDLINKED'], zipCode: '10001' })],
    });
    expect(c.status).toBe(201);
    expect(conformance('POST', U, 201, c.body)).toEqual([]);
    const g = await h.call('GET', `${org(h)}/users/u1`);
    expect(g.status).toBe(200);
    expect(g.body.data).toEqual({
      type: 'user',
      id: 'u1',
      attributes: { enrolledRewards: ['CARDLINKED'], zipCode: '10001' },
    });
    expect(conformance('GET', `${U}/{userId}`, 200, g.body)).toEqual([]);
    const p = await h.call('PUT', `${org(h)}/users/u1`, {
      data: { type: 'user', id: 'u1', attributes: { enrolledRewards: [], zipCode: '94103' } },
    });
    expect(p.status).toBe(200);
    expect(p.body.data.attributes).toMatchObject({ enrolledRewards: [], zipCode: '94103' });
    expect(conformance('PUT', `${U}/{userId}`, 200, p.body)).toEqual([]);
    const d = await h.call('DELETE', `${org(h)}/users/u1`);
    expect(d.status).toBe(200);
    expect(d.body).toEqual({ data: { type: 'user', id: 'u1', attributes: {} } });
    expect(conformance('DELETE', `${U}/{userId}`, 200, d.body)).toEqual([]);
    expect((await h.call('GET', `${org(h)}/users/u1`)).status).toBe(404);
    expect((await h.call('POST', `${org(h)}/users`, { data: [user('u1')] })).status).toBe(201);
  });

  it('207 for a partial batch, naming the failing user id', async () => {
    const r = await h.call('POST', `${org(h)}/users`, {
      data: [user('ok'), user('bad', { enrolledRewards: ['AFFILIATE'] })],
    });
    expect(r.status).toBe(207);
    expect(conformance('POST', U, 207, r.body)).toEqual([]);
    expect(r.body.errors[0]).toMatchObject({ status: '400', id: 'bad' });
    expect(r.body.data.map((u: { id: string }) => u.id)).toEqual(['ok']);
  });

  it('409 when every id already exists; 207 when some do', async () => {
    await h.call('POST', `${org(h)}/users`, { data: [user('a')] });
    const dup = await h.call('POST', `${org(h)}/users`, { data: [user('a')] });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([
      {
        status: '409',
        title: 'Conflict',
        detail: 'user a already exists',
        source: { pointer: '/data/0/id' },
        id: 'a',
      },
    ]);
    const mixed = await h.call('POST', `${org(h)}/users`, { data: [user('b'), user('a')] });
    expect(mixed.status).toBe(207);
    expect(mixed.body.errors).toEqual([expect.objectContaining({ status: '409', id: 'a' })]);
    expect(mixed.body.errors[0].source).toEqual({ pointer: '/data/1/id' });
    expect(mixed.body.data).toEqual([
      { type: 'user', id: 'b', attributes: { enrolledRewards: ['CARDLINKED'] } },
    ]);
    // an existing id and an invalid user: 400, not 409, since not every error is a conflict
    const both = await h.call('POST', `${org(h)}/users`, { data: [user('a'), user('c', {})] });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { status: string }) => e.status).sort()).toEqual(['400', '409']);
    expect((await h.call('GET', `${org(h)}/users/c`)).status).toBe(404);
  });

  it('a user id repeated in one batch: the first is created, the repeat is rejected naming both', async () => {
    const r = await h.call('POST', `${org(h)}/users`, {
      data: [
        user('twice', { enrolledRewards: ['CARDLINKED'] }),
        user('once'),
        user('twice', { enrolledRewards: [] }),
      ],
    });
    expect(r.status).toBe(207);
    expect(conformance('POST', U, 207, r.body)).toEqual([]);
    expect(r.body.data.map((u: { id: string }) => u.id)).toEqual(['twice', 'once']);
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        status: '400',
        id: 'twice',
        source: { pointer: '/data/2/id' },
        detail: expect.stringMatching(/duplicate user id; already used by data\[0\]/),
      }),
    ]);
    const got = await h.call('GET', `${org(h)}/users/twice`);
    expect(got.body.data.attributes).toEqual({ enrolledRewards: ['CARDLINKED'] });
    // an invalid first copy does not let a second copy through
    const both = await h.call('POST', `${org(h)}/users`, { data: [user('pair', {}), user('pair')] });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { id: string }) => e.id)).toEqual(['pair', 'pair']);
    expect((await h.call('GET', `${org(h)}/users/pair`)).status).toBe(404);
  });

  it('400 over 100 users (R38) and when every user is invalid', async () => {
    const many = Array.from({ length: 101 }, (_, i) => user(`m${i}`));
    const over = await h.call('POST', `${org(h)}/users`, { data: many });
    expect(over.status).toBe(400);
    expect(over.body.errors[0]).toMatchObject({
      detail: 'at most 100 items per request (R38); got 101',
      source: { pointer: '/data' },
    });
    expect((await h.call('POST', `${org(h)}/users`, { data: many.slice(1) })).status).toBe(201);
    const bad = await h.call('POST', `${org(h)}/users`, { data: [user('x', {})] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ status: '400', title: 'Invalid user', id: 'x' });
  });

  it('PUT rejects setting historicalTransactionsSent back to false (R40); 404 for unknown users', async () => {
    await h.call('POST', `${org(h)}/users`, {
      data: [user('h1', { enrolledRewards: ['CARDLINKED'], historicalTransactionsSent: true })],
    });
    const r = await h.call('PUT', `${org(h)}/users/h1`, {
      data: {
        type: 'user',
        id: 'h1',
        attributes: { enrolledRewards: ['CARDLINKED'], historicalTransactionsSent: false },
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({
      detail: 'historicalTransactionsSent cannot be set back to false once true (R40)',
      source: { pointer: '/data/attributes/historicalTransactionsSent' },
    });
    expect((await h.call('GET', `${org(h)}/users/h1`)).body.data.attributes.historicalTransactionsSent).toBe(
      true,
    );
    // leaving it out is fine: attributes not sent are kept
    const keep = await h.call('PUT', `${org(h)}/users/h1`, {
      data: { type: 'user', id: 'h1', attributes: { enrolledRewards: ['CARDLINKED'], zipCode: '10001' } },
    });
    expect(keep.status).toBe(200);
    expect(keep.body.data).toEqual({
      type: 'user',
      id: 'h1',
      attributes: { enrolledRewards: ['CARDLINKED'], historicalTransactionsSent: true, zipCode: '10001' },
    });
    // false → true is allowed (one-way only towards true)
    await h.call('POST', `${org(h)}/users`, { data: [user('h2', { enrolledRewards: [] })] });
    const on = await h.call('PUT', `${org(h)}/users/h2`, {
      data: {
        type: 'user',
        id: 'h2',
        attributes: { enrolledRewards: [], historicalTransactionsSent: false },
      },
    });
    expect(on.status).toBe(200);
    expect(
      (
        await h.call('PUT', `${org(h)}/users/h2`, {
          data: {
            type: 'user',
            id: 'h2',
            attributes: { enrolledRewards: [], historicalTransactionsSent: true },
          },
        })
      ).status,
    ).toBe(200);
    const other = await h.call('PUT', `${org(h)}/users/h1`, {
      data: { type: 'user', id: 'h2', attributes: { enrolledRewards: [] } },
    });
    expect(other.status).toBe(400);
    expect(other.body.errors[0]).toMatchObject({
      detail: 'data.id must equal the userId in the path',
      source: { pointer: '/data/id' },
    });
    // an invalid body is a 400 naming the rule, and changes nothing
    const invalid = await h.call('PUT', `${org(h)}/users/h2`, {
      data: { type: 'user', id: 'h2', attributes: {} },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0]).toMatchObject({
      detail: 'required (R39)',
      source: { pointer: '/data/attributes/enrolledRewards' },
    });
    expect((await h.call('GET', `${org(h)}/users/h2`)).body.data.attributes.enrolledRewards).toEqual([]);
    const missing = await h.call('PUT', `${org(h)}/users/nobody`, {
      data: { type: 'user', id: 'nobody', attributes: { enrolledRewards: [] } },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toMatchObject({
      detail: 'user nobody not found',
      source: { parameter: 'userId' },
    });
    expect((await h.call('DELETE', `${org(h)}/users/nobody`)).status).toBe(404);
    expect((await h.call('GET', `${org(h)}/users/nobody`)).status).toBe(404);
  });
});

describe('per-user upload sessions (R35, R36)', () => {
  const P = '/v2/issuers/{organizationId}/users/{userId}/uploads';
  const part = (id: string, attrs: Record<string, unknown> = {}) => ({
    ...txn(id, attrs),
    type: 'historicalTransaction',
  });

  it('create → parts (200, 207, 400) → complete → 409 on completing twice', async () => {
    const c = await h.call('POST', `${org(h)}/users/user-1/uploads`, {
      data: { type: 'historicalTransactionStart', attributes: {} },
    });
    expect(c.status).toBe(200);
    expect(conformance('POST', P, 200, c.body)).toEqual([]);
    const id = c.body.data.id as string;

    const p1 = await h.call('PUT', `${org(h)}/users/user-1/uploads/${id}/parts`, {
      data: [part('h1'), part('h2')],
    });
    expect(p1.status).toBe(200);
    expect(conformance('PUT', `${P}/{uploadId}/parts`, 200, p1.body)).toEqual([]);
    expect(p1.body.data.map((d: { id: string }) => d.id)).toEqual(['h1', 'h2']);

    const p2 = await h.call('PUT', `${org(h)}/users/user-1/uploads/${id}/parts`, {
      data: [part('h3'), part('h4', { cardBIN: 'x' })],
    });
    expect(p2.status).toBe(207);
    expect(conformance('PUT', `${P}/{uploadId}/parts`, 207, p2.body)).toEqual([]);
    expect(p2.body.errors[0]).toMatchObject({ id: 'h4', source: { pointer: '/data/1/attributes/cardBIN' } });

    const many = Array.from({ length: 501 }, (_, i) => part(`x${i}`));
    expect((await h.call('PUT', `${org(h)}/users/user-1/uploads/${id}/parts`, { data: many })).status).toBe(
      400,
    );

    const done = { data: { type: 'historicalTransactionComplete', id, attributes: {} } };
    const c1 = await h.call('PUT', `${org(h)}/users/user-1/uploads/${id}`, done);
    expect(c1.status).toBe(200);
    expect(conformance('PUT', `${P}/{uploadId}`, 200, c1.body)).toEqual([]);
    const c2 = await h.call('PUT', `${org(h)}/users/user-1/uploads/${id}`, done);
    expect(c2.status).toBe(409);
    expect(conformance('PUT', `${P}/{uploadId}`, 409, c2.body)).toEqual([]);
    expect(
      (await h.call('PUT', `${org(h)}/users/user-1/uploads/${id}/parts`, { data: [part('late')] })).status,
    ).toBe(409);
  });

  it('400 when the completion id differs from the path, and for an unknown upload (no 404 is documented)', async () => {
    const c = await h.call('POST', `${org(h)}/users/user-1/uploads`, {
      data: { type: 'historicalTransactionStart', attributes: {} },
    });
    const id = c.body.data.id as string;
    const r = await h.call('PUT', `${org(h)}/users/user-1/uploads/${id}`, {
      data: { type: 'historicalTransactionComplete', id: 'other', attributes: {} },
    });
    expect(r.status).toBe(400);
    const unknown = await h.call('PUT', `${org(h)}/users/user-1/uploads/nope/parts`, { data: [part('a')] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ source: { parameter: 'uploadId' } });
    expect(conformance('PUT', `${P}/{uploadId}/parts`, 400, unknown.body)).toEqual([]);
    const done = await h.call('PUT', `${org(h)}/users/user-1/uploads/nope`, {
      data: { type: 'historicalTransactionComplete', id: 'nope', attributes: {} },
    });
    expect(done.status).toBe(400);
    expect(conformance('PUT', `${P}/{uploadId}`, 400, done.body)).toEqual([]);
  });
});

describe('bulk upload URL (R30–R34)', () => {
  const B = '/v2/issuers/{organizationId}/transactions/uploads';
  const lines = (n: number, bad: number[] = []) =>
    `${Array.from({ length: n }, (_, i) => JSON.stringify(txn(`bulk-${i}`, bad.includes(i) ? { cardBIN: '1' } : {}))).join('\n')}\n`;

  async function uploadUrl(type = 'incomingTransactionsFile', filename = 'daily.jsonl') {
    const r = await h.call('POST', `${org(h)}/transactions/uploads`, {
      data: [{ type, attributes: { filename } }],
    });
    expect(r.status).toBe(201);
    expect(conformance('POST', B, 201, r.body)).toEqual([]);
    return r.body.data[0] as { id: string; attributes: { url: string; expiresIn: number } };
  }

  it('returns a presigned-style URL on the mock itself, valid 900 s by default', async () => {
    const u = await uploadUrl();
    expect(u.attributes.expiresIn).toBe(900);
    expect(u.attributes.url.startsWith(`${h.mock.url}/__uploads/${u.id}`)).toBe(true);
    expect(new URL(u.attributes.url).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a plain JSONL PUT, processes it line by line and sends fileProcessingResult', async () => {
    const u = await uploadUrl();
    const put = await fetch(u.attributes.url, { method: 'PUT', body: lines(1200, [7, 1100]) });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBeTruthy();
    expect(h.mock.stats().uploads).toEqual({ files: 1, lines: 1200, valid: 1198, invalid: 2 });
    expect(h.mock.eventCount('bulk-0')).toBe(1); // incoming files are ingested like POSTed events
    const note = await waitFor(() =>
      received.find((r) => r.raw.toString('utf8').includes('fileProcessingResult')),
    );
    const payload = JSON.parse(note.raw.toString('utf8'));
    expect(payload.data.type).toBe('fileProcessingResult');
    expect(conformsTo('WebhookNotification', payload)).toEqual([]);
    expect(payload.data.attributes).toMatchObject({
      fileName: 'daily.jsonl',
      downloadUrl: expect.any(String),
    });
    const result = await (await fetch(payload.data.attributes.downloadUrl)).json();
    expect(result).toMatchObject({ lines: 1200, valid: 1198, invalid: 2 });
    expect(result.errors.map((e: { id: string }) => e.id)).toEqual(['bulk-7', 'bulk-1100']);
  });

  it('auto-detects gzip by its magic bytes (R32)', async () => {
    const u = await uploadUrl('historicalTransactionsFile', 'history.jsonl.gz');
    const hist = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ ...txn(`g${i}`), type: 'historicalTransaction' }),
    ).join('\n');
    const put = await fetch(u.attributes.url, { method: 'PUT', body: gzipSync(`${hist}\nnot json\n`) });
    expect(put.status).toBe(200);
    expect(h.mock.stats().uploads).toEqual({ files: 1, lines: 51, valid: 50, invalid: 1 });
    expect(h.mock.eventCount('g0')).toBe(0); // historical lines are not live events
  });

  it('403 after expiresIn (on the `now` clock), and for a wrong signature', async () => {
    let now = 1_800_000_000_000;
    const short = await harness({ uploadUrlTtlSeconds: 30, now: () => now });
    try {
      const create = () =>
        short.call('POST', `${org(short)}/transactions/uploads`, {
          data: [{ type: 'incomingTransactionsFile', attributes: { filename: 'late.jsonl' } }],
        });
      const r = await create();
      const url = r.body.data[0].attributes.url as string;
      expect(r.body.data[0].attributes.expiresIn).toBe(30);
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('30');
      const tampered = url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=00');
      expect((await fetch(tampered, { method: 'PUT', body: lines(1) })).status).toBe(403);
      now += 30_000;
      const put = await fetch(url, { method: 'PUT', body: lines(1) });
      expect(put.status).toBe(403);
      expect(await put.text()).toMatch(/expired/);
      // one millisecond before the end of its lifetime a URL still takes the file
      const fresh = (await create()).body.data[0].attributes.url as string;
      now += 29_999;
      expect((await fetch(fresh, { method: 'PUT', body: lines(1) })).status).toBe(200);
    } finally {
      await short.mock.close();
    }
  });

  it('409 when a URL is used twice; 400 for a corrupt gzip stream', async () => {
    const u = await uploadUrl();
    expect((await fetch(u.attributes.url, { method: 'PUT', body: lines(3) })).status).toBe(200);
    expect((await fetch(u.attributes.url, { method: 'PUT', body: lines(3) })).status).toBe(409);
    const g = await uploadUrl();
    const corrupt = Buffer.concat([gzipSync(lines(3)).subarray(0, 12), Buffer.from('garbage')]);
    expect((await fetch(g.attributes.url, { method: 'PUT', body: corrupt })).status).toBe(400);
  });

  it('400 for 0 or 11 files (R30) and for a filename without extension (R33)', async () => {
    const f = (n: number, filename = 'a.jsonl') =>
      h.call('POST', `${org(h)}/transactions/uploads`, {
        data: Array.from({ length: n }, () => ({
          type: 'incomingTransactionsFile',
          attributes: { filename },
        })),
      });
    expect((await f(0)).status).toBe(400);
    expect((await f(11)).status).toBe(400);
    expect((await f(1, 'noextension')).status).toBe(400);
    expect((await f(10)).status).toBe(201);
  });
});
