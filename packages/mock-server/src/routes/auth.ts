import { timingSafeEqual } from 'node:crypto';
import { randomToken } from '../core.js';
import { errorObject, reply } from '../http.js';
import { type Ctx, MALFORMED, type RouteDef } from '../router.js';

const eq = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** OAuth-style error plus the JSON:API envelope, so both kinds of client can read it. */
const tokenError = (status: number, error: string, detail: string) =>
  reply(status, { error, error_description: detail, errors: [errorObject(status, detail)] });

/**
 * POST /v2/auth/token (openapi/kard.yaml auth.getToken): HTTP Basic + form `grant_type=client_credentials` (Auth API
 * v2), or JSON `{client_id, client_secret}` (official SDK). Form bodies may also carry
 * client_id/client_secret (client_secret_post).
 */
function token(ctx: Ctx) {
  ctx.core.stats.tokenRequests += 1;
  if (ctx.body === MALFORMED) return tokenError(400, 'invalid_request', 'request body is not valid JSON');
  const body =
    ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body)
      ? (ctx.body as Record<string, unknown>)
      : {};
  const ct = ctx.headers['content-type'] ?? '';
  const isForm = ct.includes('application/x-www-form-urlencoded');
  let id: unknown;
  let secret: unknown;
  const auth = ctx.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i === -1) return tokenError(400, 'invalid_request', 'malformed Basic authorization header');
    // OAuth client_secret_basic form-encodes id and secret; a stray `%` is a client error, not a crash.
    try {
      id = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    } catch {
      return tokenError(400, 'invalid_request', 'malformed Basic authorization header');
    }
  } else {
    id = body.client_id;
    secret = body.client_secret;
  }
  const grant = body.grant_type;
  if (isForm || grant !== undefined) {
    if (grant !== 'client_credentials')
      return tokenError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
  }
  if (typeof id !== 'string' || typeof secret !== 'string' || !id || !secret)
    return tokenError(
      400,
      'invalid_request',
      'missing client credentials: send HTTP Basic auth or a JSON body {client_id, client_secret}',
    );
  const { clientId, clientSecret } = ctx.core.opts;
  if (!eq(id, clientId) || !eq(secret, clientSecret))
    return tokenError(401, 'invalid_client', 'invalid client credentials');
  return reply(200, ctx.core.issueToken(), { 'cache-control': 'no-store' });
}

const ping = () => reply(200, { message: 'pong', status: 'OK', timestamp: new Date().toISOString() });

export const authRoutes: RouteDef[] = [
  { method: 'POST', path: '/v2/auth/token', auth: 'none', handler: token },
  { method: 'GET', path: '/v2/ping', auth: 'none', handler: ping },
  { method: 'GET', path: '/ping', auth: 'none', handler: ping },
  {
    // 24. web-view token (user-scoped; the mock does not require the user to exist)
    method: 'POST',
    path: '/v2/auth/issuers/:org/users/:user/token',
    auth: 'bearer',
    handler: (_ctx) => {
      return reply(200, { access_token: `wv_${randomToken()}`, expires_in: 3600, token_type: 'Bearer' });
    },
  },
  {
    // 25. GET /v2/issuer: bare resource (openapi/kard.yaml organizations.get)
    method: 'GET',
    path: '/v2/issuer',
    auth: 'bearer',
    handler: (ctx) =>
      reply(200, {
        type: 'organization',
        id: ctx.core.opts.organizationId,
        attributes: {
          name: 'Mock Issuer',
          enrolledRewards: ['CARDLINKED'],
          cardNetworks: ['VISA', 'MASTERCARD'],
          bins: ['411111', '545454'],
          affiliateCommissionSplit: 0,
          cardlinkedCommissionSplit: 0.5,
          cardlinkedUserCommissionSplit: 0.5,
        },
      }),
  },
];
