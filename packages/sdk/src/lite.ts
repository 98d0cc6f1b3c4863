/**
 * '@kardkit/sdk/lite': the same client and every resource method, without the bulk helpers and
 * without a default validator, for the smallest bundles. `new KardClient({ validator: validateRequest })`
 * validates exactly as the main entry does (@kardkit/schemas, loaded on the first call).
 */
import { KardClientBase, type KardClientOptions, type KardLiteClient } from './core/client-base.js';

export const KardClient = KardClientBase as unknown as new (options?: KardClientOptions) => KardLiteClient;
export type KardClient = KardLiteClient;
export { environments, type KardClientOptions } from './core/client-base.js';
export type { RequestValidator } from './core/operation.js';
export { validateRequest } from './core/schemas.js';
export * from './errors.js';
