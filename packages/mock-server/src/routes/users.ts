import { safeParseUpdateUserRequest } from '@kardkit/schemas';
import type { UserRecord } from '../core.js';
import { errorObject, fail, reply, validationFailure } from '../http.js';
import { type Ctx, dataArray, dataObject, jsonBody, type RouteDef } from '../router.js';
import { split } from './transactions.js';

const userResource = (u: UserRecord) => ({ type: 'user', id: u.id, attributes: u.attributes });

/** 8. POST /v2/issuers/{org}/users — 201 echo / 207 partial / 400 / 409 existing id (R38). */
function createUsers(ctx: Ctx) {
  const core = ctx.core;
  const data = dataArray(ctx, 100, 'R38');
  const { valid, errors } = split('users', data, 'Invalid user');
  const out: unknown[] = [];
  // a repeated id within the batch is already an error from split() (checkBatch)
  for (const { item, index } of valid) {
    const u = item as { type: string; id: string; attributes: Record<string, unknown> };
    if (core.users.has(u.id)) {
      errors.push(
        errorObject(409, `user ${u.id} already exists`, {
          title: 'Conflict',
          pointer: `/data/${index}/id`,
          id: u.id,
        }),
      );
      continue;
    }
    const record = { id: u.id, attributes: { ...u.attributes } };
    core.users.set(u.id, record);
    out.push(userResource(record));
  }
  if (out.length === 0) return reply(errors.every((e) => e.status === '409') ? 409 : 400, { errors });
  return errors.length ? reply(207, { errors, data: out }) : reply(201, { data: out });
}

function getUser(ctx: Ctx) {
  const u = ctx.core.users.get(ctx.params.user!);
  if (!u) return fail(404, `user ${ctx.params.user} not found`, { parameter: 'userId' });
  return u;
}

/** 9. PUT …/users/{user} — 200; R40: historicalTransactionsSent cannot go back to false. */
function updateUser(ctx: Ctx) {
  const u = getUser(ctx);
  const body = jsonBody(ctx);
  const r = safeParseUpdateUserRequest(body);
  if (!r.success) validationFailure(r.issues);
  const d = dataObject(ctx) as { id?: unknown; attributes: Record<string, unknown> };
  if (d.id !== undefined && d.id !== u.id)
    fail(400, 'data.id must equal the userId in the path', { pointer: '/data/id' });
  if (u.attributes.historicalTransactionsSent === true && d.attributes.historicalTransactionsSent === false)
    fail(400, 'historicalTransactionsSent cannot be set back to false once true (R40)', {
      pointer: '/data/attributes/historicalTransactionsSent',
    });
  u.attributes = { ...u.attributes, ...d.attributes };
  return reply(200, { data: userResource(u) });
}

export const userRoutes: RouteDef[] = [
  { method: 'POST', path: '/v2/issuers/:org/users', auth: 'bearer', handler: createUsers },
  {
    method: 'GET',
    path: '/v2/issuers/:org/users/:user',
    auth: 'bearer',
    handler: (ctx) => reply(200, { data: userResource(getUser(ctx)) }),
  },
  { method: 'PUT', path: '/v2/issuers/:org/users/:user', auth: 'bearer', handler: updateUser },
  {
    // 10. DELETE — the id may be re-created afterwards (R43)
    method: 'DELETE',
    path: '/v2/issuers/:org/users/:user',
    auth: 'bearer',
    handler: (ctx) => {
      const u = getUser(ctx);
      ctx.core.users.delete(u.id);
      return reply(200, { data: { type: 'user', id: u.id, attributes: {} } });
    },
  },
];
