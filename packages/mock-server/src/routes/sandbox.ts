import { TRIGGER_TYPES } from '../core.js';
import { fail, reply } from '../http.js';
import { type Ctx, jsonBody, type RouteDef } from '../router.js';

/**
 * POST /__sandbox/trigger `{type, userId?}` — emits a sample notification of `type` (every
 * NotificationType of openapi/kard.yaml, or `legacyEarnedReward`), signed and delivered to the
 * subscribed URLs like any other (R106). Sandbox-only; needs a bearer token like the API.
 * 202 `{data: {type, id, attributes: {eventName, targets}}}`.
 */
async function trigger(ctx: Ctx) {
  const body = jsonBody(ctx);
  const type = body.type;
  if (typeof type !== 'string' || !TRIGGER_TYPES.includes(type))
    fail(400, `type must be one of ${TRIGGER_TYPES.join(', ')}`, { pointer: '/type' });
  const userId = body.userId;
  if (userId !== undefined && (typeof userId !== 'string' || userId.length === 0))
    fail(400, 'userId must be a non-empty string', { pointer: '/userId' });
  const rec = await ctx.core.trigger(
    type as string,
    userId === undefined ? {} : { userId: userId as string },
  );
  return reply(202, {
    data: {
      type: 'trigger',
      id: rec.eventId,
      attributes: { eventName: rec.eventName, targets: rec.targets.map((t) => t.url) },
    },
  });
}

export const sandboxRoutes: RouteDef[] = [
  // Liveness for discovery (discovery.ts): answers which process serves this URL. No data, no token.
  {
    method: 'GET',
    path: '/__sandbox/health',
    auth: 'none',
    handler: () => reply(200, { status: 'ok', pid: process.pid }),
  },
  { method: 'POST', path: '/__sandbox/trigger', auth: 'bearer', handler: trigger },
];
