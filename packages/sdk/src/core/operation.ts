import { KardError } from '../errors.js';
import type { Logger } from './logger.js';
import { type PagedList, paginate } from './pagination.js';
import { type PartialResult, toPartialResult } from './partial.js';
import type { RequestOptions, Stats, Transport } from './transport.js';

/**
 * How the generic wrapper drives one generated sdk function. The generated function supplies the
 * method, URL template, and the request/response types; the descriptor adds only what the spec cannot
 * say: positional path parameters, whether the call takes a body or a query, which @kardkit/schemas
 * validator applies, and whether it can answer 207.
 */
export type OpKind = 'none' | 'query' | 'body' | 'list';

export interface OpDescriptor<
  F = unknown,
  P extends readonly string[] = readonly string[],
  K extends OpKind = OpKind,
> {
  fn: F;
  path: P;
  kind: K;
  /** @kardkit/schemas kind (safeParse<Kind>) applied to the body when validation is on. */
  validator?: string;
  /** 207-capable: resolve to PartialResult. */
  partial?: boolean;
  /** The body is a bare array (legacy incoming), so arrays are not wrapped in {data}. */
  bareArray?: boolean;
  /** Sent without the bearer token (ping, the token endpoint). */
  noAuth?: boolean;
  /** Deprecated upstream: what to use instead (logged once per process, see warnDeprecated). */
  deprecated?: string;
}

export interface OpExtra {
  validator?: string;
  partial?: true;
  bareArray?: true;
  noAuth?: true;
  deprecated?: string;
}

export function op<
  F,
  const P extends readonly string[],
  K extends OpKind,
  const E extends OpExtra = Record<never, never>,
>(fn: F, path: P, kind: K, extra?: E): OpDescriptor<F, P, K> & E {
  return { fn, path, kind, ...extra } as OpDescriptor<F, P, K> & E;
}

// ---- types derived from the generated functions -------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: generated sdk functions are generic over ThrowOnError
type AnyFn = (options: any) => any;
type Opt<F> = F extends (options: infer O) => unknown ? O : never;
type Ids<P extends readonly string[]> = { [I in keyof P]: string };
/** The success body (every 2xx, including 207) of a generated function. */
export type ResponseOf<F> = F extends AnyFn
  ? Exclude<
      Awaited<ReturnType<F>> extends infer R ? (R extends { data: infer D } ? D : never) : never,
      undefined
    >
  : never;
export type BodyOf<F> = Opt<F> extends { body?: infer B } ? NonNullable<B> : never;
export type QueryOf<F> = Opt<F> extends { query?: infer Q } ? Q : never;
type ItemOf<T> = T extends { data: infer D }
  ? D extends readonly (infer I)[]
    ? I
    : T
  : T extends readonly (infer I)[]
    ? I
    : T;
type ListItem<R> = R extends { data: readonly (infer I)[] } ? I : unknown;

export type Method<D> =
  D extends OpDescriptor<infer F, infer P, infer K>
    ? K extends 'body'
      ? D extends { partial: true }
        ? (
            ...args: [...Ids<P>, body: BodyOf<F> | ItemOf<BodyOf<F>>[], options?: RequestOptions]
          ) => Promise<PartialResult<ItemOf<BodyOf<F>>, ResponseOf<F>>>
        : (
            ...args: [...Ids<P>, body: BodyOf<F> | ItemOf<BodyOf<F>>[], options?: RequestOptions]
          ) => Promise<ResponseOf<F>>
      : K extends 'query'
        ? (...args: [...Ids<P>, query?: QueryOf<F>, options?: RequestOptions]) => Promise<ResponseOf<F>>
        : K extends 'list'
          ? (
              ...args: [...Ids<P>, query?: QueryOf<F>, options?: RequestOptions]
            ) => PagedList<ListItem<ResponseOf<F>>, ResponseOf<F>>
          : (...args: [...Ids<P>, options?: RequestOptions]) => Promise<ResponseOf<F>>
    : never;

type Split<K extends string> = K extends `${infer H}.${infer R}` ? [H, ...Split<R>] : [K];
type Nest<P extends string[], V> = P extends [infer H extends string, ...infer R extends string[]]
  ? { [k in H]: Nest<R, V> }
  : V;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
/** Dotted table keys ('users.uploads.createPart') become the nested resource tree. */
export type ResourceTree<T> = UnionToIntersection<
  { [K in keyof T & string]: Nest<Split<K>, Method<T[K]>> }[keyof T & string]
>;

// ---- runtime ------------------------------------------------------------------------------------

export type RequestValidator = (
  kind: string,
  body: unknown,
  logger: Logger | undefined,
) => void | Promise<void>;

export interface OpContext {
  transport: Transport;
  organizationId: string | undefined;
  validate: boolean;
  /** Checks a request body against a @kardkit/schemas kind; throws KardValidationError. */
  validator: RequestValidator | undefined;
  logger: Logger | undefined;
}

/** What a generated sdk function declares: its HTTP method and URL template. */
interface OperationShape {
  method: string;
  url: string;
}

