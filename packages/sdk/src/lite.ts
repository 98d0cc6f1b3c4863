/**
 * '@kardkit/sdk/lite': the same client and every resource method, without the bulk helpers and
 * without a default validator (pass `validator` to validate), for the smallest bundles.
 */
import { KardClientBase, type KardClientOptions, type KardLiteClient } from './core/client-base.js';

export const KardClient = KardClientBase as unknown as new (options?: KardClientOptions) => KardLiteClient;
export type KardClient = KardLiteClient;
export { environments, type KardClientOptions } from './core/client-base.js';
export type { RequestValidator } from './core/operation.js';
export * from './errors.js';
