import { randomUUID } from 'node:crypto';
import { safeParseCreateSubscriptionsRequest, safeParseUpdateSubscriptionRequest } from '@kardkit/schemas';
import { NOTIFICATION_TYPES, type Subscription } from '../core.js';
import { fail, paginate, reply, validationFailure } from '../http.js';
import { type Ctx, dataObject, jsonBody, type RouteDef } from '../router.js';

const O = '/v2/issuers/:org';
const subResource = (s: Subscription) => ({
  type: 'subscription',
  id: s.id,
  attributes: { eventName: s.eventName, webhookUrl: s.webhookUrl, enabled: s.enabled },
});

function checkEventName(v: string | null, parameter: string): void {
  if (v && !NOTIFICATION_TYPES.includes(v)) fail(400, `unknown event name '${v}'`, { parameter });
}

/** 17. POST subscriptions — 201; 409 when the same eventName + webhookUrl is already subscribed. */
function createSubscriptions(ctx: Ctx) {
  const body = jsonBody(ctx);
  const r = safeParseCreateSubscriptionsRequest(body);
  if (!r.success) validationFailure(r.issues);
  const items = body.data as { attributes: { eventName: string; webhookUrl: string; enabled: boolean } }[];
  const core = ctx.core;
  items.forEach((it, i) => {
    for (const s of core.subscriptions.values())
      if (s.eventName === it.attributes.eventName && s.webhookUrl === it.attributes.webhookUrl)
        fail(409, `a subscription for ${s.eventName} to this URL exists (${s.id})`, {
          pointer: `/data/${i}`,
        });
  });
  const out = items.map((it) => {
    const s: Subscription = { id: randomUUID(), ...it.attributes };
    core.subscriptions.set(s.id, s);
    return subResource(s);
  });
  return reply(201, { data: out });
}

/** 18. PATCH subscriptions/{id} — all attributes optional (R74). */
function updateSubscription(ctx: Ctx) {
  const s = ctx.core.subscriptions.get(ctx.params.subscriptionId!);
  if (!s)
    return fail(404, `subscription ${ctx.params.subscriptionId} not found`, { parameter: 'subscriptionId' });
  const r = safeParseUpdateSubscriptionRequest(jsonBody(ctx));
  if (!r.success) validationFailure(r.issues);
  const a = (dataObject(ctx).attributes ?? {}) as Partial<Subscription>;
  if (a.eventName !== undefined) s.eventName = a.eventName;
  if (a.webhookUrl !== undefined) s.webhookUrl = a.webhookUrl;
  if (a.enabled !== undefined) s.enabled = a.enabled;
  return reply(200, { data: subResource(s) });
}

/** 14. GET notifications — filters, newest first, page size 1–200 default 200 (R72). */
function listNotifications(ctx: Ctx) {
  const q = ctx.url.searchParams;
  const eventName = q.get('filter[eventName]');
  checkEventName(eventName, 'filter[eventName]');
  const status = q.get('filter[status]');
  if (status && !['pending', 'delivered', 'delivery_failed'].includes(status))
    fail(400, 'filter[status] must be pending, delivered or delivery_failed', {
      parameter: 'filter[status]',
    });
  const time = (name: string) => {
    const v = q.get(name);
    if (!v) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) return fail(400, `${name} must be a date-time`, { parameter: name });
    return t;
  };
  const after = time('filter[after]');
  const before = time('filter[before]');
  const all = [...ctx.core.dispatcher.log].reverse().filter(
    (n) =>
      // the legacy earned-reward webhook is not a v2 notification (openapi/kard.yaml NotificationType)
      NOTIFICATION_TYPES.includes(n.eventName) &&
      (!eventName || n.eventName === eventName) &&
      (!status || n.status === status) &&
      (after === undefined || n.createdAt > after) &&
      (before === undefined || n.createdAt < before),
  );
  const page = paginate(all, ctx.url, { def: 200, max: 200 });
  return reply(200, {
    data: page.items.map((n) => {
      const attributes: Record<string, unknown> = {
        eventId: n.eventId,
        eventName: n.eventName,
        timestamp: n.timestamp,
        lastAttemptAt: n.lastAttemptAt,
        status: n.status,
        attempts: n.attempts,
      };
      if (n.statusCode !== undefined) attributes.statusCode = n.statusCode;
      if (n.errorMessage !== undefined) attributes.errorMessage = n.errorMessage;
      return { type: 'notification', id: n.eventId, attributes };
    }),
    meta: { pageSize: page.pageSize, hasNextPage: page.hasNextPage, total: all.length },
    links: page.links,
  });
}

/** 15. POST notifications/{eventId}/replay — 202; 404 unknown; 409 without an enabled subscription (R73). */
function replay(ctx: Ctx) {
  const core = ctx.core;
  const rec = core.dispatcher.get(ctx.params.eventId!);
  if (!rec) return fail(404, `notification ${ctx.params.eventId} not found`, { parameter: 'eventId' });
  const targets = core.targetsFor(rec.eventName);
  if (targets.length === 0)
    return fail(409, `no enabled subscription for ${rec.eventName} (R73)`, { parameter: 'eventId' });
  void core.dispatcher.deliver(rec, targets);
  return reply(202, { data: { eventId: rec.eventId } });
}

export const notificationRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: `${O}/subscriptions`,
    auth: 'bearer',
    handler: (ctx) => {
      const e = ctx.url.searchParams.get('filter[eventName]');
      checkEventName(e, 'filter[eventName]');
      const all = [...ctx.core.subscriptions.values()].filter((s) => !e || s.eventName === e);
      return reply(200, { data: all.map(subResource) });
    },
  },
  { method: 'POST', path: `${O}/subscriptions`, auth: 'bearer', handler: createSubscriptions },
  {
    method: 'PATCH',
    path: `${O}/subscriptions/:subscriptionId`,
    auth: 'bearer',
    handler: updateSubscription,
  },
  { method: 'GET', path: `${O}/notifications`, auth: 'bearer', handler: listNotifications },
  { method: 'POST', path: `${O}/notifications/:eventId/replay`, auth: 'bearer', handler: replay },
];
