import type { MockCore } from '../core.js';
import { validateFaultConfig } from '../faults.js';
import { apiError, type Reply, reply } from '../http.js';
import { MALFORMED } from '../router.js';
import type { FaultConfig, MockKard, RecordedRequest } from '../types.js';

/**
 * Admin endpoints (never faulted): POST/DELETE /__admin/faults, POST /__admin/tokens/expire,
 * GET /__admin/stats, POST /__admin/reset, GET /__admin/requests. Each changes or reveals the
 * sandbox's data, so each needs HTTP Basic with the sandbox's client id and secret, the same
 * credentials as the dashboard (a bearer token would not do: POST /__admin/tokens/expire revokes it).
 */
export function adminRoutes(
  core: MockCore,
  method: string,
  path: string,
  body: unknown,
  requests: RecordedRequest[],
  api: MockKard,
  authorization: string | undefined,
): Reply {
  if (!core.basicAuthOk(authorization)) {
    return {
      ...apiError(401, "the admin endpoints need HTTP Basic with the sandbox's client id and secret"),
      headers: { 'www-authenticate': 'Basic realm="kard sandbox", charset="UTF-8"' },
    };
  }
  const route = `${method} ${path.replace(/\/$/, '')}`;
  switch (route) {
    case 'POST /__admin/faults': {
      if (body === MALFORMED) return apiError(400, 'request body is not valid JSON');
      const err = validateFaultConfig(body);
      if (err) return apiError(400, err);
      core.faults.set(body as FaultConfig);
      core.changed('faults');
      return reply(200, { ok: true });
    }
    case 'DELETE /__admin/faults':
      core.faults.clear();
      core.changed('faults');
      return reply(200, { ok: true });
    case 'POST /__admin/tokens/expire':
      core.expireTokens();
      return reply(200, { ok: true });
    case 'GET /__admin/stats':
      return reply(200, core.stats);
    case 'POST /__admin/reset':
      api.reset();
      return reply(200, { ok: true });
    case 'GET /__admin/requests':
      return reply(200, { data: requests });
    default:
      return apiError(404, `no such admin route: ${route}`);
  }
}
