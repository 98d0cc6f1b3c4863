// CORS for browser apps calling the mock from a local dev server. An allowed Origin gets
// Access-Control-Allow-Origin on every answer, and its preflight OPTIONS is answered 204 without
// credentials (browsers send none on a preflight); any other origin gets no CORS headers.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Any port of localhost and 127.0.0.1, over http: the usual local dev servers. */
export const DEFAULT_CORS_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

const METHODS = 'GET, POST, PUT, PATCH, DELETE';
const DEFAULT_ALLOWED_HEADERS = 'authorization, content-type';
/** Response headers a browser app may read besides the safelisted ones. */
const EXPOSED = 'x-request-id, retry-after, www-authenticate, deprecation, link';

/**
 * A predicate for the Origin header. Each pattern is an origin (`https://app.example:8443`) or an
 * origin whose port is `*` (any port, and the scheme's default port).
 */
export function originMatcher(patterns: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const anyPort = new Set<string>(); // scheme://host
  for (const pattern of patterns) {
    const wildcard = pattern.endsWith(':*');
    let url: URL | undefined;
    try {
      url = new URL(wildcard ? pattern.slice(0, -2) : pattern);
    } catch {
      url = undefined;
    }
    const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (!url || !bare || url.origin === 'null')
      throw new Error(
        `corsOrigins: ${JSON.stringify(pattern)} is not an origin like http://localhost:5173 or http://localhost:*`,
      );
    if (wildcard) anyPort.add(`${url.protocol}//${url.hostname}`);
    else exact.add(url.origin);
  }
  return (origin) => {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.origin !== origin) return false; // not a serialized origin (path, userinfo, case…)
    return exact.has(origin) || anyPort.has(`${url.protocol}//${url.hostname}`);
  };
}

/**
 * Adds the CORS headers for an allowed Origin to `res`. Returns true when the request was a
 * preflight and has been answered (204 when allowed, 403 otherwise).
 */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  allowed: (origin: string) => boolean,
): boolean {
  const origin = req.headers.origin;
  const ok = origin !== undefined && allowed(origin);
  if (ok) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  }
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (!preflight) {
    if (ok) res.setHeader('access-control-expose-headers', EXPOSED);
    return false;
  }
  req.resume();
  if (!ok) {
    const body = JSON.stringify({
      errors: [{ status: '403', title: 'Forbidden', detail: 'this origin is not allowed (corsOrigins)' }],
    });
    res.writeHead(403, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return true;
  }
  res.writeHead(204, {
    'access-control-allow-methods': METHODS,
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? DEFAULT_ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}
