import type {
  BulkFileOptions,
  BulkFileResult,
  SendOptions,
  SendReport,
  Source,
  UploadReport,
} from './bulk/types.js';
import {
  type KardClientOptions as BaseOptions,
  KardClientBase,
  withEnvDefaults,
} from './core/client-base.js';
import {
  assertKyInstance,
  createKySender,
  type KyInstanceLike,
  type KySenderOptions,
} from './core/ky-client.js';
import type { ResourceTree } from './core/operation.js';
import { validateRequest } from './core/schemas.js';
import type { DeprecatedOperations, Operations } from './ops.js';

export interface BulkHelpers {
  transactions: {
    /** Streams any number of events in batches (≤500) with bounded memory; see README "Bulk". */
    send(items: Source, options?: SendOptions): Promise<SendReport>;
    /** Bulk-file flow: request a presigned URL, stream gzipped JSONL to it with PUT. */
    uploadFile(
      records: Source | (() => Source | Promise<Source>),
      options?: BulkFileOptions,
    ): Promise<BulkFileResult>;
  };
  users: {
    uploads: {
      /**
       * Historical upload flow for one user: create → parts (≤500 each) → complete.
       * @deprecated Kard deprecated upload sessions (R37): use `kard.transactions.uploadFile`.
       */
      send(userId: string, items: Source, options?: SendOptions): Promise<UploadReport>;
    };
  };
  legacy: {
    transactions: {
      /** Same engine as transactions.send, to the legacy POST /transactions/incoming. */
      send(items: Source, options?: SendOptions): Promise<SendReport>;
    };
  };
}

type Merge<A, B> = {
  [K in keyof A | keyof B]: K extends keyof A
    ? K extends keyof B
      ? A[K] extends object
        ? B[K] extends object
          ? Merge<A[K], B[K]>
          : A[K]
        : A[K]
      : A[K]
    : K extends keyof B
      ? B[K]
      : never;
};

// The intersections (Merge is a mapped type, which drops JSDoc) keep the @deprecated tags of
// DeprecatedOperations and of users.uploads.send, so editors show them.
export type KardResources = Merge<ResourceTree<Operations>, BulkHelpers> &
  DeprecatedOperations &
  Pick<BulkHelpers, 'users'>;

export interface KardClientOptions extends BaseOptions {
  /**
   * The ky instance requests are sent with (default: the ky 1 the SDK depends on). Pass
   * `ky.create({ hooks })` to add your own hooks; an instance of ky 1.x or ky 2.x works. Retries,
   * timeouts and HTTP errors stay the SDK's: `retry`, `timeout` and `throwHttpErrors` are overridden
   * on every call. Anything but a ky instance is refused with a `KardError`.
   */
  ky?: KyInstanceLike;
}

/**
 * @internal The main entry's client, for its two builds (src/index.ts, src/index.node.ts): `defaults`
 * says which ky to use when no `ky` is given and what ky sends with when no `fetch` is given.
 */
export class KardClientImpl extends KardClientBase {
  constructor(
    options: KardClientOptions,
    defaults: Pick<KySenderOptions, 'defaultKy' | 'transportFetch' | 'kyDefaults'>,
  ) {
    // Validation on by default, with @kardkit/schemas loaded on first use; organization and base URL
    // default to the environment. Requests go through one generated ky client per KardClient
    // (core/ky-sender.ts).
    if (options.ky !== undefined) assertKyInstance(options.ky);
    super({ validator: validateRequest, ...withEnvDefaults(options) }, (config) =>
      createKySender({ ...config, ...defaults, ky: options.ky }),
    );
    const self = this as unknown as KardClient;
    // The bulk helpers load on first use, so a one-call app never loads them.
    const flows =
      (name: 'sendTransactions' | 'sendLegacy' | 'sendHistorical') =>
      (...args: unknown[]) =>
        import('./bulk/flows.js').then((m) => (m[name] as (...a: unknown[]) => unknown)(self, ...args));
    const t = self.transactions as Record<string, unknown>;
    t.send = flows('sendTransactions');
    t.uploadFile = (...args: unknown[]) =>
      import('./bulk/upload.js').then((m) => (m.uploadFile as (...a: unknown[]) => unknown)(self, ...args));
    (self.users.uploads as Record<string, unknown>).send = flows('sendHistorical');
    (self.legacy.transactions as Record<string, unknown>).send = flows('sendLegacy');
  }
}

/** The Kard API client's type: every operation of openapi/kard.yaml as a resource method, and the bulk helpers. */
export type KardClient = KardClientBase & KardResources;
