import type { ValidationIssue } from '@kardkit/schemas';

export interface ErrorObject {
  status: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string; header?: string };
  id?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
const titleFor = (status: number) => TITLES[status] ?? `HTTP ${status}`;

/** A response the router sends as-is. */
export interface Reply {
  status: number;
  body?: unknown; // JSON-serialised unless `raw` is set
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export const reply = (status: number, body?: unknown, headers?: Record<string, string>): Reply =>
  headers ? { status, body, headers } : { status, body };

export function errorObject(
  status: number,
  detail: string,
  extra?: { pointer?: string; parameter?: string; id?: string; title?: string },
): ErrorObject {
  const e: ErrorObject = { status: String(status), title: extra?.title ?? titleFor(status), detail };
  if (extra?.pointer !== undefined) e.source = { pointer: extra.pointer };
  else if (extra?.parameter !== undefined) e.source = { parameter: extra.parameter };
  if (extra?.id !== undefined) e.id = extra.id;
  return e;
}

/** A JSON:API error body `{errors:[...]}` (openapi/kard.yaml ErrorResponse). */
export const apiError = (
  status: number,
  detail: string,
  extra?: { pointer?: string; parameter?: string; id?: string; title?: string },
): Reply => ({ status, body: { errors: [errorObject(status, detail, extra)] } });

/** Thrown inside handlers to short-circuit with an error reply. */
export class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}
export const fail = (
  status: number,
  detail: string,
  extra?: { pointer?: string; parameter?: string; id?: string; title?: string },
): never => {
  throw new HttpError(apiError(status, detail, extra));
};

/** 'data[3].attributes.settledDate' -> '/data/3/attributes/settledDate' (JSON Pointer). */
export function toPointer(path: string): string {
  if (!path) return '';
  return `/${path
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^\./, '')
    .split('.')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`;
}

/** The issues worth reporting: the errors, or every issue when none is an error. */
export function reportable(issues: readonly ValidationIssue[]): readonly ValidationIssue[] {
  const errs = issues.filter((i) => i.severity === 'error');
  return errs.length ? errs : issues;
}

/** 'required when status is SETTLED (R2)' */
export const issueMessage = (i: ValidationIssue) => `${i.message}${i.rule ? ` (${i.rule})` : ''}`;

export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path ? `${i.path}: ` : ''}${issueMessage(i)}`).join('; ');
}

/** One JSON:API error per issue (for whole-request 400s). */
export function issuesToErrors(issues: readonly ValidationIssue[]): ErrorObject[] {
  return reportable(issues).map((i) =>
    errorObject(400, issueMessage(i), { pointer: toPointer(i.path), title: 'Invalid request' }),
  );
}

export const validationFailure = (issues: readonly ValidationIssue[]): never => {
  throw new HttpError({ status: 400, body: { errors: issuesToErrors(issues) } });
};

// --- cursor pagination -------------------------------------------------------------------------

const encodeCursor = (index: number) => Buffer.from(`o:${index}`).toString('base64url');
function decodeCursor(cursor: string, parameter: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^o:(\d+)$/.exec(text);
  if (!m) return fail(400, 'invalid pagination cursor', { parameter });
  return Number(m[1]);
}

export interface Page<T> {
  items: T[];
  links: { self: string; next?: string; prev?: string };
  hasNextPage: boolean;
  pageSize: number;
}

function parsePageSize(
  query: URLSearchParams,
  { def, max }: { def: number; max: number },
  name = 'page[size]',
): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    fail(400, `${name} must be an integer from 1 to ${max}`, { parameter: name });
  return n;
}

/** Offset-backed opaque cursors over an in-memory list; `links.next` is an absolute URL. */
export function paginate<T>(all: readonly T[], url: URL, opts: { def: number; max: number }): Page<T> {
  const q = url.searchParams;
  const size = parsePageSize(q, opts);
  const after = q.get('page[after]');
  const before = q.get('page[before]');
  let start = 0;
  if (after) start = decodeCursor(after, 'page[after]');
  else if (before) start = Math.max(0, decodeCursor(before, 'page[before]') - size);
  const end = Math.min(all.length, before && !after ? decodeCursor(before, 'page[before]') : start + size);
  const items = all.slice(start, end);
  const link = (key: 'page[after]' | 'page[before]', idx: number) => {
    const u = new URL(url.href);
    u.searchParams.delete('page[after]');
    u.searchParams.delete('page[before]');
    u.searchParams.set(key, encodeCursor(idx));
    return u.href;
  };
  const links: Page<T>['links'] = { self: url.href };
  const hasNextPage = end < all.length;
  if (hasNextPage) links.next = link('page[after]', end);
  if (start > 0) links.prev = link('page[before]', start);
  return { items, links, hasNextPage, pageSize: size };
}
