import { KardError } from '../errors.js';
import { type DeprecatedOperations, type Operations, operations } from '../ops.js';
import { ClientCredentials, StaticToken } from './auth.js';
import type { Logger } from './logger.js';
import { buildTree, type OpContext, type RequestValidator, type ResourceTree } from './operation.js';
import {
  fetchSender,
  type KardResponse,
  type RequestOptions,
  type RequestSpec,
  type Sender,
  type Stats,
  Transport,
} from './transport.js';

/** Base URLs (the `servers` of openapi/kard.yaml). */
export const environments = {
  production: 'https://rewards-api.getkard.com',
  sandbox: 'https://test-rewards-api.getkard.com',
} as const;

export interface KardClientOptions {
  /** 'production' (default) or 'sandbox'. '@kardkit/sdk' defaults it to env KARD_ENVIRONMENT. */
  environment?: keyof typeof environments;
  /** Overrides `environment` (e.g. the mock server's URL). '@kardkit/sdk' defaults it to env KARD_BASE_URL. */
  baseUrl?: string;
  /** Default organization (issuer) id for every call; overridable per call. '@kardkit/sdk' defaults it to
   *  env KARD_ORGANIZATION_ID. */
  organizationId?: string;
  /** OAuth client credentials; default: env KARD_CLIENT_ID / KARD_CLIENT_SECRET. */
  clientId?: string;
  clientSecret?: string;
  /** A static bearer token instead of client credentials (never refreshed). */
  token?: string;
  /** Per-attempt timeout in ms (default 60 000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Off by default. Secrets are redacted from everything logged. */
  logger?: Logger;
  /** Custom fetch (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Validate request bodies before sending (default true; needs a validator, which the main entry supplies). */
  validate?: boolean;
  /** The validator (default in '@kardkit/sdk': @kardkit/schemas, loaded on first use; none in '/lite'). */
  validator?: RequestValidator;
}

type Env = Record<string, string | undefined>;

/**
 * The main entry's defaults from the environment: KARD_ORGANIZATION_ID, then KARD_BASE_URL or
 * KARD_ENVIRONMENT when the options name neither a baseUrl nor an environment. Options always win; an
 * empty variable counts as unset. (The lite entry reads only KARD_CLIENT_ID / KARD_CLIENT_SECRET.)
 */
export function withEnvDefaults<O extends KardClientOptions>(options: O): O {
  const env = (globalThis as { process?: { env?: Env } }).process?.env ?? {};
  const out = { ...options };
  out.organizationId ||= env.KARD_ORGANIZATION_ID || undefined;
  if (!out.baseUrl && !out.environment) {
    out.baseUrl = env.KARD_BASE_URL || undefined;
    out.environment = (env.KARD_ENVIRONMENT || undefined) as O['environment'];
  }
  const name = out.environment;
  if (name !== undefined && !Object.hasOwn(environments, name)) {
    throw new KardError(
      `Unknown environment ${JSON.stringify(name)} (${options.environment ? 'option' : 'KARD_ENVIRONMENT'}): use 'production' or 'sandbox'`,
    );
  }
  return out;
}

/**
 * The client without bulk helpers and without a default validator: what '@kardkit/sdk/lite' exports,
 * and the base of the full KardClient. Every operation of openapi/kard.yaml is a method on the
 * resource tree (`kard.transactions.create`, `kard.users.uploads.createPart`, `kard.users.offers.list`…).
 */
export class KardClientBase {
  /** @internal */
  readonly transport: Transport;
  /** @internal */
  readonly context: OpContext;
  readonly organizationId: string | undefined;

  /**
   * @param createSender internal: how attempts are sent. The main entry passes the generated ky
   * client; without it (the lite entry) plain fetch is used.
   */
  constructor(
    options: KardClientOptions = {},
    createSender?: (config: { baseUrl: string; fetch: typeof fetch | undefined }) => Sender,
  ) {
    const env = (globalThis as { process?: { env?: Env } }).process?.env ?? {};
    const clientId = options.clientId ?? env.KARD_CLIENT_ID;
    const clientSecret = options.clientSecret ?? env.KARD_CLIENT_SECRET;
    const tokens = options.token
      ? new StaticToken(options.token)
      : clientId && clientSecret
        ? new ClientCredentials(clientId, clientSecret)
        : undefined;
    if (!tokens) {
      throw new KardError(
        'Missing credentials: pass clientId + clientSecret (or set KARD_CLIENT_ID + KARD_CLIENT_SECRET) or token',
      );
    }
    const headers: Record<string, string> = {};
    for (const k in options.headers) headers[k.toLowerCase()] = options.headers[k]!;
    const baseUrl = (options.baseUrl ?? environments[options.environment ?? 'production']).replace(
      /\/+$/,
      '',
    );
    this.transport = new Transport({
      baseUrl,
      send: createSender
        ? createSender({ baseUrl, fetch: options.fetch })
        : fetchSender(options.fetch ?? ((input, init) => fetch(input, init))),
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
      headers,
      logger: options.logger,
      tokens,
      secrets: () => [clientSecret, options.token, tokens.current],
    });
    tokens.transport = this.transport;
    this.organizationId = options.organizationId;
    this.context = {
      transport: this.transport,
      organizationId: options.organizationId,
      validate: options.validate ?? true,
      validator: options.validator,
      logger: options.logger,
    };
    Object.assign(this, buildTree(this.context, operations));
  }

  /**
   * Passthrough for endpoints the spec lacks (or for pre-serialised bodies): same auth, retries,
   * timeouts, errors and redaction. `spec.url` is a path ('/v2/...') or an absolute URL. Pass
   * `stats` to count retries (`stats.retried` is incremented per retried attempt).
   */
  request<T = unknown>(spec: RequestSpec, options?: RequestOptions, stats?: Stats): Promise<KardResponse<T>> {
    return this.transport.request<T>(spec, options, stats);
  }
}

export type KardLiteClient = KardClientBase & ResourceTree<Operations> & DeprecatedOperations;
