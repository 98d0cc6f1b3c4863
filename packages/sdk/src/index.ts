/**
 * @kardkit/sdk: the Kard rewards API client for card issuers.
 * Subpaths for small apps: '@kardkit/sdk/hem', '@kardkit/sdk/webhooks', '@kardkit/sdk/errors'.
 */

export { KardClient } from './client.default.js';
export * from './exports.js';
