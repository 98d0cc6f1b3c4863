import type { KyInstanceLike } from './ky-client.js';

/**
 * Loads the SDK's own ky when the user passes none (both builds of the main entry load it this way,
 * not with the import: see src/client.default.ts and src/client.node.ts for why). The CommonJS build
 * bundles ky and wraps it once more: its default export is then under `.default`.
 */
export const loadKy = (): Promise<KyInstanceLike> =>
  import('ky').then((m) => {
    const d = m.default as unknown as KyInstanceLike | { default: KyInstanceLike };
    return typeof d === 'function' ? d : d.default;
  });
