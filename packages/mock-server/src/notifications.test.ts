import { describe, expect, it } from 'vitest';
import type { MockCore } from './core.js';
import type { Reply } from './http.js';
import { notificationRoutes } from './routes/notifications.js';
import { mockCore } from './test-support.js';
import type { NotificationRecord } from './webhooks.js';

// GET notifications on its own (no HTTP): which records the time filters keep, and which optional
// attributes a listed notification carries (openapi/kard.yaml notifications.list, R72).
const T = Date.parse('2026-11-01T10:00:00.000Z');

function coreWith(records: Partial<NotificationRecord>[]): MockCore {
  const c = mockCore();
  c.dispatcher.log.push(
    ...records.map(
      (r, i): NotificationRecord => ({
        eventId: `n${i}`,
        eventName: 'earnedRewardSettled',
        timestamp: new Date(T + i).toISOString(),
        lastAttemptAt: new Date(T + i).toISOString(),
        status: 'delivered',
        attempts: 1,
        rawBody: '{}',
        targets: [],
        createdAt: T + i,
        ...r,
      }),
    ),
  );
  return c;
}

const route = notificationRoutes.find((r) => r.method === 'GET' && r.path.endsWith('/notifications'))!;
async function list(c: MockCore, query = '') {
  const url = new URL(`http://127.0.0.1/v2/issuers/org-1/notifications${query}`);
  const r = (await route.handler({
    core: c,
    method: 'GET',
    url,
    path: url.pathname,
    params: {},
    body: undefined,
    headers: {},
  })) as Reply;
  return (r.body as { data: { id: string; attributes: Record<string, unknown> }[] }).data;
}
const ids = async (c: MockCore, query: string) => (await list(c, query)).map((n) => n.id);
const at = (ms: number) => encodeURIComponent(new Date(ms).toISOString());

describe('GET notifications: time filters', () => {
  const c = coreWith([{}, {}, {}]); // created at T, T+1 ms, T+2 ms

  it('filter[after] keeps only what was created after it, not at it', async () => {
    expect(await ids(c, `?filter[after]=${at(T)}`)).toEqual(['n2', 'n1']);
    expect(await ids(c, `?filter[after]=${at(T - 1)}`)).toEqual(['n2', 'n1', 'n0']);
    expect(await ids(c, `?filter[after]=${at(T + 2)}`)).toEqual([]);
  });

  it('filter[before] keeps only what was created before it, not at it', async () => {
    expect(await ids(c, `?filter[before]=${at(T + 2)}`)).toEqual(['n1', 'n0']);
    expect(await ids(c, `?filter[before]=${at(T + 3)}`)).toEqual(['n2', 'n1', 'n0']);
    expect(await ids(c, `?filter[before]=${at(T)}`)).toEqual([]);
  });

  it('both together: the records strictly between them', async () => {
    expect(await ids(c, `?filter[after]=${at(T)}&filter[before]=${at(T + 2)}`)).toEqual(['n1']);
  });
});

describe('GET notifications: optional attributes', () => {
  it('statusCode and errorMessage appear only when the delivery recorded them', async () => {
    const c = coreWith([{}, { status: 'delivery_failed', statusCode: 503, errorMessage: 'HTTP 503' }]);
    const [failed, delivered] = await list(c);
    expect(failed?.attributes).toMatchObject({ statusCode: 503, errorMessage: 'HTTP 503' });
    expect(Object.keys(delivered?.attributes ?? {}).sort()).toEqual([
      'attempts',
      'eventId',
      'eventName',
      'lastAttemptAt',
      'status',
      'timestamp',
    ]);
  });
});
