import type { IncomingHttpHeaders } from 'node:http';
import type { MockCore } from './core.js';
import { fail, type Reply } from './http.js';

export const MALFORMED = Symbol('malformed');

export interface Ctx {
  core: MockCore;
  method: string;
  url: URL;
  path: string;
  params: Record<string, string>;
  /** Parsed JSON (or form fields for urlencoded bodies); undefined when empty; MALFORMED when unparsable. */
  body: unknown;
  headers: IncomingHttpHeaders;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;
/** bearer: v2 JSON:API 401s; legacy: 401 `{message}` (openapi/kard.yaml LegacyUnauthorizedError), bare tokens accepted; none: no auth. */
export type AuthKind = 'bearer' | 'legacy' | 'none';
const AUTH_KINDS: readonly string[] = ['bearer', 'legacy', 'none'] satisfies AuthKind[];

export interface RouteDef {
  method: string;
  path: string; // '/v2/issuers/:org/users/:user'
  auth: AuthKind;
  handler: Handler;
  /** Deprecated upstream (openapi/kard.yaml `deprecated: true`): answers carry Deprecation and a Link to this successor path. */
  successor?: string;
}

interface Compiled extends RouteDef {
  re: RegExp;
  keys: string[];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class Router {
  private readonly routes: Compiled[] = [];

  add(defs: RouteDef[]): void {
    for (const d of defs) {
      // A route table that names no known way to authenticate is a mistake to stop at start-up, not
      // a route whose protection depends on how the server reads the typo.
      if (!AUTH_KINDS.includes(d.auth))
        throw new Error(`route ${d.method} ${d.path}: unknown auth kind ${JSON.stringify(d.auth)}`);
      const keys: string[] = [];
      const src = d.path
        .split('/')
        .map((seg) => {
          if (seg.startsWith(':')) {
            keys.push(seg.slice(1));
            return '([^/]+)';
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      this.routes.push({ ...d, re: new RegExp(`^${src}/?$`), keys });
    }
  }

  /** The route for method+path, 'method' when only the method is wrong, or null. */
  match(method: string, path: string): { route: Compiled; params: Record<string, string> } | 'method' | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      if (r.method !== method) {
        pathMatched = true;
        continue;
      }
      const params: Record<string, string> = {};
      for (let i = 0; i < r.keys.length; i++) params[r.keys[i]!] = safeDecode(m[i + 1]!);
      return { route: r, params };
    }
    return pathMatched ? 'method' : null;
  }
}

// --- helpers used by handlers -----------------------------------------------------------------

export function jsonBody(ctx: Ctx): Record<string, unknown> {
  if (ctx.body === MALFORMED) return fail(400, 'request body is not valid JSON', { pointer: '' });
  if (ctx.body === undefined || ctx.body === null || typeof ctx.body !== 'object' || Array.isArray(ctx.body))
    return fail(400, 'request body must be a JSON object', { pointer: '' });
  return ctx.body as Record<string, unknown>;
}

/** `{data: [...]}` with at most `max` items (R11, R35, R38, R75, R29); else 400. */
export function dataArray(ctx: Ctx, max: number, rule: string): unknown[] {
  const body = jsonBody(ctx);
  if (!Array.isArray(body.data)) return fail(400, '`data` must be an array', { pointer: '/data' });
  if (body.data.length === 0) return fail(400, '`data` must contain at least one item', { pointer: '/data' });
  if (body.data.length > max)
    return fail(400, `at most ${max} items per request (${rule}); got ${body.data.length}`, {
      pointer: '/data',
    });
  return body.data;
}

export function dataObject(ctx: Ctx): Record<string, unknown> {
  const body = jsonBody(ctx);
  const d = body.data;
  if (d === null || typeof d !== 'object' || Array.isArray(d))
    return fail(400, '`data` must be an object', { pointer: '/data' });
  return d as Record<string, unknown>;
}