const shapes = new WeakMap<object, OperationShape>();

/**
 * Reads the method and URL template a generated sdk function declares, once per function: it is
 * called with a recorder in place of its client, which returns what it was asked to send. Nothing is
 * sent; the SDK knows the template before the first call to name a missing path parameter and to
 * put the request's path in errors and logs.
 */
function shapeOf(fn: AnyFn): OperationShape {
  let shape = shapes.get(fn);
  if (!shape) {
    const recorder: Record<string, (o: { url: string }) => OperationShape> = {};
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
      recorder[method.toLowerCase()] = (o) => ({ method, url: o.url });
    shape = fn({ client: recorder }) as OperationShape;
    shapes.set(fn, shape);
  }
  return shape;
}

/** The URL template with its path parameters filled in (encoded), or a KardError naming the one missing. */
function fillPath(template: string, path: Record<string, unknown>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = path[name];
    if (v === undefined || v === null || v === '') {
      throw new KardError(
        name === 'organizationId'
          ? 'organizationId is required: pass it to new KardClient() or per call'
          : `Missing path parameter ${name}`,
      );
    }
    return encodeURIComponent(String(v));
  });
}

/**
 * One resource method: positional ids and payload → validation → Transport (the SDK's policies), which
 * sends each attempt through the generated sdk function `d.fn` (main entry: with the KardClient's
 * generated ky client; lite: fetch to the same URL) → 207 handling.
 */
export function bindOp(ctx: OpContext, d: OpDescriptor, name = ''): (...args: unknown[]) => unknown {
  const n = d.path.length;
  const call = async (ids: unknown[], payload: unknown, opts: RequestOptions, stats?: Stats) => {
    if (d.deprecated) warnDeprecated(ctx.logger, name, d.deprecated);
    const path: Record<string, unknown> = { organizationId: opts.organizationId ?? ctx.organizationId };
    for (let i = 0; i < n; i++) path[d.path[i]!] = ids[i];
    let body: unknown;
    let query: Record<string, unknown> | undefined;
    if (d.kind === 'body') {
      body = Array.isArray(payload) && !d.bareArray ? { data: payload } : payload;
      if (d.validator && ctx.validator && (opts.validate ?? ctx.validate)) {
        const pending = ctx.validator(d.validator, body, ctx.logger);
        if (pending) await pending;
      }
    } else if (payload !== undefined) {
      query = payload as Record<string, unknown>;
    }
    const shape = shapeOf(d.fn as AnyFn);
    const res = await ctx.transport.request(
      {
        method: shape.method,
        url: fillPath(shape.url, path),
        query,
        json: body,
        auth: !d.noAuth,
        operation: { fn: d.fn, path },
      },
      opts,
      stats,
    );
    return d.partial ? toPartialResult(body, res.status, res.data) : res.data;
  };
  if (d.kind === 'list') {
    return (...args: unknown[]) => {
      const opts = (args[n + 1] ?? {}) as RequestOptions;
      return paginate(
        (q) => call(args, q, opts) as Promise<unknown>,
        args[n] as Record<string, unknown> | undefined,
      );
    };
  }
  const bound = (...args: unknown[]) => {
    const payload = d.kind === 'none' ? undefined : args[n];
    const opts = ((d.kind === 'none' ? args[n] : args[n + 1]) ?? {}) as RequestOptions;
    return call(args, payload, opts);
  };
  /** Internal: the same call with explicit ids/payload and a stats sink (used by the bulk helpers). */
  bound.raw = call;
  return bound;
}

export type RawCall = (
  ids: unknown[],
  payload: unknown,
  opts: RequestOptions,
  stats?: Stats,
) => Promise<unknown>;
export const rawOf = (method: unknown): RawCall => (method as { raw: RawCall }).raw;

let deprecationLogged = false;

/**
 * One warning per process for the operations Kard has deprecated (the upload-session calls,
 * openapi/kard.yaml `deprecated: true`, R37): enough to be seen in a log without repeating on
 * every batch. Only a logger that takes warnings uses up the one warning.
 */
export function warnDeprecated(logger: Logger | undefined, name: string, successor: string): void {
  if (deprecationLogged || !logger?.warn) return;
  deprecationLogged = true;
  logger.warn(`kard.${name} is deprecated by Kard; use kard.${successor} instead`, {
    operation: name,
    successor,
  });
}

/** @internal For tests: forget that the warning was logged. */
export function resetDeprecationWarning(): void {
  deprecationLogged = false;
}

/** Builds the nested resource object from a table with dotted keys. */
export function buildTree(ctx: OpContext, table: Record<string, OpDescriptor>) {
  const root: Record<string, Record<string, unknown>> = {};
  for (const key in table) {
    const parts = key.split('.');
    let node: Record<string, unknown> = root;
    for (let i = 0; i < parts.length - 1; i++) {
      node[parts[i]!] ??= {};
      node = node[parts[i]!] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = bindOp(ctx, table[key]!, key);
  }
  return root;
}

export type { PagedList, PartialResult };
