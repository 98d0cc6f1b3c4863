// biome-ignore-all lint/suspicious/noExplicitAny: a JSON Schema walker over untyped YAML and JSON
// Test support (not shipped in the package entry points): a started mock with a token, and a small
// JSON Schema checker that validates response bodies against openapi/kard.yaml, the source the SDK's
// generated types come from.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type CoreOptions, MockCore } from './core.js';
import { startMockKard } from './server.js';
import type { MockKard, MockKardOptions } from './types.js';

export interface Harness {
  mock: MockKard;
  token: string;
  base: string; // `${url}/v2/issuers/${org}`
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Result>;
}
export interface Result {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export async function getToken(mock: MockKard): Promise<string> {
  const res = await fetch(`${mock.url}/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: mock.clientId, client_secret: mock.clientSecret }),
  });
  const json = (await res.json()) as { access_token: string };
  return json.access_token;
}

export async function harness(options: MockKardOptions = {}): Promise<Harness> {
  const mock = await startMockKard({ port: 0, ...options });
  const token = await getToken(mock);
  const h: Harness = {
    mock,
    token,
    base: `${mock.url}/v2/issuers/${mock.organizationId}`,
    async call(method, path, body, headers) {
      const url = path.startsWith('http') ? path : `${mock.url}${path}`;
      const res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${h.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
  };
  return h;
}

/** The sandbox's state object on its own (no HTTP server), for tests of its behaviour. */
export function mockCore(over: Partial<CoreOptions> = {}): MockCore {
  return new MockCore({
    organizationId: 'org-1',
    clientId: 'client-1',
    clientSecret: 'secret-1',
    webhookSecret: 'whsec-1',
    tokenTtlSeconds: 3600,
    uploadUrlTtlSeconds: 900,
    now: () => 0,
    webhookUrl: undefined,
    webhookMaxAttempts: 1,
    webhookBackoffMs: 1,
    ...over,
  });
}

export const org = (h: Harness) => `/v2/issuers/${h.mock.organizationId}`;

export function txn(id: string, attrs: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'transaction',
    id,
    attributes: {
      userId: 'user-1',
      transactionId: `txn-${id}`,
      amount: 2500,
      status: 'SETTLED',
      currency: 'USD',
      description: 'POS PURCHASE',
      authorizationDate: '2026-11-01T10:00:00Z',
      settledDate: '2026-11-02T10:00:00Z',
      cardBIN: '411111',
      cardLastFour: '4242',
      direction: 'DEBIT',
      paymentType: 'CARD',
      ...attrs,
    },
  };
}

export interface Hit {
  raw: Buffer;
  headers: IncomingMessage['headers'];
  path: string;
}

/** A webhook receiver on 127.0.0.1 keeping raw bodies; `status` decides each answer (n = hits on that path). */
export async function receiver(status: (n: number, path: string) => number) {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hits.push({ raw: Buffer.concat(chunks), headers: req.headers, path: req.url ?? '' });
      res.statusCode = status(hits.filter((x) => x.path === req.url).length, req.url ?? '');
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { hits, url, close: () => new Promise((r) => server.close(r)) };
}

type Falsy = undefined | null | false | 0 | '';

/**
 * Polls `fn` (every 20 ms) until it returns something truthy. The 10 s ceiling is generous on
 * purpose (a loaded 2-core machine); a condition that never comes fails with `what`. Mutation runs
 * set a shorter one (KARDKIT_TEST_WAIT_MS, vitest.mutation.config.ts): a mutant that stops a
 * webhook would otherwise cost the whole ceiling.
 */
export async function waitFor<T>(
  fn: () => T | Falsy | Promise<T | Falsy>,
  what = 'a condition',
  ms = Number(process.env.KARDKIT_TEST_WAIT_MS) || 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// --- OpenAPI response conformance ---------------------------------------------------------------

/**
 * openapi/kard.yaml of this repository: the nearest one above this file (three levels up in the
 * repo, deeper when a copy of the package runs from a sandbox inside it, as under Stryker).
 */
export function specPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    const candidate = join(dir, 'openapi', 'kard.yaml');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('openapi/kard.yaml not found above the mock server sources');
    dir = up;
  }
}

let spec: any;
function loadSpec(): any {
  spec ??= parse(readFileSync(specPath(), 'utf8'));
  return spec;
}

function resolve(s: any): any {
  let cur = s;
  while (cur && typeof cur.$ref === 'string') {
    const parts = cur.$ref
      .replace(/^#\//, '')
      .split('/')
      .map((p: string) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    cur = parts.reduce((o: any, k: string) => o?.[k], loadSpec());
  }
  return cur;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function check(schema: any, v: unknown, path: string, errs: string[]): void {
  const s = resolve(schema);
  if (!s || s === true) return;
  if (s.allOf) for (const sub of s.allOf) check(sub, v, path, errs);
  if (s.oneOf || s.anyOf) {
    const list: any[] = s.oneOf ?? s.anyOf;
    const disc = s.discriminator?.propertyName;
    if (disc && v && typeof v === 'object' && s.discriminator.mapping) {
      const target = s.discriminator.mapping[(v as any)[disc]];
      if (!target) errs.push(`${path}: unknown ${disc} '${(v as any)[disc]}'`);
      else check({ $ref: target }, v, path, errs);
    } else {
      const results = list.map((sub) => {
        const e: string[] = [];
        check(sub, v, path, e);
        return e;
      });
      if (!results.some((r) => r.length === 0))
        errs.push(`${path}: matches no variant (${results.map((r) => r[0]).join(' | ')})`);
    }
  }
  if (s.const !== undefined && v !== s.const) errs.push(`${path}: expected const ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in enum`);
  const types: string[] | undefined =
    s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
  if (types) {
    const t = typeOf(v);
    const ok = types.includes(t) || (t === 'integer' && types.includes('number'));
    if (!ok) {
      errs.push(`${path}: expected ${types.join('|')}, got ${t}`);
      return;
    }
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errs.push(`${path}: below minimum`);
    if (s.maximum !== undefined && v > s.maximum) errs.push(`${path}: above maximum`);
  }
  if (typeof v === 'string' && s.pattern && !new RegExp(s.pattern, 'u').test(v))
    errs.push(`${path}: does not match ${s.pattern}`);
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(`${path}: too many items`);
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${path}: too few items`);
    if (s.items) for (let i = 0; i < v.length; i++) check(s.items, v[i], `${path}[${i}]`, errs);
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${path}: missing required '${r}'`);
    for (const [k, sub] of Object.entries(s.properties ?? {}))
      if (k in o) check(sub, o[k], `${path}.${k}`, errs);
    if (s.additionalProperties === false)
      for (const k of Object.keys(o))
        if (!(k in (s.properties ?? {}))) errs.push(`${path}: unexpected property '${k}'`);
  }
}

/** Problems of `body` against the documented response of `method template` with `status` ([] = conforms). */
export function conformance(method: string, template: string, status: number, body: unknown): string[] {
  const op = loadSpec().paths?.[template]?.[method.toLowerCase()];
  if (!op) return [`no operation ${method} ${template} in openapi/kard.yaml`];
  const resp = resolve(op.responses?.[String(status)]);
  if (!resp) return [`status ${status} is not documented for ${method} ${template}`];
  const content = resp.content?.['application/json'] ?? Object.values(resp.content ?? {})[0];
  if (!content) return body === undefined || body === '' ? [] : ['no body documented'];
  const errs: string[] = [];
  check((content as any).schema, body, '$', errs);
  return errs;
}

/** Problems of `value` against `#/components/schemas/<name>` ([] = conforms). */
export function conformsTo(name: string, value: unknown): string[] {
  const errs: string[] = [];
  check({ $ref: `#/components/schemas/${name}` }, value, '$', errs);
  return errs;
}
